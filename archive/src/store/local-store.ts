/**
 * The object store on a local disk: `<root>/<recordingId>/<path>`. A put writes a hidden
 * temporary file beside its target, fsyncs it, links it into place (a rename that never
 * replaces), then fsyncs the directory, so a crash leaves the old state or the new one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, readdir, realpath, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { fsyncDirectory } from '@conclave/recorder/manifest';
import { ArchiveError, UnsafePathError } from '../errors.js';
import { assertSafeRecordingId } from '../paths.js';
import { assertStorablePath, checkRange, TEMP_PREFIX } from './checks.js';
import { type ByteRange, type ObjectInfo, type ObjectStore, type StoredObject } from './object-store.js';

const DELETING_PREFIX = '.deleting-';

export class LocalObjectStore implements ObjectStore {
  readonly #root: string;
  #realRoot: string | null = null;

  constructor(root: string) {
    this.#root = root;
  }

  async put(recordingId: string, path: string, source: Readable | string): Promise<StoredObject> {
    const target = this.#resolve(recordingId, path);
    const dir = dirname(target);
    await this.#makeDirectories(dir);
    await this.#assertInsideRoot(dir);
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o640);
    let stored: StoredObject;
    try {
      try {
        stored = await copyInto(handle, typeof source === 'string' ? createReadStream(source) : source);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // link() fails with EEXIST instead of replacing: an archived object is never overwritten.
      await link(temp, target).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ArchiveError('exists', `${recordingId}/${path} is already stored`);
        throw error;
      });
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await fsyncDirectory(dir);
    return stored;
  }

  async get(recordingId: string, path: string, range: ByteRange = {}): Promise<Readable> {
    const target = this.#resolve(recordingId, path);
    checkRange(range);
    // Opened here, so a missing object is a rejected promise rather than a stream error later.
    const handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
      throw notFoundOr(error, recordingId, path);
    });
    return handle.createReadStream({ start: range.start, end: range.end, autoClose: true });
  }

  async stat(recordingId: string, path: string): Promise<ObjectInfo | null> {
    const target = this.#resolve(recordingId, path);
    let info: Stats;
    try {
      info = await lstat(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw error;
    }
    if (!info.isFile()) throw new ArchiveError('conflict', `${recordingId}/${path} is not a regular file in the store`);
    return { size: info.size };
  }

  async list(recordingId: string): Promise<string[]> {
    assertSafeRecordingId(recordingId);
    const found: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      const entries = await readdir(join(this.#root, recordingId, relative), { withFileTypes: true });
      for (const entry of entries) {
        const path = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path);
        // Temporary files of an interrupted put are not objects.
        else if (!entry.name.startsWith(TEMP_PREFIX)) found.push(path);
      }
    };
    try {
      await walk('');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return found.sort();
  }

  async delete(recordingId: string): Promise<void> {
    assertSafeRecordingId(recordingId);
    const dir = join(this.#root, recordingId);
    // Renamed away first: readers see the whole recording or nothing, never a part of it.
    const doomed = join(this.#root, `${DELETING_PREFIX}${recordingId}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(dir, doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await fsyncDirectory(this.#root);
    await rm(doomed, { recursive: true, force: true });
  }

  #resolve(recordingId: string, path: string): string {
    assertStorablePath(recordingId, path);
    return join(this.#root, recordingId, ...path.split('/'));
  }

  // mkdir -p, then fsync each directory that gained an entry, so the new path survives a crash.
  async #makeDirectories(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    for (let created = dir; ; created = dirname(created)) {
      await fsyncDirectory(dirname(created));
      if (created === first) break;
    }
  }

  // A symbolic link planted inside the root must not lead a write out of it.
  async #assertInsideRoot(dir: string): Promise<void> {
    this.#realRoot ??= await realpath(this.#root);
    const real = await realpath(dir);
    if (real !== this.#realRoot && !real.startsWith(this.#realRoot + sep)) throw new UnsafePathError(dir, 'resolves outside the store (a symbolic link?)');
  }
}

async function copyInto(handle: FileHandle, source: Readable): Promise<StoredObject> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    hash.update(buffer);
    size += buffer.length;
    // write() may take fewer bytes than offered; the rest is written until none is left.
    for (let offset = 0; offset < buffer.length; ) offset += (await handle.write(buffer, offset)).bytesWritten;
  }
  return { size, sha256: hash.digest('hex') };
}

function notFoundOr(error: unknown, recordingId: string, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new ArchiveError('not-found', `${recordingId}/${path} is not in the store`, { cause: error });
  if (code === 'ELOOP') return new UnsafePathError(`${recordingId}/${path}`, 'is a symbolic link in the store');
  return error;
}
