import { describe, expect, it } from 'vitest';
import { NO_GRANULE, OGG_FLAG_BOS, OGG_FLAG_CONTINUED, OGG_FLAG_EOS, OggStreamWriter, oggCrc, readOggPackets, readOggPages } from './ogg.js';

const bytes = (length: number, fill = 1) => new Uint8Array(length).fill(fill);

describe('oggCrc', () => {
  it('is CRC-32 with polynomial 0x04c11db7, unreflected, from 0 with no final XOR', () => {
    // The check value of CRC-32/CKSUM (same CRC, final XOR all ones) is 0x765e7680.
    expect(oggCrc(new TextEncoder().encode('123456789'))).toBe(~0x765e7680 >>> 0);
  });
});

describe('OggStreamWriter', () => {
  it('laces packets: a size that is a multiple of 255 ends with a 0 segment', () => {
    const writer = new OggStreamWriter(7);
    for (const [index, size] of [0, 254, 255, 510, 300].entries()) writer.write({ data: bytes(size), granule: BigInt(index) });
    const [page, ...rest] = readOggPages(writer.end());
    expect(rest).toEqual([]);
    expect(page!.segments).toEqual([0, 254, 255, 0, 255, 255, 0, 255, 45]);
    expect(page!.flags).toBe(OGG_FLAG_BOS | OGG_FLAG_EOS);
    expect(page!.granule).toBe(4n);
    expect(page!.crcValid).toBe(true);
    expect(readOggPackets([page!]).map((packet) => packet.byteLength)).toEqual([0, 254, 255, 510, 300]);
  });

  it('carries a packet over pages: continued flag, granule -1 where no packet ends', () => {
    const writer = new OggStreamWriter(7);
    writer.write({ data: bytes(100, 2), granule: 10n });
    const big = bytes(255 * 255 * 2 + 7, 3);
    writer.write({ data: big, granule: 20n });
    writer.write({ data: bytes(5, 4), granule: 30n });
    const pages = readOggPages(writer.end());
    expect(pages.map((page) => page.sequence)).toEqual([0, 1, 2]);
    expect(pages.map((page) => page.flags)).toEqual([OGG_FLAG_BOS, OGG_FLAG_CONTINUED, OGG_FLAG_CONTINUED | OGG_FLAG_EOS]);
    // Page 0 ends the 100-byte packet; page 1 ends none; page 2 ends the big one and the last.
    expect(pages.map((page) => page.granule)).toEqual([10n, NO_GRANULE, 30n]);
    expect(pages.map((page) => page.segments.length)).toEqual([255, 255, 3]);
    const packets = readOggPackets(pages);
    expect(packets.map((packet) => packet.byteLength)).toEqual([100, big.byteLength, 5]);
    expect(Buffer.compare(packets[1]!, big)).toBe(0); // (toEqual walks 130 kB element by element)
  });

  it('flush starts a new page; an empty stream is one empty BOS+EOS page', () => {
    const writer = new OggStreamWriter(1);
    writer.write({ data: bytes(3), granule: 0n });
    writer.flush();
    writer.flush();
    writer.write({ data: bytes(3), granule: 5n });
    expect(readOggPages(writer.end()).map((page) => [page.flags, page.granule])).toEqual([
      [OGG_FLAG_BOS, 0n],
      [OGG_FLAG_EOS, 5n],
    ]);
    const [empty] = readOggPages(new OggStreamWriter(1).end());
    expect(empty).toMatchObject({ flags: OGG_FLAG_BOS | OGG_FLAG_EOS, granule: NO_GRANULE, segments: [] });
  });

  it('the reader notices a corrupted page', () => {
    const writer = new OggStreamWriter(1);
    writer.write({ data: bytes(40), granule: 1n });
    const file = writer.end();
    file[30] = file[30]! ^ 1;
    expect(readOggPages(file)[0]!.crcValid).toBe(false);
    expect(() => readOggPages(file.subarray(0, file.byteLength - 1))).toThrow(/truncated/);
  });
});
