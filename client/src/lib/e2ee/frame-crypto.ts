/**
 * Encrypting and decrypting encoded media frames. A protected frame is:
 *
 *   clear codec prefix | SFrame( header | ciphertext of the whole frame ), the prefix authenticated as SFrame metadata
 *
 * The whole frame is encrypted, its prefix included, so that decryption hands back the
 * frame as it was in the AEAD's own output buffer, with no copy on the receiving side
 * (1 to 10 bytes more per frame on the wire). The receiver checks that the clear prefix
 * matches the decrypted one.
 *
 * The prefix is what RTP packetizers and depacketizers read: the VP8 payload header
 * (10 bytes on key frames, 3 on delta frames, RFC 7741) and the Opus TOC byte. Codecs
 * whose packetization does not read the payload (VP9, AV1 with the dependency descriptor)
 * need none. H.264 is refused: its packetizer parses NAL units throughout the frame.
 */
import { SFrameError, type SFrameContext } from '@conclave/sframe';

export type Codec = 'vp8' | 'vp9' | 'av1' | 'opus';

/** How many leading bytes stay in clear for this frame. */
export function clearPrefixLength(codec: Codec, frame: Uint8Array): number {
  switch (codec) {
    case 'vp8':
      // P bit (bit 0 of the first byte) is 0 on key frames.
      return Math.min(frame.length, ((frame[0] ?? 1) & 0x01) === 0 ? 10 : 3);
    case 'opus':
      return Math.min(frame.length, 1);
    default:
      return 0;
  }
}

export function codecFromMimeType(mimeType: string): Codec {
  const codec = mimeType.toLowerCase().split('/')[1];
  if (codec === 'vp8' || codec === 'vp9' || codec === 'av1' || codec === 'opus') return codec;
  throw new SFrameError(`no end-to-end encryption for ${mimeType}`);
}

/** One sender's frames under one key: the counter only goes up, so no nonce repeats. */
export class FrameEncryptor {
  #counter = 0n;

  constructor(
    readonly context: SFrameContext,
    readonly kid: bigint,
  ) {}

  /** Frames protected so far under this key (the next counter). */
  get counter(): bigint {
    return this.#counter;
  }

  async encrypt(codec: Codec, frame: Uint8Array): Promise<Uint8Array> {
    const prefix = frame.subarray(0, clearPrefixLength(codec, frame));
    const counter = this.#counter;
    this.#counter += 1n;
    return this.context.encrypt(this.kid, counter, prefix, frame, prefix);
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Counters accepted per KID: the highest seen and a window of 128 below it (as SRTP does). */
export const REPLAY_WINDOW = 128n;

/** Decrypts one receiver's frames; drops replays, frames that fail authentication, and unknown keys. */
export class FrameDecryptor {
  readonly #seen = new Map<bigint, { highest: bigint; window: Set<bigint> }>();

  constructor(readonly context: SFrameContext) {}

  /** The frame's plaintext, or throws SFrameError (the caller drops the frame: never rendered). */
  async decrypt(codec: Codec, protectedFrame: Uint8Array): Promise<Uint8Array> {
    // The clear prefix is read from the frame as received; a tampered prefix fails authentication.
    const prefixLength = clearPrefixLength(codec, protectedFrame);
    const prefix = protectedFrame.subarray(0, prefixLength);
    const { kid, ctr, plaintext } = await this.context.decrypt(prefix, protectedFrame.subarray(prefixLength));
    // Only a sender holding the key can make the two differ; what the depacketizer read must be what the decoder gets.
    if (!startsWith(plaintext, prefix)) throw new SFrameError('the clear prefix does not match the decrypted frame');
    this.#accept(kid, ctr);
    return plaintext;
  }

  #accept(kid: bigint, ctr: bigint): void {
    const state = this.#seen.get(kid) ?? { highest: -1n, window: new Set<bigint>() };
    if (ctr + REPLAY_WINDOW <= state.highest || state.window.has(ctr)) throw new SFrameError(`replayed frame (KID ${kid}, CTR ${ctr})`);
    state.window.add(ctr);
    if (ctr > state.highest) state.highest = ctr;
    // Counters below the window are refused by the test above whether or not they are in
    // the set: sweeping them out now and then (not on every frame) keeps the set small.
    if (state.window.size > 2 * Number(REPLAY_WINDOW)) {
      for (const old of state.window) if (old + REPLAY_WINDOW <= state.highest) state.window.delete(old);
    }
    this.#seen.set(kid, state);
  }
}
