/** The catalog in SQLite (the archive's embedded default), sharing its database with the audit log. */
import { type AuditInput, type AuditLog } from '../audit/audit-log.js';
import { type ArchiveDatabase } from '../db/database.js';
import { PreparedStatements } from '../db/statements.js';
import { ArchiveError } from '../errors.js';
import { checkTag, iso, ms, toRecord, type RecordingRow } from './rows.js';
import { encodeCursor, parseSearch } from './search.js';
import { SqliteSearch } from './sqlite-search.js';
import { SqliteSearchIndex } from './sqlite-search-index.js';
import {
  type ArchiveCatalog,
  type CatalogFile,
  type FixityEvent,
  type NewRecording,
  type RecordingRecord,
  type RecordingStatus,
  type SearchPage,
  type SearchQuery,
  type Tombstone,
} from './types.js';

export class SqliteCatalog implements ArchiveCatalog {
  readonly #db: ArchiveDatabase;
  readonly #audit: AuditLog;
  readonly #search: SqliteSearch;
  readonly #index: SqliteSearchIndex;
  // Inserting prepares the same few statements for each recording: kept, for bulk inserts.
  readonly #statements: PreparedStatements;

  constructor(db: ArchiveDatabase, audit: AuditLog) {
    this.#db = db;
    this.#audit = audit;
    this.#search = new SqliteSearch(db);
    this.#index = new SqliteSearchIndex(db);
    this.#statements = new PreparedStatements(db);
  }

  async getRecording(id: string): Promise<RecordingRecord | null> {
    return this.#get(id);
  }

  async findByManifestSha256(sha256: string): Promise<RecordingRecord[]> {
    const rows = this.#db.prepare('SELECT * FROM recordings WHERE manifest_sha256 = ? ORDER BY ingested_at, id').all(sha256) as RecordingRow[];
    return rows.map(toRecord);
  }

  async findFollowers(sha256: string): Promise<RecordingRecord[]> {
    const rows = this.#db.prepare('SELECT * FROM recordings WHERE previous_manifest_sha256 = ? ORDER BY ingested_at, id').all(sha256) as RecordingRow[];
    return rows.map(toRecord);
  }

  async insertRecording(recording: NewRecording, audit: AuditInput): Promise<void> {
    this.#db
      .transaction(() => {
        this.#insert(recording);
        this.#audit.append(audit);
      })
      .immediate();
  }

