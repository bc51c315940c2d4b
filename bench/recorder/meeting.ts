/**
 * One recorded meeting in real Chromium, measured: a signaling server and a recording
 * service as the browser tests start them (e2e/support/recorder.ts), N participants in
 * one headless Chromium with fake devices, the first starts recording, everyone
 * consents, then for a fixed window:
 *
 * - frames lost: what each participant's browser sent on its link to the recorder
 *   (outbound-rtp: video framesSent, audio packetsSent, between two readings), against
 *   (1) the frames the service stored that reached the recorder between the same two
 *   moments (the chunks, read while they exist: chunk-log.ts), plus what finalize left
 *   out of the file (stored in all − packets in the file in all), and (2) the packets
 *   the final Matroska holds for that participant and kind in the same window of time
 *   (ffprobe; file time + the segment's start = capture time + a constant per segment,
 *   see windowCount). For audio also exactly: Opus packets come every 20 ms of capture
 *   time, so every lost packet leaves a hole in the file's timestamps;
 * - the recorder browser's CPU (all its processes: utime + stime over the window) and
 *   memory (RSS and PSS), sampled;
 * - after "Stop recording": the time until the signed manifest exists (finalize).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from '@playwright/test';
import { startWithRecorder, type RecordingSetup } from '../../e2e/support/recorder.js';
import { recordPeerConnections } from '../../e2e/support/media.js';
import { childProcesses, openParticipant, type Profile } from '../shared/chromium.js';
import { coresUsed, machineSnapshot } from '../signaling/proc.js';
import { ChunkLog } from './chunk-log.js';
import { readMkv, type MkvFile } from './matroska.js';
import { coresBetween, cpuReading, memoryOf, recorderPids, type Memory } from './recorder-process.js';

export interface MeetingOptions {
  participants: number;
  profile: Profile;
  /** Seconds of the measured window (the recording runs a few seconds longer: consent, settling). */
  seconds: number;
  /** The service's FEED_DECODERS: decrypted frames also go to the recorder browser's decoders. */
  feedDecoders: boolean;
  /** Recorder memory is sampled this often during the window. */
  sampleSeconds: number;
  /** The service's SEGMENT_SECONDS (default: the service's own, 600). */
  segmentSeconds?: number;
  /** Progress lines on stderr. */
  log: (line: string) => void;
}

/** One participant's link to the recorder, read in the participant's page. */
interface SenderLink {
  index: number;
  /** When the stats were gathered (the report's timestamp), ms since the epoch. */
  at: number;
  /** Date.now() in the page when getStats() resolved. */
  resolvedAt: number;
  open: boolean;
  inboundPackets: number;
  video: {
    framesEncoded: number;
    framesSent: number;
    keyFramesEncoded: number;
    packets: number;
    bytes: number;
    pli: number;
    fir: number;
    nack: number;
    width: number;
    height: number;
    fps: number;
    limitation: string;
  };
  audio: { packets: number; bytes: number };
}

export interface StreamCount {
  /** Frames (video) or packets (audio) the participants sent to the recorder in the window. */
  sent: number;
  /** Packets the Matroska file holds for them in the same window. */
  recorded: number;
  /** (sent − recorded) / sent, in %; negative when the file holds more (edge alignment). */
  lostPercent: number;
  /** Alignment error of the windows: ± 1 frame per stream and window edge, in % of sent. */
  errorPercent: number;
  /** Audio only: missing 20 ms packets inside the window, from the holes in the file's timestamps. */
  holes?: number;
  /** holes / (recorded + holes), in %: the exact audio loss. */
  holesPercent?: number;
  /** Frames stored that reached the recorder in the window (chunks), and (sent − stored) / sent in %. */
  stored: number;
  storedLostPercent: number;
  /** Over the whole recording: frames stored, and how many of them the final file lacks (finalize: video before a segment's first key frame). */
  storedTotal: number;
  leftOutByFinalize: number;
}

/** What the service stored (chunks, by arrival at the recorder) and what the final file holds. */
interface StoredCounts {
  /** Frames stored that reached the recorder inside the window. */
  stored: number;
  /** Frames stored in all, and packets in the final file(s) in all: the difference is what finalize left out. */
  storedTotal: number;
  fileTotal: number;
}

