/**
 * Where accounts and sessions are kept: the SQLite database or PostgreSQL, with the same
 * tables. Each change that is audited commits together with its audit entry.
 */
import { type AuditInput, type AuditLog } from '../audit/audit-log.js';
import { type PostgresAuditLog } from '../audit/postgres-audit-log.js';
import { type ArchiveDatabase } from '../db/database.js';
import { inTransaction, type PostgresPool } from '../db/postgres.js';

export const ROLES = ['archivist', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AccountRow {
  username: string;
  passwordHash: string;
  role: Role;
  failedLogins: number;
  lockedUntil: number;
  disabled: boolean;
}

export interface SessionRow {
  tokenHash: string;
  csrf: string;
  createdAt: number;
  lastSeen: number;
  username: string;
  role: Role;
  disabled: boolean;
}

export interface AccountStore {
  find(username: string): Promise<AccountRow | undefined>;
  /** Creates the account or sets its password and role (failures cleared), ends its sessions, and audits. */
  upsert(account: { username: string; passwordHash: string; role: Role; now: number }, audit: AuditInput): Promise<void>;
  setFailures(username: string, failedLogins: number, lockedUntil: number): Promise<void>;
  /** Clears the account's failures, opens the session, and audits. */
  openSession(session: { tokenHash: string; username: string; csrf: string; now: number }, audit: AuditInput): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRow | undefined>;
  touchSession(tokenHash: string, now: number): Promise<void>;
  /** Ends the session, and audits when given an entry. */
  deleteSession(tokenHash: string, audit?: AuditInput): Promise<void>;
  audit(input: AuditInput): Promise<void>;
}

interface AccountColumns {
  username: string;
  password_hash: string;
  role: Role;
  failed_logins: number;
  locked_until: number;
  disabled: number | boolean;
}
interface SessionColumns {
  token_hash: string;
  csrf: string;
  created_at: number;
  last_seen: number;
  username: string;
  role: Role;
  disabled: number | boolean;
}

const account = (row: AccountColumns): AccountRow => ({
  username: row.username,
  passwordHash: row.password_hash,
  role: row.role,
  failedLogins: row.failed_logins,
  lockedUntil: row.locked_until,
  disabled: Boolean(row.disabled),
});
const session = (row: SessionColumns): SessionRow => ({
  tokenHash: row.token_hash,
  csrf: row.csrf,
  createdAt: row.created_at,
  lastSeen: row.last_seen,
  username: row.username,
  role: row.role,
  disabled: Boolean(row.disabled),
});

const ACCOUNT = 'SELECT username, password_hash, role, failed_logins, locked_until, disabled FROM accounts WHERE username = ';
const SESSION = `SELECT s.token_hash, s.csrf, s.created_at, s.last_seen, a.username, a.role, a.disabled
  FROM sessions s JOIN accounts a ON a.username = s.username WHERE s.token_hash = `;
const UPSERT = `INSERT INTO accounts (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, failed_logins = 0, locked_until = 0`;

/** Numbers SQLite's ? placeholders for PostgreSQL: $1, $2, … */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export class SqliteAccountStore implements AccountStore {
  readonly #db: ArchiveDatabase;
  readonly #audit: AuditLog;

  constructor(db: ArchiveDatabase, audit: AuditLog) {
    this.#db = db;
    this.#audit = audit;
  }

  async find(username: string): Promise<AccountRow | undefined> {
    const row = this.#db.prepare(`${ACCOUNT}?`).get(username) as AccountColumns | undefined;
    return row && account(row);
  }

  async upsert(row: { username: string; passwordHash: string; role: Role; now: number }, audit: AuditInput): Promise<void> {
    this.#db.transaction(() => {
      this.#db.prepare(UPSERT).run(row.username, row.passwordHash, row.role, row.now);
      // A new password ends every session of the account.
      this.#db.prepare('DELETE FROM sessions WHERE username = ?').run(row.username);
      this.#audit.append(audit);
    })();
  }

  async setFailures(username: string, failedLogins: number, lockedUntil: number): Promise<void> {
    this.#db.prepare('UPDATE accounts SET failed_logins = ?, locked_until = ? WHERE username = ?').run(failedLogins, lockedUntil, username);
  }

  async openSession(row: { tokenHash: string; username: string; csrf: string; now: number }, audit: AuditInput): Promise<void> {
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE username = ?').run(row.username);
      this.#db.prepare('INSERT INTO sessions (token_hash, username, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)').run(row.tokenHash, row.username, row.csrf, row.now, row.now);
      this.#audit.append(audit);
    })();
  }

  async findSession(tokenHash: string): Promise<SessionRow | undefined> {
    const row = this.#db.prepare(`${SESSION}?`).get(tokenHash) as SessionColumns | undefined;
    return row && session(row);
  }

  async touchSession(tokenHash: string, now: number): Promise<void> {
    this.#db.prepare('UPDATE sessions SET last_seen = ? WHERE token_hash = ?').run(now, tokenHash);
  }

  async deleteSession(tokenHash: string, audit?: AuditInput): Promise<void> {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
      if (audit) this.#audit.append(audit);
    })();
  }

  async audit(input: AuditInput): Promise<void> {
    this.#audit.append(input);
  }
}

export class PostgresAccountStore implements AccountStore {
  readonly #pool: PostgresPool;
  readonly #audit: PostgresAuditLog;

  constructor(pool: PostgresPool, audit: PostgresAuditLog) {
    this.#pool = pool;
    this.#audit = audit;
  }

  async find(username: string): Promise<AccountRow | undefined> {
    const { rows } = await this.#pool.query<AccountColumns>(`${ACCOUNT}$1`, [username]);
    return rows[0] && account(rows[0]);
  }

  async upsert(row: { username: string; passwordHash: string; role: Role; now: number }, audit: AuditInput): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query(numbered(UPSERT), [row.username, row.passwordHash, row.role, row.now]);
      await client.query('DELETE FROM sessions WHERE username = $1', [row.username]);
      await this.#audit.appendWith(client, audit);
    });
  }

  async setFailures(username: string, failedLogins: number, lockedUntil: number): Promise<void> {
    await this.#pool.query('UPDATE accounts SET failed_logins = $1, locked_until = $2 WHERE username = $3', [failedLogins, lockedUntil, username]);
  }

  async openSession(row: { tokenHash: string; username: string; csrf: string; now: number }, audit: AuditInput): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query('UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE username = $1', [row.username]);
      await client.query('INSERT INTO sessions (token_hash, username, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)', [row.tokenHash, row.username, row.csrf, row.now]);
      await this.#audit.appendWith(client, audit);
    });
  }

  async findSession(tokenHash: string): Promise<SessionRow | undefined> {
    const { rows } = await this.#pool.query<SessionColumns>(`${SESSION}$1`, [tokenHash]);
    return rows[0] && session(rows[0]);
  }

  async touchSession(tokenHash: string, now: number): Promise<void> {
    await this.#pool.query('UPDATE sessions SET last_seen = $1 WHERE token_hash = $2', [now, tokenHash]);
  }

  async deleteSession(tokenHash: string, audit?: AuditInput): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
      if (audit) await this.#audit.appendWith(client, audit);
    });
  }

  async audit(input: AuditInput): Promise<void> {
    await this.#audit.append(input);
  }
}
