/**
 * Error responses of the archive API (`{ error: { code, message } }`) as typed errors, and
 * which message the portal shows for each. Pure: no fetch, no DOM, no i18n state.
 */
import type { MessageKey } from '../lib/i18n/en.js';

/** Codes the API documents, plus the portal's own for a request that got no answer. */
export type KnownErrorCode =
  | 'bad-credentials'
  | 'locked'
  | 'no-session'
  | 'forbidden'
  | 'invalid'
  | 'not-found'
  | 'conflict'
  | 'range'
  | 'network'
  | 'bad-response';

export class ArchiveApiError extends Error {
  override name = 'ArchiveApiError';
  constructor(
    /** The HTTP status; 0 when no response arrived. */
    readonly status: number,
    /** The API's stable code (`bad-credentials`, `locked`...), or one derived from the status. */
    readonly code: string,
    message: string,
    /** For `locked`: seconds until a login may be tried again. */
    readonly retryAfterSeconds: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What a status means when the body names no code. */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'no-session';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 416:
      return 'range';
    case 423:
      return 'locked';
    default:
      return `http-${status}`;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function seconds(value: unknown): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? Math.ceil(number) : null;
}

/**
 * The error for a response that was not OK. `body` is the parsed JSON, or anything else
 * (null, text) when the response was not JSON; `retryAfter` is the Retry-After header. The
 * wait of a 423 is looked for in the error object, then beside it, then in the header.
 */
export function errorFromResponse(status: number, body: unknown, retryAfter: string | null = null): ArchiveApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = typeof error?.code === 'string' && error.code !== '' ? error.code : codeForStatus(status);
  const message = typeof error?.message === 'string' && error.message !== '' ? error.message : `HTTP ${status}`;
  const wait = seconds(error?.retryAfterSeconds) ?? (isRecord(body) ? seconds(body.retryAfterSeconds) : null) ?? seconds(retryAfter);
  return new ArchiveApiError(status, code, message, wait);
}

/** A request that got no response at all (network down, server stopped). */
export function networkError(cause: unknown): ArchiveApiError {
  return new ArchiveApiError(0, 'network', cause instanceof Error ? cause.message : String(cause), null, { cause });
}

/** Anything thrown while talking to the API, as an ArchiveApiError. */
export function asApiError(error: unknown): ArchiveApiError {
  return error instanceof ArchiveApiError ? error : new ArchiveApiError(0, 'bad-response', error instanceof Error ? error.message : String(error), null, { cause: error });
}

export interface ErrorText {
  key: MessageKey;
  params: Record<string, string | number>;
}

/**
 * The message to show for an error. `now` and `locale`-free: the caller formats the time
 * of day when the lock ends from `until` (epoch milliseconds) if it wants.
 */
export function describeError(error: ArchiveApiError, now: number = Date.now()): ErrorText & { until?: number } {
  switch (error.code) {
    case 'bad-credentials':
      return { key: 'archive.error.bad-credentials', params: {} };
    case 'locked': {
      if (error.retryAfterSeconds === null) return { key: 'archive.error.locked', params: {} };
      const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60));
      return { key: 'archive.error.lockedFor', params: { minutes }, until: now + error.retryAfterSeconds * 1000 };
    }
    case 'no-session':
      return { key: 'archive.error.no-session', params: {} };
    case 'forbidden':
      return { key: 'archive.error.forbidden', params: {} };
    case 'not-found':
      return { key: 'archive.error.not-found', params: {} };
    case 'conflict':
      return { key: 'archive.error.conflict', params: { message: error.message } };
    case 'network':
      return { key: 'archive.error.network', params: {} };
    default:
      return { key: 'archive.error.other', params: { code: error.code, message: error.message } };
  }
}
