/**
 * The catalog in PostgreSQL (ARCHIVE_DATABASE_URL), for archives that outgrow one machine:
 * the same behaviour as SqliteCatalog, proven by the same contract tests. Each change and
 * its audit entry share one transaction; the guards lock the recording's row (FOR UPDATE)
 * where SQLite relies on its single writer.
 */
import { type AuditInput } from '../audit/audit-log.js';
import { type PostgresAuditLog } from '../audit/postgres-audit-log.js';
import { inTransaction, pgCode, type PostgresClient, type PostgresPool } from '../db/postgres.js';
import { ArchiveError } from '../errors.js';
import { nameKey } from './names.js';
import { postgresSearchStatements } from './postgres-search.js';
import { encodeCursor } from './search.js';
import { checkTag, iso, ms, toRecord, type RecordingRow } from './rows.js';
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

// Bulk inserts send this many recordings per statement (as arrays, unnested by the server).
const CHUNK = 5000;
const UNIQUE_VIOLATION = '23505';

interface PgRecordingRow extends Omit<RecordingRow, 'legal_hold'> {
  legal_hold: boolean;
}

const fromRow = (row: PgRecordingRow) => toRecord({ ...row, legal_hold: row.legal_hold ? 1 : 0 });

export class PostgresCatalog implements ArchiveCatalog {
  readonly #pool: PostgresPool;
  readonly #audit: PostgresAuditLog;

  constructor(pool: PostgresPool, audit: PostgresAuditLog) {
    this.#pool = pool;
    this.#audit = audit;
  }

  async getRecording(id: string): Promise<RecordingRecord | null> {
    const { rows } = await this.#pool.query<PgRecordingRow>('SELECT * FROM recordings WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async findByManifestSha256(sha256: string): Promise<RecordingRecord[]> {
    const { rows } = await this.#pool.query<PgRecordingRow>('SELECT * FROM recordings WHERE manifest_sha256 = $1 ORDER BY ingested_at, id', [sha256]);
    return rows.map(fromRow);
  }

  async findFollowers(sha256: string): Promise<RecordingRecord[]> {
    const { rows } = await this.#pool.query<PgRecordingRow>('SELECT * FROM recordings WHERE previous_manifest_sha256 = $1 ORDER BY ingested_at, id', [sha256]);
    return rows.map(fromRow);
  }

