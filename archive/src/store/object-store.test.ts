/**
 * The ObjectStore contract, run against every store: the local disk, and S3 through the
 * real AWS SDK against s3rver (see testing.ts for why s3rver, and what it does not
 * implement). What only one store can show lives beside it: local-store.test.ts (symbolic
 * links, temporary files) and s3-store.test.ts (multipart, checksums, conditional writes,
 * Object Lock).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, UnsafePathError } from '../errors.js';
import { LocalObjectStore } from './local-store.js';
import { type ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-store.js';
import { startS3Server } from './testing.js';

interface Backend {
  /** A new, empty store. */
  fresh(): ObjectStore;
  stop(): Promise<void>;
}

const backends: { name: string; start: () => Promise<Backend> }[] = [
  {
    name: 'LocalObjectStore',
    start: async () => ({
      fresh: () => new LocalObjectStore(join(mkdtempSync(join(tmpdir(), 'archive-store-')), 'objects')),
      stop: async () => undefined,
    }),
  },
  {
    name: 'S3ObjectStore (s3rver)',
    start: async () => {
      const server = await startS3Server();
      const stores: S3ObjectStore[] = [];
      return {
        // One server for the suite; each store its own key prefix, so each starts empty.
        fresh: () => {
          const store = new S3ObjectStore({ ...server.config, prefix: `t-${randomBytes(6).toString('hex')}` });
          stores.push(store);
          return store;
        },
        stop: async () => {
          for (const store of stores) store.client.destroy();
          await server.stop();
        },
      };
    },
  },
];

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const from = (...parts: string[]) => Readable.from(parts.map((part) => Buffer.from(part)));

