import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeChunk, type ChunkFrame } from '@conclave/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, ffmpeg, packets, probe, scratchDir } from '../containers/debian-ffmpeg.js';
import { readIvf } from '../containers/ivf.js';
import { readOggPackets, readOggPages } from '../containers/ogg.js';
import { opusPacketSamples } from '../containers/opus-toc.js';
import { sha256Hex } from '../manifest/files.js';
import type { Manifest } from '../manifest/schema.js';
import { verifyRecording } from '../manifest/verify.js';
import { ChunkFiles, type ChunkMeta } from './chunk-files.js';
import type { RecorderServiceConfig } from './config.js';
import { accessFileName, createFinalizer, tracksByParticipant } from './finalize.js';
import type { RecordingState } from './recordings.js';

const ALICE = 'AliceAliceAliceAlice01';
const BOB = 'BobBobBobBobBobBobBob2';
const CAROL = 'CarolCarolCarolCarol03';
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const CUES = Buffer.from([0x1c, 0x53, 0xbb, 0x6b]);

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let videoFrames: { data: Uint8Array; key: boolean }[];
let opusPackets: Uint8Array[];

beforeAll(async () => {
  scratch = await scratchDir();
  const vp8Path = join(scratch.dir, 'made.ivf');
  const opusPath = join(scratch.dir, 'made.ogg');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '3', '-c:v', 'libvpx', '-g', '15', '-f', 'ivf', vp8Path]);
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '3', '-c:a', 'libopus', '-f', 'ogg', opusPath]);
  // VP8: a key frame has the lowest bit of its first byte clear.
  videoFrames = readIvf(await readFile(vp8Path)).frames.map((frame) => ({ data: frame.data, key: (frame.data[0]! & 1) === 0 }));
  opusPackets = readOggPackets(readOggPages(await readFile(opusPath))).slice(2);
}, 60_000);

afterAll(async () => {
  await scratch?.remove();
});

/** Stores one chunk as the recorder page would upload it. */
async function put(files: ChunkFiles, seq: number, meta: Omit<ChunkMeta, 'recording' | 'seq' | 'segment' | 'firstAt' | 'lastAt' | 'frames' | 'bytes' | 'sha256'>, frames: ChunkFrame[]): Promise<void> {
  const data = encodeChunk(frames);
  const times = frames.map((frame) => frame.receivedAt);
  await files.put(
    { recording: 'rec-access', seq, segment: 0, firstAt: Math.min(...times), lastAt: Math.max(...times), frames: frames.length, bytes: data.length, sha256: sha256Hex(data), ...meta },
    data,
  );
}

const video = (startAt: number): ChunkFrame[] =>
  videoFrames.map((frame, i) => ({ keyFrame: frame.key, rtpTimestamp: 1000 + 6000 * i, receivedAt: startAt + (i * 1000) / 15, audioLevel: null, data: frame.data }));

function audio(startAt: number): ChunkFrame[] {
  let rtpTimestamp = 77_000;
  return opusPackets.map((data, i) => {
    const frame = { keyFrame: true, rtpTimestamp, receivedAt: startAt + i * 20, audioLevel: 0.2, data };
    rtpTimestamp += opusPacketSamples(data)!;
    return frame;
  });
}

const notice = (participant: string, name: string, event: string, at: number): ChunkFrame => ({
  keyFrame: false,
  rtpTimestamp: 0,
  receivedAt: at,
  audioLevel: null,
  data: new TextEncoder().encode(JSON.stringify({ participant, name, event, notice: 'notice-v1', at })),
});

describe('tracksByParticipant and accessFileName', () => {
  it('puts the camera first, then the screen, then the microphone', () => {
    const tracks = [
      { participant: 'a', kind: 'audio' },
      { participant: 'a', kind: 'screen' },
      { participant: 'a', kind: 'video' },
      { participant: 'b', kind: 'audio' },
    ] as const;
    expect([...tracksByParticipant({ tracks: tracks as never })]).toEqual([
      ['a', [2, 1, 0]],
      ['b', [3]],
    ]);
  });

  it('names the file after the participant id, or a digest of an id a path cannot carry', () => {
    expect(accessFileName(ALICE)).toBe(ALICE);
    expect(accessFileName('../x')).toMatch(/^participant-[0-9a-f]{16}$/);
  });
});

