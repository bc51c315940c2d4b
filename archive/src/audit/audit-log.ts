/**
 * The audit log: append-only and hash-chained. Each entry's hash is
 * SHA-256(previous entry's hash || canonical JSON of the entry), so an edited, removed or
 * reordered entry breaks the chain where it happened. Triggers refuse UPDATE and DELETE;
 * getting past them takes editing the database file, which verify() then reports.
 * Removing the newest entries leaves a valid shorter chain: keep head() somewhere else
 * (a daily report, a ticket) and pass it to verify() to catch that too.
 *
 * AuditLog is the SQLite log (synchronous, so that it joins better-sqlite3 transactions);
 * AuditTrail is what the rest of the archive uses, over SQLite (SqliteAuditTrail) or
 * PostgreSQL (PostgresAuditLog), with the same chain and the same verification.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@conclave/recorder/manifest';
import { type ArchiveDatabase } from '../db/database.js';

export const AUDIT_ACTIONS = ['view', 'download', 'export', 'hold', 'release', 'delete', 'ingest', 'login', 'login-failed', 'logout', 'account', 'fixity', 'retention'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The hash the first entry follows. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  actor: string;
  action: AuditAction;
  recordingId?: string | null;
  /** Plain JSON values only: it is hashed in canonical form. */
  detail?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  /** ISO 8601, UTC. */
  at: string;
  actor: string;
  action: AuditAction;
  recordingId: string | null;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditProblem {
  seq: number;
  /** edited: the entry does not match its hash; missing: entries gone before it; unlinked: it does not follow the entry before it; truncated: the known head is gone. */
  kind: 'edited' | 'missing' | 'unlinked' | 'truncated' | 'unreadable';
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: AuditHead | null;
  /** The first problem found, walking from the oldest entry. */
  problem: AuditProblem | null;
}

/** A row of audit_log, as both databases store it. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  recording_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The audit log as the archive uses it, whatever the database. */
export interface AuditTrail {
  /** Appends one entry in a transaction of its own. */
  append(input: AuditInput): Promise<AuditEntry>;
  entries(filter?: AuditFilter): Promise<AuditEntry[]>;
  head(): Promise<AuditHead | null>;
  /** Walks the whole chain from the first entry; `anchor` is a head recorded earlier, which must still be there. */
  verify(anchor?: AuditHead): Promise<AuditVerification>;
}

export interface AuditFilter {
  recordingId?: string;
  afterSeq?: number;
  /** 1 to 10,000, default 100. */
  limit?: number;
}

export function entryHash(prevHash: string, entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const { seq, at, actor, action, recordingId, detail } = entry;
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson({ seq, at, actor, action, recordingId, detail }))
    .digest('hex');
}

export class AuditLog {
  readonly #db: ArchiveDatabase;
  readonly #now: () => Date;

