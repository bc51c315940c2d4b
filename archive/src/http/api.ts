/**
 * The archive's JSON API (docs/archive.md): sessions, search, one recording, its files
 * with Range, BagIt export, legal holds, deletion and the audit log. Every request is
 * validated; every refusal is `{ error: { code, message } }` with a fitting status.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { clientAddress } from '@conclave/signaling/client-address';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ROLES, type Accounts, type Role, type Session } from '../accounts/accounts.js';
import { type Archive } from '../archive.js';
import { ArchiveError } from '../errors.js';
import { prepareExport } from '../export.js';
import { recordingView } from '../recording-view.js';
import { assertAvailable, deleteRecording, releaseLegalHold, setLegalHold } from '../retention/retention.js';
import { parseRange } from './range.js';

export const SESSION_COOKIE = 'conclave_archive';
const MAX_BODY_BYTES = 16 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiDeps {
  archive: Archive;
  accounts: Accounts;
  log: Logger;
  /** The origin browsers use (Origin checks on every change). */
  origin: string;
  tls: boolean;
  /** Client addresses from X-Forwarded-For (the last entry), as ARCHIVE_TRUST_PROXY says. */
  trustProxy: boolean;
  scratchDir: string;
  organization: string;
}

const ERROR_STATUS: Partial<Record<string, number>> = {
  'not-found': 404,
  'unsafe-path': 400,
  invalid: 400,
  'invalid-query': 400,
  conflict: 409,
  'not-active': 409,
  'legal-hold': 409,
  'retention-active': 409,
};

const MEDIA_TYPES: Record<string, string> = {
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  json: 'application/json',
  vtt: 'text/vtt; charset=utf-8',
  ivf: 'video/x-ivf',
  ogg: 'audio/ogg',
};

