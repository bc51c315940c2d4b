/**
 * Recorder benchmark: npm run bench:recorder [-- --participants 4 --profile standard --seconds 20 --long-seconds 60]
 *
 * 1. Recording in real time: a signaling server and the recording service as the browser
 *    tests start them, N participants in headless Chromium with fake camera and
 *    microphone, recorded for a window of S seconds, once with the recorder feeding its
 *    decoders (FEED_DECODERS=true, the default) and once without: frames lost between
 *    what the participants sent to the recorder and what the final Matroska holds, the
 *    recorder browser's CPU and memory, and the time from "Stop recording" to the sealed
 *    manifest.
 * 2. Remux throughput: the recorder's WasmMuxer on a long synthetic input.
 * 3. Recorder memory over a longer recording of 2 participants, sampled every 5 s.
 * Prints a table and a JSON line; asserts nothing.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chromiumLauncher, type Profile } from '../shared/chromium.js';
import { recordMeeting, type MeetingResult, type MemorySample } from './meeting.js';
import { remuxThroughput, type RemuxResult } from './remux.js';

const HELP = `npm run bench:recorder -- [flags]
  --participants N        participants in the recorded meeting (default 4; the target is 8)
  --profile P             their capture profile: standard (640x480@24, default) or low (320x240@15)
  --seconds N             measured window of each recording (default 20)
  --rounds N              rounds of the comparison, each one recording without and one with
                          the recorder feeding its decoders, alternated (default 1)
  --long-seconds N        the memory run: a recording of 2 participants this long (default 60)
  --long-no-feed          the memory run without the recorder feeding its decoders (default: feeding, as the service)
  --segment-seconds N     the service's SEGMENT_SECONDS for every recording (default: its own, 600);
                          shorter ones show what a segment rotation costs
  --remux-seconds N       length of the synthetic input for the muxer (default 200: 8 participants then
                          stay under the muxer's 128 MiB cap per job)
  --remux-kbps N          its video bitrate (default 450: what one link of an 8-person recorded meeting gets)
  --remux-participants L  participants per mux job (default 1,8)
  --skip-meeting, --skip-remux, --skip-long   leave a part out`;

const { values } = parseArgs({
  options: {
    participants: { type: 'string', default: '4' },
    profile: { type: 'string', default: 'standard' },
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '1' },
    'long-seconds': { type: 'string', default: '60' },
    'segment-seconds': { type: 'string', default: '600' },
    'remux-seconds': { type: 'string', default: '200' },
    'remux-kbps': { type: 'string', default: '450' },
    'remux-participants': { type: 'string', default: '1,8' },
    'long-no-feed': { type: 'boolean', default: false },
    'skip-meeting': { type: 'boolean', default: false },
    'skip-remux': { type: 'boolean', default: false },
    'skip-long': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const PARTICIPANTS = Number(values.participants);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const LONG_SECONDS = Number(values['long-seconds']);
const SEGMENT_SECONDS = Number(values['segment-seconds']);
const REMUX_SECONDS = Number(values['remux-seconds']);
const REMUX_KBPS = Number(values['remux-kbps']);
const REMUX_PARTICIPANTS = values['remux-participants'].split(',').map(Number);
const PROFILE = values.profile as Profile;
const numbers = [['participants', PARTICIPANTS], ['seconds', SECONDS], ['rounds', ROUNDS], ['long-seconds', LONG_SECONDS], ['segment-seconds', SEGMENT_SECONDS], ['remux-seconds', REMUX_SECONDS], ['remux-kbps', REMUX_KBPS], ...REMUX_PARTICIPANTS.map((n) => ['remux-participants', n] as const)] as const;
for (const [name, value] of numbers) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench:recorder: --${name} must be a positive number\n${HELP}`);
    process.exit(1);
  }
}
if (PARTICIPANTS < 2 || (PROFILE !== 'standard' && PROFILE !== 'low')) {
  console.error(`bench:recorder: --participants must be at least 2 and --profile standard or low\n${HELP}`);
  process.exit(1);
}

/** The targets: printed beside the figures, never asserted. */
const TARGET = { participants: 8, width: 640, height: 480, fps: 30, lostPercent: 1, recorderCores: 0.5, timesRealTime: 100, memoryMiB: 1024 };
const PROFILE_LABEL: Record<Profile, string> = { standard: '640x480@24', low: '320x240@15' };
const MEMORY_SAMPLE_SECONDS = 5;

