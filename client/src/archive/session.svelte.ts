import { asApiError, type ArchiveApiError } from './api-error.js';
import type { Account } from './api-types.js';
import type { ArchiveApi } from './archive-api.js';

export type SessionPhase = 'checking' | 'signed-out' | 'signed-in';

/** Who is logged in; the CSRF token itself stays inside the API client. */
export class ArchiveSession {
  readonly #api: ArchiveApi;
  #phase = $state<SessionPhase>('checking');
  #account = $state.raw<Account | null>(null);
  #error = $state.raw<ArchiveApiError | null>(null);
  #busy = $state(false);
  #loggedOut = $state(false);

  constructor(api: ArchiveApi) {
    this.#api = api;
    api.onUnauthorized = (error) => this.expire(error);
  }

  get phase(): SessionPhase {
    return this.#phase;
  }
  get account(): Account | null {
    return this.#account;
  }
  /** The last login or session error, shown on the login screen. */
  get error(): ArchiveApiError | null {
    return this.#error;
  }
  get busy(): boolean {
    return this.#busy;
  }
  /** True right after a deliberate log out (the login screen says so). */
  get loggedOut(): boolean {
    return this.#loggedOut;
  }
  /** Archivists and admins see media, export and set holds; auditors only read. */
  get mayHandleMedia(): boolean {
    return this.#account?.role === 'archivist' || this.#account?.role === 'admin';
  }

  /** Picks up a session the cookie still holds. */
  async restore(): Promise<void> {
    try {
      this.#signIn((await this.#api.session()).account);
    } catch (error) {
      const apiError = asApiError(error);
      this.#phase = 'signed-out';
      // No session is the normal start; anything else is worth saying.
      this.#error = apiError.status === 401 ? null : apiError;
    }
  }

  async login(username: string, password: string): Promise<boolean> {
    this.#busy = true;
    this.#error = null;
    this.#loggedOut = false;
    try {
      this.#signIn((await this.#api.login(username, password)).account);
      return true;
    } catch (error) {
      this.#error = asApiError(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  async logout(): Promise<void> {
    this.#busy = true;
    try {
      await this.#api.logout();
    } catch (error) {
      // The token is forgotten anyway; an expired session is already logged out.
      console.warn('archive: log out', error);
    } finally {
      this.#busy = false;
      this.#account = null;
      this.#error = null;
      this.#loggedOut = true;
      this.#phase = 'signed-out';
    }
  }

  /** The server ended the session (idle, 12 hours, or revoked). */
  expire(error: ArchiveApiError): void {
    this.#api.forget();
    this.#account = null;
    this.#error = error;
    this.#loggedOut = false;
    this.#phase = 'signed-out';
  }

  #signIn(account: Account): void {
    this.#account = account;
    this.#error = null;
    this.#phase = 'signed-in';
  }
}
