import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMuxAssets } from './assets.js';
import { MuxServer } from './static-server.js';

let server: MuxServer;

beforeAll(async () => {
  server = await MuxServer.start(resolveMuxAssets(), { maxUploadBytes: 1000 });
});

afterAll(() => server?.close());

const get = (path: string) => fetch(`${server.origin}${path}`);

describe('MuxServer', () => {
  it('serves the page, @ffmpeg/ffmpeg and @ffmpeg/core from loopback, with a same-origin CSP', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(server.pageUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('permissions-policy')).toContain('geolocation=()');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    for (const [path, type] of [
      ['/mux/mux.js', 'text/javascript; charset=utf-8'],
      ['/ffmpeg/index.js', 'text/javascript; charset=utf-8'],
      ['/ffmpeg/worker.js', 'text/javascript; charset=utf-8'],
      ['/core/ffmpeg-core.js', 'text/javascript; charset=utf-8'],
      ['/core/ffmpeg-core.wasm', 'application/wasm'],
    ]) {
      const response = await fetch(`${server.origin}${path}`, { method: 'HEAD' });
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, type]);
      // Workers take their CSP from their script's response: the scripts carry it too.
      expect(response.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'));
    }
  });

  it('serves nothing else', async () => {
    for (const path of ['/', '/ffmpeg/classes.d.ts', '/ffmpeg/../package.json', '/core/ffmpeg-core.worker.js', '/mux/', '/jobs/x/in/0']) {
      expect([path, (await get(path)).status]).toEqual([path, 404]);
    }
    expect((await fetch(server.pageUrl, { method: 'POST' })).status).toBe(404);
  });

  it('serves a job inputs and takes its output until the job is disposed', async () => {
    const job = server.addJob([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    expect(new Uint8Array(await (await fetch(job.inputUrl(0))).arrayBuffer())).toEqual(Uint8Array.of(1, 2, 3));
    expect((await fetch(job.inputUrl(2))).status).toBe(404);
    expect((await fetch(job.outputUrl)).status).toBe(404); // PUT only
    expect((await fetch(job.outputUrl, { method: 'PUT', body: Uint8Array.of(9, 8) })).status).toBe(204);
    expect(job.output()).toEqual(Uint8Array.of(9, 8));
    expect((await fetch(job.outputUrl, { method: 'PUT', body: new Uint8Array(1001) })).status).toBe(413);
    job.dispose();
    expect((await fetch(job.inputUrl(0))).status).toBe(404);
    expect((await fetch(job.outputUrl, { method: 'PUT', body: Uint8Array.of(1) })).status).toBe(404);
  });
});
