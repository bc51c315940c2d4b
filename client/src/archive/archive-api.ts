/**
 * The archive API client: same-origin fetches under /api, the session's CSRF token kept in
 * memory (never stored) and sent on every request that changes something, and every
 * error response turned into an ArchiveApiError with the API's code and message.
 */
import { errorFromResponse, networkError, type ArchiveApiError } from './api-error.js';
import type { ParticipantSpeaking, RecordingDetail, SearchResponse, SessionResponse } from './api-types.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ArchiveApiOptions {
  /** Default: the page's fetch. */
  fetch?: FetchLike;
  /** Default '/api'. */
  base?: string;
  /** Called with every 401 except the login's own, so the portal can ask to log in again. */
  onUnauthorized?: (error: ArchiveApiError) => void;
}

/** "a/b c.webm" -> "a/b%20c.webm": each segment escaped, the slashes kept. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export class ArchiveApi {
  readonly #fetch: FetchLike;
  readonly #base: string;
  #csrf: string | null = null;
  onUnauthorized: ((error: ArchiveApiError) => void) | undefined;

  constructor(options: ArchiveApiOptions = {}) {
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#base = options.base ?? '/api';
    this.onUnauthorized = options.onUnauthorized;
  }

  get hasSession(): boolean {
    return this.#csrf !== null;
  }

  /** POST /api/session; keeps the CSRF token. */
  async login(username: string, password: string): Promise<SessionResponse> {
    const session = await this.#json<SessionResponse>('POST', '/session', { username, password }, { login: true });
    this.#csrf = session.csrf;
    return session;
  }

  /** GET /api/session: the current session, if the cookie still holds one. */
  async session(): Promise<SessionResponse> {
    const session = await this.#json<SessionResponse>('GET', '/session', undefined, { login: true });
    this.#csrf = session.csrf;
    return session;
  }

  /** DELETE /api/session; the token is forgotten even if the server could not be told. */
  async logout(): Promise<void> {
    try {
      await this.#request('DELETE', '/session', undefined, { login: true });
    } finally {
      this.#csrf = null;
    }
  }

  /** Forgets the token without telling the server (the session ended on its own). */
  forget(): void {
    this.#csrf = null;
  }

  search(params: URLSearchParams): Promise<SearchResponse> {
    const query = params.toString();
    return this.#json<SearchResponse>('GET', `/recordings${query ? `?${query}` : ''}`);
  }

  recording(id: string): Promise<RecordingDetail> {
    return this.#json<RecordingDetail>('GET', `/recordings/${encodeURIComponent(id)}`);
  }

  /** Where a recording's file is served (videos load it themselves, with Range). */
  fileUrl(id: string, path: string): string {
    return `${this.#base}/recordings/${encodeURIComponent(id)}/files/${encodePath(path)}`;
  }

  /** The speaking timeline JSON file of a recording. */
  async speaking(id: string, path: string): Promise<ParticipantSpeaking[]> {
    const response = await this.#send('GET', this.fileUrl(id, path));
    const body = (await response.json()) as unknown;
    if (!Array.isArray(body)) throw errorFromResponse(response.status, { error: { code: 'bad-response', message: `${path} is not a speaking timeline` } });
    return body as ParticipantSpeaking[];
  }

  /** POST /api/recordings/:id/export: the BagIt tar, whole. */
  async exportBag(id: string): Promise<Blob> {
    const response = await this.#request('POST', `/recordings/${encodeURIComponent(id)}/export`);
    return response.blob();
  }

  async placeHold(id: string, reason: string): Promise<void> {
    await this.#request('PUT', `/recordings/${encodeURIComponent(id)}/hold`, { reason });
  }

  async releaseHold(id: string, reason: string): Promise<void> {
    await this.#request('DELETE', `/recordings/${encodeURIComponent(id)}/hold`, { reason });
  }

  async #json<T>(method: Method, path: string, body?: unknown, options: { login?: boolean } = {}): Promise<T> {
    const response = await this.#request(method, path, body, options);
    return (await response.json()) as T;
  }

  #request(method: Method, path: string, body?: unknown, options: { login?: boolean } = {}): Promise<Response> {
    return this.#send(method, `${this.#base}${path}`, body, options);
  }

  async #send(method: Method, url: string, body?: unknown, options: { login?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.#csrf !== null) headers['x-csrf-token'] = this.#csrf;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (cause) {
      throw networkError(cause);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const error = errorFromResponse(response.status, parsed, response.headers.get('retry-after'));
    if (response.status === 401 && !options.login) {
      this.#csrf = null;
      this.onUnauthorized?.(error);
    }
    throw error;
  }
}
