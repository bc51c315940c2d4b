import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeChunk } from '@conclave/protocol';
import { mintRecordingGrant } from '@conclave/signaling/recording-tokens';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../manifest/fsync.js';
import { loadRecorderConfig } from './config.js';
import { startRecorder, type RunningRecorder } from './server.js';
import type { RecordingState } from './recordings.js';

const SECRET = 'recorder-test-secret-0123456789abcdefgh';
const UPLOAD_KEY = 'upload-key-0123456789abcdef';
const ID = 'rec-under-test';

let dataDir: string;
let recorder: RunningRecorder;
let base: string;

/** A recording being finished (so no browser is needed): it still takes late chunks. */
async function prepareRecording(dir: string): Promise<void> {
  const state: RecordingState = {
    id: ID, room: 'room-1', startedAt: Date.now(), stoppedAt: null, status: 'finalizing',
    encryption: null, uploadKey: UPLOAD_KEY, restarts: [], error: null,
  };
  await mkdir(join(dir, 'work', ID), { recursive: true });
  await writeFile(join(dir, 'work', ID, 'recording.json'), JSON.stringify(state));
}

function chunk(seq: number, fill = seq) {
  const data = encodeChunk([{ keyFrame: true, rtpTimestamp: seq, receivedAt: 1000 + seq, audioLevel: null, data: new Uint8Array(100).fill(fill) }]);
  const meta = {
    recording: ID, seq, participant: 'p1', name: 'Ada Lovelace', track: 't1', kind: 'video', codec: 'vp8', segment: 0,
    firstAt: 1000, lastAt: 1000, frames: 1, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'),
  };
  return { data, meta };
}

function put(seq: number, body: Uint8Array<ArrayBuffer>, meta: unknown, key = UPLOAD_KEY) {
  return fetch(`${base}/api/recordings/${ID}/chunks/${seq}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${key}`, 'x-chunk-meta': encodeURIComponent(JSON.stringify(meta)) },
    body,
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conclave-recorder-http-'));
  await prepareRecording(dataDir);
  const config = loadRecorderConfig({ RECORDER_PORT: '0', RECORDER_DATA_DIR: dataDir, RECORDER_SECRET: SECRET, SIGNALING_URL: 'http://127.0.0.1:3999' });
  // The finalizer never finishes here: the recording stays open for chunks.
  recorder = await startRecorder(config, pino({ level: 'silent' }), () => new Promise(() => undefined));
  base = recorder.url;
});

afterAll(async () => {
  await recorder.http.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('chunk uploads', () => {
  it('store a chunk once: a retry is a no-op that echoes the hash, other bytes under its number are refused', async () => {
    const { data, meta } = chunk(0);
    const first = await put(0, data, meta);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ sha256: meta.sha256, duplicate: false });
    expect(await (await put(0, data, meta)).json()).toEqual({ sha256: meta.sha256, duplicate: true });
    const other = chunk(0, 7);
    const conflict = await put(0, other.data, other.meta);
    expect(conflict.status).toBe(409);
    expect(await readFile(join(dataDir, 'work', ID, 'chunks', '0.chunk'))).toEqual(Buffer.from(data));
  });

  it('refuse a wrong upload key, bad metadata, a body that does not match its hash, an unknown recording', async () => {
    const { data, meta } = chunk(1);
    expect((await put(1, data, meta, 'not-the-key')).status).toBe(401);
    expect((await put(1, data, { ...meta, kind: 'smell' })).status).toBe(400);
    expect((await put(2, data, meta)).status).toBe(400); // the URL says 2, the metadata 1
    expect((await put(1, data.subarray(1), meta)).status).toBe(409);
    const unknown = await fetch(`${base}/api/recordings/nope/chunks/1`, { method: 'PUT', body: data });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no such recording' });
  });

  it('answer 507 when the disk is full, count it, keep what was stored and leave nothing half-written', async () => {
    const stored = chunk(3);
    expect((await put(3, stored.data, stored.meta)).status).toBe(200);
    recorder.recordings.writeChunkFile = async (path, data) => {
      if (path.endsWith('.json')) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      await writeFileAtomic(path, data);
    };
    try {
      const { data, meta } = chunk(4);
      const full = await put(4, data, meta);
      expect(full.status).toBe(507);
      expect(await full.json()).toEqual({ error: 'the recording disk is full' });
    } finally {
      recorder.recordings.writeChunkFile = writeFileAtomic;
    }
    const names = await readdir(join(dataDir, 'work', ID, 'chunks'));
    expect(names.filter((name) => name.startsWith('4') || name.includes('.tmp'))).toEqual([]);
    expect(await readFile(join(dataDir, 'work', ID, 'chunks', '3.chunk'))).toEqual(Buffer.from(stored.data));
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/conclave_recorder_disk_full_total 1/);
  });
});

describe('starting and stopping', () => {
  const start = (body: unknown) => fetch(`${base}/api/recordings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('needs a grant from the signaling server, for this room and this action', async () => {
    const encryption = { kind: 'e2ee', secret: 'room-secret-0123456789abcdef' };
    expect((await start({ grant: 'forged', room: 'room-1', encryption })).status).toBe(403);
    const stopGrant = await mintRecordingGrant(SECRET, { room: 'room-1', participant: 'AAAAAAAAAAAAAAAAAAAAAA', action: 'stop' });
    expect(await (await start({ grant: stopGrant, room: 'room-1', encryption })).json()).toEqual({ error: 'the grant is for stop, not start' });
    const otherRoom = await mintRecordingGrant(SECRET, { room: 'room-2', participant: 'AAAAAAAAAAAAAAAAAAAAAA', action: 'start' });
    expect((await start({ grant: otherRoom, room: 'room-1', encryption })).status).toBe(403);
  });

  it('refuses malformed requests and transport-only meetings with a clear message', async () => {
    expect((await fetch(`${base}/api/recordings`, { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await start({ room: 'room-1' })).status).toBe(400);
    const grant = await mintRecordingGrant(SECRET, { room: 'room-1', participant: 'AAAAAAAAAAAAAAAAAAAAAA', action: 'start' });
    const transport = await start({ grant, room: 'room-1', encryption: { kind: 'transport' } });
    expect(transport.status).toBe(422);
    expect(await transport.json()).toEqual({ error: 'recording needs an end-to-end encrypted meeting; transport-only meetings cannot be recorded yet' });
  });
});

describe('security headers', () => {
  it('the recorder page and its scripts may reach this service and the signaling server only', async () => {
    const page = await fetch(`${base}/recorder.html`);
    const csp = page.headers.get('content-security-policy') ?? '';
    const port = new URL(base).port;
    expect(csp).toContain(`connect-src 'self' http://127.0.0.1:${port} ws://127.0.0.1:${port} http://127.0.0.1:3999 ws://127.0.0.1:3999;`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    const script = /src="(\/assets\/recorder-[^"]+\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${base}${script}`)).headers.get('content-security-policy')).toBe(csp);
  });

  it('Strict-Transport-Security when browsers reach the service over HTTPS', async () => {
    const { recorderSecurityHeaders } = await import('./http.js');
    const headers = recorderSecurityHeaders({ publicUrl: 'https://rec.lan', SIGNALING_URL: 'https://meet.lan' });
    expect(headers['strict-transport-security']).toBe('max-age=31536000');
    expect(headers['content-security-policy']).toContain("connect-src 'self' https://rec.lan wss://rec.lan https://meet.lan wss://meet.lan;");
  });
});
