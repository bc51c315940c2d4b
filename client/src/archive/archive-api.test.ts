import { describe, expect, it } from 'vitest';
import { ArchiveApiError } from './api-error.js';
import { ArchiveApi, encodePath } from './archive-api.js';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeServer(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetch = (url: string, init: RequestInit) => {
    const call = { url, init };
    calls.push(call);
    return Promise.resolve(answer(call));
  };
  return { calls, fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const headerOf = (call: Call | undefined, name: string) => (call?.init.headers as Record<string, string> | undefined)?.[name];

describe('ArchiveApi', () => {
  it('keeps the CSRF token from the login and sends it on every change, never on reads', async () => {
    const server = fakeServer(({ url, init }) => {
      if (url === '/api/session' && init.method === 'POST') return json(200, { account: { username: 'ada', role: 'archivist' }, csrf: 'tok-1' });
      if (url.endsWith('/export')) return new Response(new Blob(['tar']), { status: 200 });
      if (init.method === 'GET') return json(200, { recordings: [], total: 0, nextCursor: null });
      return json(204, null);
    });
    const api = new ArchiveApi({ fetch: server.fetch });
    const session = await api.login('ada', 'pw');
    expect(session.account.role).toBe('archivist');
    expect(JSON.parse(server.calls[0]!.init.body as string)).toEqual({ username: 'ada', password: 'pw' });

    await api.search(new URLSearchParams({ room: 'r1' }));
    await api.placeHold('rec 1', 'litigation');
    await api.releaseHold('rec 1', 'settled');
    const blob = await api.exportBag('rec 1');
    await api.logout();

    expect(await blob.text()).toBe('tar');
    expect(server.calls.map((call) => `${call.init.method} ${call.url}`)).toEqual([
      'POST /api/session',
      'GET /api/recordings?room=r1',
      'PUT /api/recordings/rec%201/hold',
      'DELETE /api/recordings/rec%201/hold',
      'POST /api/recordings/rec%201/export',
      'DELETE /api/session',
    ]);
    for (const call of server.calls) expect(call.init.credentials).toBe('same-origin');
    expect(headerOf(server.calls[1], 'x-csrf-token')).toBeUndefined();
    for (const call of server.calls.slice(2)) expect(headerOf(call, 'x-csrf-token')).toBe('tok-1');
    expect(JSON.parse(server.calls[2]!.init.body as string)).toEqual({ reason: 'litigation' });
    expect(api.hasSession).toBe(false);
  });

  it('turns error responses into typed errors with the API code and message', async () => {
    const server = fakeServer(() => json(423, { error: { code: 'locked', message: 'locked for 15 minutes', retryAfterSeconds: 900 } }));
    const api = new ArchiveApi({ fetch: server.fetch });
    const error = await api.login('ada', 'bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveApiError);
    expect(error).toMatchObject({ status: 423, code: 'locked', message: 'locked for 15 minutes', retryAfterSeconds: 900 });
  });

  it('reports a 401 after login as the end of the session, but not a failed login', async () => {
    let status = 401;
    const server = fakeServer(() => json(status, { error: { code: status === 401 ? 'no-session' : 'x', message: 'log in' } }));
    const ended: string[] = [];
    const api = new ArchiveApi({ fetch: server.fetch, onUnauthorized: (error) => ended.push(error.code) });
    await expect(api.login('a', 'b')).rejects.toMatchObject({ code: 'no-session' });
    await expect(api.session()).rejects.toMatchObject({ status: 401 });
    expect(ended).toEqual([]);
    await expect(api.recording('r')).rejects.toMatchObject({ code: 'no-session' });
    expect(ended).toEqual(['no-session']);
    status = 500;
    await expect(api.recording('r')).rejects.toMatchObject({ status: 500, code: 'x' });
  });

  it('reports network failures and non-JSON error pages', async () => {
    const down = new ArchiveApi({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(down.session()).rejects.toMatchObject({ status: 0, code: 'network' });
    const proxy = new ArchiveApi({ fetch: () => Promise.resolve(new Response('<h1>Bad gateway</h1>', { status: 502 })) });
    await expect(proxy.recording('r')).rejects.toMatchObject({ status: 502, code: 'http-502' });
  });

  it('builds file addresses segment by segment and reads the speaking timeline', async () => {
    const timeline = [{ participant: 'p1', name: 'Ada', intervals: [{ startMs: 0, endMs: 1000 }] }];
    const server = fakeServer(() => json(200, timeline));
    const api = new ArchiveApi({ fetch: server.fetch });
    expect(encodePath('access/seg 1/p#1.webm')).toBe('access/seg%201/p%231.webm');
    expect(api.fileUrl('r/1', 'timelines/speaking.json')).toBe('/api/recordings/r%2F1/files/timelines/speaking.json');
    expect(await api.speaking('r1', 'timelines/speaking.json')).toEqual(timeline);
    expect(server.calls[0]!.url).toBe('/api/recordings/r1/files/timelines/speaking.json');
  });
});
