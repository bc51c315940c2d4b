/**
 * RTP timestamps are 32-bit and wrap (every 13.3 h at 90 kHz, every 24.9 h at 48 kHz).
 * The unwrapper extends them to a 64-bit timeline: each step is taken as the shortest
 * signed distance from the previous timestamp, so a frame that arrives slightly out of
 * order moves back a little instead of jumping forward by 2^32.
 */
const WRAP = 2n ** 32n;
const HALF = 2n ** 31n;

export class RtpTimestampUnwrapper {
  #last: bigint | undefined;

  /** Returns the 64-bit timestamp of `timestamp` (an unsigned 32-bit RTP timestamp). */
  unwrap(timestamp: number): bigint {
    if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp >= 2 ** 32) {
      throw new RangeError(`not a 32-bit RTP timestamp: ${timestamp}`);
    }
    const value = BigInt(timestamp);
    if (this.#last === undefined) {
      this.#last = value;
      return value;
    }
    let step = (value - this.#last) % WRAP;
    if (step < 0n) step += WRAP;
    if (step >= HALF) step -= WRAP;
    this.#last += step;
    return this.#last;
  }
}

/** Unwraps a whole sequence; the first value is kept as is (subtract it for a timeline from 0). */
export function unwrapRtpTimestamps(timestamps: readonly number[]): bigint[] {
  const unwrapper = new RtpTimestampUnwrapper();
  return timestamps.map((timestamp) => unwrapper.unwrap(timestamp));
}