const log = (line: string) => console.error(`  [${new Date().toISOString().slice(11, 19)}] ${line}`);
const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  const den = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return den > 0 ? points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0) / den : Number.NaN;
}

interface MemoryTrend {
  samples: number;
  minPssMiB: number;
  maxPssMiB: number;
  minRssMiB: number;
  maxRssMiB: number;
  /** MiB per minute of recording, least squares over the samples. */
  pssSlopeMiBPerMinute: number;
  rssSlopeMiBPerMinute: number;
  /** The highest PSS plus the slope over one hour. */
  pssAfterOneHourMiB: number;
}

function trend(samples: MemorySample[]): MemoryTrend {
  const pss = samples.map((s) => s.pssMiB);
  const rss = samples.map((s) => s.rssMiB);
  const pssSlope = slope(samples.map((s) => ({ x: s.atSeconds / 60, y: s.pssMiB })));
  return {
    samples: samples.length,
    minPssMiB: Math.min(...pss),
    maxPssMiB: Math.max(...pss),
    minRssMiB: Math.min(...rss),
    maxRssMiB: Math.max(...rss),
    pssSlopeMiBPerMinute: pssSlope,
    rssSlopeMiBPerMinute: slope(samples.map((s) => ({ x: s.atSeconds / 60, y: s.rssMiB }))),
    pssAfterOneHourMiB: Math.max(...pss) + Math.max(0, pssSlope) * 60,
  };
}

async function meeting(participants: number, profile: Profile, seconds: number, feedDecoders: boolean): Promise<MeetingResult> {
  // A fresh Chromium for the participants of each meeting: nothing left over from the last.
  const browser = await chromiumLauncher()();
  try {
    return await recordMeeting(browser, { participants, profile, seconds, feedDecoders, sampleSeconds: MEMORY_SAMPLE_SECONDS, segmentSeconds: SEGMENT_SECONDS, log });
  } finally {
    await browser.close();
  }
}

function sentVideo(result: MeetingResult): string {
  const p = result.perParticipant;
  const width = Math.max(...p.map((x) => x.video.width));
  const height = Math.max(...p.map((x) => x.video.height));
  return `${width}x${height} @ ${f(mean(p.map((x) => x.video.fps)))} fps, ${f(mean(p.map((x) => x.video.kbps)), 0)} kb/s`;
}

const perSecond = (result: MeetingResult, pick: (v: MeetingResult['perParticipant'][number]['video']) => number) =>
  result.perParticipant.reduce((sum, p) => sum + pick(p.video) / p.seconds, 0) / result.perParticipant.length;

/** Frames per second the recorder received in the window: video frames and audio packets, all participants. */
function framesPerSecond(result: MeetingResult): { video: number; audio: number } {
  const sum = (pick: (p: MeetingResult['perParticipant'][number]) => number) => result.perParticipant.reduce((total, p) => total + pick(p) / p.seconds, 0);
  return { video: sum((p) => p.video.sent), audio: sum((p) => p.audio.sent) };
}

/** Recorder CPU per 100 frames/s, above what it uses in the meeting before any media. */
function marginalPer100(result: MeetingResult): number {
  const rate = framesPerSecond(result);
  return ((result.recorderCores - result.recorderIdleCores) / (rate.video + rate.audio)) * 100;
}

/** The target's load: 8 participants × (30 video frames + 50 audio packets) per second. */
const TARGET_FRAMES_PER_SECOND = TARGET.participants * (TARGET.fps + 50);

