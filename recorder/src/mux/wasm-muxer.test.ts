import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../../e2e/support/browser.js';
import { decode, ffmpeg, packets, probe, scratchDir } from '../containers/debian-ffmpeg.js';
import { readIvf, vp8KeyFrameSize, writeIvf } from '../containers/ivf.js';
import { readOggPackets, readOggPages } from '../containers/ogg.js';
import { writeOggOpus } from '../containers/ogg-opus.js';
import { opusPacketSamples } from '../containers/opus-toc.js';
import { MuxError } from './errors.js';
import type { MuxJob } from './job.js';
import { type MuxReport, WasmMuxer } from './wasm-muxer.js';

const CHROMIUM = '/usr/bin/chromium';
let scratch: Awaited<ReturnType<typeof scratchDir>>;
let browser: Browser;
let job: MuxJob;
let videoSizes: number[];
let audioSizes: number[];

/**
 * 3 s of VP8 320x240 at 15 fps with a key frame every second (so a seek has somewhere
 * to land), and 3 s of Opus; both re-written by our IVF and Ogg Opus writers as the
 * recorder would from WebRTC frames.
 */
beforeAll(async () => {
  scratch = await scratchDir();
  const vp8Path = join(scratch.dir, 'made.ivf');
  const opusPath = join(scratch.dir, 'made.ogg');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '3', '-c:v', 'libvpx', '-g', '15', '-f', 'ivf', vp8Path]);
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '3', '-c:a', 'libopus', '-f', 'ogg', opusPath]);

  const made = readIvf(await readFile(vp8Path));
  const size = vp8KeyFrameSize(made.frames[0]!.data)!;
  const ivf = writeIvf({
    codec: 'vp8',
    ...size,
    timebase: { num: 1, den: 90_000 },
    frames: made.frames.map((frame) => ({ data: frame.data, pts: BigInt(frame.pts) * 6000n })),
  });
  videoSizes = made.frames.map((frame) => frame.data.byteLength);

  const opus = readOggPackets(readOggPages(await readFile(opusPath))).slice(2);
  let rtpTimestamp = 123_456;
  const ogg = writeOggOpus({
    packets: opus.map((data) => {
      const packet = { data, rtpTimestamp };
      rtpTimestamp += opusPacketSamples(data)!;
      return packet;
    }),
  });
  audioSizes = opus.map((packet) => packet.byteLength);

  job = {
    inputs: [
      { name: 'alice-camera.ivf', data: ivf, kind: 'video', title: 'Alice (camera)', language: 'eng', participant: 'alice-42' },
      { name: 'alice-mic.ogg', data: ogg.data, kind: 'audio', title: 'Alice (microphone)', language: 'fra', participant: 'alice-42' },
    ],
    chapters: [
      { startMs: 0, endMs: 1500, title: 'Opening' },
      { startMs: 1500, endMs: 9000, title: 'Budget = 2025; #3' },
    ],
    title: 'Weekly sync',
    durationHintMs: 3000,
  };
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await scratch?.remove();
});

/** A page in the test's browser, recording every URL it (or its workers) requests. */
async function watchedPage(): Promise<{ page: Page; requests: string[]; workers: () => number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  let workers = 0;
  page.on('worker', () => workers++);
  return { page, requests, workers: () => workers };
}

