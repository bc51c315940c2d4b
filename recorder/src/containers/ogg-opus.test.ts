import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, ffmpeg, probe, scratchDir } from './debian-ffmpeg.js';
import { OGG_FLAG_CONTINUED, readOggPackets, readOggPages } from './ogg.js';
import { type OpusInputPacket, silencePackets, writeOggOpus } from './ogg-opus.js';
import { opusPacketSamples } from './opus-toc.js';

let scratch: Awaited<ReturnType<typeof scratchDir>>;
/** 20 ms Opus packets from libopus, as WebRTC would send them. */
let encoded: Uint8Array[];

beforeAll(async () => {
  scratch = await scratchDir();
  const path = join(scratch.dir, 'sine.ogg');
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:a', 'libopus', '-f', 'ogg', path]);
  const pages = readOggPages(await readFile(path));
  expect(pages.every((page) => page.crcValid)).toBe(true); // our CRC agrees with ffmpeg's
  encoded = readOggPackets(pages).slice(2); // after OpusHead and OpusTags
}, 60_000);

afterAll(() => scratch?.remove());

/** RTP timestamps for the packets, starting just before the 32-bit wrap. */
function withTimestamps(packets: readonly Uint8Array[], start = 2 ** 32 - 5 * 960): OpusInputPacket[] {
  let timestamp = start;
  return packets.map((data) => {
    const packet = { data, rtpTimestamp: timestamp % 2 ** 32 };
    timestamp += opusPacketSamples(data) ?? 0;
    return packet;
  });
}

/** Mean volume of the decoded audio between two times (s), from ffmpeg's volumedetect. */
async function meanVolumeDb(path: string, from: number, to: number): Promise<number> {
  const { stderr } = await decode(path, ['-v', 'info'], ['-af', `atrim=${from}:${to},volumedetect`]);
  const match = /mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  if (!match) throw new Error(`no volume in ffmpeg's output: ${stderr}`);
  return match[1] === '-inf' ? -Infinity : Number(match[1]);
}

async function written(name: string, data: Uint8Array): Promise<string> {
  const path = join(scratch.dir, name);
  await writeFile(path, data);
  return path;
}

