/**
 * Archivist accounts and their sessions, in the catalog's database (SQLite or PostgreSQL:
 * account-store.ts).
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
import { ArchiveError } from '../errors.js';
import { ROLES, type AccountRow, type AccountStore, type Role } from './account-store.js';

export { ROLES, type Role } from './account-store.js';

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

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class Accounts {
  readonly #store: AccountStore;
  readonly #now: () => number;
  /** Compared against when the name is unknown, so that both cases cost one scrypt. */
  #decoy: Promise<string> | null = null;

  constructor(store: AccountStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** Creates an account or, with `replace`, sets its password and role. */
  async create(username: string, password: string, role: Role, options: { actor: string; replace?: boolean }): Promise<void> {
    if (!USERNAME.test(username)) throw new ArchiveError('invalid', "a username is 1 to 64 letters, digits, '.', '_', '@', '-'");
    if (!(ROLES as readonly string[]).includes(role)) throw new ArchiveError('invalid', `a role is one of ${ROLES.join(', ')}`);
    if (password.length < MIN_PASSWORD_LENGTH) throw new ArchiveError('invalid', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
    const hash = await hashPassword(password);
    const exists = (await this.#store.find(username)) !== undefined;
    if (exists && !options.replace) throw new ArchiveError('conflict', `the account "${username}" already exists`);
    await this.#store.upsert({ username, passwordHash: hash, role, now: this.#now() }, { actor: options.actor, action: 'account', detail: { username, role, change: exists ? 'password-and-role' : 'created' } });
  }

  async login(username: string, password: string, from: string): Promise<LoginResult> {
    const row = USERNAME.test(username) ? await this.#store.find(username) : undefined;
    const now = this.#now();
    if (row && row.lockedUntil > now) {
      await this.#store.audit({ actor: username, action: 'login-failed', detail: { from, reason: 'locked' } });
      return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((row.lockedUntil - now) / 1000) };
    }
    const matches = await verifyPassword(password, row?.passwordHash ?? (await this.#decoyHash()));
    if (!row || row.disabled || !matches) {
      if (row) await this.#recordFailure(row, now);
      await this.#store.audit({ actor: row ? username : '(unknown)', action: 'login-failed', detail: { from, reason: 'bad-credentials' } });
      const locked = row ? await this.#store.find(username) : undefined;
      if (locked && locked.lockedUntil > now) return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil(LOCKOUT_MS / 1000) };
      return { ok: false, reason: 'bad-credentials' };
    }
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await this.#store.openSession({ tokenHash: sha256(token), username, csrf, now }, { actor: username, action: 'login', detail: { from } });
    return { ok: true, token, session: { account: { username, role: row.role }, csrf } };
  }

  /** The session of a cookie token, refreshed; null if unknown, expired or its account is gone or disabled. */
  async session(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 100) return null;
    const now = this.#now();
    const row = await this.#store.findSession(sha256(token));
    if (!row) return null;
    if (row.disabled || now - row.lastSeen > IDLE_MS || now - row.createdAt > MAX_AGE_MS) {
      await this.#store.deleteSession(row.tokenHash);
      return null;
    }
    await this.#store.touchSession(row.tokenHash, now);
    return { account: { username: row.username, role: row.role }, csrf: row.csrf };
  }

  async logout(token: string, actor: string): Promise<void> {
    await this.#store.deleteSession(sha256(token), { actor, action: 'logout' });
  }

  async #recordFailure(row: AccountRow, now: number): Promise<void> {
    const failures = row.failedLogins + 1;
    const lock = failures >= LOCKOUT_FAILURES;
    await this.#store.setFailures(row.username, lock ? 0 : failures, lock ? now + LOCKOUT_MS : row.lockedUntil);
  }

  #decoyHash(): Promise<string> {
    this.#decoy ??= hashPassword(randomBytes(16).toString('hex'));
    return this.#decoy;
  }
}