describe.each(backends)('ObjectStore contract: $name', ({ start }) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend.stop();
  });

  it('stores a stream and a file, reports size and hash, reads back whole and by range', async () => {
    const store = backend.fresh();
    const written = await store.put('rec-1', 'segments/a.mkv', from('hello ', 'world'));
    expect(written).toEqual({ size: 11, sha256: sha256('hello world') });
    const source = join(mkdtempSync(join(tmpdir(), 'archive-source-')), 'source.txt');
    writeFileSync(source, 'from a file');
    expect(await store.put('rec-1', 'notes.txt', source)).toEqual({ size: 11, sha256: sha256('from a file') });

    expect(await text(await store.get('rec-1', 'segments/a.mkv'))).toBe('hello world');
    expect(await text(await store.get('rec-1', 'segments/a.mkv', { start: 6 }))).toBe('world');
    expect(await text(await store.get('rec-1', 'segments/a.mkv', { start: 0, end: 4 }))).toBe('hello');
    expect(await text(await store.get('rec-1', 'segments/a.mkv', { end: 4 }))).toBe('hello');
    expect(await text(await store.get('rec-1', 'segments/a.mkv', { start: 6, end: 100 }))).toBe('world');
    expect(await store.stat('rec-1', 'segments/a.mkv')).toEqual({ size: 11 });
    expect(await store.stat('rec-1', 'segments/none.mkv')).toBeNull();
    expect(await store.stat('rec-2', 'a.mkv')).toBeNull();
    expect(await store.list('rec-1')).toEqual(['notes.txt', 'segments/a.mkv']);
  });

  it('stores an empty object', async () => {
    const store = backend.fresh();
    expect(await store.put('rec-1', 'empty.bin', Readable.from([]))).toEqual({ size: 0, sha256: sha256('') });
    expect(await store.stat('rec-1', 'empty.bin')).toEqual({ size: 0 });
    expect(await text(await store.get('rec-1', 'empty.bin'))).toBe('');
  });

  it('never replaces a stored object', async () => {
    const store = backend.fresh();
    await store.put('rec-1', 'a.bin', from('first'));
    const again = store.put('rec-1', 'a.bin', from('second'));
    await expect(again).rejects.toMatchObject({ code: 'exists' });
    expect(await text(await store.get('rec-1', 'a.bin'))).toBe('first');
    expect(await store.list('rec-1')).toEqual(['a.bin']);
  });

  it('leaves nothing behind when the source fails mid-way', async () => {
    const store = backend.fresh();
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(store.put('rec-1', 'a.bin', failing)).rejects.toThrow('source broke');
    expect(await store.stat('rec-1', 'a.bin')).toBeNull();
    expect(await store.list('rec-1')).toEqual([]);
  });

  it('refuses every path that could leave the root with a typed error', async () => {
    const store = backend.fresh();
    const bad: [string, string][] = [
      ['rec-1', '../escape.txt'],
      ['rec-1', 'a/../../escape.txt'],
      ['rec-1', '/etc/passwd'],
      ['rec-1', 'a\0b'],
      ['rec-1', 'a\\b'],
      ['rec-1', ''],
      ['rec-1', 'a//b'],
      ['rec-1', './a'],
      ['..', 'a.txt'],
      ['.hidden', 'a.txt'],
      ['a/b', 'a.txt'],
      ['rec-1', '.tmp-123'],
    ];
    for (const [id, path] of bad) {
      await expect(store.put(id, path, from('x')), `${id} ${path}`).rejects.toBeInstanceOf(UnsafePathError);
      await expect(store.get(id, path), `${id} ${path}`).rejects.toBeInstanceOf(UnsafePathError);
      await expect(store.stat(id, path), `${id} ${path}`).rejects.toBeInstanceOf(UnsafePathError);
    }
    await expect(store.delete('..')).rejects.toBeInstanceOf(UnsafePathError);
    await expect(store.list('a/b')).rejects.toBeInstanceOf(UnsafePathError);
  });

  it('reports a missing object as not-found and rejects bad ranges', async () => {
    const store = backend.fresh();
    await expect(store.get('rec-1', 'a.bin')).rejects.toMatchObject({ code: 'not-found' });
    await store.put('rec-1', 'a.bin', from('abc'));
    await expect(store.get('rec-1', 'a.bin', { start: 2, end: 1 })).rejects.toBeInstanceOf(RangeError);
    await expect(store.get('rec-1', 'a.bin', { start: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(store.get('rec-1', 'a.bin', { start: 1.5 })).rejects.toBeInstanceOf(RangeError);
    expect(new ArchiveError('not-found', 'x')).toBeInstanceOf(Error);
  });

  it('reads no bytes from a range that starts at or past the end', async () => {
    const store = backend.fresh();
    await store.put('rec-1', 'a.bin', from('abc'));
    expect(await text(await store.get('rec-1', 'a.bin', { start: 3 }))).toBe('');
    expect(await text(await store.get('rec-1', 'a.bin', { start: 10, end: 20 }))).toBe('');
  });

  it('lists nested paths sorted, and only the asked recording', async () => {
    const store = backend.fresh();
    for (const path of ['z.bin', 'a/b/c.bin', 'a/a.bin', 'B.bin']) await store.put('rec-1', path, from(path));
    await store.put('rec-10', 'other.bin', from('x'));
    expect(await store.list('rec-1')).toEqual(['B.bin', 'a/a.bin', 'a/b/c.bin', 'z.bin']);
    expect(await store.list('rec-10')).toEqual(['other.bin']);
    expect(await store.list('rec-2')).toEqual([]);
  });

  it('deletes a whole recording, and deleting nothing succeeds', async () => {
    const store = backend.fresh();
    await store.put('rec-1', 'a/b/c.bin', from('abc'));
    await store.put('rec-1', 'd.bin', from('d'));
    await store.put('rec-2', 'a.bin', from('abc'));
    await store.delete('rec-1');
    expect(await store.list('rec-1')).toEqual([]);
    expect(await store.stat('rec-1', 'd.bin')).toBeNull();
    await expect(store.get('rec-1', 'a/b/c.bin')).rejects.toMatchObject({ code: 'not-found' });
    expect(await store.list('rec-2')).toEqual(['a.bin']);
    await store.delete('rec-1');
    // Deleted, it can be stored again (a re-ingest after a deletion).
    await store.put('rec-1', 'd.bin', from('again'));
    expect(await text(await store.get('rec-1', 'd.bin'))).toBe('again');
  });
});
