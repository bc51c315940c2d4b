/**
 * `npm run bundle` (signaling/src/cli/bundle.ts): the offline install. Bundles what the last
 * build made (--no-build: other tests read client/dist, which a build rewrites), unpacks the
 * tarball into an empty folder and runs it there with the registry unreachable.
 * Takes 20 to 40 s (copying and pruning node_modules, then gzip).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli/bundle.ts', import.meta.url));
const NAME = `conclave-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-${process.platform}-${process.arch}-node${process.versions.node.split('.')[0]}`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const bundler = (args: string[]) => exec(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: ROOT });

/**
 * A machine with no registry: npm's registry is a closed port and npm is offline; nothing
 * from the npm run that started the tests (npm_* variables, node_modules/.bin on PATH, so
 * no tsc, vite or tsx to fall back on).
 */
function offline(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$)/i.test(key)) env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules') && !dir.startsWith(ROOT))
    .join(delimiter);
  return { ...env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_offline: 'true', npm_config_update_notifier: 'false', ...extra };
}

describe('npm run bundle', () => {
  let work: string;
  let out: string;
  let made: Result;
  let installed: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'conclave-bundle-test-'));
    out = join(work, 'out');
    mkdirSync(out);
    made = await bundler(['--no-build', '--out', out]);
    if (made.code !== 0) throw new Error(`npm run bundle exited with ${made.code}:\n${made.stderr}`);
    const target = join(work, 'target');
    mkdirSync(target);
    const unpacked = await exec('tar', ['xzf', join(out, `${NAME}.tar.gz`), '-C', target], { cwd: target });
    if (unpacked.code !== 0) throw new Error(`tar: ${unpacked.stderr}`);
    installed = join(target, NAME);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes one tarball named for the platform, arch and Node major, and prints its size and SHA-256', () => {
    const tarball = join(out, `${NAME}.tar.gz`);
    expect(readdirSync(out)).toEqual([`${NAME}.tar.gz`]);
    const bytes = readFileSync(tarball);
    expect(made.stdout).toContain(`bundle  ${tarball}\n`);
    expect(made.stdout).toContain(`size    ${bytes.length} bytes`);
    expect(made.stdout).toContain(`sha256  ${createHash('sha256').update(bytes).digest('hex')}\n`);
    expect(readdirSync(join(out, '..', 'target'))).toEqual([NAME]);
  });

  it('holds what running needs and no devDependency', () => {
    const has = (path: string) => existsSync(join(installed, path));
    for (const path of [
      'package.json',
      'package-lock.json',
      'client/dist/index.html',
      'recorder/mux-page/index.html',
      'node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]) {
      expect(has(path), path).toBe(true);
    }
    for (const path of ['vitest', 'typescript', '@playwright/test', 'eslint', 'vite', 'tsx', 'svelte', 's3rver', 'socket.io-client']) {
      expect(has(`node_modules/${path}`), path).toBe(false);
    }
    // Every package the repository's lockfile marks as dev only.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const dev = Object.keys(lock.packages).filter((path) => lock.packages[path]?.dev === true && path.includes('node_modules/'));
    expect(dev.length).toBeGreaterThan(100);
    expect(dev.filter(has)).toEqual([]);
    // Sources, build state, tests and the bundler itself stay behind.
    for (const path of ['signaling/src', 'signaling/test', 'signaling/tsconfig.json', 'signaling/tsconfig.tsbuildinfo', 'client/src', 'e2e', 'bench', 'signaling/dist/cli/bundle.js']) {
      expect(has(path), path).toBe(false);
    }
    const scripts = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const command of Object.values(scripts)) expect(command).toMatch(/^node [\w/.-]+\.js$/);
  });

  it('starts offline from the empty folder it was unpacked in: /healthz, the meeting page and its assets', async () => {
    const server = spawn('npm', ['start'], {
      cwd: installed,
      env: offline({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: npm and the server it starts stop together
    });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not listening within 20 s:\n${output}`)), 20_000);
        const look = () => {
          const match = /open (http:\/\/[^/\s]+)\//.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        };
        server.stdout.on('data', look);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`npm start exited:\n${output}`));
        });
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect((await health.text()).trim()).toBe('ok');
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="app">');
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
      expect(assets.length).toBeGreaterThan(1);
      for (const asset of assets) {
        const response = await fetch(`${url}${asset}`);
        expect(response.status, asset).toBe(200);
        expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
      }
    } finally {
      if (server.pid !== undefined) stopGroup(server.pid);
      await exited;
      await groupGone(server.pid);
    }
  }, 60_000);

  it('runs the archive and recorder tools from the bundle: better-sqlite3 loads, the ffmpeg.wasm files resolve', async () => {
    const data = join(work, 'archive-data');
    const account = await exec('npm', ['run', '--silent', 'archive:account', '--', '--data', data, 'claire', 'archivist'], {
      cwd: installed,
      env: offline({ ARCHIVE_ACCOUNT_PASSWORD: 'a long enough passphrase for the test', LOG_LEVEL: 'warn' }),
    });
    expect(account.stderr).toBe('');
    expect(account.stdout).toContain('created archivist account claire');
    expect(account.code).toBe(0);
    expect(existsSync(join(data, 'catalog.sqlite'))).toBe(true);

    const fixity = await exec('npm', ['run', '--silent', 'archive:fixity', '--', '--data', data], { cwd: installed, env: offline({ LOG_LEVEL: 'warn' }) });
    expect(fixity.stdout).toContain('0 files checked in 0 recordings, 0 problems');
    expect(fixity.code).toBe(0);

    const recordings = join(work, 'recordings');
    mkdirSync(recordings);
    const verify = await exec('npm', ['run', '--silent', 'recording:verify', '--', recordings], { cwd: installed, env: offline() });
    // It loads and runs: an empty directory is a problem it reports, not a crash.
    expect(verify.stdout).toContain('no recording here');
    expect(verify.stdout).toContain('0 recordings checked, 1 problem');
    expect(verify.code).toBe(1);

    const script = join(work, 'assets.mjs');
    writeFileSync(script, `import { resolveMuxAssets } from ${JSON.stringify(join(installed, 'recorder/dist/mux/assets.js'))};\nprocess.stdout.write(JSON.stringify(resolveMuxAssets()));\n`);
    const assets = await exec(process.execPath, [script], { cwd: installed, env: offline() });
    expect(assets.code, assets.stderr).toBe(0);
    const resolved = JSON.parse(assets.stdout) as Record<string, string>;
    expect(resolved.coreWasm).toBe(join(installed, 'node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm'));
    for (const path of Object.values(resolved)) expect(path.startsWith(installed)).toBe(true);
  }, 60_000);

  it('refuses a bad --out or option with a clear message, and writes nothing', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    const cases = [
      [['--no-build', '--out', join(work, 'no', 'such', 'dir')], /--out .*no[/\\]such[/\\]dir: not a directory/],
      [['--no-build', '--out', file], /--out .*a-file: not a directory/],
      [['--no-build', '--bogus'], /Unknown option '--bogus'/],
    ] as const;
    for (const [args, message] of cases) {
      const result = await bundler([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('usage: npm run bundle');
      expect(result.stdout).toBe('');
    }
  }, 30_000);
});

function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Waits until no process of the group started as `pid` is left (the server stops within 10 s). */
async function groupGone(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) {
      process.kill(-pid, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