describe('the finalizer', () => {
  it('writes per segment a WebM access copy per recorded participant: their streams only, copied, on the segment file\'s timeline, with cues, listed and signed', async () => {
    const dataDir = scratch.dir;
    const files = new ChunkFiles(join(dataDir, 'work', 'rec-access'));
    // Alice: camera from the segment's start, microphone 300 ms later; Bob: microphone only, 1 s in; Carol declined.
    await put(files, 0, { participant: CAROL, name: 'Carol', track: 'events', kind: 'events', codec: 'json' }, [
      notice(ALICE, 'Alice', 'consented', T0 - 200),
      notice(BOB, 'Bob', 'consented', T0 - 150),
      notice(CAROL, 'Carol', 'declined', T0 - 100),
    ]);
    await put(files, 1, { participant: ALICE, name: 'Alice', track: 'cam', kind: 'video', codec: 'vp8' }, video(T0));
    await put(files, 2, { participant: ALICE, name: 'Alice', track: 'mic', kind: 'audio', codec: 'opus' }, audio(T0 + 300));
    await put(files, 3, { participant: BOB, name: 'Bob', track: 'mic', kind: 'audio', codec: 'opus' }, audio(T0 + 1000));
    const state: RecordingState = {
      id: 'rec-access', room: 'room-1', startedAt: T0 - 500, stoppedAt: T0 + 5000, status: 'finalizing',
      encryption: null, uploadKey: 'k', restarts: [], error: null,
    };
    const config = { RECORDER_DATA_DIR: dataDir, CHROMIUM_PATH: '/usr/bin/chromium' } as RecorderServiceConfig;
    await createFinalizer(config, pino({ level: 'silent' }))(state, files);

    const dir = join(dataDir, 'recordings', 'rec-access');
    expect(await verifyRecording(dir)).toEqual([]);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const [segment] = manifest.segments;
    expect(manifest.segments).toHaveLength(1);
    expect(manifest.participants.map((participant) => participant.id).sort()).toEqual([ALICE, BOB, CAROL]);
    // Every recorded participant has one; Carol, who declined, has none.
    expect(segment!.access).toEqual([
      { participant: ALICE, file: `segments/segment-0001/${ALICE}.webm` },
      { participant: BOB, file: `segments/segment-0001/${BOB}.webm` },
    ]);
    expect(manifest.files.map((file) => file.path)).toEqual([
      'segments/segment-0001.mkv',
      `segments/segment-0001/${ALICE}.webm`,
      `segments/segment-0001/${BOB}.webm`,
      'timelines/speaking.json',
      'timelines/speaking.vtt',
    ]);

    const segmentPath = join(dir, segment!.file);
    const whole = await probe(segmentPath);
    // The segment file: Alice's microphone (a:0) and camera (v:0), Bob's microphone (a:1).
    expect(whole.streams.map((stream) => [stream.codec_name, stream.tags?.PARTICIPANT, stream.start_time])).toEqual([
      ['opus', 'Alice', '0.300000'],
      ['vp8', 'Alice', '0.000000'],
      ['opus', 'Bob', '1.000000'],
    ]);
    const videoSizes = videoFrames.map((frame) => frame.data.byteLength);
    const audioSizes = opusPackets.map((packet) => packet.byteLength);
    const expected = [
      { participant: ALICE, name: 'Alice', streams: [['v:0', 'v:0', 'vp8', videoSizes], ['a:0', 'a:0', 'opus', audioSizes]] },
      { participant: BOB, name: 'Bob', streams: [['a:0', 'a:1', 'opus', audioSizes]] },
    ] as const;
    for (const { participant, name, streams: copied } of expected) {
      const path = join(dir, `segments/segment-0001/${participant}.webm`);
      const { streams, format } = await probe(path);
      expect(format.format_name).toBe('matroska,webm');
      // Exactly this participant's streams, camera first.
      expect(streams.map((stream) => [stream.codec_name, stream.tags?.PARTICIPANT])).toEqual(copied.map(([, , codec]) => [codec, name]));
      for (const [own, inSegment, codec, sizes] of copied) {
        const stream = streams.find((candidate) => candidate.codec_name === codec)!;
        const segmentStream = whole.streams.filter((candidate) => candidate.codec_type === stream.codec_type)[Number(inSegment.slice(2))]!;
        // The same start as in the segment file: players set every copy to one currentTime.
        expect(stream.start_time).toBe(segmentStream.start_time);
        // Copied, not transcoded: every packet the sender encoded, same size, same time.
        const list = await packets(path, own);
        expect(list.map((packet) => packet.size)).toEqual(sizes);
        expect(list).toEqual(await packets(segmentPath, inSegment));
      }
      // Seekable: cues, and a clean decode.
      expect((await readFile(path)).includes(CUES)).toBe(true);
      expect(await decode(path)).toEqual({ code: 0, stdout: '', stderr: '' });
    }
    const alice = join(dir, `segments/segment-0001/${ALICE}.webm`);
    expect((await packets(alice, 'v:0', 1.5))[0]!.time).toBe(1);
  }, 120_000);
});
