/**
 * The object store on any S3-compatible service (AWS S3, MinIO, Ceph RGW, Garage...):
 * `<bucket>/<prefix><recordingId>/<path>`, through the AWS SDK v3. Same contract as the
 * local store (object-store.ts), with these differences of means:
 *
 * - Never replaced. A put asks HEAD first (refusing early, before sending hundreds of MiB,
 *   and the only check a store that ignores conditional headers gets: it is racy, two
 *   writers of the same new key can both pass it), then writes with `If-None-Match: *`
 *   (PutObject, or CompleteMultipartUpload): a store that supports conditional writes
 *   (AWS S3 since 2024, MinIO, Ceph RGW) refuses atomically with 412, which is the real
 *   guarantee. On a versioned bucket (every Object Lock bucket is) an overwrite that slips
 *   through still keeps the first bytes as an older version.
 * - Whole or nothing. S3 makes an object visible only when its PutObject or
 *   CompleteMultipartUpload succeeds; a failed multipart upload is aborted (a crash can
 *   leave its parts, invisible but billed: give the bucket a lifecycle rule
 *   AbortIncompleteMultipartUpload).
 * - Checksums. The SHA-256 is computed here while the bytes stream through, and the SDK
 *   sends `x-amz-checksum-sha256` with each request body (ChecksumAlgorithm SHA256), which
 *   the store verifies before accepting it: for an object of one part that is the SHA-256
 *   of the whole object; for a multipart upload each part's, and the object's checksum is
 *   then S3's checksum of the part checksums (S3 has no whole-object SHA-256 for multipart).
 * - Streaming. Nothing is held whole: @aws-sdk/lib-storage cuts the stream into parts of
 *   `partSize` and keeps at most `queueSize` of them in memory.
 * - Deletion is not atomic as the local rename is: objects go in batches of 1,000, and a
 *   failure part-way leaves some; deleting again finishes it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat as statFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
  type ObjectIdentifier,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ArchiveError } from '../errors.js';
import { assertSafeRecordingId, unsafePathReason } from '../paths.js';
import { assertStorablePath, checkRange } from './checks.js';
import { type ByteRange, type ObjectInfo, type ObjectStore, type StoredObject } from './object-store.js';

export interface ObjectLockSetting {
  /**
   * COMPLIANCE: nobody, not even the bucket's root account, can delete or shorten it before
   * the date. GOVERNANCE: users with s3:BypassGovernanceRetention can (this store never does).
   */
  mode: 'COMPLIANCE' | 'GOVERNANCE';
  /** Each object is retained this many days from its put. */
  days: number;
}

