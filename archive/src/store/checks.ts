/**
 * The checks every object store makes the same way, so that a recording can move between
 * stores (local disk to S3 and back) and a caller sees one contract whatever is behind it.
 */
import { UnsafePathError } from '../errors.js';
import { assertSafeRecordingId, assertSafeRelativePath } from '../paths.js';
import { type ByteRange } from './object-store.js';

/** Names the local store uses for its temporary files; no store accepts them as object paths. */
export const TEMP_PREFIX = '.tmp-';

export function assertStorablePath(recordingId: string, path: string): void {
  assertSafeRecordingId(recordingId);
  assertSafeRelativePath(path);
  if (path.split('/').some((segment) => segment.startsWith(TEMP_PREFIX))) {
    throw new UnsafePathError(path, `a name starting with '${TEMP_PREFIX}' is reserved for temporary files`);
  }
}

export function checkRange(range: ByteRange): void {
  const { start, end } = range;
  for (const value of [start, end]) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new RangeError(`byte range offsets are non-negative integers, not ${value}`);
  }
  if (start !== undefined && end !== undefined && end < start) throw new RangeError(`byte range ends (${end}) before it starts (${start})`);
}
