/**
 * The audit log in PostgreSQL: the same hash chain and verification as the SQLite log
 * (audit-log.ts). Appends are serialized by a transaction-scoped advisory lock, so two
 * archive processes sharing the database never read the same last entry; the catalog
 * appends inside its own transactions through appendWith().
 */
import { canonicalJson } from '@conclave/recorder/manifest';
import { AUDIT_LOCK, inTransaction, type PostgresClient, type PostgresPool } from '../db/postgres.js';
import {
  ChainVerifier,
  entriesLimit,
  fromRow,
  nextEntry,
  type AuditEntry,
  type AuditFilter,
  type AuditHead,
  type AuditInput,
  type AuditRow,
  type AuditTrail,
  type AuditVerification,
} from './audit-log.js';

// verify() reads the chain in pages of this many rows, not all at once.
const PAGE = 5000;

export class PostgresAuditLog implements AuditTrail {
  readonly #pool: PostgresPool;
  readonly #now: () => Date;

  constructor(pool: PostgresPool, now: () => Date = () => new Date()) {
    this.#pool = pool;
    this.#now = now;
  }

  async append(input: AuditInput): Promise<AuditEntry> {
    return inTransaction(this.#pool, (client) => this.appendWith(client, input));
  }

  /** Appends inside the caller's transaction on `client`: it commits (or not) with the rest. */
  async appendWith(client: PostgresClient, input: AuditInput): Promise<AuditEntry> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const { rows } = await client.query<AuditHead>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const entry = nextEntry(rows[0] ?? null, input, this.#now());
    await client.query('INSERT INTO audit_log (seq, at, actor, action, recording_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      entry.seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.recordingId,
      canonicalJson(entry.detail),
      entry.prevHash,
      entry.hash,
    ]);
    return entry;
  }

  async entries(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const limit = entriesLimit(filter);
    const { rows } =
      filter.recordingId === undefined
        ? await this.#pool.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [filter.afterSeq ?? 0, limit])
        : await this.#pool.query<AuditRow>('SELECT * FROM audit_log WHERE recording_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [filter.recordingId, filter.afterSeq ?? 0, limit]);
    return rows.map(fromRow);
  }

  async head(): Promise<AuditHead | null> {
    const { rows } = await this.#pool.query<AuditHead>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    return rows[0] ?? null;
  }

  async verify(anchor?: AuditHead): Promise<AuditVerification> {
    // One snapshot for the whole walk, read page by page in seq order.
    return inTransaction(
      this.#pool,
      async (client) => {
        const verifier = new ChainVerifier(anchor);
        // Every seq, even one tampered below 1, is read: the first page has no lower bound.
        let page = await client.query<AuditRow>('SELECT * FROM audit_log ORDER BY seq LIMIT $1', [PAGE]);
        for (;;) {
          for (const row of page.rows) {
            const problem = verifier.next(row);
            if (problem) return verifier.result(problem);
          }
          const last = page.rows.at(-1);
          if (page.rows.length < PAGE || !last) return verifier.end();
          page = await client.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [last.seq, PAGE]);
        }
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }
}
