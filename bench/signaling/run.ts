/**
 * Signaling load benchmark: `npm run bench:signaling [-- --rooms N --relay-seconds S --json-only]`.
 *
 * Starts the real server as a child process, fills it with rooms of 4 bots that join and
 * negotiate as browsers do, lets them idle, then keeps them relaying candidates. Prints a
 * table and, last, one JSON line with every figure. It asserts nothing: targets are shown
 * beside the results. Progress goes to stderr.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { JoinPhaseResult, RelayPhaseResult } from './bots.js';
import { createFleets, type Fleet } from './fleet.js';
import { HealthProbe } from './health-probe.js';
import { coresUsed, cpuSnapshot, machineSnapshot, peakRssKiB, rssKiB, type CpuSnapshot } from './proc.js';
import { checkTargets, formatTable, TARGETS, type Results } from './report.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { concat, round, summarize } from './stats.js';

const USAGE = `usage: npm run bench:signaling -- [options]
  --rooms N            rooms of 4 bots (default 500, i.e. 2,000 sockets)
  --relay-seconds S    length of the sustained relay phase (default 10)
  --relay-rate R       candidate signals per second offered in that phase, all bots together (default 30000)
  --window W           most unacknowledged signals per bot in that phase (default 4)
  --concurrency C      rooms being set up at the same time in the join phase (default 25)
  --bot-procs P        run the bots in P child processes, 0 = in this process (default 0)
  --idle-seconds S     pause with every socket joined before reading the idle RSS (default 3)
  --timeout S          give up (exit 1) after this many seconds (default 140)
  --json-only          print only the JSON line on stdout
environment:
  REDIS_URL            passed to the server (Redis mode); without it the server runs in memory
  BENCH_SERVER_NODE_ARGS  extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
`;

interface Options {
  rooms: number;
  relaySeconds: number;
  relayRate: number;
  window: number;
  concurrency: number;
  botProcs: number;
  idleSeconds: number;
  timeout: number;
  jsonOnly: boolean;
}

const PARTICIPANTS_PER_ROOM = 4;
const CANDIDATES_PER_PEER = 20;

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        rooms: { type: 'string', default: '500' },
        'relay-seconds': { type: 'string', default: '10' },
        'relay-rate': { type: 'string', default: '30000' },
        window: { type: 'string', default: '4' },
        concurrency: { type: 'string', default: '25' },
        'bot-procs': { type: 'string', default: '0' },
        'idle-seconds': { type: 'string', default: '3' },
        timeout: { type: 'string', default: '140' },
        'json-only': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const number = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} must be a number from ${min} to ${max} (got "${text}")`);
    return value;
  };
  return {
    rooms: Math.round(number('rooms', values.rooms, 1, 50_000)),
    relaySeconds: number('relay-seconds', values['relay-seconds'], 1, 600),
    relayRate: number('relay-rate', values['relay-rate'], 1, 10_000_000),
    window: Math.round(number('window', values.window, 1, 10_000)),
    concurrency: Math.round(number('concurrency', values.concurrency, 1, 50_000)),
    botProcs: Math.round(number('bot-procs', values['bot-procs'], 0, 64)),
    idleSeconds: number('idle-seconds', values['idle-seconds'], 0, 600),
    timeout: number('timeout', values.timeout, 5, 3600),
    jsonOnly: values['json-only'],
  };
}

interface Snapshot {
  machine: CpuSnapshot;
  server: CpuSnapshot;
  bench: CpuSnapshot;
}

/** Cores used by processes other than the server and the bots between two snapshots. */
function otherCores(from: Snapshot, to: Snapshot): number {
  const other = coresUsed(from.machine, to.machine) - coresUsed(from.server, to.server) - coresUsed(from.bench, to.bench);
  return Math.max(0, other);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

function mergeJoin(parts: JoinPhaseResult[]): Results['join'] & { sockets: number; sdpBytes: number } {
  const sockets = parts.reduce((n, p) => n + p.sockets, 0);
  const relayed = parts.reduce((n, p) => n + p.relayed, 0);
  const seconds = (Math.max(...parts.map((p) => p.endedAt)) - Math.min(...parts.map((p) => p.startedAt))) / 1000;
  const joinSeconds = (Math.max(...parts.map((p) => p.lastJoinAckAt)) - Math.min(...parts.map((p) => p.firstJoinAt))) / 1000;
  return {
    sockets,
    sdpBytes: Math.max(...parts.map((p) => p.sdpBytes)),
    seconds: round(seconds),
    joinsPerSecond: round(sockets / joinSeconds),
    connectMs: summarize(concat(parts.map((p) => p.connectMs))),
    joinAckMs: summarize(concat(parts.map((p) => p.joinAckMs))),
    relayMs: summarize(concat(parts.map((p) => p.relayMs))),
    relayedPerSecond: round(relayed / seconds),
    healthzMs: summarize(new Float64Array()),
    serverCpuCores: 0,
    benchCpuCores: 0,
    otherCpuCores: 0,
  };
}

function mergeRelay(parts: RelayPhaseResult[], offered: number, seconds: number): Results['relay'] {
  const sum = (pick: (p: RelayPhaseResult) => number): number => parts.reduce((n, p) => n + pick(p), 0);
  const received = sum((p) => p.received);
  const span = (Math.max(...parts.map((p) => p.lastReceiptAt)) - Math.min(...parts.map((p) => p.startedAt))) / 1000;
  return {
    seconds,
    offeredPerSecond: offered,
    sent: sum((p) => p.sent),
    received,
    skipped: sum((p) => p.skipped),
    lost: sum((p) => p.lost),
    dropped: mergeCounts(parts.map((p) => p.dropped)),
    achievedPerSecond: round(received / span),
    latencyMs: summarize(concat(parts.map((p) => p.latencyMs))),
    healthzMs: summarize(new Float64Array()),
    serverCpuCores: 0,
    benchCpuCores: 0,
    otherCpuCores: 0,
    serverCpuMicrosPerMessage: 0,
  };
}

function mergeCounts(parts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const part of parts) for (const [key, n] of Object.entries(part)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/** Everything that must be undone, whatever happens. */
const running: { server?: ServerProcess; fleets: Fleet[] } = { fleets: [] };

async function cleanUp(): Promise<void> {
  const fleets = running.fleets.splice(0);
  await Promise.allSettled(fleets.map((fleet) => fleet.close()));
  await running.server?.stop();
  running.server = undefined;
}

async function bench(options: Options): Promise<Results> {
  const { rooms, concurrency, botProcs, relaySeconds, relayRate, window, idleSeconds } = options;
  let logLines = 0;
  const server = await startServerProcess({
    readyTimeoutMs: 15_000,
    onLog: (line) => {
      logLines += 1;
      if (logLines <= 20) process.stderr.write(`server: ${line.slice(0, 300)}\n`);
      if (logLines === 20) process.stderr.write('server: (further log lines not shown)\n');
    },
  });
  running.server = server;
  progress(`server pid ${server.pid} at ${server.url} (${server.mode})`);
  // Other processes on the machine take cores from the server and the bots: say so up front.
  const settle = { machine: machineSnapshot(), server: cpuSnapshot([server.pid]), bench: cpuSnapshot([process.pid]) };
  await sleep(1000);
  const otherBefore = otherCores(settle, { machine: machineSnapshot(), server: cpuSnapshot([server.pid]), bench: cpuSnapshot([process.pid]) });
  if (otherBefore > 0.2) progress(`WARNING: other processes are using ${otherBefore.toFixed(2)} cores of this machine; figures will be lower than on a quiet one`);
  const rssBefore = rssKiB(server.pid);

  const runId = randomBytes(6).toString('base64url');
  const fleets = createFleets(
    { url: server.url, runId, participantsPerRoom: PARTICIPANTS_PER_ROOM, candidatesPerPeer: CANDIDATES_PER_PEER, roomTimeoutMs: 60_000 },
    rooms,
    concurrency,
    botProcs,
  );
  running.fleets.push(...fleets);
  await Promise.all(fleets.map((fleet) => fleet.ready()));
  const benchPids = [...new Set([process.pid, ...fleets.map((fleet) => fleet.pid)])];
  const snapshot = (): Snapshot => ({ machine: machineSnapshot(), server: cpuSnapshot([server.pid]), bench: cpuSnapshot(benchPids) });

  progress(`join phase: ${rooms} rooms x ${PARTICIPANTS_PER_ROOM}, ${concurrency} at a time`);
  const health = new HealthProbe(server.url);
  health.start();
  const beforeJoin = snapshot();
  const join = mergeJoin(await Promise.all(fleets.map((fleet) => fleet.join())));
  const afterJoin = snapshot();
  join.healthzMs = summarize(await health.stop());
  join.serverCpuCores = round(coresUsed(beforeJoin.server, afterJoin.server));
  join.benchCpuCores = round(coresUsed(beforeJoin.bench, afterJoin.bench));
  join.otherCpuCores = round(otherCores(beforeJoin, afterJoin));
  progress(`${join.sockets} sockets joined in ${join.seconds} s; idle for ${idleSeconds} s`);

  await sleep(idleSeconds * 1000);
  const afterIdle = snapshot();
  const rssIdle = rssKiB(server.pid);

  progress(`sustained relay: ${relaySeconds} s at ${relayRate} signals/s offered`);
  health.start();
  const relay = mergeRelay(
    await Promise.all(fleets.map((fleet) => fleet.relay({ seconds: relaySeconds, rate: relayRate / fleets.length, window, drainMs: 5000 }))),
    relayRate,
    relaySeconds,
  );
  const afterRelay = snapshot();
  relay.healthzMs = summarize(await health.stop());
  relay.serverCpuCores = round(coresUsed(afterIdle.server, afterRelay.server));
  relay.benchCpuCores = round(coresUsed(afterIdle.bench, afterRelay.bench));
  relay.otherCpuCores = round(otherCores(afterIdle, afterRelay));
  relay.serverCpuMicrosPerMessage = round(((afterRelay.server.seconds - afterIdle.server.seconds) * 1e6) / Math.max(1, relay.received));
  const dropped = Object.values(relay.dropped).reduce((n, k) => n + k, 0);
  if (dropped > 0) progress(`WARNING: ${dropped} connections closed during the sustained relay (${JSON.stringify(relay.dropped)}): the server was overloaded`);
  const rssAfterRelay = rssKiB(server.pid);
  const rssPeak = peakRssKiB(server.pid);

  progress('disconnecting');
  await Promise.all(running.fleets.splice(0).map((fleet) => fleet.close()));
  await sleep(1000);
  const rssAfterDisconnect = rssKiB(server.pid);

  const { sockets, sdpBytes, ...joinFigures } = join;
  const cpu = cpus();
  const argv = process.argv.slice(2).join(' ');
  const partial: Omit<Results, 'met'> = {
    benchmark: 'signaling',
    date: new Date().toISOString(),
    command: `npm run bench:signaling${argv ? ` -- ${argv}` : ''}`,
    machine: { node: process.version, cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? 'unknown', memoryGiB: round(totalmem() / 2 ** 30) },
    mode: server.mode,
    options: {
      rooms,
      participantsPerRoom: PARTICIPANTS_PER_ROOM,
      candidatesPerPeer: CANDIDATES_PER_PEER,
      concurrency,
      relaySeconds,
      relayRate,
      window,
      botProcesses: botProcs,
    },
    sockets,
    sdpBytes,
    join: joinFigures,
    otherCpuCoresBefore: round(otherBefore),
    idle: { seconds: idleSeconds, serverCpuCores: round(coresUsed(afterJoin.server, afterIdle.server)) },
    memory: {
      serverRssBeforeKiB: rssBefore,
      serverRssIdleKiB: rssIdle,
      rssPerIdleSocketKiB: round((rssIdle - rssBefore) / sockets),
      serverRssAfterRelayKiB: rssAfterRelay,
      serverPeakRssKiB: rssPeak,
      serverRssAfterDisconnectKiB: rssAfterDisconnect,
    },
    relay,
    serverLogLines: logLines,
    targets: TARGETS,
  };
  return { ...partial, met: checkTargets(partial) };
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}`);
    process.exit(1);
  }

  const stopOnSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`bench: ${signal}, stopping\n`);
    void cleanUp().finally(() => process.exit(1));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  let deadline: NodeJS.Timeout | undefined;
  try {
    const results = await Promise.race([
      bench(options),
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new Error(`the benchmark did not finish within ${options.timeout} s (--timeout)`)), options.timeout * 1000);
      }),
    ]);
    await cleanUp();
    if (!options.jsonOnly) process.stdout.write(`${formatTable(results)}\n`);
    process.stdout.write(`${JSON.stringify(results)}\n`);
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(`bench: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanUp().catch(() => undefined);
    process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
  }
  // Sockets or timers left by a failed phase must not keep the process alive.
  setTimeout(() => process.exit(), 100).unref();
}

void main();
