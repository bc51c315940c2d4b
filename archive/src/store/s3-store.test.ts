/**
 * What only the S3 store shows, against s3rver through the real AWS SDK (testing.ts says
 * why s3rver, and what it does not implement). The requests are watched with a middleware
 * on the SDK client, after signing, so the headers checked are the ones that go on the wire.
 * Where s3rver cannot answer as a real store would (a conditional write refused, versions,
 * Object Lock retention), the store's answer is replaced by a canned one in S3's own
 * format, so the SDK still parses it and the mapping to ArchiveError is what is tested.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError } from '../errors.js';
import { S3ObjectStore, type S3StoreConfig } from './s3-store.js';
import { startS3Server, type TestS3Server } from './testing.js';

const MIB = 1024 * 1024;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const from = (...parts: string[]) => Readable.from(parts.map((part) => Buffer.from(part)));

interface Sent {
  command: string;
  method: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
}
interface Canned {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Records every request the store's client sends (as signed, at the end of the stack) and,
 * where `reply` gives a canned answer, answers it instead of the server.
 */
function watch(store: S3ObjectStore, reply: (sent: Sent) => Canned | undefined = () => undefined): Sent[] {
  const sent: Sent[] = [];
  store.client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { method: string; query?: Record<string, unknown>; headers: Record<string, string>; body: unknown };
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
      const entry: Sent = { command: context.commandName ?? '?', method: request.method, query: request.query ?? {}, headers, body: request.body };
      sent.push(entry);
      const canned = reply(entry);
      if (!canned) return next(args);
      return { response: { statusCode: canned.statusCode, headers: canned.headers ?? {}, body: Buffer.from(canned.body ?? '') }, output: {} as never };
    },
    // Inside the deserializer: a canned answer is parsed like the server's.
    { step: 'deserialize', priority: 'low', name: 'watchRequests' },
  );
  return sent;
}
const commands = (sent: Sent[]) => sent.map((entry) => entry.command);
const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

