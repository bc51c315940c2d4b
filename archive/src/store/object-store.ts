/**
 * Where a recording's files live. Objects are addressed by recording id and the file's
 * path inside the recording (the manifest's path), written once and never replaced: an
 * archive keeps what it received. Local disk (local-store.ts) or any S3-compatible service (s3-store.ts).
 */
import { type Readable } from 'node:stream';

export interface StoredObject {
  /** Bytes written. */
  size: number;
  /** Hex SHA-256 of the bytes written (computed while writing, so it describes what is stored). */
  sha256: string;
}

export interface ObjectInfo {
  size: number;
}

/** Inclusive byte offsets, as in HTTP ranges and createReadStream. */
export interface ByteRange {
  start?: number;
  end?: number;
}

export interface ObjectStore {
  /**
   * Stores `source` (a stream, or the path of a local file) under `recordingId/path`, so that
   * readers and crashes see the whole object or none. Throws ArchiveError 'exists' if the
   * object is already there, UnsafePathError for a path that could leave the store.
   */
  put(recordingId: string, path: string, source: Readable | string): Promise<StoredObject>;
  /** A stream of the object's bytes (or of `range`); throws ArchiveError 'not-found'. */
  get(recordingId: string, path: string, range?: ByteRange): Promise<Readable>;
  /** The object's size, or null if there is none. */
  stat(recordingId: string, path: string): Promise<ObjectInfo | null>;
  /** Every object path of the recording, sorted; empty if it has none. */
  list(recordingId: string): Promise<string[]>;
  /** Removes every object of the recording; succeeds if there was none. */
  delete(recordingId: string): Promise<void>;
}
