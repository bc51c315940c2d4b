import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import sirv from 'sirv';
import { z } from 'zod';
import { RecordingTokenError, verifyRecordingGrant } from '@conclave/signaling/recording-tokens';
import { applyHeaders, appPolicy, connectSourcesFor, securityHeaders } from '@conclave/signaling/security-headers';
import { ChunkConflictError, chunkMetaSchema, DiskFullError } from './chunk-files.js';
import type { RecorderServiceConfig } from './config.js';
import type { RecorderMetrics } from './metrics.js';
import { encryptionSchema, type Recordings } from './recordings.js';

/** A chunk is 1 to 2 s of one track: far below this. */
const MAX_CHUNK_BYTES = 32 * 1024 * 1024;
const MAX_JSON_BYTES = 16 * 1024;

const startSchema = z.strictObject({ grant: z.string().min(1).max(4096), room: z.string().min(1).max(128), encryption: encryptionSchema });
const stopSchema = z.strictObject({ grant: z.string().min(1).max(4096), room: z.string().min(1).max(128) });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of request) {
    size += (part as Buffer).length;
    if (size > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

async function readJson<T extends z.ZodType>(request: IncomingMessage, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = JSON.parse((await readBody(request, MAX_JSON_BYTES)).toString('utf8'));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'the body is not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  return parsed.data;
}

/**
 * The recorder page's headers (security-headers.ts): it talks to this service (uploads,
 * at its public URL) and to the signaling server (Socket.IO over WebSocket), nothing
 * else. HSTS when browsers reach the service over HTTPS.
 */
export function recorderSecurityHeaders(config: Pick<RecorderServiceConfig, 'publicUrl' | 'SIGNALING_URL'>): Record<string, string> {
  const connectTo = [...new Set([...connectSourcesFor(config.publicUrl), ...connectSourcesFor(config.SIGNALING_URL)])];
  return securityHeaders({ csp: appPolicy(connectTo), tls: new URL(config.publicUrl).protocol === 'https:' });
}

/**
 * The recording service's HTTP routes:
 *   POST /api/recordings        {grant, room, encryption}  start (from a meeting page: CORS)
 *   POST /api/recordings/stop   {grant, room}              stop
 *   GET  /api/recordings/:id                               status
 *   PUT  /api/recordings/:id/chunks/:seq                   a chunk, from the recorder page (upload key)
 *   GET  /healthz, /metrics; anything else: the built client (the recorder page).
 */
export function createRecorderHandler(deps: { config: RecorderServiceConfig; recordings: Recordings; metrics: RecorderMetrics; log: Logger }) {
  const { config, recordings, metrics, log } = deps;
  const assets = sirv(config.CLIENT_DIR, { dev: false, etag: true });

  async function grant(token: string, room: string, action: 'start' | 'stop') {
    try {
      const claims = await verifyRecordingGrant(config.RECORDER_SECRET, token);
      if (claims.room !== room) throw new HttpError(403, 'the grant is for another room');
      if (claims.action !== action) throw new HttpError(403, `the grant is for ${claims.action}, not ${action}`);
      return claims;
    } catch (error) {
      if (error instanceof RecordingTokenError) throw new HttpError(403, error.message);
      throw error;
    }
  }

  async function putChunk(request: IncomingMessage, id: string, seq: number): Promise<unknown> {
    const state = recordings.get(id);
    if (!state) throw new HttpError(404, 'no such recording');
    if (state.status === 'done' || state.status === 'failed') throw new HttpError(410, 'this recording is finished');
    if (request.headers.authorization !== `Bearer ${state.uploadKey}`) throw new HttpError(401, 'this upload key is not the recording’s');
    let meta;
    try {
      meta = chunkMetaSchema.parse(JSON.parse(decodeURIComponent(String(request.headers['x-chunk-meta'] ?? ''))));
    } catch {
      throw new HttpError(400, 'the x-chunk-meta header is missing or malformed');
    }
    if (meta.recording !== id || meta.seq !== seq) throw new HttpError(400, 'the chunk metadata does not match the URL');
    const body = await readBody(request, MAX_CHUNK_BYTES);
    try {
      const stored = await recordings.chunks(id).put(meta, body);
      if (!stored.duplicate) {
        metrics.chunks.inc();
        metrics.bytes.inc(body.length);
      }
      return { sha256: stored.sha256, duplicate: stored.duplicate };
    } catch (error) {
      if (error instanceof DiskFullError) {
        metrics.diskFull.inc();
        log.error({ recording: id }, 'recording disk full: chunks are kept by the recorder page until there is room');
        throw new HttpError(507, error.message);
      }
      if (error instanceof ChunkConflictError) throw new HttpError(409, error.message);
      throw error;
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // publicUrl is only known once listening when the port is 0: built per request.
    applyHeaders(response, recorderSecurityHeaders(config));
    const url = new URL(request.url ?? '/', 'http://recorder.invalid');
    const path = url.pathname;
    const origin = request.headers.origin;
    if (origin && config.meetingOrigins.includes(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
    }
    if (request.method === 'OPTIONS' && path.startsWith('/api/recordings')) {
      response.writeHead(204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
      response.end();
      return;
    }
    if (path === '/healthz') return send(response, 200, { ok: true });
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': metrics.registry.contentType });
      response.end(await metrics.registry.metrics());
      return;
    }
    if (path === '/api/recordings' && request.method === 'POST') {
      const body = await readJson(request, startSchema);
      await grant(body.grant, body.room, 'start');
      // The recorder taps frames in its decrypting transform; a transport-only meeting has none.
      if (body.encryption.kind !== 'e2ee') throw new HttpError(422, 'recording needs an end-to-end encrypted meeting; transport-only meetings cannot be recorded yet');
      const state = await recordings.start(body.room, body.encryption);
      return send(response, 201, { id: state.id, status: state.status });
    }
    if (path === '/api/recordings/stop' && request.method === 'POST') {
      const body = await readJson(request, stopSchema);
      await grant(body.grant, body.room, 'stop');
      const state = await recordings.stop(body.room);
      if (!state) throw new HttpError(404, 'this room is not being recorded');
      return send(response, 202, { id: state.id, status: state.status });
    }
    const chunk = /^\/api\/recordings\/([A-Za-z0-9_-]{1,64})\/chunks\/(\d{1,9})$/.exec(path);
    if (chunk && request.method === 'PUT') return send(response, 200, await putChunk(request, chunk[1] as string, Number(chunk[2])));
    const status = /^\/api\/recordings\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (status && request.method === 'GET') {
      const state = recordings.get(status[1] as string);
      if (!state) throw new HttpError(404, 'no such recording');
      return send(response, 200, { id: state.id, room: state.room, status: state.status, startedAt: state.startedAt, stoppedAt: state.stoppedAt, restarts: state.restarts.length, error: state.error });
    }
    if (path.startsWith('/api/')) throw new HttpError(404, 'no such route');
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    assets(request, response, () => send(response, 404, { error: 'not found' }));
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return send(response, error.status, { error: error.message });
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'recorder request failed');
      send(response, 500, { error: 'internal error' });
    });
  };
}
