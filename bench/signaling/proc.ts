/** Reads memory and CPU time of a process from Linux /proc. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 nearly everywhere). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Resident set size in KiB (what /proc calls kB). */
export function rssKiB(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Peak resident set size in KiB since the process started. */
export function peakRssKiB(pid: number): number {
  return statusField(pid, 'VmHWM');
}

/** User + system CPU seconds the process has used so far (all its threads). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return (utime + stime) / clockTicksPerSecond();
}

export interface CpuSnapshot {
  at: number;
  seconds: number;
}

/** CPU seconds of several processes together, with the time they were read. */
export function cpuSnapshot(pids: readonly number[]): CpuSnapshot {
  return { at: performance.now(), seconds: pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) };
}

/** Average cores used between two snapshots (1.0 = one core busy all the time). */
export function coresUsed(from: CpuSnapshot, to: CpuSnapshot): number {
  const wallSeconds = (to.at - from.at) / 1000;
  return wallSeconds > 0 ? (to.seconds - from.seconds) / wallSeconds : Number.NaN;
}

/** CPU seconds the whole machine has spent busy (all cores; everything but idle and iowait). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / clockTicksPerSecond();
}

export function machineSnapshot(): CpuSnapshot {
  return { at: performance.now(), seconds: machineBusySeconds() };
}
