/**
 * The search's SQL for PostgreSQL, from the same checked filter as SQLite's (search.ts): the
 * same WHERE for the page and the total, the same (started_at, id) keyset, the same order.
 * A participant is a LIKE '%name%' on the folded name, served by the pg_trgm GIN index.
 */
import { parseSearch, type Statement } from './search.js';
import { type SearchQuery } from './types.js';

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

export function postgresSearchStatements(query: SearchQuery): { page: Statement; total: Statement; limit: number } {
  const filter = parseSearch(query);
  const clauses: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.status !== null) clauses.push(`r.status = ${param(filter.status)}`);
  if (filter.room !== null) clauses.push(`r.room = ${param(filter.room)}`);
  if (filter.startedFrom !== null) clauses.push(`r.started_at >= ${param(filter.startedFrom)}`);
  if (filter.startedTo !== null) clauses.push(`r.started_at < ${param(filter.startedTo)}`);
  if (filter.minDurationMs !== null) clauses.push(`r.duration_ms >= ${param(filter.minDurationMs)}`);
  if (filter.maxDurationMs !== null) clauses.push(`r.duration_ms <= ${param(filter.maxDurationMs)}`);
  if (filter.name.length > 0) clauses.push(`r.id IN (SELECT recording_id FROM participants WHERE name_key LIKE ${param(`%${likeEscape(filter.name)}%`)})`);
  if (filter.tags.length > 0) {
    clauses.push(`r.id IN (SELECT recording_id FROM tags WHERE tag = ANY(${param(filter.tags)}::text[]) GROUP BY recording_id HAVING count(*) = ${param(filter.tags.length)})`);
  }
  const where = clauses.length > 0 ? clauses.join(' AND ') : 'true';
  const total: Statement = { sql: `SELECT count(*) AS total FROM recordings r WHERE ${where}`, params: [...params] };
  const keyset = filter.cursor ? ` AND (r.started_at, r.id) < (${param(filter.cursor.startedAt)}, ${param(filter.cursor.id)})` : '';
  const page: Statement = { sql: `SELECT r.* FROM recordings r WHERE ${where}${keyset} ORDER BY r.started_at DESC, r.id DESC LIMIT ${param(filter.limit + 1)}`, params };
  return { page, total, limit: filter.limit };
}
