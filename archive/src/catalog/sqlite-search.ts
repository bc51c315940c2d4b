/**
 * Search in SQLite, over search_rows (one narrow row per recording, migration 3) and the
 * full-text indexes of the active recordings' names and tags. Each query is planned from how
 * many recordings its filters match, since the fastest way to the newest 25 of 20 matches is
 * not the fastest way to the newest 25 of 20,000:
 * - Each source that can list its matches alone (the name's trigrams, the tags' words, the
 *   rows of a room, a date range or a duration range) is sized, up to PROBE. The smallest
 *   below PROBE drives: its matches are counted and sorted, a few thousand rows at most.
 * - When none is below PROBE, the matches are dense: the page is read in date order, stopping
 *   at its end, and the total counts the matches of the source with the fewest. Should the
 *   first SCAN rows in date order hold too few matches (matches bunched in the past), the
 *   page is sorted from that source instead.
 * The total is exact, and the page is what ORDER BY started_at DESC, id DESC gives.
 */
import type Database from 'better-sqlite3';
import { type ArchiveDatabase } from '../db/database.js';
import { PreparedStatements } from '../db/statements.js';
import { type RecordingRow } from './rows.js';
import { type SearchFilter, type Statement } from './search.js';
import { tagWord } from './sqlite-search-index.js';

/** A source with fewer matches than this drives the search. */
export const PROBE = 4096;
/** Rows read in date order for a page before its matches are sorted instead. */
export const SCAN = 4096;
// The trigram index needs three characters; shorter fragments are only checked row by row.
const TRIGRAM = 3;

export type SourceKind = 'names' | 'tags' | 'rows';

/** How a search ran, for tests and diagnosis. */
export interface SearchPlan {
  /** What the total was counted from (and the page sorted from). */
  driver: SourceKind;
  page: 'none' | 'sorted' | 'by date' | 'by date, then sorted';
  /** Every statement run, in order. */
  statements: Statement[];
}

export interface SqliteSearchResult {
  /** Up to limit + 1 rows, newest first: one more than the page tells that another follows. */
  rows: RecordingRow[];
  total: number;
  plan: SearchPlan;
}

/** The filter's conditions on search_rows s. */
interface Conditions {
  status: Statement | null;
  /** Room and dates: with the status, what a scan in date order reads as an index range. */
  range: Statement[];
  duration: Statement[];
  /** A substring of one of the folded names. */
  name: Statement | null;
  /** One per tag, each an index probe. */
  tags: Statement[];
}

/** What the matches are counted and sorted from. */
interface Driver {
  kind: SourceKind;
  /** Gives search_rows as s, after the driver's own table if any (CROSS JOIN keeps that order). */
  from: Statement;
  /** The driver's own condition. */
  match: Statement | null;
  /** How many recordings `from` and `match` give, when known. */
  size: number | null;
  /** Counts them, when not known. */
  count: Statement | null;
}

const ORDER = 'ORDER BY s.started_at DESC, s.recording_id DESC';
const sql = (text: string, ...params: unknown[]): Statement => ({ sql: text, params });

function and(conditions: (Statement | null)[]): Statement {
  const present = conditions.filter((condition): condition is Statement => condition !== null);
  if (present.length === 0) return sql('1');
  return { sql: present.map((condition) => condition.sql).join(' AND '), params: present.flatMap((condition) => condition.params) };
}

function conditions(filter: SearchFilter): Conditions {
  const range: Statement[] = [];
  if (filter.room !== null) range.push(sql('s.room = ?', filter.room));
  if (filter.startedFrom !== null) range.push(sql('s.started_at >= ?', filter.startedFrom));
  if (filter.startedTo !== null) range.push(sql('s.started_at < ?', filter.startedTo));
  const duration: Statement[] = [];
  if (filter.minDurationMs !== null) duration.push(sql('s.duration_ms >= ?', filter.minDurationMs));
  if (filter.maxDurationMs !== null) duration.push(sql('s.duration_ms <= ?', filter.maxDurationMs));
  return {
    status: filter.status === null ? null : sql('s.status = ?', filter.status),
    range,
    duration,
    name: filter.name.length > 0 ? sql('instr(s.names, ?) > 0', filter.name) : null,
    tags: filter.tags.map((tag) => sql('EXISTS (SELECT 1 FROM tags t WHERE t.recording_id = s.recording_id AND t.tag = ?)', tag)),
  };
}

/**
 * What a driver's matches must still be checked for. The full-text indexes hold active
 * recordings only, and their matches are exact: a phrase of trigrams is a substring, a word
 * a whole tag.
 */
