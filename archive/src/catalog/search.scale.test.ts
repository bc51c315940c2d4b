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
import { searchStatements } from './search.js';
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

  it.runIf(backend.name === 'SQLite')('reads through indexes, never a full scan of the recordings', async () => {
    const db = archive.db!;
    const plan = (query: SearchQuery) => {
      const { page, total } = searchStatements(query);
      return [page, total]
        .flatMap((statement) => db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as { detail: string }[])
        .map((row) => row.detail)
        .join('\n');
    };
    for (const query of [{}, { room: 'room-7' }, { startedFrom: '2024-03-01T00:00:00Z', startedTo: '2024-04-01T00:00:00Z' }, { participant: 'zyxw' }, { tags: ['hr'] }]) {
      const detail = plan(query);
      expect(detail, JSON.stringify(query)).not.toMatch(/SCAN r\b(?! USING)/);
      expect(detail, JSON.stringify(query)).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    }
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
