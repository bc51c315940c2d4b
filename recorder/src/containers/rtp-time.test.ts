import { describe, expect, it } from 'vitest';
import { RtpTimestampUnwrapper, unwrapRtpTimestamps } from './rtp-time.js';

describe('unwrapRtpTimestamps', () => {
  it('carries on past 2^32 instead of going back to 0', () => {
    const start = 2 ** 32 - 6000;
    const timestamps = [start, start + 3000, 0, 3000, 6000].map((value) => value % 2 ** 32);
    expect(unwrapRtpTimestamps(timestamps)).toEqual([
      BigInt(start),
      BigInt(start) + 3000n,
      2n ** 32n,
      2n ** 32n + 3000n,
      2n ** 32n + 6000n,
    ]);
  });

  it('takes a small step back (reordering) as a step back, also across the wrap', () => {
    expect(unwrapRtpTimestamps([10, 2 ** 32 - 20, 30])).toEqual([10n, -20n, 30n]);
    expect(unwrapRtpTimestamps([2 ** 32 - 10, 5, 2 ** 32 - 2])).toEqual([
      2n ** 32n - 10n,
      2n ** 32n + 5n,
      2n ** 32n - 2n,
    ]);
  });

  it('wraps many times over a long recording', () => {
    const unwrapper = new RtpTimestampUnwrapper();
    let last = 0n;
    for (let i = 0; i <= 10; i++) last = unwrapper.unwrap((i * 2 ** 30) % 2 ** 32);
    expect(last).toBe(10n * 2n ** 30n);
  });

  it('refuses values that are not 32-bit timestamps', () => {
    const unwrapper = new RtpTimestampUnwrapper();
    expect(() => unwrapper.unwrap(-1)).toThrow(RangeError);
    expect(() => unwrapper.unwrap(2 ** 32)).toThrow(RangeError);
    expect(() => unwrapper.unwrap(1.5)).toThrow(RangeError);
  });
});
