/**
 * Which names may become paths in the store. The same rule as the recorder's manifest
 * paths (recorder/src/manifest/schema.ts, `unsafePathReason`, not exported by
 * @conclave/recorder): relative, forward slashes, no empty, "." or ".." segment, and only
 * letters, digits, '.', '_', '-'. Anything the recorder writes passes; nothing else needs to.
 */
import { UnsafePathError } from './errors.js';

const SAFE_SEGMENT = /^[A-Za-z0-9._-]{1,255}$/;

export function unsafePathReason(path: string): string | null {
  if (path.length === 0) return 'empty path';
  if (path.length > 1024) return 'path longer than 1024 characters';
  if (path.includes('\0')) return 'NUL character in path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  if (path.includes('\\')) return 'backslash in path (use forward slashes)';
  const segments = path.split('/');
  if (segments.includes('..')) return "path traversal: a '..' segment leaves the recording";
  if (segments.some((segment) => segment === '' || segment === '.')) return "empty or '.' segment in path";
  if (!segments.every((segment) => SAFE_SEGMENT.test(segment))) return "character not allowed in path (letters, digits, '.', '_', '-')";
  return null;
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
