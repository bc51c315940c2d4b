/**
 * Dependency floors: npm run check:dependencies [-- LOCKFILE]
 *
 * Reads package-lock.json (default: the repository's) and fails when it holds a package
 * below the version that fixed a known advisory, or a package that must not be there at
 * all. `npm audit` needs the registry's advisory service, which air-gapped machines (and
 * this project's CI) cannot reach; this check needs nothing but the lock file. It does not
 * discover new advisories: when one is published, add its floor here.
 *
 * The test suite runs the same check on the repository's lock file
 * (signaling/test/dependencies.test.ts).
 *
 * Prints one line per problem and exits 1 if there is any, 2 if the lock file cannot be
 * read, 0 otherwise.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

export interface Floor {
  name: string;
  /** The versions allowed (a semver range); absent: the package must not be installed at all. */
  allowed?: string;
  why: string;
}

export const FLOORS: readonly Floor[] = [
  { name: 'socket.io-parser', allowed: '>=4.2.7', why: 'CVE-2026-69185 (high) affects >=4.0.0 <4.2.7; pinned by overrides in package.json' },
  { name: 'ws', allowed: '>=8.21.0', why: 'CVE-2026-48779 (high, memory exhaustion from tiny fragments) affects <8.21.0; pinned by overrides in package.json' },
  { name: 'engine.io', allowed: '>=6.6.2', why: 'CVE-2024-38355 and earlier crash advisories' },
  { name: 'cookie', allowed: '>=0.7.0', why: 'CVE-2024-47764 (out-of-bounds characters in names)' },
  { name: 'path-to-regexp', allowed: '^0.1.12 || ^1.9.0 || ^3.3.0 || ^6.3.0 || >=8.0.0', why: 'CVE-2024-45296 and CVE-2024-52798 (backtracking)' },
  { name: 'cross-spawn', allowed: '>=7.0.5', why: 'CVE-2024-21538 (regular expression denial of service)' },
  { name: 'nanoid', allowed: '^3.3.8 || >=5.0.9', why: 'CVE-2024-55565 (non-integer sizes)' },
  { name: 'busboy', allowed: '>=1.0.0', why: 'busboy 0.x depends on dicer; s3rver (tests only) gets 1.x through overrides' },
  { name: 'dicer', why: 'GHSA-wm7h-9275-46v2 (high): a crafted multipart body crashes the process, and no version fixes it' },
];

interface LockFile {
  packages?: Record<string, { version?: string; link?: boolean }>;
}

/** Every problem in the lock file, as lines to print: empty when it passes. */
export function checkLock(lock: LockFile, floors: readonly Floor[] = FLOORS): string[] {
  if (!lock.packages || typeof lock.packages !== 'object') return ['the lock file has no "packages" (lockfileVersion 2 or later is needed)'];
  const problems: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at === -1 || entry.link) continue; // the root and the workspaces themselves
    const floor = floors.find((candidate) => candidate.name === path.slice(at + 'node_modules/'.length));
    if (!floor) continue;
    if (floor.allowed === undefined) problems.push(`${path}@${entry.version ?? '?'}: must not be installed (${floor.why})`);
    else if (!entry.version || !semver.satisfies(entry.version, floor.allowed)) problems.push(`${path}@${entry.version ?? '?'}: needs ${floor.allowed} (${floor.why})`);
  }
  return problems;
}

function main(argv: string[]): number {
  const file = argv[0] ?? fileURLToPath(new URL('../../../package-lock.json', import.meta.url));
  let lock: LockFile;
  try {
    lock = JSON.parse(readFileSync(file, 'utf8')) as LockFile;
  } catch (error) {
    console.error(`check-dependencies: cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const problems = checkLock(lock);
  for (const problem of problems) console.error(`check-dependencies: ${problem}`);
  if (problems.length > 0) return 1;
  process.stdout.write(`check-dependencies: ${Object.keys(lock.packages ?? {}).length} locked packages, none below the ${FLOORS.length} advisory floors\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
