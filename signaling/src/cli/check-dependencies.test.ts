import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLock } from './check-dependencies.js';

const lock = (packages: Record<string, { version?: string; link?: boolean }>) => ({ packages: { '': { version: '0.1.0' }, ...packages } });

describe('dependency floors', () => {
  it('passes the repository lock file', () => {
    const script = fileURLToPath(new URL('./check-dependencies.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/none below the \d+ advisory floors/);
  });

  it('names each package below its floor, nested ones too, and packages that must not be there', () => {
    const problems = checkLock(
      lock({
        'node_modules/ws': { version: '8.17.1' },
        'node_modules/engine.io/node_modules/ws': { version: '8.23.0' },
        'node_modules/s3rver/node_modules/busboy': { version: '0.3.1' },
        'node_modules/dicer': { version: '0.3.0' },
        'node_modules/path-to-regexp': { version: '6.2.2' },
        'node_modules/nanoid': { version: '3.3.11' },
        'archive/node_modules/socket.io-parser': { version: '4.2.1' },
      }),
    );
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/node_modules\/ws@8\.17\.1: needs >=8\.21\.0/);
    expect(problems.join('\n')).toMatch(/s3rver\/node_modules\/busboy@0\.3\.1: needs >=1\.0\.0/);
    expect(problems.join('\n')).toMatch(/dicer@0\.3\.0: must not be installed/);
    expect(problems.join('\n')).toMatch(/path-to-regexp@6\.2\.2/);
    expect(problems.join('\n')).toMatch(/archive\/node_modules\/socket\.io-parser@4\.2\.1/);
  });

  it('explains a lock file it cannot use', () => {
    expect(checkLock({})).toEqual(['the lock file has no "packages" (lockfileVersion 2 or later is needed)']);
    const dir = mkdtempSync(join(tmpdir(), 'conclave-floors-'));
    try {
      writeFileSync(join(dir, 'package-lock.json'), '{ not json');
      const script = fileURLToPath(new URL('./check-dependencies.ts', import.meta.url));
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, join(dir, 'package-lock.json')], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/cannot read .*package-lock\.json/);
      writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock({ 'node_modules/dicer': { version: '0.3.0' } })));
      const bad = spawnSync(process.execPath, ['--import', 'tsx', script, join(dir, 'package-lock.json')], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/dicer@0\.3\.0: must not be installed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
