/**
 * The catalog at archive scale: 100,000 recordings. Asserts that the answers are right
 * (against a plain filter of the same data) and that the queries use indexes; timing is
 * left to benchmarks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive, type Archive } from '../archive.js';
import { nameKey } from './names.js';
import { searchStatements } from './search.js';
import { type NewRecording, type SearchQuery } from './types.js';

const COUNT = 100_000;
const FIRST_NAMES = ['Alice', 'Bob', 'Chloé', 'David', 'Émile', 'Fatou', 'Grégoire', 'Hana', 'Ines', 'Jean'];
const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand'];
const TAGS = ['legal', 'hr', 'q1', 'q2', 'board', 'audit'];
const START = Date.parse('2023-01-01T00:00:00.000Z');

// A small deterministic generator (xorshift), so a failure reproduces.
let seed = 2463534242;
const random = (n: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

interface Plain {
  id: string;
  room: string;
  startedAt: number;
  durationMs: number;
  names: string[];
  tags: string[];
}

const plain: Plain[] = [];
let archive: Archive;

beforeAll(async () => {
  archive = openArchive(mkdtempSync(join(tmpdir(), 'archive-scale-')));
  const batch: NewRecording[] = [];
  for (let i = 0; i < COUNT; i++) {
    const id = `rec-${String(i).padStart(6, '0')}`;
    const room = `room-${random(50)}`;
    // Many recordings share a start minute, so the id tie-break is exercised.
    const startedAt = START + random(3 * 365 * 24 * 60) * 60_000;
    const durationMs = (1 + random(180)) * 60_000;
    const names = Array.from({ length: 1 + random(4) }, () => `${FIRST_NAMES[random(FIRST_NAMES.length)]} ${LAST_NAMES[random(LAST_NAMES.length)]}`);
    if (i % 10_007 === 0) names.push('Quentin Zyxwvut');
    const tags = [...new Set(Array.from({ length: random(3) }, () => TAGS[random(TAGS.length)]!))];
    plain.push({ id, room, startedAt, durationMs, names, tags });
    batch.push({
      id,
      room,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(startedAt + durationMs).toISOString(),
      manifestSha256: id.padEnd(64, '0'),
      previousManifestSha256: null,
      recorderKeyId: '0123456789abcdef',
      chainStatus: 'first',
      chainPreviousId: null,
      retentionUntil: null,
      ingestedAt: new Date(startedAt + durationMs).toISOString(),
      participants: names.map((name, j) => ({ id: `p${j}`, name })),
      tags,
      files: [],
    });
  }
  await archive.catalog.insertRecordings(batch);
}, 120_000);

afterAll(() => archive.close());

function expected(filter: (r: Plain) => boolean, limit = 50): { ids: string[]; total: number } {
  const matching = plain.filter(filter).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  return { ids: matching.slice(0, limit).map((r) => r.id), total: matching.length };
}

async function actual(query: SearchQuery): Promise<{ ids: string[]; total: number }> {
  const page = await archive.catalog.search(query);
  return { ids: page.recordings.map((r) => r.id), total: page.total };
}

function plan(query: SearchQuery): string {
  const { page, total } = searchStatements(query);
  return [page, total]
    .flatMap((statement) => archive.db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as { detail: string }[])
    .map((row) => row.detail)
    .join('\n');
}

describe('search over 100,000 recordings', () => {
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

  it('reads through indexes, never a full scan of the recordings', async () => {
    for (const query of [{}, { room: 'room-7' }, { startedFrom: '2024-03-01T00:00:00Z', startedTo: '2024-04-01T00:00:00Z' }, { participant: 'zyxw' }, { tags: ['hr'] }]) {
      const detail = plan(query);
      expect(detail, JSON.stringify(query)).not.toMatch(/SCAN r\b(?! USING)/);
      expect(detail, JSON.stringify(query)).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    }
  });
});