export interface S3StoreConfig {
  /** The service's URL, e.g. `http://10.0.4.2:9000`; omitted for AWS S3 itself. */
  endpoint?: string;
  /**
   * `http://host/bucket/key` instead of `http://bucket.host/key`. Defaults to true when an
   * endpoint is given: a host on the private network, or an IP address, rarely has the
   * wildcard DNS that virtual-host addressing needs.
   */
  forcePathStyle?: boolean;
  region: string;
  bucket: string;
  /** Prepended to every key, e.g. `archive/`; a trailing '/' is added when missing. */
  prefix?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * Sent with every put as x-amz-object-lock-mode and x-amz-object-lock-retain-until-date.
   * The bucket must have been created with Object Lock enabled (which makes it versioned):
   * AWS S3 and MinIO then refuse a put to a bucket without it (400 InvalidRequest, "Bucket
   * is missing Object Lock Configuration"), which surfaces here as ArchiveError 'config', so
   * nothing is stored unprotected by mistake; a store that does not implement Object Lock
   * may instead ignore the headers and keep the object unprotected: `checkBucket()` asks the
   * bucket's Object Lock configuration and refuses to start in that case.
   * Null or absent: no retention is asked (a bucket's default retention still applies).
   */
  objectLock?: ObjectLockSetting | null;
  /** Send `If-None-Match: *` on writes (default true); false only for a store that rejects the header. */
  conditionalWrites?: boolean;
  /** Multipart part size in bytes (default 8 MiB, at least 5 MiB, the S3 minimum). */
  partSize?: number;
  /** Parts uploaded at once, each held in memory (default 2). */
  queueSize?: number;
}

const MIB = 1024 * 1024;
const MIN_PART_SIZE = 5 * MIB;
const MAX_PARTS = 10_000;
const DELETE_BATCH = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export class S3ObjectStore implements ObjectStore {
  /** The SDK client, for `checkBucket`'s callers and for tests that watch the requests. */
  readonly client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #objectLock: ObjectLockSetting | null;
  readonly #conditionalWrites: boolean;
  readonly #partSize: number;
  readonly #queueSize: number;

  constructor(config: S3StoreConfig) {
    if (!config.bucket) throw new ArchiveError('config', 'the S3 store needs a bucket name');
    if (!config.region) throw new ArchiveError('config', 'the S3 store needs a region (any name for stores that ignore it, e.g. us-east-1)');
    const lock = config.objectLock ?? null;
    if (lock && (!Number.isSafeInteger(lock.days) || lock.days < 1)) throw new ArchiveError('config', `Object Lock days is a whole number of days, at least 1, not ${lock.days}`);
    if (lock && lock.mode !== 'COMPLIANCE' && lock.mode !== 'GOVERNANCE') throw new ArchiveError('config', `Object Lock mode is COMPLIANCE or GOVERNANCE, not ${String(lock.mode)}`);
    const partSize = config.partSize ?? 8 * MIB;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) throw new ArchiveError('config', `the S3 part size is at least ${MIN_PART_SIZE} bytes, not ${partSize}`);
    const queueSize = config.queueSize ?? 2;
    if (!Number.isSafeInteger(queueSize) || queueSize < 1) throw new ArchiveError('config', `the S3 upload queue size is at least 1, not ${queueSize}`);
    const prefix = (config.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix && unsafePathReason(prefix)) throw new ArchiveError('config', `S3 key prefix ${JSON.stringify(config.prefix)}: ${unsafePathReason(prefix)}`);

    this.#bucket = config.bucket;
    this.#prefix = prefix ? `${prefix}/` : '';
    this.#objectLock = lock;
    this.#conditionalWrites = config.conditionalWrites ?? true;
    this.#partSize = partSize;
    this.#queueSize = queueSize;
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
      forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
      credentials: config.credentials,
      // Checksums on every request body that can have one, and checked on every whole-object
      // read whose object has one (the SDK's defaults, stated here on purpose).
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
    });
  }

  /**
   * For startup: the bucket is reachable with these credentials, and when Object Lock is
   * configured the bucket says it has it enabled. Throws ArchiveError 'config' otherwise.
   */
  async checkBucket(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.#bucket })).catch((error: unknown) => {
      throw new ArchiveError('config', `bucket ${this.#bucket} cannot be reached with this configuration (${summarize(error)})`, { cause: error });
    });
    if (!this.#objectLock) return;
    let enabled: string | undefined;
    try {
      const answer = await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.#bucket }));
      enabled = answer.ObjectLockConfiguration?.ObjectLockEnabled;
    } catch (error) {
      throw new ArchiveError('config', `bucket ${this.#bucket}: Object Lock is configured but the store does not report it enabled (${summarize(error)}); create the bucket with Object Lock, or unset the Object Lock setting`, { cause: error });
    }
    if (enabled !== 'Enabled') throw new ArchiveError('config', `bucket ${this.#bucket} does not have Object Lock enabled; create the bucket with Object Lock, or unset the Object Lock setting`);
  }

  async put(recordingId: string, path: string, source: Readable | string): Promise<StoredObject> {
    const key = this.#key(recordingId, path);
    const name = `${recordingId}/${path}`;
    // A file's size is known: parts grow so that it fits in 10,000 of them. A stream of
    // unknown length fits in partSize × 10,000 (80 GiB by default).
    const partSize = typeof source === 'string' ? Math.max(this.#partSize, Math.ceil((await statFile(source)).size / MAX_PARTS)) : this.#partSize;
    if (await this.#exists(key, name)) {
      if (typeof source !== 'string') source.destroy();
      throw new ArchiveError('exists', `${name} is already stored`);
    }

    const hash = createHash('sha256');
    let size = 0;
    let sourceFailure: { error: unknown } | null = null;
    const counted = async function* (input: Readable): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of input) {
          const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          hash.update(buffer);
          size += buffer.length;
          yield buffer;
        }
      } catch (error) {
        sourceFailure = { error };
        throw error;
      }
    };
    const params: PutObjectCommandInput = {
      Bucket: this.#bucket,
      Key: key,
      Body: Readable.from(counted(typeof source === 'string' ? createReadStream(source) : source)),
      ContentType: 'application/octet-stream',
      ChecksumAlgorithm: 'SHA256',
      ...(this.#conditionalWrites && { IfNoneMatch: '*' }),
      ...(this.#objectLock && {
        ObjectLockMode: this.#objectLock.mode,
        ObjectLockRetainUntilDate: new Date(Date.now() + this.#objectLock.days * DAY_MS),
      }),
    };
    // lib-storage sends one PutObject when the source ends within the first part, else a
    // multipart upload (the params go to CreateMultipartUpload, every UploadPart and
    // CompleteMultipartUpload), and aborts the multipart upload when anything fails.
    const upload = new Upload({ client: this.client, params, partSize, queueSize: this.#queueSize, leavePartsOnError: false });
    try {
      await upload.done();
    } catch (error) {
      // The source's failure is the cause, even when aborting the upload failed after it.
      if (sourceFailure) throw (sourceFailure as { error: unknown }).error;
      throw mapError(error, name);
    }
    return { size, sha256: hash.digest('hex') };
  }

  async get(recordingId: string, path: string, range: ByteRange = {}): Promise<Readable> {
    const key = this.#key(recordingId, path);
    checkRange(range);
    const name = `${recordingId}/${path}`;
    // `bytes=-N` would mean the last N bytes: a range with only an end starts at 0.
    const header = range.start === undefined && range.end === undefined ? undefined : `bytes=${range.start ?? 0}-${range.end ?? ''}`;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key, ...(header && { Range: header }) }));
      if (!(answer.Body instanceof Readable)) throw new Error(`the S3 client returned no Node.js stream for ${name}`);
      return answer.Body;
    } catch (error) {
      // A range that starts past the end: no bytes, as a file read from there gives.
      if (error instanceof S3ServiceException && (error.name === 'InvalidRange' || error.$metadata.httpStatusCode === 416)) return Readable.from([]);
      throw mapError(error, name);
    }
  }

  async stat(recordingId: string, path: string): Promise<ObjectInfo | null> {
    const key = this.#key(recordingId, path);
    const name = `${recordingId}/${path}`;
    try {
      const answer = await this.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: answer.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw mapError(error, name);
    }
  }

  async list(recordingId: string): Promise<string[]> {
    assertSafeRecordingId(recordingId);
    const prefix = this.#recordingPrefix(recordingId);
    const found: string[] = [];
    for (const key of await this.#keys(prefix, recordingId)) {
      const path = key.slice(prefix.length);
      // Keys no put of ours could have written (a folder marker "a/", another tool's
      // names) are not objects of the archive.
      if (unsafePathReason(path) === null) found.push(path);
    }
    return found.sort();
  }

  async delete(recordingId: string): Promise<void> {
    assertSafeRecordingId(recordingId);
    const prefix = this.#recordingPrefix(recordingId);
    let targets: ObjectIdentifier[];
    if (this.#objectLock) {
      // An Object Lock bucket is versioned: deleting a key only hides it behind a delete
      // marker and keeps every byte. Erasing means deleting each version, which the store
      // refuses for a version still under retention: every one is asked first, so that a
      // refusal deletes nothing rather than part of the recording.
      targets = await this.#versions(prefix, recordingId);
      await this.#refuseIfRetained(recordingId, targets);
    } else {
      // Without Object Lock the bucket is taken as unversioned. On a versioned bucket this
      // leaves older versions behind: set objectLock, or a lifecycle rule that expires
      // noncurrent versions.
      targets = (await this.#keys(prefix, recordingId)).map((Key) => ({ Key }));
    }
    for (let start = 0; start < targets.length; start += DELETE_BATCH) {
      const batch = targets.slice(start, start + DELETE_BATCH);
      const answer = await this.client
        .send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: batch, Quiet: true } }))
        .catch((error: unknown) => {
          throw mapError(error, `recording ${recordingId}`, 'delete');
        });
      const refused = answer.Errors ?? [];
      if (refused.length === 0) continue;
      const first = refused[0];
      const what = `${refused.length} object(s) of recording ${recordingId}, first ${first?.Key ?? '?'}`;
      if (refused.some((error) => error.Code === 'AccessDenied')) {
        throw new ArchiveError('retention-active', `the store refused to delete ${what} (AccessDenied): their Object Lock retention has not ended (or these credentials may not delete); the others of this batch and ${start} before it may be deleted already`);
      }
      throw new ArchiveError('conflict', `the store could not delete ${what}: ${first?.Code ?? ''} ${first?.Message ?? ''}; deleting again finishes the deletion`);
    }
  }

  async #exists(key: string, name: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw mapError(error, name);
    }
  }

  async #keys(prefix: string, recordingId: string): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.#bucket, Prefix: prefix })) {
        for (const entry of page.Contents ?? []) if (entry.Key) keys.push(entry.Key);
      }
    } catch (error) {
      throw mapError(error, `recording ${recordingId}`);
    }
    return keys;
  }

  async #versions(prefix: string, recordingId: string): Promise<ObjectIdentifier[]> {
    const found: ObjectIdentifier[] = [];
    try {
      // The SDK has no paginator for version listings: the markers are followed by hand.
      let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (;;) {
        const page = await this.client.send(new ListObjectVersionsCommand({ Bucket: this.#bucket, Prefix: prefix, ...markers }));
        for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
          if (entry.Key) found.push({ Key: entry.Key, ...(entry.VersionId && { VersionId: entry.VersionId }) });
        }
        if (!page.IsTruncated) break;
        markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      }
    } catch (error) {
      throw mapError(error, `recording ${recordingId}`);
    }
    return found;
  }

  async #refuseIfRetained(recordingId: string, targets: ObjectIdentifier[]): Promise<void> {
    const now = Date.now();
    let retainedUntil: Date | null = null;
    let retained = 0;
    for (const target of targets) {
      let answer;
      try {
        answer = await this.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: target.Key, VersionId: target.VersionId }));
      } catch (error) {
        // A delete marker has no HEAD (404 or 405): nothing to retain.
        if (error instanceof S3ServiceException && [404, 405].includes(error.$metadata.httpStatusCode ?? 0)) continue;
        throw mapError(error, `recording ${recordingId}`);
      }
      if (answer.ObjectLockLegalHoldStatus === 'ON') {
        throw new ArchiveError('legal-hold', `${target.Key} of recording ${recordingId} is under an S3 legal hold: the store refuses to delete it until the hold is lifted`);
      }
      const until = answer.ObjectLockRetainUntilDate;
      if (until && until.getTime() > now) {
        retained += 1;
        if (!retainedUntil || until > retainedUntil) retainedUntil = until;
      }
    }
    if (retainedUntil) {
      throw new ArchiveError('retention-active', `recording ${recordingId}: ${retained} object(s) are under Object Lock retention until ${retainedUntil.toISOString()} at the latest; the store refuses to delete them before then (nothing was deleted)`);
    }
  }

  #key(recordingId: string, path: string): string {
    assertStorablePath(recordingId, path);
    return `${this.#recordingPrefix(recordingId)}${path}`;
  }

  #recordingPrefix(recordingId: string): string {
    return `${this.#prefix}${recordingId}/`;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404) && error.name !== 'NoSuchBucket';
}

