/**
 * Migration 3 on a catalog written by the release before it: the search index is built
 * from what that release stored (participant_names' folded keys, tags), and the search
 * answers as before.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CATALOG_FILE, openArchive } from '../archive.js';
import { nameKey } from '../catalog/names.js';
import { migrate, schemaVersion } from './database.js';
import { MIGRATIONS } from './migrations.js';

/** Writes recordings as the release with two migrations did, straight into the file. */
function writeVersion2(file: string, recordings: { id: string; startedAt: string; status: string; names: string[]; tags: string[] }[]): void {
  const db = new Database(file);
  try {
    migrate(db, MIGRATIONS.slice(0, 2));
    for (const r of recordings) {
      const started = Date.parse(r.startedAt);
      db.prepare(
        `INSERT INTO recordings (id, room, started_at, ended_at, duration_ms, manifest_sha256, recorder_key_id, chain_status, status, ingested_at)
         VALUES (?, 'board', ?, ?, 60000, ?, 'key', 'first', ?, ?)`,
      ).run(r.id, started, started + 60_000, 'a'.repeat(64), r.status, started + 60_000);
      r.names.forEach((name, index) => {
        db.prepare('INSERT INTO participants (recording_id, participant_id, name) VALUES (?, ?, ?)').run(r.id, `p${index}`, name);
        db.prepare('INSERT INTO participant_names (name_key, recording_id) VALUES (?, ?)').run(nameKey(name), r.id);
      });
      for (const tag of r.tags) db.prepare('INSERT INTO tags (recording_id, tag) VALUES (?, ?)').run(r.id, tag);
    }
  } finally {
    db.close();
  }
}

describe('migration 3 (the search index)', () => {
  it('indexes the recordings of an older catalog, and its search finds what the older one found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-migrate-'));
    writeVersion2(join(dir, CATALOG_FILE), [
      { id: 'a', startedAt: '2025-01-01T10:00:00Z', status: 'active', names: ['Élodie Martin', 'Bob'], tags: ['legal', 'q1 2025'] },
      { id: 'b', startedAt: '2025-01-02T10:00:00Z', status: 'active', names: ['Zoé'], tags: [] },
      { id: 'c', startedAt: '2025-01-03T10:00:00Z', status: 'deleted', names: ['Elodie Petit'], tags: ['legal'] },
      { id: 'd', startedAt: '2025-01-04T10:00:00Z', status: 'active', names: [], tags: ['q1 2025'] },
    ]);
    const archive = await openArchive(dir);
    try {
      const db = archive.db!;
      expect(schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'participant_names'").get()).toBeUndefined();
      // The deleted recording keeps its row, but not its place in the full-text indexes.
      expect(db.prepare('SELECT count(*) AS n FROM search_rows').get()).toEqual({ n: 4 });
      expect(db.prepare("SELECT rowid FROM search_names WHERE search_names MATCH '\"elodie\"'").pluck().all()).toHaveLength(1);

      const ids = async (query: Parameters<typeof archive.catalog.search>[0]) => (await archive.catalog.search(query)).recordings.map((r) => r.id);
      expect(await ids({})).toEqual(['d', 'b', 'a']);
      expect((await archive.catalog.search({ status: 'any' })).total).toBe(4);
      expect((await archive.catalog.search({ status: 'deleted' })).total).toBe(1);
      expect(await ids({ participant: 'ELODIE' })).toEqual(['a']);
      expect(await ids({ participant: 'tin' })).toEqual(['a']);
      expect(await ids({ participant: 'martinbob' })).toEqual([]);
      expect(await ids({ participant: 'zoe' })).toEqual(['b']);
      expect(await ids({ participant: 'elodie', status: 'deleted' })).toEqual(['c']);
      expect(await ids({ participant: 'lodie', status: 'any' })).toEqual(['c', 'a']);
      expect(await ids({ tags: ['q1 2025'] })).toEqual(['d', 'a']);
      expect(await ids({ tags: ['legal'], status: 'any' })).toEqual(['c', 'a']);
      expect((await archive.catalog.search({ tags: ['legal', 'q1 2025'] })).total).toBe(1);
    } finally {
      await archive.close();
    }
  });
});
