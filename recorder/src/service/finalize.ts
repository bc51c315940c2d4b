import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { Logger } from 'pino';
import { sealRecording } from '../manifest/chain.js';
import type { AccessCopy, RecordingDraft, Segment } from '../manifest/schema.js';
import { loadOrCreateRecorderKey } from '../manifest/signing.js';
import { WasmMuxer } from '../mux/wasm-muxer.js';
import { detectSpeaking, speakingToJson, speakingToWebVtt } from '../timeline/speaking.js';
import { assemble, type AssembledSegment, type AssembledTrack, type Assembly } from './assemble.js';
import type { ChunkFiles } from './chunk-files.js';
import type { RecorderServiceConfig } from './config.js';
import { RECORDER_CHROMIUM_ARGS, type BrowserObserver } from './browser.js';
import type { Finalizer, RecordingState } from './recordings.js';

const iso = (ms: number) => new Date(ms).toISOString();
const KIND_LABEL = { audio: 'microphone', video: 'camera', screen: 'screen' } as const;

/** Chapters of one segment: joins, leaves and screen shares, from its start. */
function chaptersOf(segment: AssembledSegment, assembly: Assembly): { startMs: number; endMs: number; title: string }[] {
  const moments: { at: number; title: string }[] = [{ at: segment.startAt, title: 'Segment start' }];
  for (const notice of assembly.notices) {
    if ((notice.event === 'joined' || notice.event === 'left') && notice.at > segment.startAt && notice.at < segment.endAt) {
      moments.push({ at: notice.at, title: `${notice.name} ${notice.event}` });
    }
  }
  for (const track of segment.tracks) {
    if (track.kind === 'screen') moments.push({ at: Math.max(track.firstAt, segment.startAt), title: `${track.name} shares a screen` });
  }
  moments.sort((a, b) => a.at - b.at);
  const end = segment.endAt - segment.startAt;
  return moments
    .map((moment, i) => ({ startMs: Math.round(moment.at - segment.startAt), endMs: Math.round((moments[i + 1]?.at ?? segment.endAt) - segment.startAt), title: moment.title }))
    .filter((chapter) => chapter.endMs > chapter.startMs && chapter.startMs < end);
}

// Each participant's tracks in their access copy: camera first (a browser's <video> plays the first video track), then screen, then audio.
const ACCESS_ORDER = { video: 0, screen: 1, audio: 2 } as const;

/** Participant id → indexes of their tracks in `segment.tracks`, in access-copy order; participants in track order. */
export function tracksByParticipant(segment: Pick<AssembledSegment, 'tracks'>): Map<string, number[]> {
  const byParticipant = new Map<string, number[]>();
  segment.tracks.forEach((track, index) => byParticipant.set(track.participant, [...(byParticipant.get(track.participant) ?? []), index]));
  for (const indexes of byParticipant.values()) {
    indexes.sort((a, b) => ACCESS_ORDER[(segment.tracks[a] as AssembledTrack).kind] - ACCESS_ORDER[(segment.tracks[b] as AssembledTrack).kind] || a - b);
  }
  return byParticipant;
}

/** The access copy's file name (without extension): the participant id, which signaling makes of [A-Za-z0-9_-]; a digest of it otherwise. */
export function accessFileName(participant: string): string {
  return /^[A-Za-z0-9_-]{1,128}$/.test(participant) ? participant : `participant-${createHash('sha256').update(participant).digest('hex').slice(0, 16)}`;
}

/**
 * Makes the finished recording from its chunks: one Matroska file per segment (all the
 * consenting participants' tracks, codecs copied by ffmpeg.wasm, aligned from the arrival
 * of their first frame); beside it one WebM access copy per recorded participant
 * (`segments/segment-0001/<participant id>.webm`: their tracks alone, copied by the same
 * muxer in a job of their own, with the same offsets, so on the segment file's timeline;
 * a browser plays only a file's first video track); speaking timelines; and a signed
 * manifest chained to the previous recording. Built in a hidden directory, then renamed:
 * a recording directory is complete or absent.
 */
