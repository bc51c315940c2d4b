/** The figures of one run: their shape (the JSON line) and the table printed for people. */
import type { Summary } from './stats.js';

export const TARGETS = {
  sockets: 2000,
  joinAckP99Ms: 100,
  relayP99Ms: 25,
  relayedPerSecond: 20_000,
  rssPerIdleSocketKiB: 20,
} as const;

export interface Results {
  benchmark: 'signaling';
  date: string;
  command: string;
  machine: { node: string; cpus: number; cpuModel: string; memoryGiB: number };
  /** "redis" when REDIS_URL was passed to the server, "in-memory" (one process) otherwise. */
  mode: 'redis' | 'in-memory';
  options: {
    rooms: number;
    participantsPerRoom: number;
    candidatesPerPeer: number;
    concurrency: number;
    relaySeconds: number;
    relayRate: number;
    window: number;
    botProcesses: number;
  };
  /** Cores other processes used during the second before the bots started. */
  otherCpuCoresBefore: number;
  sockets: number;
  sdpBytes: number;
  join: {
    seconds: number;
    joinsPerSecond: number;
    connectMs: Summary;
    joinAckMs: Summary;
    relayMs: Summary;
    relayedPerSecond: number;
    /** Round trips of GET /healthz polled meanwhile: the server's event-loop lag. */
    healthzMs: Summary;
    serverCpuCores: number;
    benchCpuCores: number;
    /** Cores used by other processes on the machine meanwhile (noise: they compete with both). */
    otherCpuCores: number;
  };
  idle: { seconds: number; serverCpuCores: number };
  memory: {
    serverRssBeforeKiB: number;
    serverRssIdleKiB: number;
    rssPerIdleSocketKiB: number;
    serverRssAfterRelayKiB: number;
    serverPeakRssKiB: number;
    serverRssAfterDisconnectKiB: number;
  };
  relay: {
    seconds: number;
    offeredPerSecond: number;
    sent: number;
    received: number;
    skipped: number;
    lost: number;
    /** Connections closed during the phase, by reason (e.g. "ping timeout": heartbeats starved by overload). */
    dropped: Record<string, number>;
    achievedPerSecond: number;
    latencyMs: Summary;
    healthzMs: Summary;
    serverCpuCores: number;
    benchCpuCores: number;
    otherCpuCores: number;
    serverCpuMicrosPerMessage: number;
  };
  serverLogLines: number;
  targets: typeof TARGETS;
  met: {
    sockets: boolean;
    joinAckP99: boolean;
    joinRelayP99: boolean;
    sustainedRelayP99: boolean;
    relayedPerSecond: boolean;
    rssPerIdleSocket: boolean;
  };
}