  constructor(db: ArchiveDatabase, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** Appends one entry; inside a caller's transaction it commits (or not) with the rest. */
  append(input: AuditInput): AuditEntry {
    const write = this.#db.transaction(() => {
      const last = this.#db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditHead | undefined;
      const entry = nextEntry(last ?? null, input, this.#now());
      this.#db
        .prepare('INSERT INTO audit_log (seq, at, actor, action, recording_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(entry.seq, entry.at, entry.actor, entry.action, entry.recordingId, canonicalJson(entry.detail), entry.prevHash, entry.hash);
      return entry;
    });
    // Immediate: two processes appending at once must not both read the same last entry.
    return this.#db.inTransaction ? write() : write.immediate();
  }

  entries(filter: AuditFilter = {}): AuditEntry[] {
    const limit = entriesLimit(filter);
    const rows = (
      filter.recordingId === undefined
        ? this.#db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(filter.afterSeq ?? 0, limit)
        : this.#db.prepare('SELECT * FROM audit_log WHERE recording_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(filter.recordingId, filter.afterSeq ?? 0, limit)
    ) as AuditRow[];
    return rows.map(fromRow);
  }

  head(): AuditHead | null {
    return (this.#db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditHead | undefined) ?? null;
  }

  /** Walks the whole chain from the first entry; `anchor` is a head recorded earlier, which must still be there. */
  verify(anchor?: AuditHead): AuditVerification {
    const verifier = new ChainVerifier(anchor);
    for (const row of this.#db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
      const problem = verifier.next(row);
      if (problem) return verifier.result(problem);
    }
    return verifier.end();
  }
}

/** The SQLite log behind the AuditTrail interface. */
export class SqliteAuditTrail implements AuditTrail {
  constructor(readonly log: AuditLog) {}

  async append(input: AuditInput): Promise<AuditEntry> {
    return this.log.append(input);
  }

  async entries(filter?: AuditFilter): Promise<AuditEntry[]> {
    return this.log.entries(filter);
  }

  async head(): Promise<AuditHead | null> {
    return this.log.head();
  }

  async verify(anchor?: AuditHead): Promise<AuditVerification> {
    return this.log.verify(anchor);
  }
}

export function entriesLimit(filter: AuditFilter): number {
  return Math.min(Math.max(filter.limit ?? 100, 1), 10_000);
}

/** Builds the entry to append after `last` (null: the first entry). */
export function nextEntry(last: AuditHead | null, input: AuditInput, now: Date): AuditEntry {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(input.action)) throw new TypeError(`unknown audit action "${input.action}"`);
  if (input.actor.length === 0) throw new TypeError('an audit entry needs an actor');
  const base = {
    seq: (last?.seq ?? 0) + 1,
    at: now.toISOString(),
    actor: input.actor,
    action: input.action,
    recordingId: input.recordingId ?? null,
    // Through JSON once, so what is hashed now is what verify() will read back.
    detail: JSON.parse(canonicalJson(input.detail ?? {})) as Record<string, unknown>,
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  return { ...base, prevHash, hash: entryHash(prevHash, base) };
}

/** Checks stored rows one by one, oldest first, as verify() reads them. */
export class ChainVerifier {
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #entries = 0;
  #anchorSeen = false;
  readonly #anchor: AuditHead | undefined;

  constructor(anchor?: AuditHead) {
    this.#anchor = anchor;
  }

  result(problem: AuditProblem | null): AuditVerification {
    return { ok: problem === null, entries: this.#entries, head: this.#entries ? { seq: this.#expectedSeq - 1, hash: this.#prevHash } : null, problem };
  }

  /** The problem with this row, or null when it follows the chain. */
  next(row: AuditRow): AuditProblem | null {
    const expectedSeq = this.#expectedSeq;
    const prevHash = this.#prevHash;
    const anchor = this.#anchor;
    if (row.seq !== expectedSeq) {
      return { seq: row.seq, kind: 'missing', message: `entries ${expectedSeq} to ${row.seq - 1} are missing before entry ${row.seq}: deleted` };
    }
    let entry: AuditEntry;
    try {
      entry = fromRow(row);
    } catch (error) {
      return { seq: row.seq, kind: 'unreadable', message: `entry ${row.seq} cannot be read (${(error as Error).message}): edited` };
    }
    if (row.prev_hash !== prevHash) {
      return { seq: row.seq, kind: 'unlinked', message: `entry ${row.seq} does not follow entry ${row.seq - 1} (its previous hash differs): entries were removed, inserted or reordered` };
    }
    if (entryHash(row.prev_hash, entry) !== row.hash) {
      return { seq: row.seq, kind: 'edited', message: `entry ${row.seq} does not match its hash: it was edited after it was written` };
    }
    if (anchor && row.seq === anchor.seq) {
      if (row.hash !== anchor.hash) return { seq: row.seq, kind: 'edited', message: `entry ${row.seq} is not the one recorded as the head earlier (hash differs): the log was rewritten` };
      this.#anchorSeen = true;
    }
    this.#prevHash = row.hash;
    this.#expectedSeq++;
    this.#entries++;
    return null;
  }

  /** The verdict once every row was read without a problem. */
  end(): AuditVerification {
    const anchor = this.#anchor;
    if (anchor && !this.#anchorSeen) {
      return this.result({ seq: anchor.seq, kind: 'truncated', message: `entry ${anchor.seq}, recorded as the head earlier, is gone: the newest entries were deleted` });
    }
    return this.result(null);
  }
}

export function fromRow(row: AuditRow): AuditEntry {
  const detail = JSON.parse(row.detail) as unknown;
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new Error('detail is not a JSON object');
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action as AuditAction,
    recordingId: row.recording_id,
    detail: detail as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
