import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * A real coturn (`turnserver`, Debian package `coturn`) on loopback for the TURN tests,
 * checking credentials the way production does: `use-auth-secret` with a static secret
 * (the TURN REST API scheme the signaling server mints credentials in).
 */
export interface RunningTurn {
  /** `turn:127.0.0.1:<port>?transport=udp`, for TURN_URLS. */
  url: string;
  port: number;
  secret: string;
  realm: string;
  /** What coturn has logged so far (its temp log file). */
  log(): Promise<string>;
  close(): Promise<void>;
}

const SYSTEM_TURNSERVER = ['/usr/bin/turnserver', '/usr/local/bin/turnserver'];

/** TURNSERVER_PATH, else a system turnserver; an error line saying how to get one when there is none. */
export function findTurnserver(env: NodeJS.ProcessEnv = process.env): { path: string } | { error: string } {
  const fromEnv = env.TURNSERVER_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { error: `TURNSERVER_PATH=${fromEnv} does not exist` };
  const system = SYSTEM_TURNSERVER.find((path) => existsSync(path));
  if (system) return { path: system };
  return { error: 'no turnserver found: install coturn (Debian: apt-get install -y coturn) or set TURNSERVER_PATH to a turnserver binary' };
}

/**
 * LIBFAKETIME_PATH, else Debian's libfaketime (package `faketime`), in its multithreaded
 * build (coturn runs several threads); an error line saying how to get it when there is none.
 */
export function findLibfaketime(env: NodeJS.ProcessEnv = process.env): { path: string } | { error: string } {
  const fromEnv = env.LIBFAKETIME_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { error: `LIBFAKETIME_PATH=${fromEnv} does not exist` };
  // /usr/lib/<multiarch triplet>/faketime/, whatever the architecture.
  const triplets = existsSync('/usr/lib') ? readdirSync('/usr/lib').filter((name) => name.endsWith('-linux-gnu')) : [];
  const system = triplets.map((triplet) => `/usr/lib/${triplet}/faketime/libfaketimeMT.so.1`).find((path) => existsSync(path));
  if (system) return { path: system };
  return { error: 'no libfaketime found: install faketime (Debian: apt-get install -y faketime) or set LIBFAKETIME_PATH to libfaketimeMT.so.1' };
}

// coturn listens on both TCP and UDP; a free TCP port on loopback is free for UDP in
// practice here (nothing else in the suite binds UDP below the relay range).
const freeTcpAndUdpPort = freePort;

export interface TurnOptions {
  secret: string;
  realm?: string;
  /**
   * Runs coturn with its clock moved by this much, under libfaketime (LD_PRELOAD): an
   * offset in libfaketime's FAKETIME syntax, such as '+2d' or '+172800' (seconds). Only
   * coturn's clock moves, so the signaling server still mints credentials by the real time.
   */
  clockOffset?: string;
}

/**
 * Starts turnserver on free loopback ports and resolves once it listens; `close()` stops it
 * and removes its temp directory. Throws a one-line error when turnserver (or, with
 * clockOffset, libfaketime) is missing.
 */
export async function startTurnServer({ secret, realm = 'conclave.test', clockOffset }: TurnOptions): Promise<RunningTurn> {
  const found = findTurnserver();
  if ('error' in found) throw new Error(`TURN tests: ${found.error}`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (clockOffset !== undefined) {
    const faketime = findLibfaketime();
    if ('error' in faketime) throw new Error(`TURN tests: ${faketime.error}`);
    Object.assign(env, { LD_PRELOAD: faketime.path, FAKETIME: clockOffset });
  }
  const dir = await mkdtemp(join(tmpdir(), 'conclave-turn-'));
  const logFile = join(dir, 'turnserver.log');
  const port = await freeTcpAndUdpPort();
  // Relay ports: a random block of 100 in 50000..59999 (coturn picks inside it).
  const minPort = 50_000 + Math.floor(Math.random() * 99) * 100;
  const args = [
    '-n', // no configuration file: everything is on this command line
    `--listening-ip=127.0.0.1`,
    `--listening-port=${port}`,
    `--relay-ip=127.0.0.1`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 99}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    `--realm=${realm}`,
    '--fingerprint',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-tcp-relay',
    '--no-multicast-peers',
    // coturn refuses to relay to loopback peers (127.0.0.0/8, ::1) unless told otherwise:
    // a TURN server that relays to its own host's loopback services is an SSRF hole. Here
    // both participants' relay addresses are 127.0.0.1 (relay-ip), so each relayed packet
    // goes to a loopback "peer": the other participant's allocation. Production must not
    // set this (docs/deploy.md's turnserver.conf uses denied-peer-ip for the rest).
    '--allow-loopback-peers',
    `--log-file=${logFile}`,
    '--simple-log',
    '--no-stdout-log',
    '--verbose',
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    // Its own (empty) user database instead of the system's /var/lib/turn/turndb.
    `--userdb=${join(dir, 'turndb')}`,
  ];
  const child: ChildProcess = spawn(found.path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => readFile(logFile, 'utf8').catch(() => '');

  // Ready when the log says the UDP listener is up on our port.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`turnserver exited with code ${child.exitCode}: ${stderr.trim() || (await log()).slice(-2000)}`);
    }
    const text = await log();
    if (text.includes(`UDP listener opened on: 127.0.0.1:${port}`)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`turnserver did not start within 10 s; its log:\n${text.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    secret,
    realm,
    log,
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
