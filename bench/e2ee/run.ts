/**
 * E2EE benchmark: npm run bench:e2ee [-- --crypto-seconds 3 --links 1,4 --call-seconds 12 --rounds 2]
 *
 * 1. Crypto throughput: in a dedicated Web Worker in headless Chromium, the client's own
 *    SFrame code (link-crypto.ts: TrackEncryptor.encrypt, then ReceiveDirection.decrypt)
 *    on frames of 100 B (Opus), 10 KB and 100 KB (VP8 delta frames), as fast as it goes:
 *    frames/s, MB/s, and frames per second of Chromium CPU (all its processes: WebCrypto
 *    does its work on other threads than the worker's). Once with one link (frames one
 *    after the other, as one transform stream handles them) and with several links at once.
 * 2. A four-person call in one Chromium (four browser contexts), 320x240@15: Chromium's
 *    CPU per participant with end-to-end encryption (link #<room secret>) and without
 *    (#transport-only), alternated (ABBA...) and repeated so the noise shows.
 * Prints a table and a JSON line. Loopback only; the signaling server runs in this process.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { createLogger, loadConfig, startServer, type RunningServer } from '@conclave/signaling';
import { coresUsed, cpuSnapshot, machineSnapshot } from '../signaling/proc.js';
import { BENCH_ROOM_SECRET, childProcesses, chromiumLauncher, framesDecoded, openParticipant, threadCpuSeconds, TRANSPORT_ONLY, mediaSending } from '../shared/chromium.js';
import { startPageServer } from './page-server.js';
import type { CryptoResult, CryptoRun } from './page/protocol.js';

const HELP = `npm run bench:e2ee -- [flags]
  --crypto-seconds N   seconds per frame size and link count in the worker (default 3)
  --links A,B          links encrypting at once in the worker, one pass each (default 1,4)
  --call-seconds N     seconds of each four-person call measurement (default 12)
  --rounds N           rounds of the call comparison, each one E2EE and one transport-only call (default 2)
  --skip-crypto, --skip-call   run one part only`;

const { values } = parseArgs({
  options: {
    'crypto-seconds': { type: 'string', default: '3' },
    links: { type: 'string', default: '1,4' },
    'call-seconds': { type: 'string', default: '12' },
    rounds: { type: 'string', default: '2' },
    'skip-crypto': { type: 'boolean', default: false },
    'skip-call': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const CRYPTO_SECONDS = Number(values['crypto-seconds']);
const LINKS = values.links.split(',').map(Number);
const CALL_SECONDS = Number(values['call-seconds']);
const ROUNDS = Number(values.rounds);
for (const [name, value] of [['crypto-seconds', CRYPTO_SECONDS], ['call-seconds', CALL_SECONDS], ['rounds', ROUNDS], ...LINKS.map((n) => ['links', n] as const)] as const) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench:e2ee: --${name} must be a positive number\n${HELP}`);
    process.exit(1);
  }
}

/** The targets: printed beside the figures, never asserted. */
const TARGET_FRAMES_PER_CORE_10KB = 20_000;
const TARGET_CALL_OVERHEAD_PERCENT = 10;

/** MB = 10^6 bytes, KB = 10^3, so MB/s reads straight from the sizes. */
const FRAME_SIZES = [
  { label: '100 B', size: 100, codec: 'opus' },
  { label: '10 KB', size: 10_000, codec: 'vp8' },
  { label: '100 KB', size: 100_000, codec: 'vp8' },
] as const;
const TEN_KB = FRAME_SIZES[1];

