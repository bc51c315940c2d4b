import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, ffmpeg, probe, scratchDir } from './debian-ffmpeg.js';
import { type IvfCodec, type IvfFile, readIvf, vp8KeyFrameSize, vp9KeyFrameSize, writeIvf } from './ivf.js';
import { unwrapRtpTimestamps } from './rtp-time.js';

const RTP_VIDEO_CLOCK = 90_000;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
const encoded = new Map<IvfCodec, IvfFile>();

beforeAll(async () => {
  scratch = await scratchDir();
  for (const [codec, encoder] of [['vp8', 'libvpx'], ['vp9', 'libvpx-vp9']] as const) {
    const path = join(scratch.dir, `${codec}.ivf`);
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '2', '-c:v', encoder, '-f', 'ivf', path]);
    encoded.set(codec, readIvf(await readFile(path)));
  }
}, 60_000);

afterAll(() => scratch?.remove());

/**
 * The frames as a WebRTC receiver would see them: 90 kHz RTP timestamps starting just
 * before the 32-bit wrap, unwrapped and rebased on the first frame.
 */
function asReceived(file: IvfFile): IvfFile {
  const ticksPerPts = RTP_VIDEO_CLOCK / file.timebase.den;
  const start = 2 ** 32 - 3 * ticksPerPts;
  const rtp = file.frames.map((frame) => (start + Number(frame.pts) * ticksPerPts) % 2 ** 32);
  const timeline = unwrapRtpTimestamps(rtp);
  const key = vp8KeyFrameSize(file.frames[0]!.data) ?? vp9KeyFrameSize(file.frames[0]!.data);
  return {
    codec: file.codec,
    width: key!.width,
    height: key!.height,
    timebase: { num: 1, den: RTP_VIDEO_CLOCK },
    frames: file.frames.map((frame, index) => ({ data: frame.data, pts: timeline[index]! - timeline[0]! })),
  };
}

describe('key frame sizes', () => {
  it('reads 320x240 from the first VP8 and VP9 frames and nothing from inter frames', () => {
    const vp8 = encoded.get('vp8')!.frames;
    const vp9 = encoded.get('vp9')!.frames;
    expect(vp8KeyFrameSize(vp8[0]!.data)).toEqual({ width: 320, height: 240 });
    expect(vp9KeyFrameSize(vp9[0]!.data)).toEqual({ width: 320, height: 240 });
    expect(vp8KeyFrameSize(vp8[1]!.data)).toBeNull();
    expect(vp9KeyFrameSize(vp9[1]!.data)).toBeNull();
    // Each refuses the other codec's key frame.
    expect(vp8KeyFrameSize(vp9[0]!.data)).toBeNull();
    expect(vp9KeyFrameSize(vp8[0]!.data)).toBeNull();
    expect(vp8KeyFrameSize(new Uint8Array(4))).toBeNull();
  });
});

describe('writeIvf', () => {
  it.each(['vp8', 'vp9'] as const)('writes %s at 90 kHz that ffprobe and ffmpeg read frame for frame', async (codec) => {
    const received = asReceived(encoded.get(codec)!);
    expect(received.frames[3]!.pts).toBe(3n * 6000n); // across the wrap
    const path = join(scratch.dir, `${codec}-90k.ivf`);
    await writeFile(path, writeIvf(received));

    const { streams, format } = await probe(path);
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({ codec_name: codec, width: 320, height: 240, nb_read_packets: '30' });
    expect(Number(format.duration)).toBeCloseTo(2, 1);
    expect(await decode(path)).toEqual({ code: 0, stdout: '', stderr: '' });
    // Our reader gets back exactly what we wrote.
    const back = readIvf(await readFile(path));
    expect(back.frames.map((frame) => frame.pts)).toEqual(received.frames.map((frame) => BigInt(frame.pts)));
    expect(back.timebase).toEqual({ num: 1, den: RTP_VIDEO_CLOCK });
  });

  it('is caught by the checks when wrong: mislabelled codec, or no key frame first', async () => {
    const vp9 = asReceived(encoded.get('vp9')!);
    const mislabelled = join(scratch.dir, 'mislabelled.ivf');
    await writeFile(mislabelled, writeIvf({ ...vp9, codec: 'vp8' }));
    expect((await decode(mislabelled)).stderr).toMatch(/sync code|Invalid data/);

    const vp8 = asReceived(encoded.get('vp8')!);
    const keyless = join(scratch.dir, 'keyless.ivf');
    await writeFile(keyless, writeIvf({ ...vp8, frames: vp8.frames.slice(1) }));
    expect((await decode(keyless)).stderr).toMatch(/Invalid data/);
  });

  it('refuses what IVF cannot hold', () => {
    const frame = { data: new Uint8Array(1), pts: 0 };
    const base: IvfFile = { codec: 'vp8', width: 2, height: 2, timebase: { num: 1, den: 90_000 }, frames: [frame] };
    expect(() => writeIvf({ ...base, frames: [{ ...frame, pts: -1n }] })).toThrow(RangeError);
    expect(() => writeIvf({ ...base, width: 70_000 })).toThrow(RangeError);
    expect(() => writeIvf({ ...base, timebase: { num: 0, den: 1 } })).toThrow(RangeError);
    expect(writeIvf({ ...base, frames: [] }).byteLength).toBe(32);
    expect(() => readIvf(new Uint8Array(32))).toThrow(/not an IVF/);
  });
});