export function createFinalizer(config: RecorderServiceConfig, log: Logger, testing: { observeBrowser?: BrowserObserver } = {}): Finalizer {
  const observe = testing.observeBrowser;
  const root = join(config.RECORDER_DATA_DIR, 'recordings');
  return async (state: RecordingState, chunkFiles: ChunkFiles) => {
    const metas = await chunkFiles.list();
    const chunks = await Promise.all(metas.map(async (meta) => ({ meta, data: new Uint8Array(await chunkFiles.read(meta.seq)) })));
    const assembly = assemble(chunks);
    await mkdir(root, { recursive: true });
    const partial = join(root, `.${state.id}.partial`);
    await rm(partial, { recursive: true, force: true });
    await mkdir(join(partial, 'segments'), { recursive: true });
    await mkdir(join(partial, 'timelines'), { recursive: true });

    const start = state.startedAt;
    const restarts = state.restarts;
    const segments: Segment[] = [];
    const muxer = assembly.segments.length > 0 ? await WasmMuxer.start({
            launch: { executablePath: config.CHROMIUM_PATH, args: RECORDER_CHROMIUM_ARGS },
            ...(observe ? { observe: (context: BrowserContext) => observe(context, 'muxer') } : {}),
          }) : null;
    try {
      for (const [position, segment] of assembly.segments.entries()) {
        const base = `segments/segment-${String(position + 1).padStart(4, '0')}`;
        const file = `${base}.mkv`;
        const inputs = segment.tracks.map((track, i) => ({
          name: `track-${i}.${track.extension}`,
          data: track.file,
          kind: track.kind === 'audio' ? ('audio' as const) : ('video' as const),
          title: `${track.name} (${KIND_LABEL[track.kind]})`,
          language: 'und',
          participant: track.name,
          offsetMs: Math.round(track.firstAt - segment.startAt),
        }));
        const job = {
          inputs,
          chapters: chaptersOf(segment, assembly),
          title: `Conclave ${state.room} — ${iso(segment.startAt)}`,
          durationHintMs: Math.max(1, Math.round(segment.endAt - segment.startAt)),
        };
        const mkv = await (muxer as WasmMuxer).mux(job);
        await writeFile(join(partial, file), mkv);
        // The access copies: per participant, their tracks alone, in WebM, on this file's timeline.
        const access: AccessCopy[] = [];
        for (const [participant, indexes] of tracksByParticipant(segment)) {
          const copy = `${base}/${accessFileName(participant)}.webm`;
          const webm = await (muxer as WasmMuxer).mux({
            ...job,
            format: 'webm',
            inputs: indexes.map((index) => inputs[index] as (typeof inputs)[number]),
            title: `${job.title} — ${assembly.names.get(participant) ?? participant}`,
          });
          await mkdir(join(partial, base), { recursive: true });
          await writeFile(join(partial, copy), webm);
          access.push({ participant, file: copy });
        }
        const afterRestart = restarts.some((at) => at > (assembly.segments[position - 1]?.endAt ?? start) && at <= segment.startAt);
        segments.push({
          index: position,
          file,
          startOffsetMs: Math.max(0, Math.round(segment.startAt - start)),
          endOffsetMs: Math.max(0, Math.round(segment.endAt - start)),
          reason: position === 0 ? 'start' : afterRestart ? 'recovery' : 'rotation',
          tracks: segment.tracks.map((track) => ({
            participant: track.participant,
            kind: track.kind,
            codec: track.codec,
            startOffsetMs: Math.max(0, Math.round(track.firstAt - start)),
            gaps: track.gaps.map((gap) => ({
              fromMs: Math.max(0, Math.round(gap.fromAt - start)),
              toMs: Math.max(0, Math.round(gap.toAt - start)),
              reason: restarts.some((at) => at >= gap.fromAt && at <= gap.toAt) ? ('recorder-restart' as const) : ('link-dropped' as const),
            })),
          })),
          chapters: job.chapters,
          access,
        });
      }
    } finally {
      await muxer?.close();
    }

    // A crash between segments leaves a gap no track can show: mark it on the tracks that resumed.
    for (let i = 1; i < segments.length; i++) {
      const previous = segments[i - 1] as Segment;
      const current = segments[i] as Segment;
      if (current.reason !== 'recovery') continue;
      for (const track of current.tracks) track.gaps.unshift({ fromMs: previous.endOffsetMs, toMs: current.startOffsetMs, reason: 'recorder-restart' });
    }

    const speaking = detectSpeaking(
      [...assembly.levels].map(([participant, samples]) => ({
        participant,
        name: assembly.names.get(participant) ?? participant,
        samples: samples.map((sample) => ({ atMs: Math.max(0, sample.at - start), level: Math.min(1, Math.max(0, sample.level)) })),
      })),
    );
    await writeFile(join(partial, 'timelines', 'speaking.vtt'), speakingToWebVtt(speaking));
    await writeFile(join(partial, 'timelines', 'speaking.json'), speakingToJson(speaking));

    const participantIds = new Set([...assembly.names.keys(), ...assembly.notices.map((notice) => notice.participant)]);
    const draft: Omit<RecordingDraft, 'previousManifestSha256'> = {
      version: 1,
      recordingId: state.id,
      room: state.room,
      startedAt: iso(start),
      endedAt: iso(state.stoppedAt ?? Date.now()),
      participants: [...participantIds].map((id) => ({
        id,
        name: assembly.names.get(id) ?? id,
        notices: assembly.notices
          .filter((notice) => notice.participant === id)
          .map((notice) => ({ event: notice.event, notice: notice.notice ?? 'meeting', at: iso(notice.at) })),
      })),
      segments,
    };
    const key = await loadOrCreateRecorderKey(join(config.RECORDER_DATA_DIR, 'keys'));
    await sealRecording(root, partial, draft, key);
    await rename(partial, join(root, state.id));
    // The chunks are in the sealed files now.
    await rm(chunkFiles.chunksDir, { recursive: true, force: true });
    log.info({ recording: state.id, segments: segments.length, chunks: metas.length }, 'recording sealed');
  };
}