function summarize(error: unknown): string {
  if (error instanceof S3ServiceException) return `${error.name}${error.$metadata.httpStatusCode ? ` ${error.$metadata.httpStatusCode}` : ''}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The store's answer as an ArchiveError where the archive has a code for it; anything else (a source stream's error, a network failure) as it is. */
function mapError(error: unknown, what: string, operation: 'delete' | 'other' = 'other'): unknown {
  if (!(error instanceof S3ServiceException)) return error;
  const status = error.$metadata.httpStatusCode;
  const detail = summarize(error);
  if (error.name === 'NoSuchBucket') return new ArchiveError('config', `${what}: the bucket does not exist (${detail})`, { cause: error });
  if (error.name === 'PreconditionFailed' || status === 412) return new ArchiveError('exists', `${what} is already stored (${detail})`, { cause: error });
  if (error.name === 'ConditionalRequestConflict') return new ArchiveError('conflict', `${what} is being written by someone else (${detail})`, { cause: error });
  if (isNotFound(error)) return new ArchiveError('not-found', `${what} is not in the store`, { cause: error });
  if (operation === 'delete' && (error.name === 'AccessDenied' || status === 403)) {
    return new ArchiveError('retention-active', `the store refused to delete ${what} (${detail}): its Object Lock retention has not ended (or these credentials may not delete)`, { cause: error });
  }
  if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(error.name) || status === 401 || status === 403) {
    return new ArchiveError('config', `${what}: the store refused these credentials (${detail})`, { cause: error });
  }
  if (error.name === 'InvalidRequest' && /object lock/i.test(error.message)) {
    return new ArchiveError('config', `${what}: the bucket cannot keep Object Lock retention (${detail}); create the bucket with Object Lock, or unset the Object Lock setting`, { cause: error });
  }
  return error;
}