function printMeetings(results: MeetingResult[]): void {
  const off = results.filter((r) => !r.feedDecoders);
  const on = results.filter((r) => r.feedDecoders);
  console.log(`\n1. Recording ${PARTICIPANTS} participants at ${PROFILE_LABEL[PROFILE]} (profile ${PROFILE}) with audio, ${SECONDS} s measured per recording`);
  console.log('   (one participants\' Chromium, the recorder\'s Chromium, the signaling server and the recording service all on this machine)\n');
  const columns = results.map((r, i) => `${r.feedDecoders ? 'feeding' : 'not feeding'} #${Math.floor(i / 2) + 1}`);
  const row = (label: string, cells: string[], target = '') => console.log(`${label.padEnd(40)} ${cells.map((c) => c.padStart(22)).join(' ')}  ${target}`);
  row('the recorder\'s decoders', columns);
  row('video frames lost: sent → stored', results.map((r) => `${f(r.video.storedLostPercent, 2)} %`), `< ${TARGET.lostPercent} %`);
  row('  sent / stored (arrival in the window)', results.map((r) => `${r.video.sent} / ${r.video.stored}`));
  row('  stored, left out of the file (all)', results.map((r) => `${r.video.leftOutByFinalize} of ${r.video.storedTotal}${r.chunksComplete ? '' : ' (chunks partly read)'}`));
  row('  sent → in the file (window)', results.map((r) => `${f(r.video.lostPercent, 2)} % ± ${f(r.video.errorPercent, 2)}`));
  row('  sent / in the file', results.map((r) => `${r.video.sent} / ${r.video.recorded}`));
  row('  sent − in the file, by participant', results.map((r) => r.perParticipant.map((p) => p.video.sent - p.video.recorded).join(' ')));
  row('  RTP packets at the recorder (lost)', results.map((r) => (r.recorderReceived ? `${r.recorderReceived.videoPackets} (${r.recorderReceived.videoPacketsLost})` : '–')));
  row('  gaps over 500 ms in the file', results.map(gapSummary));
  row('audio packets lost: sent → stored', results.map((r) => `${f(r.audio.storedLostPercent, 2)} %`), `< ${TARGET.lostPercent} %`);
  row('  sent / stored (arrival in the window)', results.map((r) => `${r.audio.sent} / ${r.audio.stored}`));
  row('  stored, left out of the file (all)', results.map((r) => `${r.audio.leftOutByFinalize} of ${r.audio.storedTotal}`));
  row('  sent → in the file (window)', results.map((r) => `${f(r.audio.lostPercent, 2)} % ± ${f(r.audio.errorPercent, 2)}`));
  row('  sent − in the file, by participant', results.map((r) => r.perParticipant.map((p) => p.audio.sent - p.audio.recorded).join(' ')));
  row('  RTP packets at the recorder (lost)', results.map((r) => (r.recorderReceived ? `${r.recorderReceived.audioPackets} (${r.recorderReceived.audioPacketsLost})` : '–')));
  row('  holes in the file', results.map((r) => `${r.audio.holes ?? 0} = ${f(r.audio.holesPercent ?? Number.NaN, 2)} %`), `< ${TARGET.lostPercent} %`);
  row('recorder CPU (all its processes)', results.map((r) => `${f(r.recorderCores, 2)} cores`), `< ${TARGET.recorderCores} core`);
  row('  before anyone consented (no media)', results.map((r) => `${f(r.recorderIdleCores, 2)} cores`));
  row('  frames/s received (video + audio)', results.map((r) => `${f(framesPerSecond(r).video, 0)} + ${f(framesPerSecond(r).audio, 0)}`));
  row('  per 100 frames/s, above that', results.map((r) => `${f(marginalPer100(r), 3)} cores`));
  row('recorder memory at the end, PSS', results.map((r) => `${f(r.memoryEnd.pssMiB, 0)} MiB`), `< ${TARGET.memoryMiB} MiB`);
  row('  RSS summed over its processes', results.map((r) => `${f(r.memoryEnd.rssMiB, 0)} MiB (${r.memoryEnd.processes})`));
  row('video sent to the recorder (mean)', results.map(sentVideo), `${TARGET.width}x${TARGET.height} @ ${TARGET.fps} fps`);
  row('  encoders limited by', results.map((r) => [...new Set(r.perParticipant.map((p) => p.video.limitation || '?'))].join(', ')));
  row('key frames / PLIs on that link, per s', results.map((r) => `${f(perSecond(r, (v) => v.keyFrames), 2)} / ${f(perSecond(r, (v) => v.pli), 2)}`));
  row('participants\' Chromium CPU', results.map((r) => `${f(r.participantsCores, 2)} cores`));
  row('machine busy (load average)', results.map((r) => `${f(r.machineCores, 2)} cores (${f(r.loadAverage, 0)})`));
  row('finalize: stop click → manifest', results.map((r) => `${f(r.finalizeSeconds)} s`));
  row('  drain + assemble / mux / seal', results.map((r) => `${f(r.finalizePhases.drainAndAssemble)} / ${f(r.finalizePhases.mux)} / ${f(r.finalizePhases.seal)} s`));
  row('  recorded ÷ finalize time', results.map((r) => `${f(r.timesRealTime)}× (${f(r.recordedSeconds, 0)} s)`), '(muxer start included: see 2.)');
  row('Matroska per participant-minute', results.map((r) => `${f(r.mkvBytes / 2 ** 20 / (r.recordedSeconds / 60) / r.participants, 2)} MiB`));
  for (const [label, list] of [['not feeding', off], ['feeding', on]] as const) {
    if (!list.length) continue;
    const idle = mean(list.map((r) => r.recorderIdleCores));
    const estimate = idle + (mean(list.map(marginalPer100)) * TARGET_FRAMES_PER_SECOND) / 100;
    console.log(
      `${label === 'not feeding' ? '\n' : ''}recorder ${label}, extrapolated to the target's ${TARGET_FRAMES_PER_SECOND} frames/s at this cost per frame: ${f(estimate, 2)} cores ` +
        `(an estimate: CPU per frame measured at ${f(mean(list.map((r) => framesPerSecond(r).video + framesPerSecond(r).audio)), 0)} frames/s)`,
    );
  }
  for (const result of results) printRotations(result);
  if (off.length && on.length) {
    const cores = mean(on.map((r) => r.recorderCores)) - mean(off.map((r) => r.recorderCores));
    const pss = mean(on.map((r) => r.memoryEnd.pssMiB)) - mean(off.map((r) => r.memoryEnd.pssMiB));
    const keyFrames = (list: MeetingResult[]) => mean(list.map((r) => perSecond(r, (v) => v.keyFrames)));
    console.log(
      `\nfeeding the decoders: recorder CPU ${cores >= 0 ? '+' : ''}${f(cores, 2)} cores, memory ${pss >= 0 ? '+' : ''}${f(pss, 0)} MiB PSS; ` +
        `key frames each participant sends the recorder: ${f(keyFrames(off), 2)}/s without, ${f(keyFrames(on), 2)}/s with`,
    );
  }
}