interface CryptoRow {
  /** 'sframe': the client's code; 'webcrypto': bare AES-128-GCM, the reference. */
  kind: 'sframe' | 'webcrypto';
  label: string;
  size: number;
  codec: 'vp8' | 'opus';
  links: number;
  protectedSize: number;
  framesPerSecond: number;
  megabytesPerSecond: number;
  /** Chromium's CPU during the run, all processes (1.00 = one core). */
  cores: number;
  /** Frames per second of Chromium CPU: frames/s on one fully busy core. */
  framesPerCore: number;
  /** Cores by thread name, the busiest first. */
  threads: Record<string, number>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Cores used by each thread name between two readings, the `top` busiest (others summed). */
function threadShares(before: Map<string, number>, after: Map<string, number>, seconds: number, top = 3): Record<string, number> {
  const used = [...after].map(([name, cpu]) => [name, (cpu - (before.get(name) ?? 0)) / seconds] as const).sort((a, b) => b[1] - a[1]);
  const shares: Record<string, number> = {};
  for (const [name, cores] of used.slice(0, top)) if (cores >= 0.005) shares[name] = round2(cores);
  const other = used.slice(top).reduce((sum, [, cores]) => sum + cores, 0);
  if (other >= 0.005) shares.other = round2(other);
  return shares;
}

async function cryptoThroughput(browser: Browser): Promise<CryptoRow[]> {
  const pageServer = await startPageServer();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('bench page:', error.message));
    await page.goto(pageServer.url);
    await page.waitForFunction(() => typeof window.benchCrypto === 'function');
    const runIn = (run: CryptoRun) => page.evaluate((r) => (window.benchCrypto as (run: CryptoRun) => Promise<CryptoResult>)(r), run);
    // Warm up: the JIT, WebCrypto's threads, key derivation.
    for (const { size, codec } of FRAME_SIZES) await runIn({ size, codec, seconds: 0.3, pipelines: 1 });
    const pids = childProcesses();
    const rows: CryptoRow[] = [];
    const runs = LINKS.flatMap((links) => [
      ...FRAME_SIZES.map((frame) => ({ ...frame, links, baseline: false })),
      // The reference: what WebCrypto alone does with the same 10 KB frames.
      { ...TEN_KB, links, baseline: true },
    ]);
    for (const { label, size, codec, links, baseline } of runs) {
      const threadsBefore = threadCpuSeconds(pids);
      const before = cpuSnapshot(pids);
      const result = await runIn({ size, codec, seconds: CRYPTO_SECONDS, pipelines: links, baseline });
      const after = cpuSnapshot(pids);
      const threadsAfter = threadCpuSeconds(pids);
      const cpuSeconds = after.seconds - before.seconds;
      const seconds = result.ms / 1000;
      rows.push({
        kind: baseline ? 'webcrypto' : 'sframe',
        label,
        size,
        codec,
        links,
        protectedSize: result.protectedSize,
        framesPerSecond: Math.round(result.frames / seconds),
        megabytesPerSecond: round2(result.bytes / 1e6 / seconds),
        cores: round2(coresUsed(before, after)),
        framesPerCore: Math.round(result.frames / cpuSeconds),
        threads: threadShares(threadsBefore, threadsAfter, (after.at - before.at) / 1000),
      });
    }
    return rows;
  } finally {
    await context.close();
    await pageServer.close();
  }
}

type Mode = 'e2ee' | 'transport';

interface CallRow {
  round: number;
  mode: Mode;
  /** Chromium's CPU, all processes (four participants). */
  cores: number;
  perParticipant: number;
  /** Video frames decoded per second per stream (12 streams: 4 participants × 3 remotes). */
  fps: number;
  /** Video frames encoded per second per sending stream (12: each participant sends to 3). */
  encodedFps: number;
  /** Audio packets (Opus frames) sent per second per sending stream. */
  audioPps: number;
  /** Share of the senders' time with the encoder limited by CPU (WebRTC's qualityLimitationReason 'cpu'). */
  cpuLimited: number;
  /** The same for bandwidth ('bandwidth': the sender's estimate held the encoder back). */
  bandwidthLimited: number;
  /** The whole machine's busy cores meanwhile (this process, Chromium, anything else). */
  machineCores: number;
  /** Chromium's cores by thread name (all of them, to compare the modes). */
  threads: Record<string, number>;
}

/** Every page shows three remote tiles playing video; in an E2EE room each one's frames decrypt. */
async function waitForMedia(page: Page, mode: Mode): Promise<void> {
  await page.waitForFunction(
    (encrypted) => {
      const tiles = Array.from(document.querySelectorAll('[data-testid=remote-tile]'));
      return (
        tiles.length === 3 &&
        tiles.every((tile) => {
          const video = tile.querySelector('video');
          const playing = !!video && !video.classList.contains('hidden') && video.readyState >= 2 && video.videoWidth > 0;
          const security = tile.querySelector('[data-testid=tile-security]')?.getAttribute('data-state');
          // A transport-only room shows no security badge at all.
          return playing && (encrypted ? security === 'encrypted' : security === undefined);
        })
      );
    },
    mode === 'e2ee',
    { timeout: 60_000, polling: 250 },
  );
}

