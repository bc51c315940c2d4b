/**
 * For tests only: Debian's ffmpeg and ffprobe, to make real VP8/VP9/Opus input and to
 * check what our writers and the wasm muxer produce. Production never runs these (it
 * muxes with ffmpeg.wasm in the browser); nothing outside *.test.ts imports this file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(binary: string, args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error); // missing binary or killed: not a verdict on the file
        return;
      }
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Runs ffmpeg quietly and throws unless it exits with 0. */
export async function ffmpeg(args: readonly string[]): Promise<void> {
  const result = await run(FFMPEG, ['-v', 'error', '-nostdin', '-y', ...args]);
  if (result.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
}

/** Decodes every stream to nowhere; returns the exit code and whatever ffmpeg reported at level error. */
export function decode(path: string, before: readonly string[] = [], after: readonly string[] = []): Promise<ToolResult> {
  return run(FFMPEG, ['-v', 'error', '-nostdin', ...before, '-i', path, ...after, '-f', 'null', '-']);
}

export interface ProbeStream {
  index: number;
  codec_name?: string;
  codec_type?: string;
  width?: number;
  height?: number;
  channels?: number;
  sample_rate?: string;
  duration?: string;
  start_time?: string;
  nb_read_packets?: string;
  tags?: Record<string, string>;
}

export interface Probe {
  streams: ProbeStream[];
  format: { format_name: string; duration?: string; tags?: Record<string, string> };
  chapters: { start_time: string; end_time: string; tags?: Record<string, string> }[];
}

/** ffprobe's JSON, with packets counted per stream; throws if ffprobe reports any error. */
export async function probe(path: string): Promise<Probe> {
  const args = ['-v', 'error', '-count_packets', '-show_streams', '-show_format', '-show_chapters', '-of', 'json', path];
  const result = await run(FFPROBE, args);
  if (result.code !== 0 || result.stderr.trim() !== '') {
    throw new Error(`ffprobe ${path} failed (${result.code}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Probe;
}

/**
 * The packets of one stream (`v:0`, `a:0`): time and size, in file order. With
 * `seekTo`, ffprobe seeks there first (through the file's index) and reads one packet.
 */
export async function packets(path: string, stream: string, seekTo?: number): Promise<{ time: number; size: number }[]> {
  const interval = seekTo === undefined ? [] : ['-read_intervals', `${seekTo}%+#1`];
  const args = ['-v', 'error', '-select_streams', stream, ...interval, '-show_entries', 'packet=pts_time,size', '-of', 'json', path];
  const result = await run(FFPROBE, args);
  if (result.code !== 0 || result.stderr.trim() !== '') throw new Error(`ffprobe ${path} failed: ${result.stderr}`);
  const { packets: list } = JSON.parse(result.stdout) as { packets: { pts_time: string; size: string }[] };
  return list.map((packet) => ({ time: Number(packet.pts_time), size: Number(packet.size) }));
}

/** A fresh temporary directory and its removal. */
export async function scratchDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-recorder-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
