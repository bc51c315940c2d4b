import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLock, FLOORS } from '../src/cli/check-dependencies.js';

/**
 * Offline guard for the advisory floors (signaling/src/cli/check-dependencies.ts): the
 * repository's lock file keeps every package at or above its floor, and the root
 * package.json's `overrides` pin the ones that direct dependencies would otherwise pull
 * in lower. The online check, `npm audit --audit-level=high`, is in docs/deploy.md.
 */
const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { overrides?: Record<string, unknown> };
const script = fileURLToPath(new URL('../src/cli/check-dependencies.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' });
const lock = (packages: Record<string, { version?: string; link?: boolean }>) => ({ packages: { '': { version: '0.1.0' }, ...packages } });

// Each run starts Node with tsx: seconds on a loaded machine.
const SPAWNS = { timeout: 60_000 };

describe('dependency floors', () => {
  it('the repository lock file passes, and overrides pin socket.io-parser, ws and s3rver’s busboy', SPAWNS, () => {
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`none below the ${FLOORS.length} advisory floors`));
    expect(manifest.overrides).toMatchObject({ 'socket.io-parser': '^4.2.7', ws: '^8.21.0', s3rver: { busboy: '^1.6.0' } });
  });

  it('names each package below its floor, nested ones too, and packages that must not be there', () => {
    const problems = checkLock(
      lock({
        'node_modules/ws': { version: '8.20.9' },
        'node_modules/engine.io/node_modules/ws': { version: '8.23.0' },
        'node_modules/s3rver/node_modules/busboy': { version: '0.3.1' },
        'node_modules/dicer': { version: '0.3.0' },
        'node_modules/path-to-regexp': { version: '6.2.2' },
        'node_modules/nanoid': { version: '3.3.11' },
        'archive/node_modules/socket.io-parser': { version: '4.2.6' },
      }),
    ).join('\n');
    expect(problems.split('\n')).toHaveLength(5);
    expect(problems).toMatch(/node_modules\/ws@8\.20\.9: needs >=8\.21\.0/);
    expect(problems).toMatch(/s3rver\/node_modules\/busboy@0\.3\.1: needs >=1\.0\.0/);
    expect(problems).toMatch(/dicer@0\.3\.0: must not be installed/);
    expect(problems).toMatch(/path-to-regexp@6\.2\.2/);
    expect(problems).toMatch(/archive\/node_modules\/socket\.io-parser@4\.2\.6/);
  });

  it('explains a lock file it cannot use, and exits 1 on a lock with a problem', SPAWNS, () => {
    expect(checkLock({})).toEqual(['the lock file has no "packages" (lockfileVersion 2 or later is needed)']);
    const dir = mkdtempSync(join(tmpdir(), 'conclave-floors-'));
    try {
      const file = join(dir, 'package-lock.json');
      writeFileSync(file, '{ not json');
      const unreadable = run(file);
      expect(unreadable.status).toBe(2);
      expect(unreadable.stderr).toMatch(/cannot read .*package-lock\.json/);
      writeFileSync(file, JSON.stringify(lock({ 'node_modules/dicer': { version: '0.3.0' } })));
      const bad = run(file);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/dicer@0\.3\.0: must not be installed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
