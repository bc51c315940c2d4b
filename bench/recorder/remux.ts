/**
 * Remux throughput of the recorder's own muxer (WasmMuxer: ffmpeg.wasm in a headless
 * Chromium, `-c copy` into Matroska) on a long synthetic input: VP8 640x480@30 at a
 * constant bitrate and Opus 20 ms frames, made by Debian's ffmpeg (10 s of each), then
 * repeated to the length asked for with the recorder's own IVF and Ogg Opus writers, as
 * finalize hands them over (one IVF and one Ogg file per participant). Each participant
 * count is one mux job of that many participants' tracks; the output is checked with
 * ffprobe (every packet there).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { opusPacketSamples, readIvf, readOggPackets, readOggPages, writeIvf, writeOggOpus } from '../../recorder/dist/containers/index.js';
import { MuxError, WasmMuxer, type MuxInput, type MuxReport } from '../../recorder/dist/mux/index.js';
import { RECORDER_CHROMIUM_ARGS } from '../../recorder/dist/service/browser.js';
import { childProcesses } from '../shared/chromium.js';
import { readMkv } from './matroska.js';
import { memoryOf } from './recorder-process.js';

const run = promisify(execFile);
const MIB = 2 ** 20;
const BASE_SECONDS = 10;
const FPS = 30;

export interface RemuxOptions {
  seconds: number;
  /** Video bitrate of the synthetic camera tracks. */
  kbps: number;
  /** One job per entry: that many participants (a camera and a microphone track each). */
  participants: number[];
  chromiumPath: string;
  log: (line: string) => void;
}

export interface RemuxRow {
  participants: number;
  seconds: number;
  inputMiB: number;
  /** What the muxer did with it: the figures, or why it refused. */
  outcome:
    | {
        ok: true;
        outputMiB: number;
        /** mux() from call to result (the muxer already started). */
        muxSeconds: number;
        timesRealTime: number;
        /** Seconds of media per second of muxing, all tracks: timesRealTime × tracks. */
        trackSecondsPerSecond: number;
        report: Pick<MuxReport, 'fetchMs' | 'execMs' | 'uploadMs' | 'wasmMemoryBytes'>;
        /** Peak PSS of the muxer's Chromium during the job (sampled every 200 ms). */
        peakMuxerPssMiB: number;
        packetsChecked: boolean;
      }
    | { ok: false; error: string };
}

export interface RemuxResult {
  videoKbps: number;
  audioKbps: number;
  /** WasmMuxer.start: serve the page, launch Chromium, load ffmpeg.wasm. */
  startSeconds: number;
  rows: RemuxRow[];
}

