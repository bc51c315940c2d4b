/**
 * Which names may become paths in the store: the recorder's manifest paths (relative,
 * forward slashes, no empty, "." or ".." segment, and only letters, digits, '.', '_',
 * '-'). Anything the recorder writes passes; nothing else needs to.
 */
import { unsafePathReason as recorderPathReason } from '@conclave/recorder/manifest';
import { UnsafePathError } from './errors.js';

const SAFE_SEGMENT = /^[A-Za-z0-9._-]{1,255}$/;

/** The recorder's rule; NUL is named apart, for a clearer message. */
export function unsafePathReason(path: string): string | null {
  if (path.includes('\0')) return 'NUL character in path';
  return recorderPathReason(path);
}

export function assertSafeRelativePath(path: string): void {
  const reason = unsafePathReason(path);
  if (reason) throw new UnsafePathError(path, reason);
}

/** A recording id names a directory of the store: one safe segment, never hidden (temporary names start with '.'). */
export function recordingIdProblem(id: string): string | null {
  if (!SAFE_SEGMENT.test(id) || id.length > 128) return "a recording id is 1 to 128 letters, digits, '.', '_', '-'";
  if (id.startsWith('.')) return "a recording id cannot start with '.'";
  return null;
}

export function assertSafeRecordingId(id: string): void {
  const reason = recordingIdProblem(id);
  if (reason) throw new UnsafePathError(id, reason);
}
