import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArchiveConfig } from '../config.js';
import { validateBag } from '../bagit/index.js';
import { makeRecording, newRecorderKey, type RecorderKey } from '../testing/recordings.js';
import { startArchive, type RunningArchive } from './server.js';

const run = promisify(execFile);
const PASSWORD = 'a long archivist passphrase';

let service: RunningArchive;
let inbox: string;
let key: RecorderKey;

/** A browser-like client: keeps the cookie, sends the CSRF token and its Origin. */
class Client {
  cookie = '';
  csrf = '';
  constructor(readonly origin = service.url) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        origin: this.origin,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    return response;
  }

  async login(username: string, password = PASSWORD): Promise<Response> {
    const response = await this.request('POST', '/api/session', { username, password });
    if (response.ok) this.csrf = ((await response.clone().json()) as { csrf: string }).csrf;
    return response;
  }
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

beforeAll(async () => {
  key = await newRecorderKey();
  inbox = mkdtempSync(join(tmpdir(), 'archive-inbox-'));
  await makeRecording(inbox, 'rec-ada-grace', key, { room: 'budget', startedAt: '2026-11-02T09:00:00.000Z', minutes: 30, participants: [{ id: 'p1', name: 'Ada Lovelace' }, { id: 'p2', name: 'Grace Hopper' }] });
  await makeRecording(inbox, 'rec-linus', key, { room: 'kernel', startedAt: '2026-11-03T09:00:00.000Z', minutes: 5, participants: [{ id: 'p3', name: 'Linus' }] });
  const config = loadArchiveConfig({
    ARCHIVE_DATA_DIR: mkdtempSync(join(tmpdir(), 'archive-data-')),
    ARCHIVE_PORT: '0',
    ARCHIVE_INBOX: inbox,
    ARCHIVE_TRUSTED_RECORDER_KEYS: key.publicKeyBase64,
    CLIENT_DIR: '/nonexistent',
  });
  service = await startArchive(config, pino({ level: 'silent' }));
  await service.inbox?.scan();
  for (const [username, role] of [['claire', 'archivist'], ['audrey', 'auditor'], ['root', 'admin']] as const) {
    await service.accounts.create(username, PASSWORD, role, { actor: 'test' });
  }
});

afterAll(async () => {
  await service?.close();
});