  async insertRecording(recording: NewRecording, audit: AuditInput): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await insert(client, [recording]);
      await this.#audit.appendWith(client, audit);
    });
  }

  async insertRecordings(recordings: NewRecording[]): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      for (let start = 0; start < recordings.length; start += CHUNK) await insert(client, recordings.slice(start, start + CHUNK));
    });
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const sql = postgresSearchStatements(query);
    // One snapshot, so the page and the total describe the same state.
    return inTransaction(
      this.#pool,
      async (client) => {
        const { rows } = await client.query<PgRecordingRow>(sql.page.sql, sql.page.params);
        const { rows: totals } = await client.query<{ total: number }>(sql.total.sql, sql.total.params);
        const page = rows.slice(0, sql.limit);
        const last = page.at(-1);
        return {
          recordings: page.map(fromRow),
          total: totals[0]?.total ?? 0,
          nextCursor: rows.length > sql.limit && last ? encodeCursor(last.started_at, last.id) : null,
        };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async participants(id: string): Promise<{ id: string; name: string }[]> {
    const { rows } = await this.#pool.query<{ id: string; name: string }>('SELECT participant_id AS id, name FROM participants WHERE recording_id = $1 ORDER BY participant_id', [id]);
    return rows;
  }

  async tags(id: string): Promise<string[]> {
    const { rows } = await this.#pool.query<{ tag: string }>('SELECT tag FROM tags WHERE recording_id = $1 ORDER BY tag', [id]);
    return rows.map((row) => row.tag);
  }

  async setTags(id: string, tags: string[]): Promise<void> {
    const checked = [...new Set(tags.map(checkTag))];
    await inTransaction(this.#pool, async (client) => {
      await lockRecording(client, id);
      await client.query('DELETE FROM tags WHERE recording_id = $1', [id]);
      await client.query('INSERT INTO tags (recording_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [id, checked]);
    });
  }

  async files(id: string): Promise<CatalogFile[]> {
    const { rows } = await this.#pool.query<CatalogFile>('SELECT path, size, sha256, kind FROM files WHERE recording_id = $1 ORDER BY path', [id]);
    return rows;
  }

  async listIds(status: RecordingStatus): Promise<string[]> {
    const { rows } = await this.#pool.query<{ id: string }>('SELECT id FROM recordings WHERE status = $1 ORDER BY started_at, id', [status]);
    return rows.map((row) => row.id);
  }

  async listExpired(now: string): Promise<string[]> {
    const { rows } = await this.#pool.query<{ id: string }>(
      "SELECT id FROM recordings WHERE status = 'active' AND retention_until IS NOT NULL AND retention_until <= $1 AND NOT legal_hold ORDER BY retention_until, id",
      [ms(now, 'now')],
    );
    return rows.map((row) => row.id);
  }

  async setRetention(id: string, until: string | null, audit: AuditInput): Promise<void> {
    const untilMs = until === null ? null : ms(until, 'retention date');
    await inTransaction(this.#pool, async (client) => {
      await lockActive(client, id, 'change its retention');
      await client.query('UPDATE recordings SET retention_until = $1 WHERE id = $2', [untilMs, id]);
      await this.#audit.appendWith(client, audit);
    });
  }

  async setLegalHold(id: string, reason: string | null, audit: AuditInput): Promise<void> {
    if (reason !== null && reason.trim() === '') throw new ArchiveError('invalid-query', 'a legal hold needs a reason');
    await inTransaction(this.#pool, async (client) => {
      const row = await lockActive(client, id, reason === null ? 'release a legal hold' : 'place a legal hold');
      if (reason === null && !row.legal_hold) throw new ArchiveError('conflict', `recording ${id} has no legal hold to release`);
      await client.query('UPDATE recordings SET legal_hold = $1, legal_hold_reason = $2 WHERE id = $3', [reason !== null, reason, id]);
      await this.#audit.appendWith(client, audit);
    });
  }

  async beginDeletion(id: string, now: string, audit: AuditInput): Promise<boolean> {
    const nowMs = ms(now, 'now');
    return inTransaction(this.#pool, async (client) => {
      // The row locked: a hold placed meanwhile waits for this transaction, or wins before it.
      const row = await lockRecording(client, id);
      if (row.status === 'deleting') return true;
      const { rowCount } = await client.query(
        "UPDATE recordings SET status = 'deleting' WHERE id = $1 AND status = 'active' AND NOT legal_hold AND retention_until IS NOT NULL AND retention_until <= $2",
        [id, nowMs],
      );
      if (!rowCount) return false;
      await this.#audit.appendWith(client, audit);
      return true;
    });
  }

  async finishDeletion(id: string, tombstone: Tombstone, audit: AuditInput): Promise<void> {
    const deletedAt = ms(tombstone.deletedAt, 'deletedAt');
    await inTransaction(this.#pool, async (client) => {
      const row = await lockRecording(client, id);
      if (row.status !== 'deleting') throw new ArchiveError('conflict', `recording ${id} is ${row.status}, not being deleted`);
      await client.query("UPDATE recordings SET status = 'deleted' WHERE id = $1", [id]);
      await client.query('INSERT INTO tombstones (recording_id, deleted_at, actor, reason, file_count, total_bytes) VALUES ($1, $2, $3, $4, $5, $6)', [
        id,
        deletedAt,
        tombstone.actor,
        tombstone.reason,
        tombstone.fileCount,
        tombstone.totalBytes,
      ]);
      await this.#audit.appendWith(client, audit);
    });
  }

  async tombstone(id: string): Promise<Tombstone | null> {
    const { rows } = await this.#pool.query<{ deleted_at: number; actor: string; reason: string; file_count: number; total_bytes: number }>('SELECT * FROM tombstones WHERE recording_id = $1', [id]);
    const row = rows[0];
    return row ? { deletedAt: iso(row.deleted_at), actor: row.actor, reason: row.reason, fileCount: row.file_count, totalBytes: row.total_bytes } : null;
  }

  async recordFixity(events: FixityEvent[]): Promise<void> {
    if (events.length === 0) return;
    const at = events.map((event) => ms(event.at, 'at'));
    // In the given order, so that ORDER BY id reads them back as SQLite does.
    await this.#pool.query(
      `INSERT INTO fixity_events (recording_id, path, at, outcome, expected, actual, agent)
       SELECT recording_id, path, at, outcome, expected, actual, agent
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS e(recording_id, path, at, outcome, expected, actual, agent, n)
       ORDER BY n`,
      [events.map((e) => e.recordingId), events.map((e) => e.path), at, events.map((e) => e.outcome), events.map((e) => e.expected), events.map((e) => e.actual), events.map((e) => e.agent)],
    );
  }

  async fixityEvents(id: string): Promise<FixityEvent[]> {
    const { rows } = await this.#pool.query<{ recording_id: string; path: string; at: number; outcome: FixityEvent['outcome']; expected: string; actual: string | null; agent: string }>(
      'SELECT * FROM fixity_events WHERE recording_id = $1 ORDER BY id',
      [id],
    );
    return rows.map((row) => ({ recordingId: row.recording_id, path: row.path, at: iso(row.at), outcome: row.outcome, expected: row.expected, actual: row.actual, agent: row.agent }));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