function printRemux(remux: RemuxResult): void {
  console.log(`\n2. Remux with the recorder's WasmMuxer (ffmpeg.wasm, -c copy to Matroska), ${REMUX_SECONDS} s of VP8 640x480@30 at ${f(remux.videoKbps, 0)} kb/s + Opus ${f(remux.audioKbps, 0)} kb/s per participant`);
  console.log(`   (starting the muxer: Chromium + ffmpeg.wasm, ${f(remux.startSeconds)} s, not counted below)\n`);
  console.log('participants     input    mux time   × real time   MiB/s  fetch / exec / upload   muxer PSS peak  packets  target');
  for (const row of remux.rows) {
    const o = row.outcome;
    if (!o.ok) {
      console.log(`${String(row.participants).padStart(12)} ${`${f(row.inputMiB)} MiB`.padStart(9)}  refused: ${o.error.split('\n')[0]}`);
      continue;
    }
    console.log(
      `${String(row.participants).padStart(12)} ${`${f(row.inputMiB)} MiB`.padStart(9)} ${`${f(o.muxSeconds, 2)} s`.padStart(10)} ${`${f(o.timesRealTime, 0)}×`.padStart(13)} ${f(row.inputMiB / o.muxSeconds).padStart(7)}  ${`${f(o.report.fetchMs / 1000)} / ${f(o.report.execMs / 1000)} / ${f(o.report.uploadMs / 1000)} s`.padStart(22)} ${`${f(o.peakMuxerPssMiB, 0)} MiB`.padStart(16)} ${(o.packetsChecked ? 'all' : 'MISSING').padStart(8)}  ≥ ${TARGET.timesRealTime}×: ${verdict(o.timesRealTime >= TARGET.timesRealTime)}`,
    );
  }
}

/** Video gaps over 500 ms: how many, the longest, and how many per participant (all at once: the senders stalled). */
function gapSummary(result: MeetingResult): string {
  if (!result.videoGaps.length) return 'none';
  const longest = Math.max(...result.videoGaps.map((gap) => gap.ms));
  const perParticipant = result.perParticipant.map((p) => result.videoGaps.filter((gap) => gap.participant === p.name).length);
  return `${perParticipant.join('/')}, longest ${longest} ms`;
}

