/**
 * Archivist accounts and their sessions, in the catalog's database.
 *
 * - Passwords: scrypt (the signaling server's hashing, N=2^15), never stored or logged.
 * - Lockout: LOCKOUT_FAILURES wrong passwords in a row lock the account for LOCKOUT_MS;
 *   an unknown name costs the same hashing time as a known one, so timing tells nothing.
 * - Sessions: a random 256-bit token in a cookie, stored as its SHA-256; it ends after
 *   IDLE_MS without use or MAX_AGE_MS after login. Each carries its CSRF token.
 *
 * Every login, failed login, logout and account change goes into the audit log.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '@conclave/signaling/passwords';
import { type AuditLog } from '../audit/audit-log.js';
import { type ArchiveDatabase } from '../db/database.js';
import { ArchiveError } from '../errors.js';

export const ROLES = ['archivist', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const LOCKOUT_FAILURES = 5;
export const LOCKOUT_MS = 15 * 60_000;
export const IDLE_MS = 30 * 60_000;
export const MAX_AGE_MS = 12 * 3600_000;
export const MIN_PASSWORD_LENGTH = 12;
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

export interface Account {
  username: string;
  role: Role;
}

export interface Session {
  account: Account;
  csrf: string;
}

export type LoginResult = { ok: true; token: string; session: Session } | { ok: false; reason: 'bad-credentials' } | { ok: false; reason: 'locked'; retryAfterSeconds: number };

interface AccountRow {
  username: string;
  password_hash: string;
  role: Role;
  failed_logins: number;
  locked_until: number;
  disabled: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class Accounts {
  readonly #db: ArchiveDatabase;
  readonly #audit: AuditLog;
  readonly #now: () => number;
  /** Compared against when the name is unknown, so that both cases cost one scrypt. */
  #decoy: Promise<string> | null = null;

  constructor(db: ArchiveDatabase, audit: AuditLog, now: () => number = Date.now) {
    this.#db = db;
    this.#audit = audit;
    this.#now = now;
  }

  /** Creates an account or, with `replace`, sets its password and role. */
  async create(username: string, password: string, role: Role, options: { actor: string; replace?: boolean }): Promise<void> {
    if (!USERNAME.test(username)) throw new ArchiveError('invalid', "a username is 1 to 64 letters, digits, '.', '_', '@', '-'");
    if (!(ROLES as readonly string[]).includes(role)) throw new ArchiveError('invalid', `a role is one of ${ROLES.join(', ')}`);
    if (password.length < MIN_PASSWORD_LENGTH) throw new ArchiveError('invalid', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
    const hash = await hashPassword(password);
    const exists = this.#row(username) !== undefined;
    if (exists && !options.replace) throw new ArchiveError('conflict', `the account "${username}" already exists`);
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO accounts (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, failed_logins = 0, locked_until = 0`,
        )
        .run(username, hash, role, this.#now());
      // A new password ends every session of the account.
      this.#db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
      this.#audit.append({ actor: options.actor, action: 'account', detail: { username, role, change: exists ? 'password-and-role' : 'created' } });
    })();
  }

  async login(username: string, password: string, from: string): Promise<LoginResult> {
    const row = USERNAME.test(username) ? this.#row(username) : undefined;
    const now = this.#now();
    if (row && row.locked_until > now) {
      this.#audit.append({ actor: username, action: 'login-failed', detail: { from, reason: 'locked' } });
      return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((row.locked_until - now) / 1000) };
    }
    const matches = await verifyPassword(password, row?.password_hash ?? (await this.#decoyHash()));
    if (!row || row.disabled || !matches) {
      if (row) this.#recordFailure(row, now);
      this.#audit.append({ actor: row ? username : '(unknown)', action: 'login-failed', detail: { from, reason: 'bad-credentials' } });
      const locked = row ? this.#row(username) : undefined;
      if (locked && locked.locked_until > now) return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil(LOCKOUT_MS / 1000) };
      return { ok: false, reason: 'bad-credentials' };
    }
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE username = ?').run(username);
      this.#db.prepare('INSERT INTO sessions (token_hash, username, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)').run(sha256(token), username, csrf, now, now);
      this.#audit.append({ actor: username, action: 'login', detail: { from } });
    })();
    return { ok: true, token, session: { account: { username, role: row.role }, csrf } };
  }

  /** The session of a cookie token, refreshed; null if unknown, expired or its account is gone or disabled. */
  session(token: string | undefined): Session | null {
    if (!token || token.length > 100) return null;
    const now = this.#now();
    const row = this.#db
      .prepare(
        `SELECT s.token_hash, s.csrf, s.created_at, s.last_seen, a.username, a.role, a.disabled
         FROM sessions s JOIN accounts a ON a.username = s.username WHERE s.token_hash = ?`,
      )
      .get(sha256(token)) as { token_hash: string; csrf: string; created_at: number; last_seen: number; username: string; role: Role; disabled: number } | undefined;
    if (!row) return null;
    if (row.disabled || now - row.last_seen > IDLE_MS || now - row.created_at > MAX_AGE_MS) {
      this.#db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(row.token_hash);
      return null;
    }
    this.#db.prepare('UPDATE sessions SET last_seen = ? WHERE token_hash = ?').run(now, row.token_hash);
    return { account: { username: row.username, role: row.role }, csrf: row.csrf };
  }

  logout(token: string, actor: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
      this.#audit.append({ actor, action: 'logout' });
    })();
  }

  #row(username: string): AccountRow | undefined {
    return this.#db.prepare('SELECT username, password_hash, role, failed_logins, locked_until, disabled FROM accounts WHERE username = ?').get(username) as AccountRow | undefined;
  }

  #recordFailure(row: AccountRow, now: number): void {
    const failures = row.failed_logins + 1;
    const lock = failures >= LOCKOUT_FAILURES;
    this.#db.prepare('UPDATE accounts SET failed_logins = ?, locked_until = ? WHERE username = ?').run(lock ? 0 : failures, lock ? now + LOCKOUT_MS : row.locked_until, row.username);
  }

  #decoyHash(): Promise<string> {
    this.#decoy ??= hashPassword(randomBytes(16).toString('hex'));
    return this.#decoy;
  }
}
