/**
 * The recorder's Chromium seen from /proc: its processes (found by its profile
 * directory, `<dataDir>/browser-profile`, as e2e/tests/recording.spec.ts finds them, plus
 * their descendants), their CPU and their memory. Every reading tolerates processes that
 * end while it looks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from '../shared/chromium.js';
import { clockTicksPerSecond } from '../signaling/proc.js';

/** Every process of the Chromium that uses this profile directory, and their children. */
export function recorderPids(profileDir: string): number[] {
  const found = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    if (!cmdline.includes(profileDir)) continue;
    for (const pid of processTree(Number(entry))) found.add(pid);
  }
  return [...found].sort((a, b) => a - b);
}

/** User + system CPU seconds by process (processes that ended are left out). */
export function cpuByPid(pids: readonly number[]): Map<number, number> {
  const ticks = clockTicksPerSecond();
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / ticks);
    } catch {
      // ended
    }
  }
  return seconds;
}

export interface CpuReading {
  /** performance.now() */
  at: number;
  byPid: Map<number, number>;
}

export function cpuReading(pids: readonly number[]): CpuReading {
  return { at: performance.now(), byPid: cpuByPid(pids) };
}

/**
 * Cores used between two readings. A process seen only in the second reading started in
 * between: all its CPU counts. One that ended in between is lost (Chromium does not end
 * processes during a recording).
 */
export function coresBetween(before: CpuReading, after: CpuReading): number {
  let seconds = 0;
  for (const [pid, cpu] of after.byPid) seconds += cpu - (before.byPid.get(pid) ?? 0);
  const wall = (after.at - before.at) / 1000;
  return wall > 0 ? seconds / wall : Number.NaN;
}

export interface Memory {
  /** Sum of the processes' resident sets, MiB: counts the pages they share once per process. */
  rssMiB: number;
  /** Sum of proportional set sizes, MiB: shared pages divided among their users (what they add up to). */
  pssMiB: number;
  processes: number;
  /** PSS by Chromium process type (browser, renderer, gpu-process, utility: network, storage, audio…). */
  pssByTypeMiB: Record<string, number>;
}

/** Chromium's process type from its command line: `--type=renderer`, `--utility-sub-type=…`; the browser has none. */
function processType(pid: number): string {
  // Zygote-forked processes rewrite their title into one string: split on spaces too.
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
  const value = (flag: string) => args.find((arg) => arg.startsWith(`--${flag}=`))?.slice(flag.length + 3);
  const type = value('type');
  if (!type) return 'browser';
  const sub = value('utility-sub-type');
  // network.mojom.NetworkService → utility:network
  return sub ? `utility:${sub.split('.')[0]}` : type;
}

function kibField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match?.[1] ? Number(match[1]) : 0;
}

export function memoryOf(pids: readonly number[]): Memory {
  let rss = 0;
  let pss = 0;
  let processes = 0;
  const byType: Record<string, number> = {};
  for (const pid of pids) {
    try {
      const type = processType(pid);
      const processRss = kibField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
      const processPss = kibField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
      rss += processRss;
      pss += processPss;
      byType[type] = (byType[type] ?? 0) + processPss / 1024;
      processes += 1;
    } catch {
      // ended
    }
  }
  return { rssMiB: rss / 1024, pssMiB: pss / 1024, processes, pssByTypeMiB: byType };
}