function printRotations(result: MeetingResult): void {
  if (result.segments < 2) return;
  const gaps = (kind: 'audio' | 'video') => result.rotationGaps.filter((gap) => gap.kind === kind).map((gap) => f(gap.ms, 0));
  console.log(`   ${result.segments} segments; across each rotation, ms between the last packet of one and the first of the next: video ${gaps('video').join(' ')}, audio ${gaps('audio').join(' ')}`);
}

function printLong(result: MeetingResult, memory: MemoryTrend): void {
  console.log(`\n3. Recorder memory over a ${LONG_SECONDS} s recording of 2 participants at ${PROFILE_LABEL[PROFILE]} (${result.feedDecoders ? 'feeding' : 'not feeding'} its decoders), every ${MEMORY_SAMPLE_SECONDS} s`);
  console.log(`   PSS MiB: ${result.memorySamples.map((s) => f(s.pssMiB, 0)).join(' ')}`);
  console.log(`   RSS MiB (summed): ${result.memorySamples.map((s) => f(s.rssMiB, 0)).join(' ')}`);
  console.log(
    `   PSS min ${f(memory.minPssMiB, 0)}, max ${f(memory.maxPssMiB, 0)} MiB, slope ${f(memory.pssSlopeMiBPerMinute, 2)} MiB/min (RSS ${f(memory.minRssMiB, 0)}–${f(memory.maxRssMiB, 0)} MiB, ${f(memory.rssSlopeMiBPerMinute, 2)} MiB/min); ` +
      `one hour at that slope: ${f(memory.pssAfterOneHourMiB, 0)} MiB`,
  );
  console.log(
    `   < ${TARGET.memoryMiB} MiB during the run: ${verdict(memory.maxPssMiB < TARGET.memoryMiB)}; bounded: ${memory.pssAfterOneHourMiB < TARGET.memoryMiB ? 'met (one hour at the slope stays under)' : 'NOT SHOWN (a longer --long-seconds tells growth from garbage-collection cycles)'}`,
  );
  const first = result.memorySamples[0];
  const last = result.memorySamples.at(-1);
  if (first && last) {
    const types = Object.keys(last.pssByTypeMiB).sort((a, b) => (last.pssByTypeMiB[b] ?? 0) - (last.pssByTypeMiB[a] ?? 0));
    console.log(`   PSS by process, first → last sample: ${types.map((type) => `${type} ${f(first.pssByTypeMiB[type] ?? 0, 0)} → ${f(last.pssByTypeMiB[type] ?? 0, 0)}`).join(', ')} MiB`);
  }
  console.log(`   the recorder page's JS heap, MiB: ${result.memorySamples.map((s) => f(s.pageHeapMiB, 0)).join(' ')}`);
  printRotations(result);
  const received = result.recorderReceived;
  console.log(
    `   recorder CPU ${f(result.recorderCores, 2)} cores; video sent → stored ${f(result.video.storedLostPercent, 2)} %, left out of the file ${result.video.leftOutByFinalize} of ${result.video.storedTotal}; ` +
      `audio sent → stored ${f(result.audio.storedLostPercent, 2)} %, left out ${result.audio.leftOutByFinalize} of ${result.audio.storedTotal}; sent → in the file (window): video ${f(result.video.lostPercent, 2)} % ± ${f(result.video.errorPercent, 2)} ` +
      `(${result.video.sent} sent, ${result.video.recorded} in the file${received ? `, ${received.videoPacketsLost} of ${received.videoPackets + received.videoPacketsLost} RTP packets lost on the way` : ''}; video gaps over 500 ms: ${gapSummary(result)}), audio holes ${result.audio.holes ?? 0}`,
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const chromium = await chromiumLauncher()();
  const version = chromium.version();
  await chromium.close();
  console.log(
    `Conclave recorder benchmark (${cpus().length} cores, headless Chromium ${version}, load average ${f(loadavg()[0] ?? Number.NaN)} at start)\n` +
      `targets: ${TARGET.participants} participants ${TARGET.width}x${TARGET.height}@${TARGET.fps} with audio, < ${TARGET.lostPercent} % frames lost, recorder CPU < ${TARGET.recorderCores} core; ` +
      `remux ≥ ${TARGET.timesRealTime}× real time; recorder memory bounded, < 1 GB`,
  );

  const meetings: MeetingResult[] = [];
  if (!values['skip-meeting']) {
    for (let round = 1; round <= ROUNDS; round++) {
      // ABBA: which runs first alternates, so a drift in the machine's load favours neither.
      const order = round % 2 === 1 ? [false, true] : [true, false];
      for (const feed of order) meetings.push(await meeting(PARTICIPANTS, PROFILE, SECONDS, feed));
    }
    printMeetings(meetings);
  }
  let remux: RemuxResult | null = null;
  if (!values['skip-remux']) {
    remux = await remuxThroughput({ seconds: REMUX_SECONDS, kbps: REMUX_KBPS, participants: REMUX_PARTICIPANTS, chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', log });
    printRemux(remux);
  }
  let long: { result: MeetingResult; memory: MemoryTrend } | null = null;
  if (!values['skip-long']) {
    const result = await meeting(2, PROFILE, LONG_SECONDS, !values['long-no-feed']);
    long = { result, memory: trend(result.memorySamples) };
    printLong(result, long.memory);
  }

  // The targets, from the recordings with decoders fed (the service's default) and the long one.
  const judged = [...meetings.filter((r) => r.feedDecoders), ...(long && long.result.feedDecoders ? [long.result] : [])];
  if (judged.length) {
    console.log(`\ntargets (the recorder feeding its decoders, the service's default${long ? '; the long recording included' : ''}):`);
    const on = meetings.filter((r) => r.feedDecoders);
    if (on.length) {
      const fps = mean(on.flatMap((r) => r.perParticipant.map((p) => p.video.fps)));
      const full = PARTICIPANTS >= TARGET.participants && PROFILE === 'standard' && fps >= TARGET.fps - 1;
      console.log(`  ${PARTICIPANTS} participants at ${PROFILE_LABEL[PROFILE]}, ${f(fps)} fps sent to the recorder: ${TARGET.participants} at ${TARGET.width}x${TARGET.height}@${TARGET.fps} ${full ? 'met' : 'NOT REACHED'}`);
    }
    // In the window, sent → stored (arrival at the recorder); ± one frame per stream and edge.
    for (const r of judged) {
      const decide = (count: MeetingResult['video']) => {
        const error = ((2 * r.participants) / count.sent) * 100;
        return { lost: count.storedLostPercent, error, met: count.storedLostPercent + error < TARGET.lostPercent, missed: count.storedLostPercent - error >= TARGET.lostPercent };
      };
      const video = decide(r.video);
      const audio = decide(r.audio);
      const outcome = video.missed || audio.missed ? 'MISSED' : video.met && audio.met ? 'met' : 'not decided at this precision (a longer window narrows it)';
      console.log(
        `  frames lost, ${r.participants} participants, ${r.windowSeconds} s: video ${f(video.lost, 2)} % ± ${f(video.error, 2)}, audio ${f(audio.lost, 2)} % ± ${f(audio.error, 2)} ` +
          `(sent → stored; holes in the file's audio: ${r.audio.holes ?? 0}): < ${TARGET.lostPercent} % ${outcome}`,
      );
    }
    const leftOut = judged.reduce((sum, r) => sum + r.video.leftOutByFinalize, 0);
    const segmentStarts = judged.reduce((sum, r) => sum + r.participants * r.segments, 0);
    console.log(`  besides: finalize left ${leftOut} stored video frames out of the files, ${f(leftOut / segmentStarts)} per participant and segment (those before the segment's first key frame)`);
    const cores = Math.max(...judged.map((r) => r.recorderCores));
    console.log(`  recorder CPU, worst: ${f(cores, 2)} cores: < ${TARGET.recorderCores} ${verdict(cores < TARGET.recorderCores)} (at the frame rates above, not the target's)`);
  }
  console.log(`\n(${Math.round((performance.now() - started) / 1000)} s in all)`);
  console.log(
    `\n${JSON.stringify({
      chromium: version,
      cores: cpus().length,
      participants: PARTICIPANTS,
      profile: PROFILE,
      seconds: SECONDS,
      meetings,
      remux,
      long: long ? { ...long.memory, result: long.result } : null,
    })}`,
  );
}

main()
  // Playwright and the services keep handles open for a while after closing: the figures are printed.
  .then(() => process.exit(0))
  .catch((error: unknown) => {
  console.error('bench:recorder failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
