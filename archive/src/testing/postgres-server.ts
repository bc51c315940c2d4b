/**
 * A throwaway PostgreSQL server for the tests: the Debian package's binaries, a data
 * directory and a socket directory in a new temporary directory, a free loopback port, fsync
 * off (nothing here needs to survive a crash). PostgreSQL refuses to run as root: as root,
 * the server runs as the `postgres` user the package creates, which then owns the directory.
 *
 * Missing binaries fail the tests with what to install: CI installs postgresql, and a
 * catalog tested against SQLite only is not what the tests promise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/DATABASE */
  url(database: string): string;
  /** Creates a new empty database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Runs SQL as the superuser on `database`. */
  superuser<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T>;
  stop(): void;
}

const INSTALL = 'PostgreSQL is needed for the catalog tests: install it (Debian: apt-get install -y postgresql), or set ARCHIVE_TEST_POSTGRES_BIN to the directory holding initdb and pg_ctl';

export function findPostgresBin(): string {
  const candidates = [process.env.ARCHIVE_TEST_POSTGRES_BIN];
  if (existsSync('/usr/lib/postgresql')) {
    // The newest major version first.
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join('/usr/lib/postgresql', version, 'bin')));
  }
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error(INSTALL);
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error(`running as root, PostgreSQL needs the 'postgres' user, which is missing. ${INSTALL}`);
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const user = postgresUser();
  const root = mkdtempSync(join(tmpdir(), 'archive-postgres-'));
  if (user) chownSync(root, user.uid, user.gid);
  const data = join(root, 'data');
  const run = (command: string, args: string[]) => {
    const [file, argv] = user ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  };
  let started = false;
  const stop = () => {
    if (started) {
      spawnSync(user ? 'runuser' : join(bin, 'pg_ctl'), [...(user ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []), 'stop', '-D', data, '-m', 'immediate', '-w'], { stdio: 'ignore', cwd: root });
      started = false;
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50`;
    started = true;
    run('pg_ctl', ['start', '-D', data, '-l', join(root, 'server.log'), '-w', '-t', '60', '-o', options]);
    let databases = 0;
    const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
    const superuser = async <T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
      const client = new pg.Client({ connectionString: url(database) });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    };
    process.once('exit', stop);
    return {
      url,
      superuser,
      createDatabase: async (prefix = 'test') => {
        const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${++databases}`;
        await superuser('postgres', (client) => client.query(`CREATE DATABASE ${name}`));
        return url(name);
      },
      stop: () => {
        process.removeListener('exit', stop);
        stop();
      },
    };
  } catch (error) {
    const log = existsSync(join(root, 'server.log')) ? readFileSync(join(root, 'server.log'), 'utf8') : '';
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    stop();
    throw new Error(`could not start a test PostgreSQL server from ${bin}: ${(error as Error).message}\n${stderr}\n${log}`, { cause: error });
  }
}
