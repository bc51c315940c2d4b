import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED_URLS, checkPaths, findUrls, outsideUrls, shippedPaths } from './check-urls.js';

describe('check-urls', () => {
  it('finds outside URLs of every kind, with their lines', () => {
    const text = [
      'const a = 1;',
      'fetch("https://cdn.example.com/lib.js?x=1")',
      "new WebSocket('wss://telemetry.example.org:8443/ws');",
      '<script src="//fonts.example.net/css"></script>',
      'const u = `http://${host}/x`; const v = "ws://tracker.example.io";',
    ].join('\n');
    expect(outsideUrls('x.js', text)).toEqual([
      { file: 'x.js', line: 2, url: 'https://cdn.example.com/lib.js?x=1' },
      { file: 'x.js', line: 3, url: 'wss://telemetry.example.org:8443/ws' },
      { file: 'x.js', line: 4, url: '//fonts.example.net/css' },
      { file: 'x.js', line: 5, url: 'http://${host}/x' },
      { file: 'x.js', line: 5, url: 'ws://tracker.example.io' },
    ]);
  });

  it('lets through this machine, scheme prefixes completed at run time, and the allow-list', () => {
    const text = 'a="http://127.0.0.1:3000/x";b="http://localhost";c="https://"+host;d=`wss://`;// comment\ne="http://www.w3.org/2000/svg"';
    expect(outsideUrls('y.js', text)).toEqual([]);
    expect(findUrls('"https://"+host')).toEqual([]);
    // An allowed string is allowed whole, not as a prefix.
    expect(outsideUrls('z.js', '"http://www.w3.org/2000/svg.evil.example/x"')).toHaveLength(1);
    for (const entry of ALLOWED_URLS) expect(entry.reason.length).toBeGreaterThan(10);
  });

  it('fails a file with an outside URL, naming file and line; reads wasm strings and source map sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-urls-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>\n<link rel="stylesheet" href="https://fonts.example.com/a.css">\n');
    writeFileSync(join(dir, 'core.wasm'), Buffer.concat([Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]), Buffer.from('https://cdn.example.com/x\0')]));
    writeFileSync(join(dir, 'a.js.map'), JSON.stringify({ sources: ['https://src.example.com/a.ts'], sourcesContent: ['// see https://docs.example.com'] }));
    expect(checkPaths([dir], dir)).toEqual([
      { file: 'a.js.map', line: 1, url: 'https://src.example.com/a.ts' },
      { file: 'core.wasm', line: 8, url: 'https://cdn.example.com/x' },
      { file: 'index.html', line: 2, url: 'https://fonts.example.com/a.css' },
    ]);
  });

  it('passes what Conclave really ships (built client, mux page, ffmpeg.wasm)', () => {
    const paths = shippedPaths();
    expect(paths.some((path) => path.endsWith('ffmpeg-core.wasm'))).toBe(true);
    expect(checkPaths(paths)).toEqual([]);
  });
});