async function callCpu(browser: Browser, server: RunningServer, mode: Mode, round: number): Promise<CallRow> {
  const roomId = `bench-e2ee-${mode}-${round}-${Date.now()}`;
  const pages: Page[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const page = await openParticipant(browser, server, roomId, 'low', mode === 'e2ee' ? BENCH_ROOM_SECRET : TRANSPORT_ONLY);
      pages.push(page);
      await page.getByRole('button', { name: 'Join now' }).click();
    }
    for (const page of pages) await waitForMedia(page, mode);
    await pages[0]?.waitForTimeout(3000); // let bandwidth estimation settle
    // Chromium's processes are children of this one (the server runs in this process: left out).
    const pids = childProcesses();
    const framesBefore = await framesDecoded(pages);
    const sendingBefore = await mediaSending(pages);
    const machineBefore = machineSnapshot();
    const threadsBefore = threadCpuSeconds(pids);
    const before = cpuSnapshot(pids);
    await pages[0]?.waitForTimeout(CALL_SECONDS * 1000);
    const after = cpuSnapshot(pids);
    const threadsAfter = threadCpuSeconds(pids);
    const machineAfter = machineSnapshot();
    const framesAfter = await framesDecoded(pages);
    const sendingAfter = await mediaSending(pages);
    const cores = coresUsed(before, after);
    const seconds = (after.at - before.at) / 1000;
    const limited = (reason: string) => (sendingAfter.limitationSeconds[reason] ?? 0) - (sendingBefore.limitationSeconds[reason] ?? 0);
    const limitedTotal = Object.keys(sendingAfter.limitationSeconds).reduce((sum, reason) => sum + limited(reason), 0);
    return {
      round,
      mode,
      cores: round2(cores),
      perParticipant: round2(cores / 4),
      fps: Math.round(((framesAfter - framesBefore) / seconds / 12) * 10) / 10,
      encodedFps: Math.round(((sendingAfter.framesEncoded - sendingBefore.framesEncoded) / seconds / 12) * 10) / 10,
      audioPps: Math.round((sendingAfter.audioPackets - sendingBefore.audioPackets) / seconds / 12),
      cpuLimited: limitedTotal > 0 ? round2(limited('cpu') / limitedTotal) : 0,
      bandwidthLimited: limitedTotal > 0 ? round2(limited('bandwidth') / limitedTotal) : 0,
      machineCores: round2(coresUsed(machineBefore, machineAfter)),
      threads: threadShares(threadsBefore, threadsAfter, (after.at - before.at) / 1000, Infinity),
    };
  } finally {
    for (const page of pages) await page.context().close();
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const rowName = (row: CryptoRow) => (row.kind === 'sframe' ? row.label : `${row.label}, bare AES-GCM`);

function printCrypto(rows: CryptoRow[], version: string): void {
  console.log(`\n1. Encrypt + decrypt in a dedicated worker, headless Chromium ${version}, SFrame AES_128_GCM_SHA256_128, ${CRYPTO_SECONDS} s per row`);
  console.log('   (one frame = TrackEncryptor.encrypt then ReceiveDirection.decrypt; CPU = all Chromium processes; KB = 1,000 B)\n');
  console.log('frame                  codec links   frames/s      MB/s   Chromium CPU  frames/s per core  target');
  for (const row of rows) {
    const target = row.kind === 'sframe' && row.size === 10_000 ? `≥ ${fmt(TARGET_FRAMES_PER_CORE_10KB)}: ${row.framesPerCore >= TARGET_FRAMES_PER_CORE_10KB ? 'met' : 'MISSED'}` : '';
    console.log(
      `${rowName(row).padEnd(22)} ${(row.kind === 'sframe' ? row.codec : '').padEnd(5)} ${String(row.links).padStart(5)} ${fmt(row.framesPerSecond).padStart(10)} ${row.megabytesPerSecond.toFixed(1).padStart(9)} ${`${row.cores.toFixed(2)} cores`.padStart(14)} ${fmt(row.framesPerCore).padStart(18)}  ${target}`,
    );
  }
  console.log('\nwhere Chromium spent its CPU (cores by thread name):');
  for (const row of rows) {
    const threads = Object.entries(row.threads).map(([name, cores]) => `${name} ${cores.toFixed(2)}`).join(', ');
    console.log(`  ${rowName(row).padEnd(22)} ${row.links} link${row.links === 1 ? ' ' : 's'}: ${threads}`);
  }
}

function callSummary(rows: CallRow[]): { e2ee: number; transport: number; overheadPercent: number; perRoundPercent: number[] } {
  // From the totals (two decimals of four participants), finer than the rounded per-participant figures.
  const of = (mode: Mode) => rows.filter((row) => row.mode === mode).map((row) => row.cores);
  const e2ee = mean(of('e2ee'));
  const transport = mean(of('transport'));
  const percent = (a: number, b: number) => Math.round(((a - b) / b) * 1000) / 10;
  const perRoundPercent = Array.from({ length: ROUNDS }, (_, round) => {
    const inRound = rows.filter((row) => row.round === round + 1);
    return percent(inRound.find((row) => row.mode === 'e2ee')?.cores ?? Number.NaN, inRound.find((row) => row.mode === 'transport')?.cores ?? Number.NaN);
  });
  return { e2ee: round2(e2ee / 4), transport: round2(transport / 4), overheadPercent: percent(e2ee, transport), perRoundPercent };
}

function printCall(rows: CallRow[]): void {
  console.log(`\n2. Four-person call in one Chromium, 320x240@15, ${CALL_SECONDS} s per measurement, E2EE and transport-only alternated`);
  console.log('   (Chromium CPU, all processes; 1.00 = one core; machine = every process on the machine)\n');
  console.log('round  mode        Chromium CPU  per participant  fps/stream  encoded fps  audio pkt/s  limited: CPU / bandwidth  machine busy');
  for (const row of rows) {
    console.log(
      `${String(row.round).padStart(5)}  ${(row.mode === 'e2ee' ? 'E2EE' : 'transport').padEnd(10)} ${`${row.cores.toFixed(2)} cores`.padStart(13)} ${row.perParticipant.toFixed(2).padStart(16)} ${row.fps.toFixed(1).padStart(11)} ${row.encodedFps.toFixed(1).padStart(12)} ${String(row.audioPps).padStart(12)} ${`${Math.round(row.cpuLimited * 100)} % / ${Math.round(row.bandwidthLimited * 100)} %`.padStart(25)} ${`${row.machineCores.toFixed(2)} cores`.padStart(13)}`,
    );
  }
  const summary = callSummary(rows);
  const names = new Set(rows.flatMap((row) => Object.keys(row.threads)));
  const threadMean = (mode: Mode, name: string) => mean(rows.filter((row) => row.mode === mode).map((row) => row.threads[name] ?? 0));
  const differences = [...names]
    .map((name) => [name, threadMean('e2ee', name) - threadMean('transport', name)] as const)
    .filter(([, difference]) => Math.abs(difference) >= 0.02)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  console.log(`\nChromium threads, E2EE minus transport-only (cores, all four participants): ${differences.map(([name, d]) => `${name} ${d >= 0 ? '+' : ''}${d.toFixed(2)}`).join(', ') || 'none over 0.02'}`);
  const met = summary.overheadPercent < TARGET_CALL_OVERHEAD_PERCENT ? 'met' : 'MISSED';
  console.log(
    `\nper participant, mean: E2EE ${summary.e2ee.toFixed(2)} cores, transport-only ${summary.transport.toFixed(2)} cores: E2EE overhead ${summary.overheadPercent.toFixed(1)} % (by round: ${summary.perRoundPercent.map((p) => `${p.toFixed(1)} %`).join(', ')}); target < ${TARGET_CALL_OVERHEAD_PERCENT} %: ${met}`,
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const launch = chromiumLauncher();
  console.log(`Conclave E2EE benchmark (${cpus().length} cores; targets: ≥ ${fmt(TARGET_FRAMES_PER_CORE_10KB)} 10-KB frames/s per core, < ${TARGET_CALL_OVERHEAD_PERCENT} % extra CPU in a four-person call)`);
  let cryptoRows: CryptoRow[] = [];
  let version = '';
  if (!values['skip-crypto']) {
    const browser = await launch();
    try {
      version = browser.version();
      cryptoRows = await cryptoThroughput(browser);
    } finally {
      await browser.close();
    }
    printCrypto(cryptoRows, version);
  }
  const call: CallRow[] = [];
  if (!values['skip-call']) {
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' });
    const server = await startServer(config, createLogger('warn'));
    const browser = await launch();
    version = browser.version();
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        // ABBA: the mode measured first alternates, so a drift in the machine's load does not favour one.
        const order: Mode[] = round % 2 === 1 ? ['e2ee', 'transport'] : ['transport', 'e2ee'];
        for (const mode of order) call.push(await callCpu(browser, server, mode, round));
      }
    } finally {
      await browser.close();
      await server.close();
    }
    printCall(call);
  }
  console.log(`\n(${Math.round((performance.now() - started) / 1000)} s in all)`);
  console.log(`\n${JSON.stringify({ chromium: version, cores: cpus().length, cryptoSeconds: CRYPTO_SECONDS, callSeconds: CALL_SECONDS, crypto: cryptoRows, call, callSummary: call.length ? callSummary(call) : null })}`);
}

main().catch((error: unknown) => {
  console.error('bench:e2ee failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
