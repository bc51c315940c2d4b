/**
 * The catalog at archive scale: 100,000 recordings, in SQLite and in PostgreSQL. Asserts
 * that the answers are right (against a plain filter of the same data) and that the queries
 * use indexes; timing is left to benchmarks.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Archive } from '../archive.js';
import { archiveBackends, type OpenedArchive } from '../testing/backends.js';
import { nameKey } from './names.js';
import { postgresSearchStatements } from './postgres-search.js';
import { parseSearch } from './search.js';
import { SqliteSearch } from './sqlite-search.js';
import { generateCatalog, type GeneratedRecording } from '../testing/catalog-generator.js';
import { type SearchQuery } from './types.js';

const COUNT = 100_000;
// The generator is deterministic (xorshift), so a failure reproduces; bench:archive searches the same data.
const { plain, recordings: batch } = generateCatalog(COUNT);
type Plain = GeneratedRecording;

function expected(filter: (r: Plain) => boolean, limit = 50): { ids: string[]; total: number } {
  const matching = plain.filter(filter).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  return { ids: matching.slice(0, limit).map((r) => r.id), total: matching.length };
}

describe.each(archiveBackends('scale'))('search over 100,000 recordings on $name', (backend) => {
  let opened: OpenedArchive;
  let archive: Archive;

  beforeAll(async () => {
    opened = await backend.open();
    archive = opened.archive;
    await archive.catalog.insertRecordings(batch);
    // What autovacuum does soon after a bulk load, so that the planner knows the tables.
    if (backend.name === 'PostgreSQL') await opened.sql('ANALYZE');
  }, 300_000);

  async function actual(query: SearchQuery): Promise<{ ids: string[]; total: number }> {
    const page = await archive.catalog.search(query);
    return { ids: page.recordings.map((r) => r.id), total: page.total };
  }

  it('lists the newest first with the total', async () => {
    expect(await actual({})).toEqual(expected(() => true));
  });

  it('filters by room and date range', async () => {
    const from = Date.parse('2024-03-01T00:00:00Z');
    const to = Date.parse('2024-04-01T00:00:00Z');
    expect(await actual({ room: 'room-7', startedFrom: '2024-03-01T00:00:00Z', startedTo: '2024-04-01T00:00:00Z' })).toEqual(
      expected((r) => r.room === 'room-7' && r.startedAt >= from && r.startedAt < to),
    );
  });

  it('finds participants by a case- and accent-insensitive substring', async () => {
    expect(await actual({ participant: 'zyxw' })).toEqual(expected((r) => r.names.some((name) => nameKey(name).includes('zyxw'))));
    const result = await actual({ participant: 'gregoire dub', limit: 200 });
    expect(result).toEqual(expected((r) => r.names.some((name) => nameKey(name).includes('gregoire dub')), 200));
    expect(result.total).toBeGreaterThan(100);
  });

  it('combines duration, tags and room, and pages through all matches without loss or repeat', async () => {
    const query: SearchQuery = { room: 'room-3', minDurationMs: 60 * 60_000, maxDurationMs: 120 * 60_000, tags: ['legal', 'q1'], limit: 7 };
    const filter = (r: Plain) => r.room === 'room-3' && r.durationMs >= 3_600_000 && r.durationMs <= 7_200_000 && r.tags.includes('legal') && r.tags.includes('q1');
    const all = expected(filter, COUNT);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await archive.catalog.search({ ...query, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(all.total);
      seen.push(...page.recordings.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.ids);
    expect(all.total).toBeGreaterThan(7);
  });

  it('answers each kind of query the benchmark sends, broad or narrow', async () => {
    const month = { startedFrom: '2024-03-01T00:00:00Z', startedTo: '2024-03-31T00:00:00Z' };
    const from = Date.parse(month.startedFrom);
    const to = Date.parse(month.startedTo);
    const named = (fragment: string) => (r: Plain) => r.names.some((name) => nameKey(name).includes(fragment));
    const cases: [SearchQuery, (r: Plain) => boolean][] = [
      [{ participant: 'ert' }, named('ert')],
      [{ participant: 'e Dub' }, named('e dub')],
      [{ participant: 'Du' }, named('du')],
      [{ minDurationMs: 20 * 60_000, maxDurationMs: 150 * 60_000 }, (r) => r.durationMs >= 1_200_000 && r.durationMs <= 9_000_000],
      [{ tags: ['hr', 'q2'] }, (r) => r.tags.includes('hr') && r.tags.includes('q2')],
      [{ tags: ['board', 'board'] }, (r) => r.tags.includes('board')],
      [{ room: 'room-12', ...month, participant: 'Rich' }, (r) => r.room === 'room-12' && r.startedAt >= from && r.startedAt < to && named('rich')(r)],
    ];
    for (const [query, filter] of cases) expect(await actual({ ...query, limit: 25 }), JSON.stringify(query)).toEqual(expected(filter, 25));
  });

  it.runIf(backend.name === 'SQLite')('reads through indexes, a full pass over the narrow search rows only for names too short for trigrams', async () => {
    const db = archive.db!;
    const search = new SqliteSearch(db);
    const queries: SearchQuery[] = [
      {},
      { room: 'room-7' },
      { startedFrom: '2024-03-01T00:00:00Z', startedTo: '2024-04-01T00:00:00Z' },
      { participant: 'zyxw' },
      { participant: 'ert' },
      { participant: 'du' },
      { tags: ['hr'] },
      { tags: ['hr', 'q2'] },
      { minDurationMs: 0, maxDurationMs: 3_600_000 },
    ];
    let passes = 0;
    for (const query of queries) {
      const { plan } = db.transaction(() => search.run(parseSearch({ ...query, limit: 25 })))();
      for (const statement of plan.statements) {
        const detail = (db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as { detail: string }[]).map((row) => row.detail).join('\n');
        const where = `${JSON.stringify(query)}: ${statement.sql}`;
        if (statement.sql.includes('NOT INDEXED')) passes++;
        else expect(detail, where).not.toMatch(/^SCAN (s|recordings|tags)$/m);
        if (plan.page === 'by date' && statement.sql.includes('INDEXED BY')) expect(detail, where).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
      }
    }
    expect(passes, 'the short name only').toBe(1);
  });

  it.runIf(backend.name === 'PostgreSQL')('finds participants through the trigram index and pages through the (status, started_at, id) index', async () => {
    const client = new pg.Client({ connectionString: opened.databaseUrl! });
    await client.connect();
    try {
      const plan = async (query: SearchQuery, which: 'page' | 'total') => {
        const statement = postgresSearchStatements(query)[which];
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.sql}`, statement.params);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      };
      expect(await plan({ participant: 'zyxw' }, 'page')).toMatch(/participants_by_name_key/);
      expect(await plan({ participant: 'zyxw' }, 'total')).toMatch(/participants_by_name_key/);
      const newest = await plan({}, 'page');
      expect(newest).toMatch(/Index Scan Backward using recordings_by_status_start/);
      expect(newest).not.toMatch(/Sort/);
    } finally {
      await client.end();
    }
  });
});
