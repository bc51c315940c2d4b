import { describe, expect, it } from 'vitest';
import { opusPacketSamples } from './opus-toc.js';

/** TOC byte from configuration (0-31), stereo flag and frame count code (0-3). */
const toc = (config: number, code: number, stereo = false) => (config << 3) | (stereo ? 4 : 0) | code;

describe('opusPacketSamples', () => {
  it('reads the frame size of every mode (RFC 6716 table 2)', () => {
    expect([0, 1, 2, 3].map((config) => opusPacketSamples(Uint8Array.of(toc(config, 0))))).toEqual([
      480, 960, 1920, 2880,
    ]);
    expect([12, 13, 14, 15].map((config) => opusPacketSamples(Uint8Array.of(toc(config, 0))))).toEqual([
      480, 960, 480, 960,
    ]);
    expect([16, 17, 18, 19, 31].map((config) => opusPacketSamples(Uint8Array.of(toc(config, 0))))).toEqual([
      120, 240, 480, 960, 960,
    ]);
  });

  it('multiplies by the frame count (codes 1, 2 and 3)', () => {
    expect(opusPacketSamples(Uint8Array.of(toc(31, 1, true), 0, 0))).toBe(1920);
    expect(opusPacketSamples(Uint8Array.of(toc(31, 2), 1, 0))).toBe(1920);
    expect(opusPacketSamples(Uint8Array.of(toc(31, 3), 0x80 | 6))).toBe(5760);
    expect(opusPacketSamples(Uint8Array.of(toc(16, 3), 3))).toBe(360);
  });

  it('rejects what no decoder accepts: empty, no count byte, no frame, over 120 ms', () => {
    expect(opusPacketSamples(new Uint8Array(0))).toBeNull();
    expect(opusPacketSamples(Uint8Array.of(toc(31, 3)))).toBeNull();
    expect(opusPacketSamples(Uint8Array.of(toc(31, 3), 0))).toBeNull();
    expect(opusPacketSamples(Uint8Array.of(toc(3, 3), 3))).toBeNull(); // 3 x 60 ms
  });
});
