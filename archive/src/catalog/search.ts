/**
 * Builds the search's SQL from a query: one WHERE shared by the page and the total, and a
 * keyset cursor (started_at, id) so that pages stay stable while recordings are added.
 */
import { ArchiveError } from '../errors.js';
import { nameKey } from './names.js';
import { RECORDING_STATUSES, type RecordingStatus, type SearchQuery } from './types.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
// Below three characters the trigram index cannot help: those names are scanned.
const TRIGRAM = 3;

export interface SearchSql {
  where: string;
  params: unknown[];
  limit: number;
  cursor: { startedAt: number; id: string } | null;
}

export interface Statement {
  sql: string;
  params: unknown[];
}

/** The page (one row more than the limit, to know whether another page follows) and the total. */
export function searchStatements(query: SearchQuery): { page: Statement; total: Statement; limit: number } {
  const built = buildSearch(query);
  const keyset = built.cursor ? ' AND (r.started_at, r.id) < (?, ?)' : '';
  const keysetParams = built.cursor ? [built.cursor.startedAt, built.cursor.id] : [];
  return {
    page: {
      sql: `SELECT r.* FROM recordings r WHERE ${built.where}${keyset} ORDER BY r.started_at DESC, r.id DESC LIMIT ?`,
      params: [...built.params, ...keysetParams, built.limit + 1],
    },
    total: { sql: `SELECT count(*) AS total FROM recordings r WHERE ${built.where}`, params: built.params },
    limit: built.limit,
  };
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

export function buildSearch(query: SearchQuery): SearchSql {
  const filter = parseSearch(query);
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== null) {
    clauses.push('r.status = ?');
    params.push(filter.status);
  }
  if (filter.room !== null) {
    clauses.push('r.room = ?');
    params.push(filter.room);
  }
  if (filter.startedFrom !== null) {
    clauses.push('r.started_at >= ?');
    params.push(filter.startedFrom);
  }
  if (filter.startedTo !== null) {
    clauses.push('r.started_at < ?');
    params.push(filter.startedTo);
  }
  if (filter.minDurationMs !== null) {
    clauses.push('r.duration_ms >= ?');
    params.push(filter.minDurationMs);
  }
  if (filter.maxDurationMs !== null) {
    clauses.push('r.duration_ms <= ?');
    params.push(filter.maxDurationMs);
  }
  const name = filter.name;
  if (name.length >= TRIGRAM) {
    // A quoted FTS5 phrase of trigrams is a substring match; only '"' needs escaping in it.
    clauses.push('r.id IN (SELECT recording_id FROM participant_names WHERE participant_names MATCH ?)');
    params.push(`"${name.replaceAll('"', '""')}"`);
  } else if (name.length > 0) {
    clauses.push('r.id IN (SELECT recording_id FROM participant_names WHERE instr(name_key, ?) > 0)');
    params.push(name);
  }
  const tags = filter.tags;
  if (tags.length > 0) {
    clauses.push(`r.id IN (SELECT recording_id FROM tags WHERE tag IN (${tags.map(() => '?').join(', ')}) GROUP BY recording_id HAVING count(*) = ?)`);
    params.push(...tags, tags.length);
  }
  return {
    where: clauses.length > 0 ? clauses.join(' AND ') : '1',
    params,
    limit: filter.limit,
    cursor: filter.cursor,
  };
}
