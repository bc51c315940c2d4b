/**
 * From stored chunks to what a segment file holds (no I/O): per participant and track,
 * the frames in order, the elementary file (IVF for VP8/VP9, Ogg for Opus), where it
 * starts, and where frames stopped coming (gap markers). Also the notice log and the
 * audio levels for the speaking timeline.
 */
import { decodeChunk, type ChunkFrame } from '@conclave/protocol';
import { vp8KeyFrameSize, vp9KeyFrameSize, writeIvf } from '../containers/ivf.js';
import { writeOggOpus } from '../containers/ogg-opus.js';
import { RtpTimestampUnwrapper } from '../containers/rtp-time.js';
import type { ChunkMeta } from './chunk-files.js';

/** A track that sends nothing for this long has a gap (video sends 15+ frames/s, audio 50). */
export const GAP_MS = 1000;

export interface StoredChunkData {
  meta: ChunkMeta;
  data: Uint8Array;
}

export interface NoticeEntry {
  participant: string;
  name: string;
  event: 'shown' | 'consented' | 'declined' | 'revoked' | 'joined' | 'left';
  notice: string | null;
  at: number;
}

export interface AssembledTrack {
  participant: string;
  name: string;
  kind: 'audio' | 'video' | 'screen';
  codec: string;
  /** The elementary file: IVF or Ogg Opus. */
  file: Uint8Array;
  extension: 'ivf' | 'ogg';
  /** Arrival of its first frame, ms since the epoch. */
  firstAt: number;
  lastAt: number;
  gaps: { fromAt: number; toAt: number }[];
  frames: number;
}

export interface AssembledSegment {
  index: number;
  tracks: AssembledTrack[];
  startAt: number;
  endAt: number;
}

export interface Assembly {
  segments: AssembledSegment[];
  notices: NoticeEntry[];
  /** Participant id → the last name seen. */
  names: Map<string, string>;
  /** Audio levels (linear 0..1) by participant, with arrival times. */
  levels: Map<string, { at: number; level: number }[]>;
}

function gapsOf(frames: ChunkFrame[]): { fromAt: number; toAt: number }[] {
  const gaps: { fromAt: number; toAt: number }[] = [];
  for (let i = 1; i < frames.length; i++) {
    const before = (frames[i - 1] as ChunkFrame).receivedAt;
    const after = (frames[i] as ChunkFrame).receivedAt;
    if (after - before > GAP_MS) gaps.push({ fromAt: before, toAt: after });
  }
  return gaps;
}

function videoFile(codec: 'vp8' | 'vp9', frames: ChunkFrame[]): { file: Uint8Array; kept: ChunkFrame[] } | null {
  // A decoder starts at a key frame: what came before it cannot be shown.
  const start = frames.findIndex((frame) => frame.keyFrame);
  if (start < 0) return null;
  const kept = frames.slice(start);
  const first = kept[0] as ChunkFrame;
  const size = (codec === 'vp8' ? vp8KeyFrameSize(first.data) : vp9KeyFrameSize(first.data)) ?? { width: 640, height: 480 };
  const unwrapper = new RtpTimestampUnwrapper();
  const stamps = kept.map((frame) => unwrapper.unwrap(frame.rtpTimestamp));
  const base = stamps[0] as bigint;
  let last = -1n;
  const ivfFrames = kept.map((frame, i) => {
    // Never backwards: a reordered frame keeps the previous time plus one tick.
    let pts = (stamps[i] as bigint) - base;
    if (pts <= last) pts = last + 1n;
    last = pts;
    return { data: frame.data, pts };
  });
  return { file: writeIvf({ codec, width: size.width, height: size.height, timebase: { num: 1, den: 90_000 }, frames: ivfFrames }), kept };
}

/** Puts the stored chunks of one recording together; `chunks` in sequence order. */
export function assemble(chunks: StoredChunkData[]): Assembly {
  const notices: NoticeEntry[] = [];
  const names = new Map<string, string>();
  const levels = new Map<string, { at: number; level: number }[]>();
  // segment → participant/track → frames
  const bySegment = new Map<number, Map<string, { meta: ChunkMeta; frames: ChunkFrame[] }>>();

  for (const { meta, data } of chunks) {
    if (meta.name) names.set(meta.participant, meta.name);
    const frames = decodeChunk(data);
    if (meta.kind === 'events') {
      for (const frame of frames) notices.push(JSON.parse(new TextDecoder().decode(frame.data)) as NoticeEntry);
      continue;
    }
    const tracks = bySegment.get(meta.segment) ?? new Map();
    bySegment.set(meta.segment, tracks);
    const key = `${meta.participant}/${meta.track}`;
    const entry = tracks.get(key) ?? { meta, frames: [] };
    entry.frames.push(...frames);
    tracks.set(key, entry);
    if (meta.kind === 'audio') {
      const list = levels.get(meta.participant) ?? [];
      for (const frame of frames) if (frame.audioLevel !== null) list.push({ at: frame.receivedAt, level: frame.audioLevel });
      levels.set(meta.participant, list);
    }
  }
  for (const notice of notices) if (notice.name) names.set(notice.participant, notice.name);

  const segments: AssembledSegment[] = [];
  for (const [index, tracks] of [...bySegment].sort(([a], [b]) => a - b)) {
    const assembled: AssembledTrack[] = [];
    for (const { meta, frames } of tracks.values()) {
      frames.sort((a, b) => a.receivedAt - b.receivedAt);
      const [codecName, role] = meta.codec.split(';');
      const name = names.get(meta.participant) ?? meta.participant;
      if (meta.kind === 'video' && (codecName === 'vp8' || codecName === 'vp9')) {
        const video = videoFile(codecName, frames);
        if (!video) continue;
        const kept = video.kept;
        assembled.push({
          participant: meta.participant, name, kind: role === 'screen' ? 'screen' : 'video', codec: codecName, file: video.file, extension: 'ivf',
          firstAt: (kept[0] as ChunkFrame).receivedAt, lastAt: (kept.at(-1) as ChunkFrame).receivedAt, gaps: gapsOf(kept), frames: kept.length,
        });
      } else if (meta.kind === 'audio' && codecName === 'opus') {
        const ogg = writeOggOpus({ packets: frames.map((frame) => ({ data: frame.data, rtpTimestamp: frame.rtpTimestamp })) });
        assembled.push({
          participant: meta.participant, name, kind: 'audio', codec: 'opus', file: ogg.data, extension: 'ogg',
          firstAt: (frames[0] as ChunkFrame).receivedAt, lastAt: (frames.at(-1) as ChunkFrame).receivedAt, gaps: gapsOf(frames), frames: frames.length,
        });
      }
      // Other codecs (H.264 is refused by E2EE) are not recorded.
    }
    if (assembled.length === 0) continue;
    assembled.sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
    segments.push({
      index,
      tracks: assembled,
      startAt: Math.min(...assembled.map((track) => track.firstAt)),
      endAt: Math.max(...assembled.map((track) => track.lastAt)),
    });
  }
  notices.sort((a, b) => a.at - b.at);
  return { segments, notices, names, levels };
}
