/** Runs the real signaling server (signaling/dist/main.js) as a child process on a free loopback port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const entry = fileURLToPath(new URL('../../signaling/dist/main.js', import.meta.url));
const READY_LINE = 'Conclave is running';

/**
 * Limits set far above what the bots need, so that the benchmark measures the relay and
 * not the throttling. Variables the server does not know yet are ignored by it.
 */
const UNTHROTTLED = {
  MAX_CONNECTIONS: '100000',
  MAX_CONNECTIONS_PER_IP: '100000',
  EVENTS_PER_SECOND: '100000',
  EVENT_BURST: '100000',
  JOINS_PER_MINUTE_PER_IP: '1000000',
};

export interface ServerProcess {
  pid: number;
  url: string;
  /** "redis" when REDIS_URL was handed to the server, "in-memory" otherwise. */
  mode: 'redis' | 'in-memory';
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port, then releases it for the server to take. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the server and resolves once it prints its ready line (or answers /healthz). */
export async function startServerProcess(options: { readyTimeoutMs: number; onLog: (line: string) => void }): Promise<ServerProcess> {
  if (!existsSync(entry)) throw new Error(`${entry} not found: run "npm run build" first`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...UNTHROTTLED };
  const mode = process.env.REDIS_URL ? 'redis' : 'in-memory';

  // For investigations only, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start the signaling server');
  const pid = child.pid;

  let stderr = '';
  let ready = false;
  let markReady: () => void = () => undefined;
  const readyLine = new Promise<void>((resolve) => (markReady = resolve));

  // Both pipes are read until the end: a server blocked on a full pipe would skew every figure.
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.includes(READY_LINE)) {
      ready = true;
      markReady();
    } else if (line.trim()) {
      options.onLog(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
    options.onLog(chunk.trimEnd());
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited(child);
    clearTimeout(timer);
  };

  const failedEarly = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`the signaling server exited before it was ready (code ${code}, signal ${signal}):\n${stderr.trim()}`));
    }),
  );
  failedEarly.catch(() => undefined);

  try {
    await Promise.race([readyLine, pollHealth(url, options.readyTimeoutMs, () => ready), failedEarly]);
  } catch (error) {
    ready = true; // stops the health polling
    await stop();
    throw error;
  }
  ready = true;
  return { pid, url, mode, stop };
}

/** Resolves when GET /healthz answers 200 (or once isDone says so); rejects after the timeout. */
async function pollHealth(url: string, timeoutMs: number, isDone: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (isDone()) return;
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
  }
  throw new Error(`the signaling server did not become ready within ${timeoutMs / 1000} s`);
}