export function checkTargets(r: Omit<Results, 'met'>): Results['met'] {
  return {
    sockets: r.sockets >= TARGETS.sockets,
    joinAckP99: r.join.joinAckMs.p99 < TARGETS.joinAckP99Ms,
    joinRelayP99: r.join.relayMs.p99 < TARGETS.relayP99Ms,
    sustainedRelayP99: r.relay.latencyMs.p99 < TARGETS.relayP99Ms,
    relayedPerSecond: r.relay.achievedPerSecond >= TARGETS.relayedPerSecond,
    rssPerIdleSocket: r.memory.rssPerIdleSocketKiB < TARGETS.rssPerIdleSocketKiB,
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const cores = (n: number): string => `${n.toFixed(2)} cores`;
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const latency = (s: Summary): string => `p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}`;
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

/** A plain-text table: section rows, then metric | result | target | verdict. */
export function formatTable(r: Results): string {
  const rows: [string, string, string?, string?][] = [];
  const section = (title: string): void => void rows.push([`-- ${title}`, '']);
  const row = (metric: string, result: string, target?: string, ok?: boolean): void =>
    void rows.push([metric, result, target, ok === undefined ? undefined : verdict(ok)]);

  section('run');
  row('server mode', r.mode === 'redis' ? 'redis (REDIS_URL passed to the server)' : 'in-memory (one process, no REDIS_URL)');
  row('machine', `${r.machine.cpus} cpus (${r.machine.cpuModel}), node ${r.machine.node}`);
  row('rooms x participants', `${int(r.options.rooms)} x ${r.options.participantsPerRoom}, ${r.options.concurrency} rooms set up at a time`);
  row('bots', r.options.botProcesses === 0 ? 'in the benchmark process' : `${r.options.botProcesses} child processes`);
  row('other processes before the run', cores(r.otherCpuCoresBefore));
  row('concurrent sockets', int(r.sockets), `>= ${int(TARGETS.sockets)}`, r.met.sockets);

  section(`join phase (connect, join, offer/answer, ${r.options.candidatesPerPeer} candidates each way per pair)`);
  row('duration', `${r.join.seconds.toFixed(2)} s`);
  row('joins/s', int(r.join.joinsPerSecond));
  row('connect', latency(r.join.connectMs));
  row('join ack', latency(r.join.joinAckMs), `p99 < ${TARGETS.joinAckP99Ms} ms`, r.met.joinAckP99);
  row('relay latency', `${latency(r.join.relayMs)}  (${int(r.join.relayMs.count)} msgs, SDP ${int(r.sdpBytes)} B)`, `p99 < ${TARGETS.relayP99Ms} ms`, r.met.joinRelayP99);
  row('relayed msgs/s', int(r.join.relayedPerSecond));
  row('server /healthz round trip', `p50 ${ms(r.join.healthzMs.p50)}  max ${ms(r.join.healthzMs.max)}`);
  const other = r.mode === 'redis' ? 'other (Redis too, if local)' : 'other';
  row(`CPU server | bench | ${other}`, `${cores(r.join.serverCpuCores)} | ${cores(r.join.benchCpuCores)} | ${cores(r.join.otherCpuCores)}`);

  section(`sustained relay (${r.relay.seconds} s, candidates at ${int(r.relay.offeredPerSecond)}/s offered, window ${r.options.window})`);
  row('relayed msgs/s (at receivers)', int(r.relay.achievedPerSecond), `>= ${int(TARGETS.relayedPerSecond)}`, r.met.relayedPerSecond);
  row('relay latency', latency(r.relay.latencyMs), `p99 < ${TARGETS.relayP99Ms} ms`, r.met.sustainedRelayP99);
  if (r.relay.skipped > 0.01 * r.relay.sent) row('load', 'saturated: bots waited on acks, so latency here is mostly queueing');
  row('sent | received | skipped | lost', `${int(r.relay.sent)} | ${int(r.relay.received)} | ${int(r.relay.skipped)} | ${int(r.relay.lost)}`);
  row('server /healthz round trip', `p50 ${ms(r.relay.healthzMs.p50)}  max ${ms(r.relay.healthzMs.max)}`);
  const dropped = Object.entries(r.relay.dropped);
  if (dropped.length > 0) row('connections dropped (overload)', dropped.map(([reason, n]) => `${int(n)} ${reason}`).join(', '));
  row(`CPU server | bench | ${other}`, `${cores(r.relay.serverCpuCores)} | ${cores(r.relay.benchCpuCores)} | ${cores(r.relay.otherCpuCores)}`);
  row('server CPU per relayed msg', `${r.relay.serverCpuMicrosPerMessage.toFixed(1)} us`);

  section('server memory (VmRSS)');
  row('before any socket', mib(r.memory.serverRssBeforeKiB));
  row(`all joined, idle ${r.idle.seconds} s`, `${mib(r.memory.serverRssIdleKiB)}  (idle CPU ${cores(r.idle.serverCpuCores)})`);
  row('per idle socket', `${r.memory.rssPerIdleSocketKiB.toFixed(1)} KB`, `< ${TARGETS.rssPerIdleSocketKiB} KB`, r.met.rssPerIdleSocket);
  row('after relay | peak | after disconnect', `${mib(r.memory.serverRssAfterRelayKiB)} | ${mib(r.memory.serverPeakRssKiB)} | ${mib(r.memory.serverRssAfterDisconnectKiB)}`);
  if (r.serverLogLines > 0) row('server log lines (warn+)', int(r.serverLogLines));

  const width = (i: number): number => Math.max(...rows.filter((x) => !x[0].startsWith('-- ')).map((x) => (x[i] ?? '').length));
  const [w0, w1, w2] = [width(0), width(1), width(2)];
  const lines = rows.map(([metric, result, target, ok]) =>
    metric.startsWith('-- ') ? `\n${metric.slice(3)}` : `  ${metric.padEnd(w0)}  ${result.padEnd(w1)}  ${(target ?? '').padEnd(w2)}  ${ok ?? ''}`.trimEnd(),
  );
  return `Conclave signaling benchmark\n${lines.join('\n')}\n`;
}
