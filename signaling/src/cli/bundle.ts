/**
 * Offline install: npm run bundle [-- --out DIR] [--no-build]
 *
 * Builds everything (`npm run build`), then writes
 * conclave-<version>-<platform>-<arch>-node<major>.tar.gz into DIR (default: the repository
 * root) holding what running needs and nothing else, under one directory of the same name:
 * the root package.json (with scripts that run the built entry points, no build step),
 * package-lock.json, the Node workspaces' package.json and dist/ (protocol, signaling,
 * recorder, archive), client/dist, recorder/mux-page, and node_modules without
 * devDependencies (a copy pruned with `npm prune --omit=dev --offline`), so with
 * better-sqlite3's compiled addon and @ffmpeg/core's wasm. The addon only loads on the same
 * platform, architecture and Node major, which is why the name carries them; the bundler
 * loads it with this Node before writing anything.
 *
 * --no-build packages what the last `npm run build` made (the test uses it: it runs beside
 * tests that read client/dist, which a Vite build empties and rewrites).
 *
 * Prints the tarball's path, size and SHA-256. Exit 0 on success, 1 if refused (the build
 * failed, a required file is missing, the addon does not load, tar failed; nothing is
 * written), 2 on bad usage (unknown option, --out not a writable directory).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = 'usage: npm run bundle [-- --out <directory>] [--no-build]';

/** The repository root: the same depth from src/cli and dist/cli. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The workspaces whose dist/ runs in Node. The client ships only its built dist/ (Vite
 * bundles its dependencies and sframe into it); e2e and bench are tests.
 */
const WORKSPACES = ['protocol', 'signaling', 'recorder', 'archive'] as const;

/** The bundle's scripts: the built entry points, run directly (no TypeScript, no Vite). */
const SCRIPTS: Record<string, string> = {
  start: 'node signaling/dist/main.js',
  token: 'node signaling/dist/cli/token.js',
  cert: 'node signaling/dist/cli/cert.js',
  recorder: 'node recorder/dist/main.js',
  'recording:verify': 'node recorder/dist/cli/verify.js',
  archive: 'node archive/dist/main.js',
  'archive:ingest': 'node archive/dist/cli/ingest.js',
  'archive:fixity': 'node archive/dist/cli/fixity.js',
  'archive:account': 'node archive/dist/cli/account.js',
};

/** Files that must be in the bundle besides the scripts' entry points. */
const REQUIRED = [
  'package.json',
  'package-lock.json',
  ...WORKSPACES.flatMap((name) => [`${name}/package.json`, `${name}/dist/index.js`]),
  'client/dist/index.html',
  'client/dist/archive.html',
  'client/dist/recorder.html',
  'recorder/mux-page/index.html',
  'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js',
  'node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm',
  'node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js',
  ...Object.values(SCRIPTS).map((command) => command.replace(/^node /, '')),
];

class Refused extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

function refuse(message: string): never {
  throw new Refused(message, 1);
}

function usage(message: string): never {
  throw new Refused(`${message}\n${USAGE}`, 2);
}

function run(command: string, args: string[], cwd: string, what: string, env = process.env): void {
  // The children's output goes to stderr: stdout carries only the result.
  const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 2, 2] });
  if (result.error) refuse(`${what}: ${result.error.message}`);
  if (result.status !== 0) refuse(`${what} failed (${command} ${args.join(' ')} exited with ${result.status ?? result.signal})`);
}

function missing(dir: string): string[] {
  return REQUIRED.filter((path) => !existsSync(join(dir, path)));
}