function residual(kind: SourceKind, where: Conditions): Statement[] {
  const name = where.name ? [where.name] : [];
  if (kind === 'names') return [...where.range, ...where.duration, ...where.tags];
  if (kind === 'tags') return [...where.range, ...where.duration, ...name];
  return [...name, ...where.tags];
}

/** A full-text index usable for this filter: its table and MATCH query. */
interface FullText {
  kind: 'names' | 'tags';
  table: string;
  query: string;
}

function fullTexts(filter: SearchFilter): FullText[] {
  if (filter.status !== 'active') return [];
  const found: FullText[] = [];
  // A quoted FTS5 phrase of trigrams is a substring match; only '"' needs escaping in it.
  if (filter.name.length >= TRIGRAM) found.push({ kind: 'names', table: 'search_names', query: `"${filter.name.replaceAll('"', '""')}"` });
  // Words of [x0-9a-f] only: nothing to escape.
  if (filter.tags.length > 0) found.push({ kind: 'tags', table: 'search_tags', query: filter.tags.map(tagWord).join(' AND ') });
  return found;
}

/**
 * The index that reads a filter's rows: SQLite, without statistics, can take a month of all
 * rooms over one room's month. Named only with a status, which every one of them starts with.
 */
function rowsIndex(filter: SearchFilter): string {
  if (filter.status === null) return '';
  if (filter.room !== null) return ' INDEXED BY search_rows_by_room';
  if (filter.startedFrom === null && filter.startedTo === null && (filter.minDurationMs !== null || filter.maxDurationMs !== null)) return ' INDEXED BY search_rows_by_duration';
  return ' INDEXED BY search_rows_by_start';
}

function countText(text: FullText): Statement {
  return sql(`SELECT count(*) AS n FROM ${text.table} WHERE ${text.table} MATCH ?`, text.query);
}

export class SqliteSearch {
  readonly #statements: PreparedStatements;

  constructor(db: ArchiveDatabase) {
    this.#statements = new PreparedStatements(db);
  }