async function ffmpeg(args: string[]): Promise<void> {
  await run('/usr/bin/ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { timeout: 120_000 });
}

/** One participant's camera (IVF) and microphone (Ogg Opus) files, `seconds` long. */
async function syntheticTracks(dir: string, seconds: number, kbps: number): Promise<{ ivf: Uint8Array; ogg: Uint8Array; videoFrames: number; audioPackets: number; videoKbps: number; audioKbps: number }> {
  const ivfPath = join(dir, 'base.ivf');
  const oggPath = join(dir, 'base.ogg');
  // Noise keeps the encoder at its bitrate (a test pattern alone compresses to almost nothing).
  const rate = `${kbps}k`;
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=640x480:rate=${FPS},noise=alls=12:allf=t`, '-t', String(BASE_SECONDS), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', rate, '-minrate', rate, '-maxrate', rate, '-g', String(FPS * 3), '-f', 'ivf', ivfPath]);
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(BASE_SECONDS), '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-f', 'ogg', oggPath]);
  const base = readIvf(new Uint8Array(await readFile(ivfPath)));
  const loops = Math.ceil(seconds / BASE_SECONDS);
  const videoFrames = Math.round(seconds * FPS);
  const frames = Array.from({ length: videoFrames }, (_, k) => ({
    data: (base.frames[k % base.frames.length] as { data: Uint8Array }).data,
    pts: BigInt(k) * BigInt(90_000 / FPS),
  }));
  const ivf = writeIvf({ codec: 'vp8', width: base.width, height: base.height, timebase: { num: 1, den: 90_000 }, frames });
  // The first two Ogg packets are OpusHead and OpusTags.
  const opus = readOggPackets(readOggPages(new Uint8Array(await readFile(oggPath)))).slice(2);
  const audioPackets = Math.round(seconds * 50);
  let rtpTimestamp = 1000;
  const packets = Array.from({ length: Math.min(audioPackets, loops * opus.length) }, (_, k) => {
    const data = opus[k % opus.length] as Uint8Array;
    const packet = { data, rtpTimestamp };
    rtpTimestamp += opusPacketSamples(data) ?? 960;
    return packet;
  });
  const ogg = writeOggOpus({ packets }).data;
  const bits = (list: { data: Uint8Array }[]) => list.reduce((sum, item) => sum + item.data.byteLength * 8, 0);
  return { ivf, ogg, videoFrames, audioPackets: packets.length, videoKbps: bits(frames) / seconds / 1000, audioKbps: bits(packets) / seconds / 1000 };
}

export async function remuxThroughput(options: RemuxOptions): Promise<RemuxResult> {
  const { seconds, kbps, chromiumPath, log } = options;
  const dir = await mkdtemp(join(tmpdir(), 'conclave-bench-remux-'));
  try {
    const tracks = await syntheticTracks(dir, seconds, kbps);
    log(`synthetic tracks: ${seconds} s, VP8 ${tracks.videoKbps.toFixed(0)} kb/s, Opus ${tracks.audioKbps.toFixed(0)} kb/s`);
    const before = new Set(childProcesses());
    const startedAt = performance.now();
    let lastReport: MuxReport | null = null;
    const muxer = await WasmMuxer.start({
      launch: { executablePath: chromiumPath, args: RECORDER_CHROMIUM_ARGS },
      onReport: (report) => {
        lastReport = report;
      },
    });
    const startSeconds = (performance.now() - startedAt) / 1000;
    const muxerPids = () => childProcesses().filter((pid) => !before.has(pid));
    const rows: RemuxRow[] = [];
    try {
      for (const participants of options.participants) {
        const inputs: MuxInput[] = Array.from({ length: participants }, (_, i) => [
          { name: `p${i + 1}-camera.ivf`, data: tracks.ivf, kind: 'video' as const, title: `P${i + 1} (camera)`, participant: `P${i + 1}`, language: 'und' },
          { name: `p${i + 1}-microphone.ogg`, data: tracks.ogg, kind: 'audio' as const, title: `P${i + 1} (microphone)`, participant: `P${i + 1}`, language: 'und' },
        ]).flat();
        const inputBytes = inputs.reduce((sum, input) => sum + input.data.byteLength, 0);
        const row: Omit<RemuxRow, 'outcome'> = { participants, seconds, inputMiB: inputBytes / MIB };
        log(`muxing ${participants} participant(s): ${row.inputMiB.toFixed(1)} MiB`);
        lastReport = null;
        let peakPss = 0;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peakPss = Math.max(peakPss, memoryOf(muxerPids()).pssMiB);
            await sleep(200);
          }
        })();
        const began = performance.now();
        try {
          const output = await muxer.mux({ inputs, chapters: [], title: `bench ${participants}`, durationHintMs: seconds * 1000 }).finally(() => {
            sampling = false;
          });
          const muxSeconds = (performance.now() - began) / 1000;
          await sampler;
          const path = join(dir, `out-${participants}.mkv`);
          await writeFile(path, output);
          const mkv = await readMkv(path, { times: false });
          const packetsChecked =
            mkv.streams.length === inputs.length &&
            mkv.streams.every((stream) => stream.packets === (stream.kind === 'video' ? tracks.videoFrames : tracks.audioPackets));
          const report = lastReport as MuxReport | null;
          rows.push({
            ...row,
            outcome: {
              ok: true,
              outputMiB: output.byteLength / MIB,
              muxSeconds,
              timesRealTime: seconds / muxSeconds,
              trackSecondsPerSecond: (seconds * inputs.length) / muxSeconds,
              report: { fetchMs: report?.fetchMs ?? Number.NaN, execMs: report?.execMs ?? Number.NaN, uploadMs: report?.uploadMs ?? Number.NaN, wasmMemoryBytes: report?.wasmMemoryBytes ?? Number.NaN },
              peakMuxerPssMiB: peakPss,
              packetsChecked,
            },
          });
          await rm(path, { force: true });
        } catch (error) {
          await sampler;
          rows.push({ ...row, outcome: { ok: false, error: error instanceof MuxError ? `${error.code}: ${error.message}` : String(error) } });
        }
      }
    } finally {
      await muxer.close();
    }
    return { videoKbps: tracks.videoKbps, audioKbps: tracks.audioKbps, startSeconds, rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