/** The root package.json for the bundle: its runtime workspaces and scripts, no devDependencies. */
function bundleManifest(): string {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const manifest: Record<string, unknown> = {};
  for (const key of ['name', 'version', 'private', 'description', 'license', 'type', 'engines']) manifest[key] = root[key];
  manifest.workspaces = [...WORKSPACES];
  manifest.scripts = SCRIPTS;
  manifest.overrides = root.overrides;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Whether a file of a workspace's dist/ goes in the bundle: only what compiles from a
 * source that exists (tsc -b leaves the output of deleted sources behind), and no tests,
 * test support (testing/) or the bundler itself.
 */
export function shipsFromDist(workspace: string, path: string): boolean {
  const dist = join(ROOT, workspace, 'dist');
  const inside = relative(dist, path);
  if (inside === '' || statSync(path).isDirectory()) return !inside.split(sep).includes('testing');
  const stem = inside.replace(/(\.d\.ts|\.js\.map|\.d\.ts\.map|\.js)$/, '');
  if (stem === inside || /\.test$/.test(stem) || stem.split(sep).includes('testing') || stem === join('cli', 'bundle')) return false;
  return existsSync(join(ROOT, workspace, 'src', `${stem}.ts`));
}

/** Copies what running needs into `dir`. */
function stage(dir: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), bundleManifest());
  cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  for (const name of WORKSPACES) {
    cpSync(join(ROOT, name, 'package.json'), join(dir, name, 'package.json'));
    cpSync(join(ROOT, name, 'dist'), join(dir, name, 'dist'), { recursive: true, filter: (source) => shipsFromDist(name, source) });
  }
  cpSync(join(ROOT, 'client', 'dist'), join(dir, 'client', 'dist'), { recursive: true });
  cpSync(join(ROOT, 'recorder', 'mux-page'), join(dir, 'recorder', 'mux-page'), { recursive: true });
  // Workspace links stay relative symlinks; tool caches (.vite, .cache) stay behind.
  const modules = join(ROOT, 'node_modules');
  cpSync(modules, join(dir, 'node_modules'), {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => {
      const top = relative(modules, source).split(sep)[0] ?? '';
      return !top.startsWith('.') || top === '.bin' || top === '.package-lock.json';
    },
  });
}

/** Removes the directories prune emptied (scopes whose packages were all dev). */
function removeEmptyDirs(dir: string): boolean {
  let empty = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && removeEmptyDirs(join(dir, entry.name))) rmdirSync(join(dir, entry.name));
    else empty = false;
  }
  return empty;
}

/** Packages the repository's lockfile marks as dev only that are still in `dir`. */
function devPackagesIn(dir: string): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => entry.dev === true && path.includes('node_modules/') && existsSync(join(dir, path)))
    .map(([path]) => path);
}

/** Loads the native addon and every runtime workspace with this Node, from the bundle. */
function checkLoads(dir: string): void {
  const script = [
    "import { createRequire } from 'node:module';",
    "const Database = createRequire(import.meta.url)('better-sqlite3');",
    "new Database(':memory:').close();",
    ...WORKSPACES.map((name) => `await import('@conclave/${name}');`),
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) {
    refuse(`the bundle does not load with Node ${process.version} on ${process.platform}-${process.arch}:\n${result.stderr.trim()}`);
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { out: { type: 'string' }, 'no-build': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const out = resolve(values.out ?? ROOT);
  if (!existsSync(out) || !statSync(out).isDirectory()) usage(`--out ${out}: not a directory`);
  try {
    accessSync(out, constants.W_OK);
  } catch {
    usage(`--out ${out}: not writable`);
  }

  if (!values['no-build']) run('npm', ['run', 'build'], ROOT, 'the build');
  const absent = missing(ROOT);
  if (absent.length > 0) refuse(`missing in ${ROOT}: ${absent.join(', ')} (run npm install, then npm run build)`);

  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const name = `conclave-${version}-${process.platform}-${process.arch}-node${process.versions.node.split('.')[0]}`;
  const staging = mkdtempSync(join(tmpdir(), 'conclave-bundle-'));
  const tarball = join(out, `${name}.tar.gz`);
  const partial = `${tarball}.partial`;
  try {
    const dir = join(staging, name);
    stage(dir);
    // Pruned in the staging copy only: --prefix, and none of the npm_config_* (local_prefix
    // among them) that `npm run bundle` passes down.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    const prune = ['prune', '--prefix', dir, '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    run('npm', prune, dir, 'npm prune', env);
    removeEmptyDirs(join(dir, 'node_modules'));
    const gone = missing(dir);
    if (gone.length > 0) refuse(`the bundle would miss ${gone.join(', ')}`);
    const dev = devPackagesIn(dir);
    if (dev.length > 0) refuse(`devDependencies left after pruning: ${dev.join(', ')}`);
    checkLoads(dir);
    run('tar', ['--owner=0', '--group=0', '--numeric-owner', '-czf', partial, '-C', staging, name], staging, 'tar');
    renameSync(partial, tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
  const size = statSync(tarball).size;
  process.stdout.write(
    [
      `bundle  ${tarball}`,
      `size    ${size} bytes (${(size / 1024 / 1024).toFixed(1)} MiB)`,
      `sha256  ${await sha256(tarball)}`,
      `Install on ${process.platform}-${process.arch} with Node ${process.versions.node.split('.')[0]}: tar xzf ${basename(tarball)} -C /opt, then npm start in ${name}/ (docs/deploy.md).`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof Refused) {
    console.error(`bundle: ${error.message}`);
    process.exitCode = error.code;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
