/**
 * Client benchmark: npm run bench:client [-- --runs 5 --cpu-seconds 15]
 *
 * 1. Join time: from the click on "Join now" to the first decoded remote video frame, and
 *    to frames from every remote, for the last of 2 and of 4 participants (fresh room
 *    each run), p50/p95 over the runs.
 * 2. CPU: a four-person call in one headless Chromium for a while; Chromium's CPU (all
 *    its processes) divided by four, at 320x240@15 and at 640x480@24.
 * Every meeting is end to end encrypted (its link carries the benchmark's room secret).
 * Prints a table and a JSON line. Loopback only; the server runs in this process.
 */
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { createLogger, loadConfig, startServer, type RunningServer } from '@conclave/signaling';
import { coresUsed, cpuSnapshot } from '../signaling/proc.js';
import { childProcesses, chromiumLauncher, framesDecoded, openParticipant, type Profile } from '../shared/chromium.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, 'cpu-seconds': { type: 'string', default: '15' } },
});
const RUNS = Number(values.runs);
const CPU_SECONDS = Number(values['cpu-seconds']);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Clicks Join and measures, inside the page, the time to the first and to all remotes' first decoded frames. */
async function timedJoin(page: Page, remotes: number): Promise<{ first: number; all: number }> {
  return page.evaluate(async (expected) => {
    const button = Array.from(document.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Join now');
    if (!button) throw new Error('no Join button');
    const start = performance.now();
    button.click();
    let first = 0;
    for (;;) {
      const decoding = await Promise.all(
        (window.__e2ePeerConnections ?? []).map(async (pc) => {
          let frames = 0;
          (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
          });
          return frames > 0;
        }),
      );
      const count = decoding.filter(Boolean).length;
      const now = performance.now() - start;
      if (count > 0 && !first) first = now;
      if (count >= expected) return { first, all: now };
      if (now > 30_000) throw new Error(`only ${count} of ${expected} remotes after 30 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }, remotes);
}

/**
 * Each participant in a Chromium of its own, as on separate machines: pages of one
 * Chromium share its fake camera, whose restarts stall every page at once.
 */
async function joinRuns(launch: () => Promise<Browser>, server: RunningServer, size: number): Promise<{ first: number[]; all: number[] }> {
  const first: number[] = [];
  const all: number[] = [];
  const browsers = await Promise.all(Array.from({ length: size }, launch));
  for (let run = 0; run < RUNS; run++) {
    const roomId = `bench-${size}-${run}-${Date.now()}`;
    const pages: Page[] = [];
    for (let i = 0; i < size - 1; i++) {
      const page = await openParticipant(browsers[i] as Browser, server, roomId, 'low');
      await page.getByRole('button', { name: 'Join now' }).click();
      await page.getByTestId('self-tile').waitFor();
      pages.push(page);
    }
    // Wait until the room is settled (everyone connected to everyone) before the measured join.
    for (const page of pages) await page.waitForFunction((n) => document.querySelectorAll('[data-testid=remote-tile][data-link=connected]').length === n, size - 2);
    const last = await openParticipant(browsers[size - 1] as Browser, server, roomId, 'low');
    const timing = await timedJoin(last, size - 1);
    first.push(timing.first);
    all.push(timing.all);
    for (const page of [...pages, last]) await page.context().close();
  }
  await Promise.all(browsers.map((browser) => browser.close()));
  return { first: first.sort((a, b) => a - b), all: all.sort((a, b) => a - b) };
}

async function cpuPerParticipant(browser: Browser, server: RunningServer, profile: Profile): Promise<{ perParticipant: number; total: number; fps: number }> {
  const roomId = `bench-cpu-${profile}-${Date.now()}`;
  const pages: Page[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await openParticipant(browser, server, roomId, profile);
    await page.getByRole('button', { name: 'Join now' }).click();
    pages.push(page);
  }
  for (const page of pages) await page.waitForFunction(() => document.querySelectorAll('[data-testid=remote-tile][data-link=connected]').length === 3, undefined, { timeout: 30_000 });
  await pages[0]?.waitForTimeout(3000); // let bandwidth estimation settle
  // Chromium's processes are children of this one (the server runs in this process: left out).
  const pids = childProcesses();
  const framesBefore = await framesDecoded(pages);
  const before = cpuSnapshot(pids);
  await pages[0]?.waitForTimeout(CPU_SECONDS * 1000);
  const after = cpuSnapshot(pids);
  const framesAfter = await framesDecoded(pages);
  for (const page of pages) await page.context().close();
  const total = coresUsed(before, after);
  // 4 participants each decode 3 streams.
  return { perParticipant: total / 4, total, fps: (framesAfter - framesBefore) / CPU_SECONDS / 12 };
}

async function main(): Promise<void> {
  const launch = chromiumLauncher();
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' });
  const server = await startServer(config, createLogger('warn'));
  const browser = await launch();
  try {
    const two = await joinRuns(launch, server, 2);
    const four = await joinRuns(launch, server, 4);
    const cpuLow = await cpuPerParticipant(browser, server, 'low');
    const cpuStandard = await cpuPerParticipant(browser, server, 'standard');
    const ms = (n: number) => `${Math.round(n)} ms`;
    console.log(`\nConclave client benchmark (${RUNS} runs per size, loopback, headless Chromium ${browser.version()}, 320x240@15 for join times)\n`);
    console.log('join → first remote frame      p50        p95      | join → frames from every remote p50   p95');
    for (const [label, result] of [['2 participants', two], ['4 participants', four]] as const) {
      console.log(`${label.padEnd(30)} ${ms(percentile(result.first, 50)).padEnd(10)} ${ms(percentile(result.first, 95)).padEnd(8)} | ${ms(percentile(result.all, 50)).padStart(36)} ${ms(percentile(result.all, 95))}`);
    }
    console.log(`\nfour-person call, ${CPU_SECONDS} s, Chromium CPU (all processes; 1.00 = one core):`);
    for (const [label, cpu] of [['320x240@15', cpuLow], ['640x480@24', cpuStandard]] as const) {
      console.log(`  ${label}: ${cpu.total.toFixed(2)} cores in all, ${cpu.perParticipant.toFixed(2)} per participant, ${cpu.fps.toFixed(1)} fps decoded per stream`);
    }
    console.log('target: first remote frame under 1 s at p50 on loopback\n');
    console.log(JSON.stringify({ runs: RUNS, join2: two, join4: four, cpuLow, cpuStandard }));
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error('bench:client failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