describe('the archive API', () => {
  it('ingests what the inbox holds, and finds it by participant, room, dates and duration', async () => {
    const claire = new Client();
    expect((await claire.login('claire')).status).toBe(200);
    const find = async (query: string) => ((await (await claire.request('GET', `/api/recordings?${query}`)).json()) as { recordings: { id: string }[]; total: number }).recordings.map((r) => r.id);
    expect(await find('')).toEqual(['rec-linus', 'rec-ada-grace']);
    expect(await find('participant=grace')).toEqual(['rec-ada-grace']);
    expect(await find('room=kernel')).toEqual(['rec-linus']);
    expect(await find('from=2026-11-03&to=2026-11-03')).toEqual(['rec-linus']);
    expect(await find('minDuration=600')).toEqual(['rec-ada-grace']);
    const page = (await (await claire.request('GET', '/api/recordings?limit=1')).json()) as { recordings: unknown[]; total: number; nextCursor: string };
    expect(page).toMatchObject({ total: 2, recordings: [expect.anything()] });
    expect(await find(`limit=1&cursor=${encodeURIComponent(page.nextCursor)}`)).toEqual(['rec-ada-grace']);
    expect(await errorCode(await claire.request('GET', '/api/recordings?minDuration=soon'))).toBe('invalid');
  });

  it('needs a session: none, a forged cookie and a logged-out one are refused, and nothing changes', async () => {
    const anonymous = new Client();
    expect((await anonymous.request('GET', '/api/recordings')).status).toBe(401);
    anonymous.cookie = 'conclave_archive=forged-forged-forged-forged-forged-forged-forged';
    expect((await anonymous.request('GET', '/api/recordings/rec-linus')).status).toBe(401);
    expect((await anonymous.request('PUT', '/api/recordings/rec-linus/hold', { reason: 'forged' })).status).toBe(401);
    expect((await service.archive.catalog.getRecording('rec-linus'))?.legalHold).toBeNull();

    const claire = new Client();
    await claire.login('claire');
    expect((await claire.request('DELETE', '/api/session')).status).toBe(204);
    expect((await claire.request('GET', '/api/session')).status).toBe(401);
    expect(await errorCode(await new Client().login('claire', 'not the password at all'))).toBe('bad-credentials');
  });

  it('refuses changes without the CSRF token or from another origin', async () => {
    const claire = new Client();
    await claire.login('claire');
    const csrf = claire.csrf;
    claire.csrf = '';
    expect(await errorCode(await claire.request('PUT', '/api/recordings/rec-linus/hold', { reason: 'litigation' }))).toBe('bad-csrf');
    claire.csrf = csrf;
    const elsewhere = Object.assign(new Client('http://evil.example'), { cookie: claire.cookie, csrf });
    expect(await errorCode(await elsewhere.request('PUT', '/api/recordings/rec-linus/hold', { reason: 'litigation' }))).toBe('bad-origin');
    expect((await service.archive.catalog.getRecording('rec-linus'))?.legalHold).toBeNull();
  });

  it('serves a recording with its notice log, and its media with Range; a range past the end is 416; traversal is refused', async () => {
    const claire = new Client();
    await claire.login('claire');
    const view = (await (await claire.request('GET', '/api/recordings/rec-ada-grace')).json()) as { participants: { name: string; notices: { event: string }[] }[]; files: { path: string; size: number }[]; integrity: { outcome: string } };
    expect(view.participants.map((p) => [p.name, p.notices.map((n) => n.event)])).toEqual([
      ['Ada Lovelace', ['consented']],
      ['Grace Hopper', ['consented']],
    ]);
    expect(view.integrity.outcome).toBe('never');
    const media = view.files.find((file) => file.path.endsWith('.mkv'));
    if (!media) throw new Error('no media file');
    const url = `/api/recordings/rec-ada-grace/files/${media.path}`;
    const partial = await claire.request('GET', url, undefined, { range: 'bytes=100-199' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 100-199/${media.size}`);
    expect((await partial.arrayBuffer()).byteLength).toBe(100);
    const past = await claire.request('GET', url, undefined, { range: `bytes=${media.size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${media.size}`);
    for (const path of ['..%2F..%2Fcatalog.sqlite', '%2E%2E/rec-linus/manifest.json', 'segments/..%2F..%2Frec-linus%2Fmanifest.json']) {
      const response = await claire.request('GET', `/api/recordings/rec-ada-grace/files/${path}`);
      expect(response.status, path).toBe(404);
    }
    // The auditor reads the log but gets no media.
    const audrey = new Client();
    await audrey.login('audrey');
    expect((await audrey.request('GET', url)).status).toBe(403);
    const log = (await (await audrey.request('GET', '/api/audit?recording=rec-ada-grace')).json()) as { entries: { action: string; actor: string }[]; verification: { ok: boolean } };
    expect(log.entries.map((entry) => entry.action)).toEqual(['ingest', 'view']);
    expect(log.verification.ok).toBe(true);
  });

  it('exports a BagIt package that an independent check validates, and audits it', async () => {
    const claire = new Client();
    await claire.login('claire');
    const response = await claire.request('POST', '/api/recordings/rec-ada-grace/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('rec-ada-grace.bag.tar');
    const dir = mkdtempSync(join(tmpdir(), 'archive-export-'));
    writeFileSync(join(dir, 'bag.tar'), Buffer.from(await response.arrayBuffer()));
    await run('tar', ['-xf', 'bag.tar'], { cwd: dir });
    const bag = join(dir, 'rec-ada-grace.bag');
    // GNU coreutils, not our code: every payload and tag file matches its manifest.
    await run('sha256sum', ['--check', '--strict', '--quiet', 'manifest-sha256.txt'], { cwd: bag });
    await run('sha256sum', ['--check', '--strict', '--quiet', 'tagmanifest-sha256.txt'], { cwd: bag });
    expect((await validateBag(bag)).valid).toBe(true);
    expect((await service.archive.audit.entries({ recordingId: 'rec-ada-grace' })).map((entry) => entry.action)).toContain('export');
  });

  it('holds, refuses to delete under hold or retention, and refuses to export what is being deleted', async () => {
    const claire = new Client();
    await claire.login('claire');
    expect((await claire.request('PUT', '/api/recordings/rec-linus/hold', { reason: 'litigation 2026-17' })).status).toBe(200);
    expect((await claire.request('DELETE', '/api/recordings/rec-linus', { reason: 'tidy up' })).status).toBe(403);
    const root = new Client();
    await root.login('root');
    expect(await errorCode(await root.request('DELETE', '/api/recordings/rec-linus', { reason: 'tidy up' }))).toBe('legal-hold');
    expect((await claire.request('DELETE', '/api/recordings/rec-linus/hold', { reason: 'case closed' })).status).toBe(200);
    expect(await errorCode(await root.request('DELETE', '/api/recordings/rec-linus', { reason: 'tidy up' }))).toBe('retention-active');

    // A deletion that was interrupted leaves the recording 'deleting': it cannot be exported any more.
    await service.archive.catalog.setRetention('rec-linus', '2026-11-04T00:00:00.000Z', { actor: 'test', action: 'retention', recordingId: 'rec-linus' });
    expect(await service.archive.catalog.beginDeletion('rec-linus', new Date().toISOString(), { actor: 'test', action: 'delete', recordingId: 'rec-linus' })).toBe(true);
    const exported = await claire.request('POST', '/api/recordings/rec-linus/export');
    expect(exported.status).toBe(409);
    expect(await errorCode(exported)).toBe('not-active');
    expect((await root.request('DELETE', '/api/recordings/rec-linus', { reason: 'retention expired' })).status).toBe(200);
    expect((await claire.request('GET', '/api/recordings/rec-linus')).status).toBe(409);
  });

  it('locks an account after five wrong passwords', async () => {
    const guesser = new Client();
    for (let i = 0; i < 4; i++) expect(await errorCode(await guesser.login('root', `guess ${i} of many`))).toBe('bad-credentials');
    const locked = await guesser.login('root', 'the fifth guess');
    expect(locked.status).toBe(423);
    expect(locked.headers.get('retry-after')).toBe('900');
    expect((await guesser.login('root')).status).toBe(423);
  });

  it('audits the login address: the socket peer by default, the proxy’s X-Forwarded-For entry with ARCHIVE_TRUST_PROXY', async () => {
    const lastLoginFrom = async (archive: RunningArchive) => {
      const entries = await archive.archive.audit.entries({ limit: 10_000 });
      return entries.filter((entry) => entry.action === 'login').at(-1)?.detail;
    };
    const forged = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' };
    const direct = new Client();
    expect((await direct.request('POST', '/api/session', { username: 'claire', password: PASSWORD }, forged)).status).toBe(200);
    expect(await lastLoginFrom(service)).toMatchObject({ from: expect.stringMatching(/127\.0\.0\.1$/) });

    const proxied = await startArchive(
      loadArchiveConfig({ ARCHIVE_DATA_DIR: mkdtempSync(join(tmpdir(), 'archive-proxied-')), ARCHIVE_PORT: '0', ARCHIVE_TRUST_PROXY: 'true', CLIENT_DIR: '/nonexistent' }),
      pino({ level: 'silent' }),
    );
    try {
      await proxied.accounts.create('claire', PASSWORD, 'archivist', { actor: 'test' });
      const response = await fetch(`${proxied.url}/api/session`, { method: 'POST', headers: { origin: proxied.url, 'content-type': 'application/json', ...forged }, body: JSON.stringify({ username: 'claire', password: PASSWORD }) });
      expect(response.status).toBe(200);
      // The last entry is the one the proxy appended; a client can write the ones before it.
      expect(await lastLoginFrom(proxied)).toMatchObject({ from: '203.0.113.9' });
    } finally {
      await proxied.close();
    }
  });
});
