import { describe, expect, it } from 'vitest';
import { ChunkFormatError, decodeChunk, encodeChunk, type ChunkFrame } from './recording-chunk.js';

const frames: ChunkFrame[] = [
  { keyFrame: true, rtpTimestamp: 0xffff_fff0, receivedAt: 1_764_486_000_123.5, audioLevel: null, data: Uint8Array.of(1, 2, 3) },
  { keyFrame: false, rtpTimestamp: 12, receivedAt: 1_764_486_000_190.25, audioLevel: 0.5, data: new Uint8Array(0) },
];

describe('recording chunks', () => {
  it('round-trip frames exactly', () => {
    expect(decodeChunk(encodeChunk(frames))).toEqual(frames);
  });

  it('refuse other data, truncation and trailing bytes', () => {
    const bytes = encodeChunk(frames);
    expect(() => decodeChunk(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toThrow(ChunkFormatError);
    expect(() => decodeChunk(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeChunk(Uint8Array.of(...bytes, 0))).toThrow(/trailing/);
  });
});
