/**
 * Writes SQLite's search index (migration 3): a recording's search row with its folded names,
 * and, while it is active, its names' trigrams and its tags as words. Triggers then keep the
 * row's status, room, start and duration in step with the recording, and take it out of the
 * full-text indexes when it stops being active.
 */
import { type ArchiveDatabase } from '../db/database.js';
import { PreparedStatements } from '../db/statements.js';
import { joinedNameKeys } from './names.js';
import { type RecordingStatus } from './types.js';

/** A tag as one full-text word whatever its characters (spaces, quotes, any script): 'x' and its UTF-8 in hex. */
export function tagWord(tag: string): string {
  return `x${Buffer.from(tag, 'utf8').toString('hex')}`;
}

export interface SearchEntry {
  recordingId: string;
  status: RecordingStatus;
  room: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  durationMs: number;
  /** Display names, folded here. */
  names: readonly string[];
  tags: readonly string[];
}

export class SqliteSearchIndex {
  readonly #statements: PreparedStatements;

  constructor(db: ArchiveDatabase) {
    this.#statements = new PreparedStatements(db);
  }

  /** Indexes a recording just inserted, in the caller's transaction. */
  add(entry: SearchEntry): void {
    const names = joinedNameKeys(entry.names);
    const { rid } = this.#statements.get(
      'INSERT INTO search_rows (recording_id, status, room, started_at, duration_ms, names) VALUES (?, ?, ?, ?, ?, ?) RETURNING rid',
    ).get(entry.recordingId, entry.status, entry.room, entry.startedAt, entry.durationMs, names) as { rid: number };
    if (entry.status !== 'active') return;
    this.#statements.get('INSERT INTO search_names (rowid, names) VALUES (?, ?)').run(rid, names);
    this.#writeTags(rid, entry.tags);
  }

  /** Replaces a recording's tags as searched, in the caller's transaction. */
  setTags(recordingId: string, tags: readonly string[]): void {
    const row = this.#statements.get('SELECT rid, status FROM search_rows WHERE recording_id = ?').get(recordingId) as { rid: number; status: string } | undefined;
    if (!row) throw new Error(`recording ${recordingId} has no search row: the catalog's search index is incomplete`);
    if (row.status !== 'active') return;
    this.#statements.get('DELETE FROM search_tags WHERE rowid = ?').run(row.rid);
    this.#writeTags(row.rid, tags);
  }

  #writeTags(rid: number, tags: readonly string[]): void {
    const words = [...new Set(tags)].map(tagWord);
    if (words.length > 0) this.#statements.get('INSERT INTO search_tags (rowid, tags) VALUES (?, ?)').run(rid, words.join(' '));
  }
}
