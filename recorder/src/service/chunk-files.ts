import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../manifest/fsync.js';

/** What the recorder page says about a chunk (client/src/lib/recorder/chunk-store.ts ChunkMeta). */
export const chunkMetaSchema = z.strictObject({
  recording: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  seq: z.number().int().min(0).max(1e9),
  participant: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string().max(200),
  track: z.string().min(1).max(128),
  kind: z.enum(['audio', 'video', 'events']),
  codec: z.string().min(1).max(32),
  segment: z.number().int().min(0).max(1e6),
  firstAt: z.number().finite(),
  lastAt: z.number().finite(),
  frames: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ChunkMeta = z.infer<typeof chunkMetaSchema>;

export class ChunkConflictError extends Error {
  override name = 'ChunkConflictError';
}
export class DiskFullError extends Error {
  override name = 'DiskFullError';
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The chunks of one recording on disk: `<dir>/chunks/<seq>.chunk` and `<seq>.json`. A PUT
 * of the same sequence number with the same hash is a no-op (the page retried); with
 * another hash it is refused (nothing stored is ever overwritten).
 */
export class ChunkFiles {
  constructor(
    readonly dir: string,
    /** How files are written (replaceable to test a full disk). */
    readonly write: (path: string, data: Uint8Array | string) => Promise<void> = writeFileAtomic,
  ) {}

  get chunksDir(): string {
    return join(this.dir, 'chunks');
  }

  async put(meta: ChunkMeta, data: Uint8Array): Promise<{ sha256: string; duplicate: boolean }> {
    const actual = sha256(data);
    if (actual !== meta.sha256 || data.length !== meta.bytes) throw new ChunkConflictError(`chunk ${meta.seq}: the body does not match its SHA-256 or size`);
    const base = join(this.chunksDir, String(meta.seq));
    const existing = await readFile(`${base}.json`, 'utf8').then((text) => chunkMetaSchema.parse(JSON.parse(text)), () => null);
    if (existing) {
      if (existing.sha256 !== actual) throw new ChunkConflictError(`chunk ${meta.seq} is already stored with another SHA-256`);
      return { sha256: actual, duplicate: true };
    }
    try {
      await mkdir(this.chunksDir, { recursive: true });
      await this.write(`${base}.chunk`, data);
      // The metadata goes last: a chunk counts as stored once its .json exists.
      await this.write(`${base}.json`, JSON.stringify(meta));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        await rm(`${base}.chunk`, { force: true });
        await rm(`${base}.json`, { force: true });
        throw new DiskFullError('the recording disk is full');
      }
      throw error;
    }
    return { sha256: actual, duplicate: false };
  }

  /** Every stored chunk's metadata, by sequence number. */
  async list(): Promise<ChunkMeta[]> {
    const names = await readdir(this.chunksDir).catch(() => [] as string[]);
    const metas = await Promise.all(names.filter((name) => name.endsWith('.json')).map(async (name) => chunkMetaSchema.parse(JSON.parse(await readFile(join(this.chunksDir, name), 'utf8')))));
    return metas.sort((a, b) => a.seq - b.seq);
  }

  read(seq: number): Promise<Buffer> {
    return readFile(join(this.chunksDir, `${seq}.chunk`));
  }
}