  async insertRecordings(recordings: NewRecording[]): Promise<void> {
    this.#db
      .transaction(() => {
        for (const recording of recordings) this.#insert(recording);
      })
      .immediate();
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const filter = parseSearch(query);
    // Read in one transaction, so the page and the total describe the same state.
    const { rows, total } = this.#db.transaction(() => this.#search.run(filter))();
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      recordings: page.map(toRecord),
      total,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.started_at, last.id) : null,
    };
  }

  async participants(id: string): Promise<{ id: string; name: string }[]> {
    return this.#db.prepare('SELECT participant_id AS id, name FROM participants WHERE recording_id = ? ORDER BY participant_id').all(id) as { id: string; name: string }[];
  }

  async tags(id: string): Promise<string[]> {
    return (this.#db.prepare('SELECT tag FROM tags WHERE recording_id = ? ORDER BY tag').all(id) as { tag: string }[]).map((row) => row.tag);
  }

  async setTags(id: string, tags: string[]): Promise<void> {
    this.#db
      .transaction(() => {
        this.#require(id);
        this.#db.prepare('DELETE FROM tags WHERE recording_id = ?').run(id);
        const insert = this.#db.prepare('INSERT OR IGNORE INTO tags (recording_id, tag) VALUES (?, ?)');
        for (const tag of tags) insert.run(id, checkTag(tag));
        this.#index.setTags(id, tags);
      })
      .immediate();
  }

  async files(id: string): Promise<CatalogFile[]> {
    return this.#db.prepare('SELECT path, size, sha256, kind FROM files WHERE recording_id = ? ORDER BY path').all(id) as CatalogFile[];
  }

  async listIds(status: RecordingStatus): Promise<string[]> {
    return (this.#db.prepare('SELECT id FROM recordings WHERE status = ? ORDER BY started_at, id').all(status) as { id: string }[]).map((row) => row.id);
  }

  async listExpired(now: string): Promise<string[]> {
    const rows = this.#db
      .prepare("SELECT id FROM recordings WHERE status = 'active' AND retention_until IS NOT NULL AND retention_until <= ? AND legal_hold = 0 ORDER BY retention_until, id")
      .all(ms(now, 'now')) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async setRetention(id: string, until: string | null, audit: AuditInput): Promise<void> {
    const untilMs = until === null ? null : ms(until, 'retention date');
    this.#db
      .transaction(() => {
        this.#requireActive(id, 'change its retention');
        this.#db.prepare('UPDATE recordings SET retention_until = ? WHERE id = ?').run(untilMs, id);
        this.#audit.append(audit);
      })
      .immediate();
  }

  async setLegalHold(id: string, reason: string | null, audit: AuditInput): Promise<void> {
    if (reason !== null && reason.trim() === '') throw new ArchiveError('invalid-query', 'a legal hold needs a reason');
    this.#db
      .transaction(() => {
        const row = this.#requireActive(id, reason === null ? 'release a legal hold' : 'place a legal hold');
        if (reason === null && !row.legal_hold) throw new ArchiveError('conflict', `recording ${id} has no legal hold to release`);
        this.#db.prepare('UPDATE recordings SET legal_hold = ?, legal_hold_reason = ? WHERE id = ?').run(reason === null ? 0 : 1, reason, id);
        this.#audit.append(audit);
      })
      .immediate();
  }

  async beginDeletion(id: string, now: string, audit: AuditInput): Promise<boolean> {
    const nowMs = ms(now, 'now');
    return this.#db
      .transaction(() => {
        const row = this.#require(id);
        if (row.status === 'deleting') return true;
        // The guard and the change in one statement: a hold placed meanwhile wins.
        const changed = this.#db
          .prepare("UPDATE recordings SET status = 'deleting' WHERE id = ? AND status = 'active' AND legal_hold = 0 AND retention_until IS NOT NULL AND retention_until <= ?")
          .run(id, nowMs).changes;
        if (changed === 0) return false;
        this.#audit.append(audit);
        return true;
      })
      .immediate();
  }

  async finishDeletion(id: string, tombstone: Tombstone, audit: AuditInput): Promise<void> {
    this.#db
      .transaction(() => {
        const row = this.#require(id);
        if (row.status !== 'deleting') throw new ArchiveError('conflict', `recording ${id} is ${row.status}, not being deleted`);
        this.#db.prepare("UPDATE recordings SET status = 'deleted' WHERE id = ?").run(id);
        this.#db
          .prepare('INSERT INTO tombstones (recording_id, deleted_at, actor, reason, file_count, total_bytes) VALUES (?, ?, ?, ?, ?, ?)')
          .run(id, ms(tombstone.deletedAt, 'deletedAt'), tombstone.actor, tombstone.reason, tombstone.fileCount, tombstone.totalBytes);
        this.#audit.append(audit);
      })
      .immediate();
  }

  async tombstone(id: string): Promise<Tombstone | null> {
    const row = this.#db.prepare('SELECT * FROM tombstones WHERE recording_id = ?').get(id) as
      | { deleted_at: number; actor: string; reason: string; file_count: number; total_bytes: number }
      | undefined;
    return row ? { deletedAt: iso(row.deleted_at), actor: row.actor, reason: row.reason, fileCount: row.file_count, totalBytes: row.total_bytes } : null;
  }

  async recordFixity(events: FixityEvent[]): Promise<void> {
    const insert = this.#db.prepare('INSERT INTO fixity_events (recording_id, path, at, outcome, expected, actual, agent) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#db
      .transaction(() => {
        for (const event of events) insert.run(event.recordingId, event.path, ms(event.at, 'at'), event.outcome, event.expected, event.actual, event.agent);
      })
      .immediate();
  }

  async fixityEvents(id: string): Promise<FixityEvent[]> {
    const rows = this.#db.prepare('SELECT * FROM fixity_events WHERE recording_id = ? ORDER BY id').all(id) as {
      recording_id: string;
      path: string;
      at: number;
      outcome: FixityEvent['outcome'];
      expected: string;
      actual: string | null;
      agent: string;
    }[];
    return rows.map((row) => ({ recordingId: row.recording_id, path: row.path, at: iso(row.at), outcome: row.outcome, expected: row.expected, actual: row.actual, agent: row.agent }));
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #get(id: string): RecordingRecord | null {
    const row = this.#db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as RecordingRow | undefined;
    return row ? toRecord(row) : null;
  }

  #require(id: string): RecordingRow {
    const row = this.#db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as RecordingRow | undefined;
    if (!row) throw new ArchiveError('not-found', `no recording ${id} in the catalog`);
    return row;
  }

  #requireActive(id: string, what: string): RecordingRow {
    const row = this.#require(id);
    if (row.status !== 'active') throw new ArchiveError('not-active', `cannot ${what}: recording ${id} is ${row.status}`);
    return row;
  }

  #insert(recording: NewRecording): void {
    const startedAt = ms(recording.startedAt, 'startedAt');
    const endedAt = ms(recording.endedAt, 'endedAt');
    if (endedAt < startedAt) throw new ArchiveError('invalid-query', `recording ${recording.id} ends before it starts`);
    if (this.#statements.get('SELECT 1 FROM recordings WHERE id = ?').get(recording.id)) {
      throw new ArchiveError('conflict', `recording ${recording.id} is already in the catalog`);
    }
    this.#statements
      .get(
        `INSERT INTO recordings (id, room, started_at, ended_at, duration_ms, manifest_sha256, previous_manifest_sha256, recorder_key_id,
           chain_status, chain_previous_id, status, retention_until, ingested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      )
      .run(
        recording.id,
        recording.room,
        startedAt,
        endedAt,
        endedAt - startedAt,
        recording.manifestSha256,
        recording.previousManifestSha256,
        recording.recorderKeyId,
        recording.chainStatus,
        recording.chainPreviousId,
        recording.retentionUntil === null ? null : ms(recording.retentionUntil, 'retentionUntil'),
        ms(recording.ingestedAt, 'ingestedAt'),
      );
    const participant = this.#statements.get('INSERT INTO participants (recording_id, participant_id, name) VALUES (?, ?, ?)');
    for (const { id, name } of recording.participants) participant.run(recording.id, id, name);
    const tag = this.#statements.get('INSERT OR IGNORE INTO tags (recording_id, tag) VALUES (?, ?)');
    for (const value of recording.tags) tag.run(recording.id, checkTag(value));
    const file = this.#statements.get('INSERT INTO files (recording_id, path, size, sha256, kind) VALUES (?, ?, ?, ?, ?)');
    for (const entry of recording.files) file.run(recording.id, entry.path, entry.size, entry.sha256, entry.kind);
    this.#index.add({
      recordingId: recording.id,
      status: 'active',
      room: recording.room,
      startedAt,
      durationMs: endedAt - startedAt,
      names: recording.participants.map((participant) => participant.name),
      tags: recording.tags,
    });
  }
}
