/**
 * SQLite's search plans: every way a search can run (driven by the names' trigrams, the tags'
 * words or the rows; sorted, read by date, or read by date then sorted) gives exactly what a
 * plain filter of the same data gives, through indexes. The catalog is the generator's, with
 * more than PROBE recordings bunched in the past (to make reading by date give up) and a few
 * deleted ones (which the full-text indexes must not return).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive, type Archive } from '../archive.js';
import { generateCatalog, GENERATED_START, type GeneratedRecording } from '../testing/catalog-generator.js';
import { nameKey } from './names.js';
import { parseSearch } from './search.js';
import { PROBE, SCAN, SqliteSearch, type SearchPlan } from './sqlite-search.js';
import { type NewRecording, type SearchQuery } from './types.js';

const generated = generateCatalog(20_000);
const OLD = PROBE + 500;
const old = generateCatalog(OLD, 7).recordings.map((r, i): NewRecording => {
  const startedAt = GENERATED_START - (i + 1) * 3_600_000;
  return {
    ...r,
    id: `old-${String(i).padStart(5, '0')}`,
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date(startedAt + 600_000).toISOString(),
    participants: [{ id: 'p0', name: 'Old Timer' }],
    tags: ['archive-2020'],
  };
});
const plain: (GeneratedRecording & { status: string })[] = [
  ...generated.plain.map((r) => ({ ...r, status: 'active' })),
  ...old.map((r) => ({ id: r.id, room: r.room, startedAt: Date.parse(r.startedAt), durationMs: 600_000, names: ['Old Timer'], tags: ['archive-2020'], status: 'active' })),
];

function expected(query: SearchQuery): { ids: string[]; total: number } {
  const filter = parseSearch(query);
  const matching = plain
    .filter(
      (r) =>
        (filter.status === null || r.status === filter.status) &&
        (filter.room === null || r.room === filter.room) &&
        (filter.startedFrom === null || r.startedAt >= filter.startedFrom) &&
        (filter.startedTo === null || r.startedAt < filter.startedTo) &&
        (filter.minDurationMs === null || r.durationMs >= filter.minDurationMs) &&
        (filter.maxDurationMs === null || r.durationMs <= filter.maxDurationMs) &&
        (filter.name === '' || r.names.some((name) => nameKey(name).includes(filter.name))) &&
        filter.tags.every((tag) => r.tags.includes(tag)),
    )
    .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  const after = filter.cursor;
  const page = after ? matching.filter((r) => r.startedAt < after.startedAt || (r.startedAt === after.startedAt && r.id < after.id)) : matching;
  return { ids: page.slice(0, filter.limit).map((r) => r.id), total: matching.length };
}

const month = { startedFrom: '2024-03-01T00:00:00Z', startedTo: '2024-04-01T00:00:00Z' };
const CASES: { query: SearchQuery; plan: Pick<SearchPlan, 'driver' | 'page'> }[] = [
  { query: {}, plan: { driver: 'rows', page: 'by date' } },
  { query: { participant: 'Zyxw' }, plan: { driver: 'names', page: 'sorted' } },
  { query: { participant: 'mart' }, plan: { driver: 'names', page: 'by date' } },
  { query: { participant: 'timer' }, plan: { driver: 'names', page: 'by date, then sorted' } },
  { query: { participant: 'ar' }, plan: { driver: 'rows', page: 'by date' } },
  { query: { participant: 'zy' }, plan: { driver: 'rows', page: 'by date, then sorted' } },
  { query: { participant: 'nobody here' }, plan: { driver: 'names', page: 'none' } },
  { query: { tags: ['legal', 'q1'] }, plan: { driver: 'tags', page: 'sorted' } },
  { query: { tags: ['archive-2020'] }, plan: { driver: 'tags', page: 'by date, then sorted' } },
  { query: { tags: ['legal'], participant: 'mart' }, plan: { driver: 'tags', page: 'sorted' } },
  { query: { room: 'room-7', startedFrom: '2024-01-01T00:00:00Z', startedTo: '2024-07-01T00:00:00Z', participant: 'mart' }, plan: { driver: 'rows', page: 'sorted' } },
  { query: { ...month, participant: 'zyxwvut' }, plan: { driver: 'names', page: 'none' } },
  { query: { minDurationMs: 3_600_000, maxDurationMs: 7_200_000 }, plan: { driver: 'rows', page: 'by date' } },
  { query: { minDurationMs: 3_540_000, maxDurationMs: 3_600_000 }, plan: { driver: 'rows', page: 'sorted' } },
  { query: { minDurationMs: 60_000, participant: 'mart' }, plan: { driver: 'names', page: 'by date' } },
  { query: { participant: 'timer', startedTo: '2025-01-01T00:00:00Z', minDurationMs: 60_000 }, plan: { driver: 'names', page: 'by date, then sorted' } },
  { query: { status: 'any', participant: 'mart' }, plan: { driver: 'rows', page: 'sorted' } },
  { query: { status: 'deleted', participant: 'mart' }, plan: { driver: 'rows', page: 'sorted' } },
  { query: { status: 'deleted', tags: ['archive-2020'] }, plan: { driver: 'rows', page: 'none' } },
];

describe('SQLite search plans', () => {
  let archive: Archive;
  let search: SqliteSearch;

  beforeAll(async () => {
    archive = await openArchive(mkdtempSync(join(tmpdir(), 'archive-plans-')));
    await archive.catalog.insertRecordings([...generated.recordings, ...old]);
    // Deleted behind the catalog's back, as the deletion steps do: the triggers must follow.
    const deleted = plain.filter((r) => r.names.some((name) => nameKey(name).includes('mart'))).slice(0, 3);
    for (const r of deleted) {
      archive.db!.prepare("UPDATE recordings SET status = 'deleted' WHERE id = ?").run(r.id);
      r.status = 'deleted';
    }
    search = new SqliteSearch(archive.db!);
  }, 120_000);
  afterAll(() => archive?.close());

  const run = (query: SearchQuery) => archive.db!.transaction(() => search.run(parseSearch(query)))();

  it('has data that reaches each plan', () => {
    expect(expected({ participant: 'mart' }).total).toBeGreaterThan(PROBE);
    expect(OLD).toBeGreaterThan(SCAN);
    expect(expected({ status: 'deleted', participant: 'mart' }).total).toBe(3);
  });

  it.each(CASES)('$query: the same page and total as a plain filter, $plan.driver, $plan.page', ({ query, plan }) => {
    expect(expected(query).total > 0, 'a case with matches, unless it plans none').toBe(plan.page !== 'none');
    for (const limit of [25, 1]) {
      const result = run({ ...query, limit });
      const want = expected({ ...query, limit });
      expect({ ids: result.rows.slice(0, limit).map((r) => r.id), total: result.total }).toEqual(want);
      expect(result.rows.length).toBe(Math.min(want.total, limit + 1));
      expect(result.plan).toMatchObject(plan);
    }
  });

  it('pages by cursor the same way, whatever the plan', async () => {
    for (const { query } of CASES) {
      const first = await archive.catalog.search({ ...query, limit: 10 });
      if (!first.nextCursor) continue;
      const second = await archive.catalog.search({ ...query, limit: 10, cursor: first.nextCursor });
      expect({ ids: second.recordings.map((r) => r.id), total: second.total }, JSON.stringify(query)).toEqual(expected({ ...query, limit: 10, cursor: first.nextCursor }));
    }
  });

  it('reads through indexes: no full scan but of the narrow rows for short names, no sort of a page read by date', () => {
    for (const { query } of CASES) {
      const { plan } = run({ ...query, limit: 25 });
      for (const statement of plan.statements) {
        const detail = (archive.db!.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as { detail: string }[]).map((row) => row.detail).join('\n');
        const where = `${JSON.stringify(query)}: ${statement.sql}`;
        if (!statement.sql.includes('NOT INDEXED')) expect(detail, where).not.toMatch(/^SCAN (s|recordings)$/m);
        expect(detail, where).not.toMatch(/SCAN (tags|participants)/);
        if (statement.sql.includes(`LIMIT ?`) && statement.params.at(-1) === SCAN) expect(detail, where).not.toMatch(/TEMP B-TREE/);
      }
    }
  });
});