  /** Runs in the caller's transaction, so that the total and the page describe one state. */
  run(filter: SearchFilter): SqliteSearchResult {
    const statements: Statement[] = [];
    const prepared = (statement: Statement) => {
      statements.push(statement);
      return this.#statements.get(statement.sql);
    };
    const where = conditions(filter);
    const { driver, dense } = this.#choose(filter, where, prepared);
    const rest = residual(driver.kind, where);
    const plan: SearchPlan = { driver: driver.kind, page: 'none', statements };

    const all = and([driver.match, ...rest]);
    let total = rest.length === 0 ? driver.size : null;
    if (total === null) {
      const counted = rest.length === 0 && driver.count ? driver.count : sql(`SELECT count(*) AS n FROM ${driver.from.sql} WHERE ${all.sql}`, ...driver.from.params, ...all.params);
      total = (prepared(counted).get(...counted.params) as { n: number }).n;
    }
    if (total === 0) return { rows: [], total, plan };

    const keyset = filter.cursor ? sql('(s.started_at, s.recording_id) < (?, ?)', filter.cursor.startedAt, filter.cursor.id) : null;
    let ids: string[] | null = null;
    // Only a status's rows are in date order (in its index).
    if (dense && where.status) {
      const check = and([...where.duration, where.name, ...where.tags]);
      const range = and([where.status, ...where.range, keyset]);
      const index = filter.room === null ? 'search_rows_by_start' : 'search_rows_by_room';
      const scan = sql(`SELECT s.recording_id, ${check.sql} FROM search_rows s INDEXED BY ${index} WHERE ${range.sql} ${ORDER} LIMIT ?`, ...check.params, ...range.params, SCAN);
      ids = byDate(prepared(scan).raw(true), scan.params, filter.limit + 1);
      plan.page = ids ? 'by date' : 'by date, then sorted';
    }
    if (!ids) {
      const page = and([all, keyset]);
      const sorted = sql(`SELECT s.recording_id FROM ${driver.from.sql} WHERE ${page.sql} ${ORDER} LIMIT ?`, ...driver.from.params, ...page.params, filter.limit + 1);
      ids = prepared(sorted).pluck(true).all(...sorted.params) as string[];
      if (plan.page === 'none') plan.page = 'sorted';
    }
    const fetch = sql('SELECT * FROM recordings WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(ids));
    const byId = new Map((prepared(fetch).all(...fetch.params) as RecordingRow[]).map((row) => [row.id, row]));
    const rows = ids.map((id) => {
      const row = byId.get(id);
      if (!row) throw new Error(`search row ${id} has no recording: the catalog's search index is inconsistent`);
      return row;
    });
    return { rows, total, plan };
  }

  #choose(filter: SearchFilter, where: Conditions, prepared: (statement: Statement) => Database.Statement): { driver: Driver; dense: boolean } {
    const ownRows = and([where.status, ...where.range, ...where.duration]);
    const indexed = `search_rows s${rowsIndex(filter)}`;
    const rows = (from = indexed, size: number | null = null): Driver => ({ kind: 'rows', from: sql(from), match: ownRows, size, count: null });
    const countRows = (limit: number) => {
      const statement = sql(`SELECT count(*) AS n FROM (SELECT 1 FROM ${indexed} WHERE ${ownRows.sql} LIMIT ?)`, ...ownRows.params, limit);
      return (prepared(statement).get(...statement.params) as { n: number }).n;
    };

    const texts = fullTexts(filter);
    const narrowed = where.range.length > 0 || where.duration.length > 0;
    if (texts.length === 0 && !narrowed) {
      // Every row of the status (or of all): kept counted by the schema's triggers.
      const counted = filter.status === null ? sql('SELECT coalesce(sum(recordings), 0) AS n FROM search_counts') : sql('SELECT coalesce(sum(recordings), 0) AS n FROM search_counts WHERE status = ?', filter.status);
      const all = (prepared(counted).get(...counted.params) as { n: number }).n;
      if (!where.name && where.tags.length === 0) return { driver: rows(undefined, all), dense: true };
      // A name too short for trigrams, or a status other than active: each row of the status
      // is checked. Through the index when they are few; else one pass over the narrow table
      // beats an index with a lookup for each row.
      return all < PROBE ? { driver: rows(undefined, all), dense: false } : { driver: rows('search_rows s NOT INDEXED'), dense: true };
    }

    // Each source's matches, up to the fewest found so far (PROBE at first): the rows' counted
    // first, from an index alone; a full-text index's listed, so that the list can drive alone.
    let fewest: { kind: SourceKind; n: number; rids: number[] | null } | null = narrowed ? { kind: 'rows', n: countRows(PROBE), rids: null } : null;
    for (const text of texts) {
      const statement = sql(`SELECT rowid FROM ${text.table} WHERE ${text.table} MATCH ? LIMIT ?`, text.query, Math.min(PROBE, fewest?.n ?? PROBE));
      const rids = prepared(statement).pluck(true).all(...statement.params) as number[];
      if (!fewest || rids.length < fewest.n) fewest = { kind: text.kind, n: rids.length, rids };
    }
    if (!fewest) throw new Error('a search with neither a full-text source nor a narrowing filter was not caught above');
    if (fewest.n < PROBE) {
      if (!fewest.rids) return { driver: rows(undefined, fewest.n), dense: false };
      const from = sql('json_each(?) j CROSS JOIN search_rows s ON s.rid = j.value', JSON.stringify(fewest.rids));
      return { driver: { kind: fewest.kind, from, match: null, size: fewest.n, count: null }, dense: false };
    }
    // All dense. With several sources, the one with the fewest matches in all (counted from an
    // index alone, cheap beside looking at the rows) drives the total.
    const countAll = (text: FullText) => {
      const statement = countText(text);
      return (prepared(statement).get(...statement.params) as { n: number }).n;
    };
    const exact = texts.length + (narrowed ? 1 : 0) > 1;
    const counts = exact
      ? [...texts.map((text) => ({ kind: text.kind, n: countAll(text) })), ...(narrowed ? [{ kind: 'rows' as const, n: countRows(-1) }] : [])]
      : [{ kind: fewest.kind, n: fewest.n }];
    const driving = counts.reduce((best, next) => (next.n < best.n ? next : best));
    const size = exact ? driving.n : null;
    const text = texts.find((candidate) => candidate.kind === driving.kind);
    if (!text) return { driver: rows(undefined, size), dense: true };
    return {
      driver: {
        kind: text.kind,
        from: sql(`${text.table} CROSS JOIN search_rows s ON s.rid = ${text.table}.rowid`),
        match: sql(`${text.table} MATCH ?`, text.query),
        size,
        count: countText(text),
      },
      dense: true,
    };
  }
}

/**
 * Reads rows [id, matches] in date order and keeps the first `wanted` that match; null when
 * the scan's SCAN rows ran out first, the matches being too sparse there to find by reading.
 */
function byDate(statement: Database.Statement, params: unknown[], wanted: number): string[] | null {
  const ids: string[] = [];
  let read = 0;
  for (const [id, matches] of statement.iterate(...params) as Iterable<[string, number]>) {
    read++;
    if (matches) ids.push(id);
    if (ids.length === wanted) return ids;
  }
  return read < SCAN ? ids : null;
}