describe('WasmMuxer', () => {
  it('muxes VP8 and Opus into Matroska with copied packets, tags, chapters, cues', async () => {
    const { page, requests } = await watchedPage();
    const reports: MuxReport[] = [];
    const muxer = await WasmMuxer.start({ page, onReport: (report) => reports.push(report) });
    try {
      const output = await muxer.mux(job);
      const path = join(scratch.dir, 'muxed.mkv');
      await writeFile(path, output);

      const { streams, format, chapters } = await probe(path);
      expect(format.format_name).toBe('matroska,webm');
      expect(format.tags?.title).toBe('Weekly sync');
      expect(Number(format.duration)).toBeGreaterThan(2.8);
      expect(Number(format.duration)).toBeLessThan(3.2);
      expect(streams.map((stream) => stream.codec_name)).toEqual(['vp8', 'opus']);
      expect(streams[0]).toMatchObject({ width: 320, height: 240, nb_read_packets: String(videoSizes.length) });
      expect(streams[1]).toMatchObject({ channels: 2, nb_read_packets: String(audioSizes.length) });
      expect(streams[0]!.tags).toMatchObject({ title: 'Alice (camera)', language: 'eng', PARTICIPANT: 'alice-42' });
      expect(streams[1]!.tags).toMatchObject({ title: 'Alice (microphone)', language: 'fra', PARTICIPANT: 'alice-42' });
      // Copied, not transcoded: every packet has the size the encoder gave it.
      expect((await packets(path, 'v:0')).map((packet) => packet.size)).toEqual(videoSizes);
      expect((await packets(path, 'a:0')).map((packet) => packet.size)).toEqual(audioSizes);
      // Chapters from FFMETADATA, the second cut to the segment's 3 s.
      expect(chapters.map((chapter) => [Number(chapter.start_time), Number(chapter.end_time), chapter.tags?.title])).toEqual([
        [0, 1.5, 'Opening'],
        [1.5, 3, 'Budget = 2025; #3'],
      ]);
      // Cues are written, and seeking lands on the key frame before the target, not the start.
      expect(Buffer.from(output).includes(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]))).toBe(true);
      expect((await packets(path, 'v:0', 1.5))[0]!.time).toBe(1);
      // (One frame: Debian's ffmpeg 5.1 warns about its own DTS when it decodes on after
      // -ss into the null muxer, even for a file it muxed itself.)
      expect(await decode(path, ['-ss', '1.5'], ['-frames:v', '1'])).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(await decode(path)).toEqual({ code: 0, stdout: '', stderr: '' });

      // Nothing left in ffmpeg's file system; memory within bounds.
      expect((await muxer.state()).jobFiles).toEqual([]);
      const [report] = reports;
      expect(report).toMatchObject({ attempts: 1, outputBytes: output.byteLength });
      expect(report!.wasmMemoryBytes).toBeGreaterThan(0);
      expect(report!.wasmMemoryBytes).toBeLessThanOrEqual(256 * 2 ** 20);
      expect(report!.pageHeapBytes).toBeLessThan(64 * 2 ** 20);

      // Every request stayed on the muxer's own origin (no CDN, no unpkg).
      const origin = new URL(page.url()).origin;
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
      expect(requests).toContain(`${origin}/core/ffmpeg-core.wasm`);
      expect(requests).toContain(`${origin}/mux/ffmpeg-worker.js`);
    } finally {
      await muxer.close();
      await page.context().close();
    }
  }, 60_000);

  it('makes per-participant WebM access copies on the segment file\'s timeline, copied, with cues', async () => {
    const { page } = await watchedPage();
    const muxer = await WasmMuxer.start({ page });
    try {
      // Alice's camera from the segment's start, her microphone 120 ms later, Bob (audio only) 1.25 s later.
      const [camera, mic] = job.inputs as [MuxJob['inputs'][number], MuxJob['inputs'][number]];
      const aliceCamera = { ...camera, offsetMs: 0 };
      const aliceMic = { ...mic, offsetMs: 120 };
      const bobMic = { ...mic, name: 'bob-mic.ogg', title: 'Bob (microphone)', participant: 'bob-7', offsetMs: 1250 };
      const segment = { ...job, durationHintMs: 4250, inputs: [aliceCamera, aliceMic, bobMic] };
      const segmentPath = join(scratch.dir, 'segment.mkv');
      await writeFile(segmentPath, await muxer.mux(segment));
      const alicePath = join(scratch.dir, 'alice.webm');
      await writeFile(alicePath, await muxer.mux({ ...segment, format: 'webm', inputs: [aliceCamera, aliceMic] }));
      const bobPath = join(scratch.dir, 'bob.webm');
      const bob = await muxer.mux({ ...segment, format: 'webm', inputs: [bobMic] });
      await writeFile(bobPath, bob);

      const whole = await probe(segmentPath);
      expect(whole.streams.map((stream) => [stream.codec_name, stream.start_time])).toEqual([
        ['vp8', '0.000000'],
        ['opus', '0.120000'],
        ['opus', '1.250000'],
      ]);
      const CUES = Buffer.from([0x1c, 0x53, 0xbb, 0x6b]);
      for (const [path, participant, copied] of [
        [alicePath, 'alice-42', [['v:0', 'v:0', videoSizes], ['a:0', 'a:0', audioSizes]]],
        [bobPath, 'bob-7', [['a:0', 'a:1', audioSizes]]],
      ] as const) {
        const { streams, format } = await probe(path);
        expect(format.format_name).toBe('matroska,webm');
        expect(streams.map((stream) => stream.codec_name)).toEqual(copied.map(([kind]) => (kind === 'v:0' ? 'vp8' : 'opus')));
        // Only this participant's tracks, each with the start time it has in the segment file.
        const inSegment = whole.streams.filter((stream) => stream.tags?.PARTICIPANT === participant);
        expect(streams.map((stream) => [stream.tags?.PARTICIPANT, stream.tags?.title, stream.start_time])).toEqual(
          inSegment.map((stream) => [participant, stream.tags?.title, stream.start_time]),
        );
        for (const [stream, segmentStream, sizes] of copied) {
          // Copied, not transcoded, and on the segment's clock: the same packets at the same times.
          const own = await packets(path, stream);
          expect(own.map((packet) => packet.size)).toEqual(sizes);
          expect(own).toEqual(await packets(segmentPath, segmentStream));
        }
        // Cues, so a browser can seek.
        expect((await readFile(path)).includes(CUES)).toBe(true);
        expect(await decode(path)).toEqual({ code: 0, stdout: '', stderr: '' });
      }
      // Seeking through the cues lands on the key frame before the target, not the start.
      expect((await packets(alicePath, 'v:0', 1.5))[0]!.time).toBe(1);
      expect(await decode(alicePath, ['-ss', '1.5'], ['-frames:v', '1'])).toEqual({ code: 0, stdout: '', stderr: '' });
      expect((await muxer.state()).jobFiles).toEqual([]);
    } finally {
      await muxer.close();
      await page.context().close();
    }
  }, 60_000);

  it('refuses an invalid job before it reaches ffmpeg', async () => {
    const { page } = await watchedPage();
    const muxer = await WasmMuxer.start({ page });
    try {
      const [video] = job.inputs;
      const bad = { ...job, inputs: [{ ...video!, name: '../etc/passwd' }] };
      await expect(muxer.mux(bad)).rejects.toMatchObject({ code: 'invalid-job' });
      await expect(muxer.mux({ ...job, inputs: [video!, video!] })).rejects.toThrow(/unique/);
      // ffmpeg's own failure comes back with its log: Opus data labelled as video (IVF).
      const audio = { ...job.inputs[1]!, kind: 'video' as const };
      await expect(muxer.mux({ ...job, inputs: [audio] })).rejects.toMatchObject({ code: 'ffmpeg-failed', message: /ivf|Invalid data/i });
      expect((await muxer.state()).jobFiles).toEqual([]);
    } finally {
      await muxer.close();
      await page.context().close();
    }
  }, 60_000);

  it('kills an overrunning job, reloads ffmpeg.wasm and succeeds on the retry', async () => {
    const { page, workers } = await watchedPage();
    let held = 0;
    // The first attempt's first input never arrives: the job hangs until the watchdog acts.
    await page.route('**/jobs/*/in/0', (route) => (held++ === 0 ? undefined : route.continue()));
    const reports: MuxReport[] = [];
    const muxer = await WasmMuxer.start({ page, timeoutMs: 5000, timeoutMsPerMiB: 0, onReport: (r) => reports.push(r) });
    try {
      expect(workers()).toBe(1);
      const output = await muxer.mux(job);
      expect(reports[0]).toMatchObject({ attempts: 2, outputBytes: output.byteLength });
      // The first worker, killed; its replacement, which ran the retry; the spare for the next job.
      await expect.poll(workers).toBe(3); // (worker events come on their own time)
      expect((await muxer.state()).jobFiles).toEqual([]);
    } finally {
      await muxer.close();
      await page.context().close();
    }
  }, 60_000);

  it('fails with a clear error when the retry overruns too, and leaves ffmpeg.wasm loaded', async () => {
    const { page, workers } = await watchedPage();
    const muxer = await WasmMuxer.start({ page, timeoutMs: 1, timeoutMsPerMiB: 0 });
    try {
      const started = performance.now();
      const error = await muxer.mux(job).then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(MuxError);
      expect(error).toMatchObject({ code: 'timeout', message: expect.stringMatching(/^mux job timed out: 2 attempts of 1 ms/) });
      expect(performance.now() - started).toBeLessThan(30_000);
      // The first worker, then a fresh one after each killed attempt (events come on their own time).
      await expect.poll(workers).toBe(3);
      expect(await muxer.state()).toMatchObject({ loaded: true, jobFiles: [] });
    } finally {
      await muxer.close();
      await page.context().close();
    }
  }, 60_000);

  it('launches its own Chromium when given none', async () => {
    const muxer = await WasmMuxer.start({ launch: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } });
    try {
      const output = await muxer.mux({ ...job, inputs: job.inputs.slice(1), chapters: [] });
      const path = join(scratch.dir, 'audio-only.mkv');
      await writeFile(path, output);
      expect((await probe(path)).streams.map((stream) => stream.codec_name)).toEqual(['opus']);
    } finally {
      await muxer.close();
    }
  }, 60_000);
});