describe('writeOggOpus', () => {
  it('writes a stream ffprobe reads as 2 s of Opus, packet for packet, and ffmpeg decodes', async () => {
    expect(encoded).toHaveLength(101);
    const result = writeOggOpus({ packets: withTimestamps(encoded) });
    expect(result).toMatchObject({ durationSamples: 101 * 960, gaps: [], dropped: [] });
    const path = await written('rewritten.ogg', result.data);

    const { streams, format } = await probe(path);
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({ codec_name: 'opus', channels: 2, sample_rate: '48000', nb_read_packets: '101' });
    expect(Number(format.duration)).toBeCloseTo(2, 1);
    expect(await decode(path)).toEqual({ code: 0, stdout: '', stderr: '' });

    const pages = readOggPages(result.data);
    const head = readOggPackets(pages.slice(0, 1))[0]!;
    expect(new TextDecoder().decode(head.subarray(0, 8))).toBe('OpusHead');
    expect(new TextDecoder().decode(readOggPackets(pages.slice(1, 2))[0]!)).toContain('conclave');
    // About a second per audio page, the last granule is the sample count.
    expect(pages.map((page) => page.granule)).toEqual([0n, 0n, 48_000n, 96_000n, 96_960n]);
  });

  it('writes mono when asked', async () => {
    const path = await written('mono.ogg', writeOggOpus({ packets: withTimestamps(encoded), channels: 1 }).data);
    expect((await probe(path)).streams[0]).toMatchObject({ codec_name: 'opus', channels: 1 });
  });

  it('reports a timestamp jump as a gap and covers it with silence, so later audio keeps its time', async () => {
    const input = withTimestamps(encoded);
    const lost = [...input.slice(0, 50), ...input.slice(60)]; // 200 ms never arrived
    const result = writeOggOpus({ packets: lost });
    expect(result.gaps).toEqual([{ packetIndex: 50, atSample: 50 * 960, missingSamples: 10 * 960 }]);
    expect(result.durationSamples).toBe(101 * 960);
    const path = await written('gap.ogg', result.data);
    expect(Number((await probe(path)).format.duration)).toBeCloseTo(2.02, 1);
    expect((await decode(path)).stderr).toBe('');
    // The 200 ms decode to digital silence, between the tone before and after.
    expect(await meanVolumeDb(path, 1.02, 1.18)).toBeLessThan(-80);
    expect(await meanVolumeDb(path, 1.3, 1.6)).toBeGreaterThan(-30);

    const closed = writeOggOpus({ packets: lost, fillGaps: false });
    expect(closed.durationSamples).toBe(91 * 960);
  });

  it('covers odd jumps to the nearest 2.5 ms', () => {
    expect(silencePackets(960 * 2 + 480 + 120 + 50).map((packet) => opusPacketSamples(packet))).toEqual([960, 960, 480, 120]);
    expect(silencePackets(59)).toEqual([]);
  });

  it('leaves out packets with a malformed TOC and says which', async () => {
    const input = withTimestamps(encoded);
    input.splice(10, 0, { data: new Uint8Array(0), rtpTimestamp: input[10]!.rtpTimestamp });
    const result = writeOggOpus({ packets: input });
    expect(result.dropped).toEqual([10]);
    expect(result.gaps).toEqual([]);
    const path = await written('dropped.ogg', result.data);
    expect((await probe(path)).streams[0]!.nb_read_packets).toBe('101');
  });

  it('carries packets over pages, with a 0 lacing value after a multiple of 255 bytes', async () => {
    // Opus padding (code 3) makes valid packets of any size: here exactly 255 * 300 bytes.
    const padded = encoded.slice(0, 5).map((packet) => padTo(packet, 255 * 300));
    const result = writeOggOpus({ packets: withTimestamps([...padded, ...encoded.slice(5)]) });
    const pages = readOggPages(result.data);
    expect(pages.some((page) => page.flags & OGG_FLAG_CONTINUED)).toBe(true);
    expect(pages.some((page) => page.segments.includes(0))).toBe(true);
    expect(readOggPackets(pages).slice(2, 7).map((packet) => packet.byteLength)).toEqual(Array(5).fill(255 * 300));
    const path = await written('padded.ogg', result.data);
    const { streams, format } = await probe(path);
    expect(streams[0]!.nb_read_packets).toBe('101');
    expect(Number(format.duration)).toBeCloseTo(2, 1);
    expect((await decode(path)).stderr).toBe('');
  });

  it('is caught by the checks when wrong: ffmpeg rejects a page with a bad CRC', async () => {
    const data = writeOggOpus({ packets: withTimestamps(encoded) }).data.slice();
    const [head, tags] = readOggPages(data);
    const thirdPage = [head!, tags!].reduce((offset, page) => offset + 27 + page.segments.length + page.body.byteLength, 0);
    data[thirdPage + 22] = data[thirdPage + 22]! ^ 0xff;
    const path = await written('bad-crc.ogg', data);
    expect((await decode(path)).stderr).toMatch(/CRC mismatch/);
    await expect(probe(path)).rejects.toThrow(/CRC mismatch/);
  });
});

/** The same audio as a code 3 packet (one CBR frame) with Opus padding up to `size` bytes. */
function padTo(packet: Uint8Array, size: number): Uint8Array {
  if ((packet[0]! & 3) !== 0) throw new Error('expects a single-frame packet');
  const frame = packet.subarray(1);
  // Padding length: n bytes of 255 (254 each) and a last byte below 255.
  for (let full = 0; ; full++) {
    const padding = size - 2 - (full + 1) - frame.byteLength;
    const last = padding - 254 * full;
    if (last < 0) throw new Error('size too small');
    if (last > 254) continue;
    const out = new Uint8Array(size);
    out.set([packet[0]! | 3, 0x40 | 1, ...Array<number>(full).fill(255), last]);
    out.set(frame, 2 + full + 1);
    return out;
  }
}
