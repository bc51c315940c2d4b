/**
 * What both catalogs share of a search: the query checked and normalized (parseSearch), and
 * the keyset cursor (started_at, id) that keeps pages stable while recordings are added.
 * Each catalog builds its own SQL from the filter: sqlite-search.ts, postgres-search.ts.
 */
import { ArchiveError } from '../errors.js';
import { nameKey } from './names.js';
import { RECORDING_STATUSES, type RecordingStatus, type SearchQuery } from './types.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export interface Statement {
  sql: string;
  params: unknown[];
}

const bad = (message: string) => new ArchiveError('invalid-query', message);

function time(value: string, field: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw bad(`${field}: not a date (${JSON.stringify(value)}); use ISO 8601, such as 2025-01-31T00:00:00Z`);
  return ms;
}

function count(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw bad(`${field}: a non-negative whole number, not ${value}`);
  return value;
}

export function encodeCursor(startedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([startedAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { startedAt: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') return { startedAt: value[0] as number, id: value[1] };
  } catch {
    // Reported below, the same for every malformed cursor.
  }
  throw bad('cursor: not a cursor from a previous page');
}

/** A query checked and normalized, before any SQL: what both catalogs search for. */
export interface SearchFilter {
  status: RecordingStatus | null;
  room: string | null;
  /** Milliseconds since the epoch. */
  startedFrom: number | null;
  startedTo: number | null;
  minDurationMs: number | null;
  maxDurationMs: number | null;
  /** The folded name (nameKey), '' for none. */
  name: string;
  /** Distinct; every one must be on a recording. */
  tags: string[];
  limit: number;
  cursor: { startedAt: number; id: string } | null;
}

export function parseSearch(query: SearchQuery): SearchFilter {
  const status = query.status ?? 'active';
  if (status !== 'any' && !(RECORDING_STATUSES as readonly string[]).includes(status)) throw bad(`status: one of ${RECORDING_STATUSES.join(', ')} or any, not ${JSON.stringify(status)}`);
  const filter: Omit<SearchFilter, 'limit' | 'cursor'> = {
    status: status === 'any' ? null : status,
    room: query.room ?? null,
    startedFrom: query.startedFrom === undefined ? null : time(query.startedFrom, 'startedFrom'),
    startedTo: query.startedTo === undefined ? null : time(query.startedTo, 'startedTo'),
    minDurationMs: query.minDurationMs === undefined ? null : count(query.minDurationMs, 'minDurationMs'),
    maxDurationMs: query.maxDurationMs === undefined ? null : count(query.maxDurationMs, 'maxDurationMs'),
    name: nameKey(query.participant?.trim() ?? ''),
    tags: [...new Set(query.tags ?? [])],
  };
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw bad(`limit: 1 to ${MAX_LIMIT}, not ${limit}`);
  return { ...filter, limit, cursor: query.cursor === undefined ? null : decodeCursor(query.cursor) };
}