const loginSchema = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const reasonSchema = z.strictObject({ reason: z.string().trim().min(1).max(500) });
const dateSchema = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const searchSchema = z.strictObject({
  room: z.string().min(1).max(128).optional(),
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  participant: z.string().trim().min(1).max(128).optional(),
  minDuration: z.coerce.number().min(0).max(1e7).optional(),
  maxDuration: z.coerce.number().min(0).max(1e7).optional(),
  tag: z.array(z.string().min(1).max(64)).max(20).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(512).optional(),
});
const auditSchema = z.strictObject({
  recording: z.string().min(1).max(128).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** Which roles may do what (docs/archive.md). */
const MAY: Record<'search' | 'media' | 'hold' | 'delete' | 'audit', readonly Role[]> = {
  search: ROLES,
  media: ['archivist', 'admin'],
  hold: ['archivist', 'admin'],
  delete: ['admin'],
  audit: ['auditor', 'admin'],
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'invalid', 'send the body as application/json');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_BODY_BYTES) throw new HttpError(413, 'invalid', `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'invalid', 'the body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'invalid', parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  return parsed.data;
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = key === 'tag' ? values : (values[0] as string);
  }
  return query;
}

/** A date-only bound is a whole UTC day: `to` 2026-11-30 includes that day. */
function bound(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined;
  if (value.length > 10) return new Date(value).toISOString();
  const day = new Date(`${value}T00:00:00.000Z`);
  if (end) day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString();
}

export function createApi(deps: ApiDeps) {
  const { archive, accounts, log } = deps;
  const { catalog, store, audit } = archive;

  async function session(req: IncomingMessage): Promise<{ session: Session; token: string }> {
    const token = cookie(req, SESSION_COOKIE);
    const found = await accounts.session(token);
    if (!found || !token) throw new HttpError(401, 'no-session', 'log in first');
    return { session: found, token };
  }

  function allow(current: Session, what: keyof typeof MAY): void {
    if (!MAY[what].includes(current.account.role)) throw new HttpError(403, 'forbidden', `the ${current.account.role} role may not do this`);
  }

  /** Changes need a same-origin request carrying the session's CSRF token. */
  function checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== deps.origin) throw new HttpError(403, 'bad-origin', 'cross-origin requests may not change anything');
  }
  function checkCsrf(req: IncomingMessage, current: Session): void {
    checkOrigin(req);
    const header = req.headers['x-csrf-token'];
    if (typeof header !== 'string' || !sameSecret(header, current.csrf)) throw new HttpError(403, 'bad-csrf', 'the x-csrf-token header is missing or wrong: reload the portal');
  }

  function sessionCookie(token: string, maxAgeSeconds: number): string {
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${deps.tls ? '; Secure' : ''}`;
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkOrigin(req);
    const body = parse(loginSchema, await readJson(req));
    const result = await accounts.login(body.username, body.password, clientAddress(req, deps.trustProxy));
    if (!result.ok) {
      if (result.reason === 'locked') {
        return sendJson(res, 423, { error: { code: 'locked', message: `too many failed logins: try again in ${Math.ceil(result.retryAfterSeconds / 60)} min`, retryAfterSeconds: result.retryAfterSeconds } }, { 'retry-after': String(result.retryAfterSeconds) });
      }
      throw new HttpError(401, 'bad-credentials', 'wrong username or password');
    }
    sendJson(res, 200, result.session, { 'set-cookie': sessionCookie(result.token, 12 * 3600) });
  }

  async function search(url: URL, current: Session, res: ServerResponse): Promise<void> {
    allow(current, 'search');
    const query = parse(searchSchema, queryOf(url));
    const page = await catalog.search({
      ...(query.room ? { room: query.room } : {}),
      ...(query.from ? { startedFrom: bound(query.from, false) } : {}),
      ...(query.to ? { startedTo: bound(query.to, true) } : {}),
      ...(query.participant ? { participant: query.participant } : {}),
      ...(query.minDuration !== undefined ? { minDurationMs: query.minDuration * 1000 } : {}),
      ...(query.maxDuration !== undefined ? { maxDurationMs: query.maxDuration * 1000 } : {}),
      ...(query.tag ? { tags: query.tag } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    const recordings = await Promise.all(
      page.recordings.map(async (record) => ({
        id: record.id,
        room: record.room,
        startedAt: record.startedAt,
        endedAt: record.endedAt,
        durationMs: record.durationMs,
        participants: (await catalog.participants(record.id)).map((participant) => participant.name),
        tags: await catalog.tags(record.id),
        status: record.status,
        legalHold: record.legalHold,
      })),
    );
    sendJson(res, 200, { recordings, total: page.total, nextCursor: page.nextCursor });
  }

  async function available(id: string) {
    const record = await catalog.getRecording(id);
    assertAvailable(record, id);
    return record;
  }

  async function view(id: string, current: Session, res: ServerResponse): Promise<void> {
    allow(current, 'search');
    const record = await available(id);
    const body = await recordingView({ catalog, store }, record);
    await audit.append({ actor: current.account.username, action: 'view', recordingId: id });
    sendJson(res, 200, body);
  }

  async function file(req: IncomingMessage, res: ServerResponse, id: string, path: string, current: Session, download: boolean): Promise<void> {
    allow(current, 'media');
    await available(id);
    // Only what the recording lists: the store may hold nothing else, but the catalog is the authority.
    const listed = (await catalog.files(id)).find((entry) => entry.path === path);
    if (!listed) throw new HttpError(404, 'not-found', `recording ${id} has no file ${JSON.stringify(path)}`);
    const size = listed.size;
    const range = parseRange(req.headers.range, size);
    const headers: Record<string, string> = {
      'content-type': MEDIA_TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream',
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
    };
    if (download) headers['content-disposition'] = `attachment; filename="${path.replaceAll('/', '_')}"`;
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'range', message: `the file has ${size} bytes` } }));
      return;
    }
    if (download) await audit.append({ actor: current.account.username, action: 'download', recordingId: id, detail: { path } });
    const partial = range.kind === 'partial';
    const [start, end] = partial ? [range.start, range.end] : [0, size - 1];
    // Opened before the answer starts, so that a file missing from the store is still a clear 404; HEAD opens nothing.
    const stream = req.method === 'HEAD' ? null : await store.get(id, path, partial ? { start, end } : undefined);
    res.writeHead(partial ? 206 : 200, { ...headers, ...(partial ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}), 'content-length': String(end - start + 1) });
    if (stream) await pipeline(stream, res);
    else res.end();
  }

  async function exportBag(id: string, current: Session, res: ServerResponse): Promise<void> {
    allow(current, 'media');
    await available(id);
    // The bag is built (and every file's hash checked) before the answer starts: a failure is a clear error, not a cut download.
    const prepared = await prepareExport({ catalog, store, scratchDir: deps.scratchDir, sourceOrganization: deps.organization }, id, current.account.username);
    try {
      await audit.append({ actor: current.account.username, action: 'export', recordingId: id, detail: { format: 'bagit-tar' } });
      res.writeHead(200, { 'content-type': 'application/x-tar', 'content-disposition': `attachment; filename="${id}.bag.tar"`, 'cache-control': 'no-store' });
      await prepared.send(res);
      res.end();
    } finally {
      await prepared.discard();
    }
  }

  async function auditLog(url: URL, current: Session, res: ServerResponse): Promise<void> {
    allow(current, 'audit');
    const query = parse(auditSchema, queryOf(url));
    const entries = await audit.entries({ ...(query.recording ? { recordingId: query.recording } : {}), ...(query.after !== undefined ? { afterSeq: query.after } : {}), limit: query.limit ?? 200 });
    const verification = await audit.verify();
    sendJson(res, 200, { entries, verification: { ok: verification.ok, problem: verification.problem } });
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/api/session') {
      if (method === 'POST') return login(req, res);
      const { session: current, token } = await session(req);
      if (method === 'GET') return sendJson(res, 200, current);
      if (method === 'DELETE') {
        checkCsrf(req, current);
        await accounts.logout(token, current.account.username);
        res.writeHead(204, { 'set-cookie': sessionCookie('', 0), 'cache-control': 'no-store' });
        return void res.end();
      }
      throw new HttpError(405, 'method', `${method} is not allowed here`);
    }
    const { session: current } = await session(req);
    const reading = method === 'GET' || method === 'HEAD';
    if (!reading) checkCsrf(req, current);
    if (path === '/api/recordings' && reading) return search(url, current, res);
    if (path === '/api/audit' && reading) return auditLog(url, current, res);
    const match = /^\/api\/recordings\/([^/]+)(?:\/(files\/.+|export|hold))?$/.exec(path);
    if (!match) throw new HttpError(404, 'not-found', `no such API path: ${path}`);
    const id = decodeURIComponent(match[1] as string);
    const rest = match[2];
    if (!rest && reading) return view(id, current, res);
    if (!rest && method === 'DELETE') {
      allow(current, 'delete');
      const { reason } = parse(reasonSchema, await readJson(req));
      return sendJson(res, 200, await deleteRecording({ catalog, store }, id, current.account.username, reason));
    }
    if (rest?.startsWith('files/') && reading) return file(req, res, id, decodeURIComponent(rest.slice('files/'.length)), current, url.searchParams.get('download') === '1');
    if (rest === 'export' && method === 'POST') return exportBag(id, current, res);
    if (rest === 'hold' && (method === 'PUT' || method === 'DELETE')) {
      allow(current, 'hold');
      const { reason } = parse(reasonSchema, await readJson(req));
      if (method === 'PUT') await setLegalHold({ catalog, store }, id, reason, current.account.username);
      else await releaseLegalHold({ catalog, store }, id, reason, current.account.username);
      return sendJson(res, 200, { legalHold: (await catalog.getRecording(id))?.legalHold ?? null });
    }
    throw new HttpError(405, 'method', `${method} is not allowed on ${path}`);
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      await route(req, res, url);
    } catch (error) {
      const known = error instanceof HttpError ? error : error instanceof ArchiveError ? new HttpError(ERROR_STATUS[error.code] ?? 500, error.code, error.message) : null;
      if (!known || known.status >= 500) log.error({ err: error instanceof Error ? error.message : String(error), path: url.pathname }, 'archive API request failed');
      if (res.headersSent) {
        // Mid-stream (an export, a file): the client sees a cut connection, never a partial success.
        res.destroy();
        return;
      }
      const answer = known ?? new HttpError(500, 'internal', 'the archive failed to answer; the error is in its log');
      sendJson(res, answer.status, { error: { code: answer.code, message: answer.message } });
    }
  };
}
