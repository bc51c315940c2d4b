/**
 * What the browser benchmarks share: launching the test suite's Chromium, finding its
 * processes (for CPU), and opening a participant on a room's pre-join page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { RunningServer } from '@conclave/signaling';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/support/browser.js';
import { recordPeerConnections } from '../../e2e/support/media.js';
import { clockTicksPerSecond } from '../signaling/proc.js';

/** 'low' is 320x240@15, 'standard' 640x480@24 (the client's capture profiles). */
export type Profile = 'low' | 'standard';

/** The room secret (base64url, 192 bits) of every benchmark meeting: links without a fragment are refused. */
export const BENCH_ROOM_SECRET = 'bench-room-secret-0123456789ABCDEF';

/** The fragment of a meeting without end-to-end encryption (transport encryption only). */
export const TRANSPORT_ONLY = 'transport-only';

/** A launcher for the suite's Chromium (CHROMIUM_PATH, system, or Playwright's), with its fake devices. */
export function chromiumLauncher(): () => Promise<Browser> {
  const found = findChromium();
  if ('error' in found) throw new Error(found.error);
  return () => chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
}

/** A process and all its descendants (for Chromium: renderers, GPU, utility). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const all: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    all.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return all;
}

/**
 * The processes this benchmark started (Chromium's, as children of this process), without
 * this process itself (the server and the benchmark's own work run here).
 */
export function childProcesses(): number[] {
  return processTree(process.pid).filter((pid) => pid !== process.pid);
}

/**
 * CPU seconds (user + system) by thread name over a set of processes: where the CPU goes
 * (Chromium names its threads: CrRendererMain, DedicatedWorker, ThreadPoolForeg…).
 */
export function threadCpuSeconds(pids: readonly number[]): Map<string, number> {
  const ticksPerSecond = clockTicksPerSecond();
  const seconds = new Map<string, number>();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        seconds.set(name, (seconds.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
      } catch {
        // the thread ended while we looked
      }
    }
  }
  return seconds;
}

/**
 * Opens a participant in a fresh browser context (its own storage, like another person's
 * browser) on a room's pre-join page, name filled and camera preview playing. `fragment`
 * is the link's part after '#': a room secret, or 'transport-only'.
 */
export async function openParticipant(
  browser: Browser,
  server: RunningServer,
  roomId: string,
  profile: Profile,
  fragment: string = BENCH_ROOM_SECRET,
): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.addInitScript(recordPeerConnections);
  await page.addInitScript((p) => localStorage.setItem('conclave.captureProfile', p), profile);
  await page.goto(`${server.url}/r/${roomId}#${fragment}`);
  await page.getByLabel('Your name').fill(`Bench ${Math.random().toString(36).slice(2, 6)}`);
  await page.waitForFunction(() => (document.querySelector('[data-testid=preview]') as HTMLVideoElement | null)?.readyState === 4);
  return page;
}

/** Video frames decoded so far by all the pages together (every peer connection, every inbound video). */
export async function framesDecoded(pages: readonly Page[]): Promise<number> {
  const counts = await Promise.all(
    pages.map((page) =>
      page.evaluate(async () => {
        let frames = 0;
        for (const pc of window.__e2ePeerConnections ?? []) {
          (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
          });
        }
        return frames;
      }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** What all the pages' senders did so far: video frames encoded, seconds spent under each quality limitation, audio packets. */
export interface MediaSending {
  framesEncoded: number;
  /** Audio RTP packets sent (one Opus frame each: 50/s with 20 ms frames, 25/s with 40 ms). */
  audioPackets: number;
  /** qualityLimitationDurations summed over every outbound video stream: 'none', 'cpu', 'bandwidth', 'other'. */
  limitationSeconds: Record<string, number>;
}

export async function mediaSending(pages: readonly Page[]): Promise<MediaSending> {
  const perPage = await Promise.all(
    pages.map((page) =>
      page.evaluate(async () => {
        const sending = { framesEncoded: 0, audioPackets: 0, limitationSeconds: {} as Record<string, number> };
        for (const pc of window.__e2ePeerConnections ?? []) {
          (await pc.getStats()).forEach((s: { type: string; kind?: string; framesEncoded?: number; packetsSent?: number; qualityLimitationDurations?: Record<string, number> }) => {
            if (s.type === 'outbound-rtp' && s.kind === 'audio') sending.audioPackets += s.packetsSent ?? 0;
            if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
            sending.framesEncoded += s.framesEncoded ?? 0;
            for (const [reason, seconds] of Object.entries(s.qualityLimitationDurations ?? {})) sending.limitationSeconds[reason] = (sending.limitationSeconds[reason] ?? 0) + seconds;
          });
        }
        return sending;
      }),
    ),
  );
  const total: MediaSending = { framesEncoded: 0, audioPackets: 0, limitationSeconds: {} };
  for (const sending of perPage) {
    total.framesEncoded += sending.framesEncoded;
    total.audioPackets += sending.audioPackets;
    for (const [reason, seconds] of Object.entries(sending.limitationSeconds)) total.limitationSeconds[reason] = (total.limitationSeconds[reason] ?? 0) + seconds;
  }
  return total;
}