describe('S3ObjectStore', () => {
  let server: TestS3Server;
  const stores: S3ObjectStore[] = [];
  const fresh = (config: Partial<S3StoreConfig> = {}) => {
    const store = new S3ObjectStore({ ...server.config, prefix: `t-${randomBytes(6).toString('hex')}`, ...config });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    for (const store of stores) store.client.destroy();
    await server.stop();
  });

  it('sends a small object in one PutObject with its SHA-256 for the store to verify, and If-None-Match', async () => {
    const store = fresh();
    const sent = watch(store);
    const written = await store.put('rec-1', 'a.bin', from('hello ', 'world'));
    expect(written.sha256).toBe(sha256('hello world').toString('hex'));
    expect(commands(sent)).toEqual(['HeadObjectCommand', 'PutObjectCommand']);
    const put = sent[1]!;
    expect(put.headers['x-amz-checksum-sha256']).toBe(sha256('hello world').toString('base64'));
    expect(put.headers['if-none-match']).toBe('*');
    expect(put.headers['x-amz-object-lock-mode']).toBeUndefined();
  });

  it('uploads a file larger than the part size in parts, each with its SHA-256, and reads it back whole and across a part boundary', async () => {
    const store = fresh({ partSize: 5 * MIB });
    const data = randomBytes(11 * MIB + 123);
    const source = join(mkdtempSync(join(tmpdir(), 'archive-s3-')), 'big.mkv');
    writeFileSync(source, data);
    const sent = watch(store);
    const written = await store.put('rec-1', 'segments/big.mkv', source);
    expect(written).toEqual({ size: data.length, sha256: sha256(data).toString('hex') });

    expect(commands(sent)).toEqual(['HeadObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
    const create = sent.find((entry) => entry.command === 'CreateMultipartUploadCommand')!;
    expect(create.headers['x-amz-checksum-algorithm']).toBe('SHA256');
    const parts = sent.filter((entry) => entry.command === 'UploadPartCommand').sort((a, b) => Number(a.query.partNumber) - Number(b.query.partNumber));
    const expected = [data.subarray(0, 5 * MIB), data.subarray(5 * MIB, 10 * MIB), data.subarray(10 * MIB)].map((part) => sha256(part).toString('base64'));
    expect(parts.map((part) => part.headers['x-amz-checksum-sha256'])).toEqual(expected);
    // The conditional write is on the request that makes the object visible.
    expect(sent.at(-1)!.headers['if-none-match']).toBe('*');

    expect(await store.stat('rec-1', 'segments/big.mkv')).toEqual({ size: data.length });
    expect(sha256(await buffer(await store.get('rec-1', 'segments/big.mkv')))).toEqual(sha256(data));
    const across = await buffer(await store.get('rec-1', 'segments/big.mkv', { start: 5 * MIB - 10, end: 5 * MIB + 9 }));
    expect(across).toEqual(data.subarray(5 * MIB - 10, 5 * MIB + 10));
  });

  it('streams a source of unknown length in parts too', async () => {
    const store = fresh({ partSize: 5 * MIB });
    const chunks = Array.from({ length: 12 }, () => randomBytes(512 * 1024));
    const sent = watch(store);
    const written = await store.put('rec-1', 'stream.bin', Readable.from(chunks));
    const whole = Buffer.concat(chunks);
    expect(written).toEqual({ size: whole.length, sha256: sha256(whole).toString('hex') });
    expect(commands(sent).filter((command) => command === 'UploadPartCommand')).toHaveLength(2);
    expect(sha256(await buffer(await store.get('rec-1', 'stream.bin')))).toEqual(sha256(whole));
  });

  it('aborts a multipart upload whose source fails after the first part', async () => {
    const store = fresh({ partSize: 5 * MIB });
    const sent = watch(store);
    const failing = Readable.from(
      (async function* () {
        yield randomBytes(6 * MIB);
        throw new Error('source broke');
      })(),
    );
    // s3rver does not implement AbortMultipartUpload (405): the source's error is still the one reported.
    await expect(store.put('rec-1', 'a.bin', failing)).rejects.toThrow('source broke');
    expect(commands(sent)).toContain('AbortMultipartUploadCommand');
    expect(commands(sent)).not.toContain('CompleteMultipartUploadCommand');
    expect(await store.stat('rec-1', 'a.bin')).toBeNull();
  });

  it('refuses an overwrite with HEAD before sending any byte', async () => {
    const store = fresh();
    await store.put('rec-1', 'a.bin', from('first'));
    const sent = watch(store);
    const source = from('second');
    await expect(store.put('rec-1', 'a.bin', source)).rejects.toMatchObject({ code: 'exists' });
    expect(commands(sent)).toEqual(['HeadObjectCommand']);
    expect(source.destroyed).toBe(true);
  });

  it('maps the store refusing the conditional write (412, an object that appeared after the HEAD) to exists', async () => {
    const store = fresh();
    // s3rver ignores If-None-Match: the 412 a conditional store gives is canned.
    watch(store, (sent) =>
      sent.command === 'PutObjectCommand'
        ? { statusCode: 412, body: xml('<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>') }
        : undefined,
    );
    const refused = store.put('rec-1', 'a.bin', from('raced'));
    await expect(refused).rejects.toBeInstanceOf(ArchiveError);
    await expect(refused).rejects.toMatchObject({ code: 'exists', message: expect.stringContaining('rec-1/a.bin is already stored') });
  });

  it('can leave out If-None-Match for a store that rejects it', async () => {
    const store = fresh({ conditionalWrites: false });
    const sent = watch(store);
    await store.put('rec-1', 'a.bin', from('x'));
    expect(sent.find((entry) => entry.command === 'PutObjectCommand')!.headers['if-none-match']).toBeUndefined();
  });

  it('sends the Object Lock mode and retain-until date with a single put and a multipart upload', async () => {
    const store = fresh({ objectLock: { mode: 'COMPLIANCE', days: 30 }, partSize: 5 * MIB });
    const sent = watch(store);
    const before = Date.now();
    await store.put('rec-1', 'small.bin', from('small'));
    await store.put('rec-1', 'big.bin', Readable.from([randomBytes(6 * MIB)]));
    const locked = sent.filter((entry) => entry.command === 'PutObjectCommand' || entry.command === 'CreateMultipartUploadCommand');
    expect(locked.map((entry) => entry.command)).toEqual(['PutObjectCommand', 'CreateMultipartUploadCommand']);
    for (const entry of locked) {
      expect(entry.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
      const until = Date.parse(entry.headers['x-amz-object-lock-retain-until-date']!);
      expect(until - before).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
      expect(until - before).toBeLessThan(30 * 24 * 3600 * 1000 + 60_000);
    }
  });

  it('checks the bucket at startup: reachable, and Object Lock enabled when configured', async () => {
    await fresh().checkBucket();
    await expect(fresh({ bucket: 'no-such-bucket' }).checkBucket()).rejects.toMatchObject({ code: 'config' });
    // s3rver does not implement Object Lock (NotImplemented): a configured lock must not be trusted.
    await expect(fresh({ objectLock: { mode: 'GOVERNANCE', days: 1 } }).checkBucket()).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('Object Lock'),
    });
    const enabled = fresh({ objectLock: { mode: 'COMPLIANCE', days: 1 } });
    watch(enabled, (sent) =>
      sent.command === 'GetObjectLockConfigurationCommand'
        ? { statusCode: 200, body: xml(`<ObjectLockConfiguration ${NS}><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`) }
        : undefined,
    );
    await enabled.checkBucket();
  });

  it('reports refused credentials as a configuration error', async () => {
    // s3rver checks the access key id only (it does not verify V4 signatures).
    const store = fresh({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'wrong' } });
    await expect(store.stat('rec-1', 'a.bin')).rejects.toMatchObject({ code: 'config' });
    await expect(store.put('rec-1', 'a.bin', from('x'))).rejects.toMatchObject({ code: 'config' });
    await expect(store.list('rec-1')).rejects.toMatchObject({ code: 'config' });
  });

  it('lists only the keys a put could have written', async () => {
    const store = fresh({ prefix: 'listing' });
    await store.put('rec-1', 'a.bin', from('a'));
    // Another tool's folder marker and a name the archive never writes.
    for (const Key of ['listing/rec-1/dir/', 'listing/rec-1/with space.txt']) {
      await store.client.send(new PutObjectCommand({ Bucket: server.config.bucket, Key, Body: '' }));
    }
    expect(await store.list('rec-1')).toEqual(['a.bin']);
  });

  it('refuses a bad configuration', () => {
    expect(() => fresh({ objectLock: { mode: 'COMPLIANCE', days: 0 } })).toThrow(ArchiveError);
    expect(() => fresh({ objectLock: { mode: 'LOCKED' as 'COMPLIANCE', days: 1 } })).toThrow(ArchiveError);
    expect(() => fresh({ partSize: MIB })).toThrow(/part size/);
    expect(() => fresh({ bucket: '' })).toThrow(/bucket/);
    expect(() => fresh({ prefix: 'a/../b' })).toThrow(/prefix/);
  });

  describe('deleting under Object Lock (versions and retention canned: s3rver has neither)', () => {
    const versions = (prefix: string) =>
      xml(
        `<ListVersionsResult ${NS}><Name>archive</Name><Prefix>${prefix}</Prefix><IsTruncated>false</IsTruncated>` +
          `<Version><Key>${prefix}a.bin</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest><Size>3</Size></Version>` +
          `<DeleteMarker><Key>${prefix}old.bin</Key><VersionId>v0</VersionId><IsLatest>true</IsLatest></DeleteMarker>` +
          `</ListVersionsResult>`,
      );
    const lockedUntil = (until: Date, legalHold = 'OFF'): Canned => ({
      statusCode: 200,
      headers: {
        'content-length': '3',
        'x-amz-object-lock-mode': 'COMPLIANCE',
        'x-amz-object-lock-retain-until-date': until.toISOString(),
        'x-amz-object-lock-legal-hold': legalHold,
      },
    });
    const lockedStore = (head: Canned, deleted: string) => {
      const store = fresh({ prefix: 'locked', objectLock: { mode: 'COMPLIANCE', days: 30 } });
      const sent = watch(store, (entry) => {
        if (entry.command === 'ListObjectVersionsCommand') return { statusCode: 200, body: versions('locked/rec-1/') };
        if (entry.command === 'HeadObjectCommand') return entry.query.versionId === 'v0' ? { statusCode: 405, headers: { 'x-amz-delete-marker': 'true' } } : head;
        if (entry.command === 'DeleteObjectsCommand') return { statusCode: 200, body: xml(`<DeleteResult ${NS}>${deleted}</DeleteResult>`) };
        return undefined;
      });
      return { store, sent };
    };

    it('refuses before deleting anything while a version is retained', async () => {
      const until = new Date(Date.now() + 5 * 24 * 3600 * 1000);
      const { store, sent } = lockedStore(lockedUntil(until), '');
      const refused = store.delete('rec-1');
      await expect(refused).rejects.toMatchObject({ code: 'retention-active', message: expect.stringContaining(until.toISOString()) });
      expect(commands(sent)).not.toContain('DeleteObjectsCommand');
    });

    it('refuses while an S3 legal hold is on', async () => {
      const { store } = lockedStore(lockedUntil(new Date(Date.now() - 1000), 'ON'), '');
      await expect(store.delete('rec-1')).rejects.toMatchObject({ code: 'legal-hold' });
    });

    it('deletes every version and delete marker once retention has ended', async () => {
      const { store, sent } = lockedStore(lockedUntil(new Date(Date.now() - 1000)), '');
      await store.delete('rec-1');
      const request = sent.find((entry) => entry.command === 'DeleteObjectsCommand')!;
      const body = String(request.body);
      expect(body).toContain('<Key>locked/rec-1/a.bin</Key><VersionId>v1</VersionId>');
      expect(body).toContain('<Key>locked/rec-1/old.bin</Key><VersionId>v0</VersionId>');
    });

    it('reports the store refusing a retained version (AccessDenied) as retention-active', async () => {
      const denied = '<Error><Key>locked/rec-1/a.bin</Key><VersionId>v1</VersionId><Code>AccessDenied</Code><Message>Access Denied because object protected by object lock.</Message></Error>';
      const { store } = lockedStore(lockedUntil(new Date(Date.now() - 1000)), denied);
      await expect(store.delete('rec-1')).rejects.toMatchObject({ code: 'retention-active', message: expect.stringContaining('Object Lock retention has not ended') });
    });
  });

  it('reads the canned answers through the same SDK parsing as the server (sanity check of watch)', async () => {
    const store = fresh();
    await store.put('rec-1', 'a.bin', from('abc'));
    const sent = watch(store);
    expect(await text(await store.get('rec-1', 'a.bin', { start: 1 }))).toBe('bc');
    expect(sent[0]!.headers.range).toBe('bytes=1-');
  });
});
