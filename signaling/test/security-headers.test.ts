import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../src/http.js';
import { Metrics } from '../src/metrics.js';
import { appPolicy, connectSourcesFor, muxPagePolicy, serializeCsp, securityHeaders } from '../src/security-headers.js';
import { clientSecurityHeaders } from '../src/server.js';

/** The CSP as directive name -> sources. */
function parse(csp: string): Record<string, string[]> {
  return Object.fromEntries(csp.split('; ').map((directive) => {
    const [name, ...sources] = directive.split(' ');
    return [name as string, sources];
  }));
}

describe('security headers', () => {
  it('the meeting app: same origin only, nothing inline, never framed', () => {
    const headers = securityHeaders({ csp: appPolicy(), tls: false });
    expect(headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; worker-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['strict-transport-security']).toBeUndefined();
  });

  it('no policy allows inline script, eval or a wildcard', () => {
    for (const policy of [appPolicy(connectSourcesFor('https://rec.lan:4100')), muxPagePolicy()]) {
      const csp = serializeCsp(policy);
      expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'|\*|https?:(?!\/\/)/);
    }
  });

  it('the mux page: nothing by default, scripts and wasm from its origin, fetches to its origin', () => {
    expect(parse(securityHeaders({ csp: muxPagePolicy(), tls: false })['content-security-policy'] as string)).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'", "'wasm-unsafe-eval'"],
      'worker-src': ["'self'"],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
  });

  it('Strict-Transport-Security only on TLS', () => {
    expect(securityHeaders({ csp: appPolicy(), tls: true })['strict-transport-security']).toBe('max-age=31536000');
  });

  it('Permissions-Policy: media and full screen for the app itself, the rest for nobody', () => {
    const policy = securityHeaders({ csp: appPolicy(), tls: false })['permissions-policy'] as string;
    const features = Object.fromEntries(policy.split(', ').map((entry) => entry.split('=') as [string, string]));
    for (const feature of ['camera', 'microphone', 'display-capture', 'fullscreen', 'autoplay']) expect(features[feature]).toBe('(self)');
    for (const feature of ['geolocation', 'payment', 'usb', 'serial', 'hid', 'midi']) expect(features[feature]).toBe('()');
  });

  it('connect sources: the origin and its WebSocket twin', () => {
    expect(connectSourcesFor('http://127.0.0.1:3000/')).toEqual(['http://127.0.0.1:3000', 'ws://127.0.0.1:3000']);
    expect(connectSourcesFor('https://meet.lan/path?x')).toEqual(['https://meet.lan', 'wss://meet.lan']);
    expect(() => connectSourcesFor('ftp://meet.lan')).toThrow();
  });

  it('refuses sources that are not origins or known keywords', () => {
    for (const bad of ['*', 'https://*.lan', "'unsafe-inline'", 'https://meet.lan/path', 'meet.lan', "'self'; script-src *"]) {
      expect(() => serializeCsp({ 'connect-src': [bad] }), bad).toThrow();
    }
    expect(() => serializeCsp({ 'connect-src x': ["'self'"] })).toThrow();
  });

  it('the signaling server lets its pages reach the recording service when recording is on', () => {
    const off = parse(clientSecurityHeaders({ RECORDER_URL: undefined, SERVED_OVER_HTTPS: false })['content-security-policy'] as string);
    expect(off['connect-src']).toEqual(["'self'"]);
    const on = clientSecurityHeaders({ RECORDER_URL: 'https://rec.lan:4100/', SERVED_OVER_HTTPS: true });
    expect(parse(on['content-security-policy'] as string)['connect-src']).toEqual(["'self'", 'https://rec.lan:4100']);
    expect(on['strict-transport-security']).toBe('max-age=31536000');
  });
});

describe('the signaling server', () => {
  it('sends the headers with the app page, its scripts, the SPA fallback and errors', async () => {
    const clientDir = mkdtempSync(join(tmpdir(), 'conclave-client-'));
    mkdirSync(join(clientDir, 'assets'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(clientDir, 'assets', 'main.js'), 'export {};');
    const headers = clientSecurityHeaders({ RECORDER_URL: 'http://127.0.0.1:4100', SERVED_OVER_HTTPS: false });
    const server = createServer(createHttpHandler({ clientDir, metrics: new Metrics(), notReady: async () => null, securityHeaders: headers }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ['/', '/r/some-room', '/assets/main.js', '/assets/missing.js', '/healthz']) {
        const response = await fetch(`${base}${path}`);
        for (const [name, value] of Object.entries(headers)) expect([path, name, response.headers.get(name)]).toEqual([path, name, value]);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
