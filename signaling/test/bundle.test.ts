/**
 * `npm run bundle` (signaling/src/cli/bundle.ts): the offline install. Bundles what the last
 * build made (--no-build: other tests read client/dist, which a build rewrites), unpacks the
 * tarball into an empty folder and runs it there with the registry unreachable: the
 * signaling, recording and archive services, wired together as in docs/deploy.md, and the
 * command-line tools. Takes 20 to 40 s (copying and pruning node_modules, then gzip); the
 * services start and stop in a few seconds.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
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
    // Each workspace's compiled code is only what its current sources make: no test, no test
    // support, nothing left behind in dist/ by a source since deleted.
    for (const workspace of ['protocol', 'signaling', 'recorder', 'archive']) {
      const shipped = readdirSync(join(installed, workspace, 'dist'), { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.js'));
      expect(shipped.length, workspace).toBeGreaterThan(0);
      const strays = shipped.filter((path) => /\.test\.js$/.test(path) || path.split('/').includes('testing') || !existsSync(join(ROOT, workspace, 'src', path.replace(/\.js$/, '.ts'))));
      expect(strays, workspace).toEqual([]);
    }
    const scripts = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const command of Object.values(scripts)) expect(command).toMatch(/^node [\w/.-]+\.js$/);
  });

  it('starts the signaling, recording and archive services offline from the unpacked folder, wired together; each answers, then stops cleanly on SIGTERM', async () => {
    // Every address is fixed before the start: signaling and recorder each name the other.
    const [signalingPort, recorderPort, archivePort] = await freePorts(3);
    const signalingUrl = `http://127.0.0.1:${signalingPort}`;
    const recorderUrl = `http://127.0.0.1:${recorderPort}`;
    const recorderSecret = 'bundle-test-recorder-secret-0123456789';
    const recorderData = join(work, 'recorder-data');
    const archiveData = join(work, 'archive-service-data');
    const account = { username: 'ada', password: 'a long enough passphrase for the service test' };
    const made = await exec('npm', ['run', '--silent', 'archive:account', '--', '--data', archiveData, account.username, 'archivist'], {
      cwd: installed,
      env: offline({ ARCHIVE_ACCOUNT_PASSWORD: account.password, LOG_LEVEL: 'warn' }),
    });
    expect(made.code, made.stderr).toBe(0);

    const starting = [
      startService(installed, 'start', /open (http:\/\/\S+)\/ in a browser/, {
        HOST: '127.0.0.1',
        PORT: String(signalingPort),
        RECORDER_URL: recorderUrl,
        RECORDER_SECRET: recorderSecret,
        ALLOWED_ORIGINS: recorderUrl,
      }),
      startService(installed, 'recorder', /Conclave recorder is running at (http:\/\/\S+) /, {
        RECORDER_HOST: '127.0.0.1',
        RECORDER_PORT: String(recorderPort),
        RECORDER_SECRET: recorderSecret,
        SIGNALING_URL: signalingUrl,
        RECORDER_DATA_DIR: recorderData,
      }),
      startService(installed, 'archive', /Conclave archive: (http:\/\/\S+)/, {
        ARCHIVE_HOST: '127.0.0.1',
        ARCHIVE_PORT: String(archivePort),
        ARCHIVE_DATA_DIR: archiveData,
        ARCHIVE_INBOX: join(recorderData, 'recordings'),
      }),
    ];
    const started = await Promise.allSettled(starting);
    const services = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      const [signaling, recorder, archive] = services as [Service, Service, Service];
      expect([signaling.url, recorder.url, archive.url]).toEqual([signalingUrl, recorderUrl, `http://127.0.0.1:${archivePort}`]);
      await expectSignalingAnswers(signaling.url, recorder.url);
      await expectRecorderAnswers(recorder.url, signaling.url);
      await expectArchiveAnswers(archive.url, account);
    } catch (error) {
      await Promise.all(services.map((service) => service.stop()));
      throw error;
    }
    const stopped = await Promise.all(services.map(async (service) => ({ name: service.name, ...(await service.stop()), output: service.output() })));
    // Each exits by itself, with 0, once SIGTERM has closed what it holds; nothing logged an error.
    for (const { name, code, signal, output } of stopped) {
      expect({ name, code, signal }, `${name} after SIGTERM; its output:\n${output}`).toEqual({ name, code: 0, signal: null });
      expect(output, name).not.toMatch(/"level":(50|60)/);
    }
  }, 90_000);

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

/** Free loopback ports, all held open together so that they differ. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

interface Service {
  name: string;
  url: string;
  output(): string;
  /** SIGTERM, then how it exited (SIGKILL after 15 s, which the test reports as unclean). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a service of the unpacked bundle the way `npm run <script>` does: its package.json
 * script (`node <entry>`), from the bundle's folder, offline. npm itself is left out: on
 * SIGTERM it exits at once, hiding whether the service stopped cleanly (the tools' `npm run`
 * already proves npm works there). Resolves with the URL the service prints (`ready`).
 */
async function startService(dir: string, script: string, ready: RegExp, env: Record<string, string>): Promise<Service> {
  const scripts = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const entry = /^node (\S+\.js)$/.exec(scripts[script] ?? '')?.[1];
  if (!entry) throw new Error(`the bundle's "${script}" script is not "node <file>.js": ${scripts[script]}`);
  const child = spawn(process.execPath, [entry], { cwd: dir, env: offline({ LOG_LEVEL: 'warn', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script}: no "${ready.source}" within 20 s:\n${output}`)), 20_000);
    const look = () => {
      const match = ready.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', look);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { name: script, url, output: () => output, stop };
}

/** The meeting server: /healthz, the meeting page (allowed to call the recorder) and its assets. */
async function expectSignalingAnswers(url: string, recorderUrl: string): Promise<void> {
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  expect((await health.text()).trim()).toBe('ok');
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain(recorderUrl);
  await expectPageWithAssets(page, '<div id="app">', url);
}

/** The recording service: /healthz, /metrics, and the recorder page (talking to the signaling server) with its assets. */
async function expectRecorderAnswers(url: string, signalingUrl: string): Promise<void> {
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ ok: true });
  const metrics = await fetch(`${url}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/^conclave_recorder_active_recordings 0$/m);
  const page = await fetch(`${url}/recorder.html`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain(signalingUrl);
  await expectPageWithAssets(page, '<title>Conclave recorder</title>', url);
}

/** The archive: /healthz, the portal and its assets, and a login (better-sqlite3 in the service) with a search. */
async function expectArchiveAnswers(url: string, account: { username: string; password: string }): Promise<void> {
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  expect((await health.text()).trim()).toBe('ok');
  await expectPageWithAssets(await fetch(`${url}/`), '<title>Conclave archive</title>', url);
  const login = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  expect(login.status, await login.clone().text()).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/=./);
  const search = await fetch(`${url}/api/recordings`, { headers: { cookie } });
  expect(search.status).toBe(200);
  expect(await search.json()).toMatchObject({ recordings: [] });
}

/** A 200 HTML page holding `marker`, and every /assets/ file it names, served non-empty. */
async function expectPageWithAssets(page: Response, marker: string, base: string): Promise<void> {
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain(marker);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
  expect(assets.length).toBeGreaterThan(0);
  for (const asset of assets) {
    const response = await fetch(`${base}${asset}`);
    expect(response.status, asset).toBe(200);
    expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
  }
}