export interface ParticipantWindow {
  name: string;
  seconds: number;
  video: StoredCounts & { sent: number; encoded: number; recorded: number; keyFrames: number; pli: number; fir: number; nack: number; kbps: number; fps: number; width: number; height: number; limitation: string };
  audio: StoredCounts & { sent: number; recorded: number; holes: number; kbps: number };
  /** The link to the recorder was replaced during the window: this participant's counts are partial. */
  linkReplaced: boolean;
  /** How long getStats() took to resolve after gathering, at the window's start and end (ms). */
  statsDelayMs: [number, number];
}

export interface MemorySample {
  atSeconds: number;
  rssMiB: number;
  pssMiB: number;
  pssByTypeMiB: Record<string, number>;
  /** The recorder page's JavaScript heap in use (DevTools' Runtime.getHeapUsage; its worker not included). */
  pageHeapMiB: number;
}

/** Where the recorded frames went missing between segments: the step across each rotation. */
export interface RotationGap {
  participant: string;
  kind: 'audio' | 'video';
  /** From the last packet of one segment to the first of the next, wall-clock ms. */
  ms: number;
}

export interface MeetingResult {
  participants: number;
  profile: Profile;
  feedDecoders: boolean;
  windowSeconds: number;
  video: StreamCount;
  audio: StreamCount;
  perParticipant: ParticipantWindow[];
  /** The recorder's Chromium, all its processes (1.00 = one core). */
  recorderCores: number;
  /** The same, in the meeting before anyone consented: connected to everyone, no media yet. */
  recorderIdleCores: number;
  recorderProcesses: number;
  /** The participants' Chromium (N participants' encoders and decoders). */
  participantsCores: number;
  /** Every process on the machine. */
  machineCores: number;
  loadAverage: number;
  memoryEnd: Memory;
  memorySamples: MemorySample[];
  /** From the click on "Stop recording" to manifest.json. */
  finalizeSeconds: number;
  /**
   * Its phases, from the click: the recorder page drains its uploads and the service reads
   * and assembles the chunks (until the hidden .partial directory appears); ffmpeg.wasm
   * starts in a fresh Chromium and muxes every segment (until the timelines are written);
   * the manifest is signed and the directory renamed.
   */
  finalizePhases: { drainAndAssemble: number; mux: number; seal: number };
  /** The Matroska file's duration (all segments). */
  recordedSeconds: number;
  timesRealTime: number;
  mkvBytes: number;
  segments: number;
  rotationGaps: RotationGap[];
  /** Every stored chunk could be read (false: some were deleted before the last scan; stored counts are short). */
  chunksComplete: boolean;
  /** The recorder's own receive counters over the window (all participants), if readable. */
  recorderReceived: Omit<Received, 'at'> | null;
  /** Video gaps longer than 500 ms inside the window, from the file (a frame rate under 2 fps, or lost frames). */
  videoGaps: { participant: string; ms: number }[];
}

const CONNECTED = '[data-testid=remote-tile][data-link=connected]';
/** Clicks on a starved page (load averages of 20 to 40 here) may wait long for it to settle. */
const ACTION_TIMEOUT_MS = 90_000;
/** The recorder's CPU is read this long before anyone consents (connected, no media). */
const IDLE_SECONDS = 5;

