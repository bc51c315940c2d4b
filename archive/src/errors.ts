/**
 * Errors the archive raises on purpose: each has a stable `code` that callers (the HTTP
 * API, the CLIs) can map to an answer, and a message that says what to do.
 */
export type ArchiveErrorCode =
  | 'unsafe-path'
  | 'not-found'
  | 'exists'
  | 'ingest-refused'
  | 'conflict'
  | 'retention-active'
  | 'legal-hold'
  | 'not-active'
  | 'invalid-query'
  | 'invalid'
  | 'config'
  | 'database';

export class ArchiveError extends Error {
  override name = 'ArchiveError';
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A path that could leave the store's root (`..`, absolute, NUL...): always an attack or a bug. */
export class UnsafePathError extends ArchiveError {
  override name = 'UnsafePathError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super('unsafe-path', `unsafe path ${JSON.stringify(path)}: ${reason}`);
  }
}

/** An ingest that was refused before anything was kept; `problems` lists every reason, one a line. */
export class IngestRefusedError extends ArchiveError {
  override name = 'IngestRefusedError';
  constructor(
    readonly dir: string,
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super('ingest-refused', `${dir}: not ingested:\n  ${problems.join('\n  ')}`, options);
  }
}