async function lockRecording(client: PostgresClient, id: string): Promise<PgRecordingRow> {
  const { rows } = await client.query<PgRecordingRow>('SELECT * FROM recordings WHERE id = $1 FOR UPDATE', [id]);
  if (!rows[0]) throw new ArchiveError('not-found', `no recording ${id} in the catalog`);
  return rows[0];
}

async function lockActive(client: PostgresClient, id: string, what: string): Promise<PgRecordingRow> {
  const row = await lockRecording(client, id);
  if (row.status !== 'active') throw new ArchiveError('not-active', `cannot ${what}: recording ${id} is ${row.status}`);
  return row;
}

/** Inserts recordings with their participants, tags and files: one statement per table. */
async function insert(client: PostgresClient, recordings: NewRecording[]): Promise<void> {
  const rows = recordings.map((recording) => {
    const startedAt = ms(recording.startedAt, 'startedAt');
    const endedAt = ms(recording.endedAt, 'endedAt');
    if (endedAt < startedAt) throw new ArchiveError('invalid-query', `recording ${recording.id} ends before it starts`);
    return {
      recording,
      startedAt,
      endedAt,
      retentionUntil: recording.retentionUntil === null ? null : ms(recording.retentionUntil, 'retentionUntil'),
      ingestedAt: ms(recording.ingestedAt, 'ingestedAt'),
      tags: [...new Set(recording.tags.map(checkTag))],
    };
  });
  const ids = recordings.map((recording) => recording.id);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw conflict(id);
    seen.add(id);
  }
  const { rows: taken } = await client.query<{ id: string }>('SELECT id FROM recordings WHERE id = ANY($1::text[]) ORDER BY id LIMIT 1', [ids]);
  if (taken[0]) throw conflict(taken[0].id);
  try {
    await client.query(
      `INSERT INTO recordings (id, room, started_at, ended_at, duration_ms, manifest_sha256, previous_manifest_sha256, recorder_key_id,
         chain_status, chain_previous_id, status, retention_until, ingested_at)
       SELECT id, room, started_at, ended_at, ended_at - started_at, manifest_sha256, previous_manifest_sha256, recorder_key_id,
         chain_status, chain_previous_id, 'active', retention_until, ingested_at
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[])
         AS r(id, room, started_at, ended_at, manifest_sha256, previous_manifest_sha256, recorder_key_id, chain_status, chain_previous_id, retention_until, ingested_at)`,
      [
        ids,
        recordings.map((r) => r.room),
        rows.map((r) => r.startedAt),
        rows.map((r) => r.endedAt),
        recordings.map((r) => r.manifestSha256),
        recordings.map((r) => r.previousManifestSha256),
        recordings.map((r) => r.recorderKeyId),
        recordings.map((r) => r.chainStatus),
        recordings.map((r) => r.chainPreviousId),
        rows.map((r) => r.retentionUntil),
        rows.map((r) => r.ingestedAt),
      ],
    );
  } catch (error) {
    // Another process inserted the same id between the check and the insert.
    if (pgCode(error) === UNIQUE_VIOLATION && (error as { constraint?: string }).constraint === 'recordings_pkey') throw conflict(ids.join(', '));
    throw error;
  }
  const participants = recordings.flatMap((r) => r.participants.map((p) => [r.id, p.id, p.name, nameKey(p.name)] as const));
  if (participants.length > 0) {
    await client.query('INSERT INTO participants (recording_id, participant_id, name, name_key) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])', [
      participants.map((p) => p[0]),
      participants.map((p) => p[1]),
      participants.map((p) => p[2]),
      participants.map((p) => p[3]),
    ]);
  }
  const tags = rows.flatMap((row) => row.tags.map((tag) => [row.recording.id, tag] as const));
  if (tags.length > 0) {
    await client.query('INSERT INTO tags (recording_id, tag) SELECT * FROM unnest($1::text[], $2::text[])', [tags.map((t) => t[0]), tags.map((t) => t[1])]);
  }
  const files = recordings.flatMap((r) => r.files.map((f) => [r.id, f.path, f.size, f.sha256, f.kind] as const));
  if (files.length > 0) {
    await client.query('INSERT INTO files (recording_id, path, size, sha256, kind) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])', [
      files.map((f) => f[0]),
      files.map((f) => f[1]),
      files.map((f) => f[2]),
      files.map((f) => f[3]),
      files.map((f) => f[4]),
    ]);
  }
}

const conflict = (id: string) => new ArchiveError('conflict', `recording ${id} is already in the catalog`);