/** The page's peer connections with what they send and receive (the recorder's link receives nothing). */
function senderLinks(page: Page): Promise<SenderLink[]> {
  return page.evaluate(async () => {
    // (No named functions in here: tsx would wrap them in a helper the page does not have.)
    return Promise.all(
      (window.__e2ePeerConnections ?? []).map(async (pc, index) => {
        const link = {
          index,
          at: Date.now(),
          resolvedAt: Date.now(),
          open: pc.connectionState !== 'closed',
          inboundPackets: 0,
          video: { framesEncoded: 0, framesSent: 0, keyFramesEncoded: 0, packets: 0, bytes: 0, pli: 0, fir: 0, nack: 0, width: 0, height: 0, fps: 0, limitation: '' },
          audio: { packets: 0, bytes: 0 },
        };
        if (!link.open) return link;
        const stats = await pc.getStats();
        const resolvedAt = Date.now();
        let gatheredAt = 0;
        stats.forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp') link.inboundPackets += Number(s.packetsReceived ?? 0);
          if (s.type !== 'outbound-rtp') return;
          gatheredAt = Number(s.timestamp ?? 0);
          if (s.kind === 'audio') {
            link.audio.packets += Number(s.packetsSent ?? 0);
            link.audio.bytes += Number(s.bytesSent ?? 0);
          } else if (s.kind === 'video') {
            const v = link.video;
            v.framesEncoded += Number(s.framesEncoded ?? 0);
            v.framesSent += Number(s.framesSent ?? 0);
            v.keyFramesEncoded += Number(s.keyFramesEncoded ?? 0);
            v.packets += Number(s.packetsSent ?? 0);
            v.bytes += Number(s.bytesSent ?? 0);
            v.pli += Number(s.pliCount ?? 0);
            v.fir += Number(s.firCount ?? 0);
            v.nack += Number(s.nackCount ?? 0);
            v.width = Math.max(v.width, Number(s.frameWidth ?? 0));
            v.height = Math.max(v.height, Number(s.frameHeight ?? 0));
            v.fps = Math.max(v.fps, Number(s.framesPerSecond ?? 0));
            if (typeof s.qualityLimitationReason === 'string') v.limitation = s.qualityLimitationReason;
          }
        });
        // When the counters were read (the report's own time: the promise may resolve much
        // later on a busy machine); ms since the epoch, or since timeOrigin in older builds.
        link.at = gatheredAt > 1e12 ? gatheredAt : gatheredAt > 0 ? performance.timeOrigin + gatheredAt : resolvedAt;
        link.resolvedAt = resolvedAt;
        return link;
      }),
    );
  });
}

/** What the recorder's peer connections received, all participants together. */
interface Received {
  at: number;
  /** framesReceived: Chromium counts frames entering the decoder's buffer, after the transform: 0 when not feeding. */
  videoFrames: number;
  videoPackets: number;
  videoPacketsLost: number;
  framesDecoded: number;
  audioPackets: number;
  audioPacketsLost: number;
}

function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const total = { at: Date.now(), videoFrames: 0, videoPackets: 0, videoPacketsLost: 0, framesDecoded: 0, audioPackets: 0, audioPacketsLost: 0 };
    for (const pc of window.__e2ePeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') {
          total.videoFrames += Number(s.framesReceived ?? 0);
          total.videoPackets += Number(s.packetsReceived ?? 0);
          total.videoPacketsLost += Number(s.packetsLost ?? 0);
          total.framesDecoded += Number(s.framesDecoded ?? 0);
        } else if (s.kind === 'audio') {
          total.audioPackets += Number(s.packetsReceived ?? 0);
          total.audioPacketsLost += Number(s.packetsLost ?? 0);
        }
      });
    }
    return total;
  });
}

