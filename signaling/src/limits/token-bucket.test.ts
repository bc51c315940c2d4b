import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false]);
    now += 100; // 10 per second: one token back
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000;
    expect(bucket.idle).toBe(true);
  });

  it('makes a penalty wait, even beyond what is left', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 5, () => now);
    bucket.penalize(8); // 5 - 8 = -3
    now += 3_500;
    expect(bucket.take()).toBe(false);
    now += 1_000;
    expect(bucket.take()).toBe(true);
  });
});
