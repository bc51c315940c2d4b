import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { Logger } from 'pino';
import { sealRecording } from '../manifest/chain.js';
import type { RecordingDraft, Segment } from '../manifest/schema.js';
import { loadOrCreateRecorderKey } from '../manifest/signing.js';
import { WasmMuxer } from '../mux/wasm-muxer.js';
import { detectSpeaking, speakingToJson, speakingToWebVtt } from '../timeline/speaking.js';
import { assemble, type AssembledSegment, type Assembly } from './assemble.js';
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

/**
 * Makes the finished recording from its chunks: one Matroska file per segment (all the
 * consenting participants' tracks, codecs copied by ffmpeg.wasm, aligned from the arrival
 * of their first frame), speaking timelines, and a signed manifest chained to the
 * previous recording. Built in a hidden directory, then renamed: a recording directory
 * is complete or absent.
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
        const file = `segments/segment-${String(position + 1).padStart(4, '0')}.mkv`;
        const mkv = await (muxer as WasmMuxer).mux({
          inputs: segment.tracks.map((track, i) => ({
            name: `track-${i}.${track.extension}`,
            data: track.file,
            kind: track.kind === 'audio' ? ('audio' as const) : ('video' as const),
            title: `${track.name} (${KIND_LABEL[track.kind]})`,
            language: 'und',
            participant: track.name,
            offsetMs: Math.round(track.firstAt - segment.startAt),
          })),
          chapters: chaptersOf(segment, assembly),
          title: `Conclave ${state.room} — ${iso(segment.startAt)}`,
          durationHintMs: Math.max(1, Math.round(segment.endAt - segment.startAt)),
        });
        await writeFile(join(partial, file), mkv);
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
          chapters: chaptersOf(segment, assembly),
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