/** The link to the recorder: opened after recording started, open, sending, receiving nothing. */
function recorderLink(links: SenderLink[], openedBefore: number): SenderLink | null {
  const candidates = links.filter((link) => link.index >= openedBefore && link.open && link.inboundPackets === 0 && link.video.bytes > 0 && link.audio.packets > 0);
  return candidates.length === 1 ? (candidates[0] as SenderLink) : null;
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Manifest {
  startedAt: string;
  segments: { file: string; startOffsetMs: number }[];
}

/**
 * A participant's packets of one kind in the file whose wall-clock time falls in (from, to],
 * and (audio) the packets missing between them. A track's file time is its first frame's
 * arrival at the recorder plus the RTP time since that frame, so file time + the segment's
 * start = capture time + a constant delay (the first frame's capture-to-arrival time). The
 * sender's counters move at encode and send time. The two windows are therefore shifted
 * against each other by a fraction of a second; a shifted window of a steady stream holds
 * the same number of frames give or take one per edge, more when the frame rate changes
 * within the shift (a loaded machine).
 */
function windowCount(files: { mkv: MkvFile; startMs: number }[], participant: string, kind: 'audio' | 'video', from: number, to: number): { count: number; holes: number } {
  let count = 0;
  let holes = 0;
  for (const { mkv, startMs } of files) {
    for (const stream of mkv.streams) {
      if (stream.participant !== participant || stream.kind !== kind) continue;
      // Audio: one Opus frame per packet (20 ms in WebRTC; the median step, to be sure), and
      // no DTX here (the fake microphone never falls silent), so a longer step is a hole.
      const steps = stream.times.slice(1).map((time, i) => time - (stream.times[i] as number)).sort((a, b) => a - b);
      const frame = steps[Math.floor(steps.length / 2)] ?? 0.02;
      let previous: number | null = null;
      for (const time of stream.times) {
        const at = startMs + time * 1000;
        if (at <= from || at > to) continue;
        count += 1;
        if (kind === 'audio' && previous !== null && frame > 0) holes += Math.max(0, Math.round((time - previous) / frame) - 1);
        previous = time;
      }
    }
  }
  return { count, holes };
}

/** Every packet of a participant's streams of one kind, all segments. */
function fileTotal(files: { mkv: MkvFile }[], participant: string, kind: 'audio' | 'video'): number {
  return files.reduce((sum, { mkv }) => sum + mkv.streams.filter((stream) => stream.participant === participant && stream.kind === kind).reduce((n, stream) => n + stream.packets, 0), 0);
}

/** Steps of more than 500 ms between a participant's video frames in (from, to] (segment boundaries excluded). */
function videoGaps(files: { mkv: MkvFile; startMs: number }[], participant: string, from: number, to: number): { participant: string; ms: number }[] {
  const gaps: { participant: string; ms: number }[] = [];
  for (const { mkv, startMs } of files) {
    for (const stream of mkv.streams) {
      if (stream.participant !== participant || stream.kind !== 'video') continue;
      const inWindow = stream.times.map((time) => startMs + time * 1000).filter((at) => at > from && at <= to);
      for (let i = 1; i < inWindow.length; i++) {
        const step = (inWindow[i] as number) - (inWindow[i - 1] as number);
        if (step > 500) gaps.push({ participant, ms: Math.round(step) });
      }
    }
  }
  return gaps;
}

function streamCount(rows: (StoredCounts & { sent: number; recorded: number; holes?: number })[]): StreamCount {
  const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const sent = sum((row) => row.sent);
  const recorded = sum((row) => row.recorded);
  const stored = sum((row) => row.stored);
  const count: StreamCount = {
    sent,
    recorded,
    lostPercent: sent > 0 ? ((sent - recorded) / sent) * 100 : Number.NaN,
    errorPercent: sent > 0 ? ((2 * rows.length) / sent) * 100 : Number.NaN,
    stored,
    storedLostPercent: sent > 0 ? ((sent - stored) / sent) * 100 : Number.NaN,
    storedTotal: sum((row) => row.storedTotal),
    leftOutByFinalize: sum((row) => row.storedTotal - row.fileTotal),
  };
  if (rows.every((row) => row.holes !== undefined)) {
    const holes = rows.reduce((sum, row) => sum + (row.holes ?? 0), 0);
    count.holes = holes;
    count.holesPercent = recorded + holes > 0 ? (holes / (recorded + holes)) * 100 : Number.NaN;
  }
  return count;
}

export async function recordMeeting(browser: Browser, options: MeetingOptions): Promise<MeetingResult> {
  const { participants: n, profile, seconds, feedDecoders, sampleSeconds, log } = options;
  // The recorder is a member of the room too: one seat more than the participants.
  const setup: RecordingSetup = await startWithRecorder({ ROOM_CAPACITY: String(n + 1) });
  // startWithRecorder configures the recording service the tests' way; FEED_DECODERS is
  // read from this (shared) config object each time a recorder page opens.
  setup.recorder.recordings.config.FEED_DECODERS = feedDecoders;
  if (options.segmentSeconds) setup.recorder.recordings.config.SEGMENT_SECONDS = options.segmentSeconds;
  const pages: Page[] = [];
  try {
    const roomId = `bench-recorder-${Date.now()}`;
    const names = Array.from({ length: n }, (_, i) => `P${i + 1}`);
    for (const name of names) {
      const page = await openParticipant(browser, setup.signaling, roomId, profile);
      await page.getByLabel('Your name').fill(name);
      await page.getByRole('button', { name: 'Join now' }).click({ timeout: ACTION_TIMEOUT_MS });
      await page.getByTestId('self-tile').waitFor({ timeout: 60_000 });
      pages.push(page);
      log(`${name} joined`);
    }
    let lastReport = Date.now();
    await poll(`a full mesh of ${n} (every page showing ${n - 1} connected remote tiles)`, 180_000, async () => {
      const connected = await Promise.all(pages.map((page) => page.evaluate((selector) => document.querySelectorAll(selector).length, CONNECTED)));
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        log(`connected remote tiles per page: ${connected.join(' ')} (of ${n - 1})`);
      }
      return connected.every((count) => count === n - 1);
    }, 500);
    log(`${n} participants connected`);
    const openedBefore = await Promise.all(pages.map((page) => page.evaluate(() => window.__e2ePeerConnections?.length ?? 0)));

    // The recorder page keeps its peer connections reachable too (for its receive counters):
    // start the service's Chromium now, as the first recording would, with the same init script.
    const blank = await setup.recorder.browser.open('about:blank');
    await blank.context().addInitScript(recordPeerConnections);
    await blank.close();

    const first = pages[0] as Page;
    await first.getByRole('button', { name: 'Start recording' }).click({ timeout: ACTION_TIMEOUT_MS });
    await Promise.all(pages.map((page) => page.getByTestId('recording-consent').waitFor({ timeout: 60_000 })));
    // The recorder in the meeting before anyone consents: connected to everyone, receiving
    // nothing (a client sends the recorder no frame before its keys, i.e. before consent).
    await poll('every participant connected to the recorder', 60_000, async () => {
      const connected = await Promise.all(
        pages.map((page, i) => page.evaluate((before) => (window.__e2ePeerConnections ?? []).slice(before).some((pc) => pc.connectionState === 'connected'), openedBefore[i] ?? 0)),
      );
      return connected.every(Boolean);
    });
    const profileDir = join(setup.dataDir, 'browser-profile');
    await sleep(1000);
    const idle0 = cpuReading(recorderPids(profileDir));
    await sleep(IDLE_SECONDS * 1000);
    const idleCores = coresBetween(idle0, cpuReading(recorderPids(profileDir)));
    log(`recorder before consent: ${idleCores.toFixed(2)} cores`);
    await Promise.all(pages.map((page) => page.getByTestId('recording-consent').getByRole('button', { name: 'Record me', exact: true }).click({ timeout: ACTION_TIMEOUT_MS })));
    const workDir = join(setup.dataDir, 'work');
    const id = await poll('the recording to start', 30_000, async () => (await readdir(workDir).catch(() => [] as string[]))[0]);
    const chunks = new ChunkLog(join(workDir, id, 'chunks'));
    let missing: string[] = [];
    await poll('chunks of every participant’s audio and video', 180_000, async () => {
      await chunks.scan();
      const tracks = chunks.tracks();
      missing = names.flatMap((name) => [`${name}/audio`, `${name}/video`]).filter((track) => !tracks.has(track));
      return missing.length === 0;
    }, 500).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}: none yet of ${missing.join(', ')}`);
    });
    const linkIndex = await poll('each participant’s link to the recorder', 30_000, async () => {
      const found = await Promise.all(pages.map(async (page, i) => recorderLink(await senderLinks(page), openedBefore[i] ?? 0)?.index));
      return found.every((index) => index !== undefined) ? (found as number[]) : null;
    });
    log(`recording ${id}: every track arriving; settling 2 s`);
    await sleep(2000);

    const recorderAtStart = recorderPids(profileDir);
    if (recorderAtStart.length === 0) throw new Error(`no process uses ${profileDir}`);
    const participantsAtStart = childProcesses().filter((pid) => !recorderAtStart.includes(pid));
    const readLinks = () => Promise.all(pages.map(async (page, i) => (await senderLinks(page))[linkIndex[i] as number] as SenderLink));

    const recorderPageAtStart = (await setup.recorder.browser.context())?.pages().find((page) => page.url().includes('/recorder.html')) ?? null;
    const machine0 = machineSnapshot();
    const recorderCpu0 = cpuReading(recorderAtStart);
    const participantsCpu0 = cpuReading(participantsAtStart);
    const links0 = await readLinks();
    const received0 = recorderPageAtStart ? await received(recorderPageAtStart) : null;
    const started = performance.now();
    const samples: MemorySample[] = [];
    const cdp = recorderPageAtStart ? await recorderPageAtStart.context().newCDPSession(recorderPageAtStart) : null;
    const sample = async () => {
      await chunks.scan();
      const memory = memoryOf(recorderPids(profileDir));
      const heap = await cdp?.send('Runtime.getHeapUsage').catch(() => null);
      samples.push({
        atSeconds: Math.round((performance.now() - started) / 100) / 10,
        rssMiB: memory.rssMiB,
        pssMiB: memory.pssMiB,
        pssByTypeMiB: memory.pssByTypeMiB,
        pageHeapMiB: heap ? heap.usedSize / 2 ** 20 : Number.NaN,
      });
      return memory;
    };
    await sample();
    log(`measuring ${seconds} s (feedDecoders ${feedDecoders})`);
    for (let next = sampleSeconds; next < seconds; next += sampleSeconds) {
      await sleep(Math.max(0, started + next * 1000 - performance.now()));
      await sample();
    }
    await sleep(Math.max(0, started + seconds * 1000 - performance.now()));
    const links1 = await readLinks();
    const received1 = recorderPageAtStart ? await received(recorderPageAtStart) : null;
    const recorderAtEnd = recorderPids(profileDir);
    const recorderCpu1 = cpuReading(recorderAtEnd);
    const participantsCpu1 = cpuReading(participantsAtStart);
    const machine1 = machineSnapshot();
    const memoryEnd = await sample();
    await cdp?.detach().catch(() => undefined);
    const loadAverage = loadavg()[0] ?? Number.NaN;

    const stopAt = Date.now();
    await first.getByRole('button', { name: 'Stop recording', exact: true }).click({ timeout: ACTION_TIMEOUT_MS });
    const recordings = join(setup.dataDir, 'recordings');
    const manifestPath = join(recordings, id, 'manifest.json');
    const partial = join(recordings, `.${id}.partial`);
    // Phases, seen from the files finalize writes (polled every 20 ms).
    let assembledAt = 0;
    let chunksComplete = false;
    let muxedAt = 0;
    await poll('manifest.json', 300_000, async () => {
      if (!assembledAt && existsSync(partial)) {
        assembledAt = Date.now();
        // Finalize has read every chunk; they stay until the sealed directory is renamed.
        chunksComplete = await chunks.scan();
      }
      // The timelines are written once every segment is muxed and the muxer's Chromium closed.
      if (!muxedAt && existsSync(join(partial, 'timelines', 'speaking.json'))) muxedAt = Date.now();
      return existsSync(manifestPath);
    }, 20);
    const sealedAt = Date.now();
    const finalizeSeconds = (sealedAt - stopAt) / 1000;
    assembledAt ||= sealedAt;
    muxedAt ||= sealedAt;
    log(`sealed ${finalizeSeconds.toFixed(1)} s after the stop click`);

    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
    const recordingStart = Date.parse(manifest.startedAt);
    const files = await Promise.all(
      manifest.segments.map(async (segment) => ({ mkv: await readMkv(join(setup.dataDir, 'recordings', id, segment.file)), startMs: recordingStart + segment.startOffsetMs })),
    );

    const perParticipant = names.map((name, i): ParticipantWindow => {
      const before = links0[i] as SenderLink;
      const after = links1[i] as SenderLink;
      const windowSeconds = (after.at - before.at) / 1000;
      const audio = windowCount(files, name, 'audio', before.at, after.at);
      return {
        name,
        seconds: windowSeconds,
        video: {
          sent: after.video.framesSent - before.video.framesSent,
          encoded: after.video.framesEncoded - before.video.framesEncoded,
          recorded: windowCount(files, name, 'video', before.at, after.at).count,
          stored: chunks.count(name, 'video', before.at, after.at),
          storedTotal: chunks.total(name, 'video'),
          fileTotal: fileTotal(files, name, 'video'),
          keyFrames: after.video.keyFramesEncoded - before.video.keyFramesEncoded,
          pli: after.video.pli - before.video.pli,
          fir: after.video.fir - before.video.fir,
          nack: after.video.nack - before.video.nack,
          kbps: ((after.video.bytes - before.video.bytes) * 8) / 1000 / windowSeconds,
          fps: (after.video.framesSent - before.video.framesSent) / windowSeconds,
          width: after.video.width,
          height: after.video.height,
          limitation: after.video.limitation,
        },
        audio: {
          sent: after.audio.packets - before.audio.packets,
          recorded: audio.count,
          holes: audio.holes,
          stored: chunks.count(name, 'audio', before.at, after.at),
          storedTotal: chunks.total(name, 'audio'),
          fileTotal: fileTotal(files, name, 'audio'),
          kbps: ((after.audio.bytes - before.audio.bytes) * 8) / 1000 / windowSeconds,
        },
        linkReplaced: !after.open,
        statsDelayMs: [before.resolvedAt - before.at, after.resolvedAt - after.at],
      };
    });
    const recordedSeconds = files.reduce((sum, file) => sum + file.mkv.durationSeconds, 0);
    const rotationGaps: RotationGap[] = [];
    for (let k = 1; k < files.length; k++) {
      const [previous, next] = [files[k - 1], files[k]] as { mkv: MkvFile; startMs: number }[];
      for (const stream of previous?.mkv.streams ?? []) {
        const following = next?.mkv.streams.find((candidate) => candidate.participant === stream.participant && candidate.kind === stream.kind);
        const last = stream.times.at(-1);
        const first = following?.times[0];
        if (previous && next && last !== undefined && first !== undefined) {
          rotationGaps.push({ participant: stream.participant, kind: stream.kind, ms: next.startMs + first * 1000 - (previous.startMs + last * 1000) });
        }
      }
    }
    return {
      participants: n,
      profile,
      feedDecoders,
      windowSeconds: seconds,
      // A participant whose link to the recorder was replaced mid-window has partial counts: left out.
      video: streamCount(perParticipant.filter((p) => !p.linkReplaced).map((p) => p.video)),
      audio: streamCount(perParticipant.filter((p) => !p.linkReplaced).map((p) => p.audio)),
      perParticipant,
      recorderCores: coresBetween(recorderCpu0, recorderCpu1),
      recorderIdleCores: idleCores,
      recorderProcesses: recorderAtEnd.length,
      participantsCores: coresBetween(participantsCpu0, participantsCpu1),
      machineCores: coresUsed(machine0, machine1),
      loadAverage,
      memoryEnd,
      memorySamples: samples,
      finalizeSeconds,
      finalizePhases: { drainAndAssemble: (assembledAt - stopAt) / 1000, mux: (muxedAt - assembledAt) / 1000, seal: (sealedAt - muxedAt) / 1000 },
      recordedSeconds,
      timesRealTime: recordedSeconds / finalizeSeconds,
      mkvBytes: files.reduce((sum, file) => sum + file.mkv.bytes, 0),
      segments: files.length,
      rotationGaps,
      chunksComplete,
      recorderReceived:
        received0 && received1
          ? {
              videoFrames: received1.videoFrames - received0.videoFrames,
              videoPackets: received1.videoPackets - received0.videoPackets,
              videoPacketsLost: received1.videoPacketsLost - received0.videoPacketsLost,
              framesDecoded: received1.framesDecoded - received0.framesDecoded,
              audioPackets: received1.audioPackets - received0.audioPackets,
              audioPacketsLost: received1.audioPacketsLost - received0.audioPacketsLost,
            }
          : null,
      videoGaps: names.flatMap((name, i) => videoGaps(files, name, (links0[i] as SenderLink).at, (links1[i] as SenderLink).at)),
    };
  } finally {
    for (const page of pages) await page.context().close().catch(() => undefined);
    await setup.close();
  }
}
