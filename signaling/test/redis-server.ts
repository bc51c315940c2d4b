import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface RunningRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'install it with `apt-get install -y redis-server` or set REDIS_SERVER_PATH';

/** A free loopback port (another process may take it before redis-server binds it: callers retry). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Whether the server on `port` answers PING with PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Resolves when the child exits (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startOnce(binary: string, port: number): Promise<RunningRedis> {
  const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Never leave a server behind if the test process ends without stop().
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(`redis-server not found (${binary}): ${INSTALL_HINT}`) : error);
    });
  });
  let stopped = false;
  const ready = (async () => {
    const deadline = Date.now() + 10_000;
    while (!stopped && Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}: ${output.trim()}`);
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    throw new Error(`redis-server did not answer PING on port ${port} within 10 s: ${output.trim()}`);
  })();

  const stop = async (): Promise<void> => {
    stopped = true;
    process.off('exit', killOnExit);
    // No pid: it never started (spawn error).
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited(child);
    clearTimeout(timer);
  };

  try {
    await Promise.race([ready, spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/**
 * A real redis-server (REDIS_SERVER_PATH, or `redis-server` on PATH) on a free loopback port,
 * without persistence, answering PING when this resolves. Throws, not skips, when the binary is missing.
 */
export async function startRedisServer(): Promise<RunningRedis> {
  const binary = process.env['REDIS_SERVER_PATH'] ?? 'redis-server';
  let lastError: unknown;
  // The free port may be taken between freePort() and redis-server binding it: try a few.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startOnce(binary, await freePort());
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('redis-server not found')) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
