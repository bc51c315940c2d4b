/**
 * The SFrame state of one link, one object per direction (no DOM: it runs in the media
 * worker and in Node's tests).
 *
 * Key ids follow RFC 9605, 5.1: KID = generation << 8 | ratchet step (mod 256).
 *   - The generation names one sending track on this link. The sender hands out a new
 *     one for every track it starts to encrypt, never the same twice under a base key, so
 *     no (key, counter) pair ever repeats: not when a track is replaced, stopped and
 *     restarted, nor when the worker restarts (a new worker gets new link keys: see
 *     media-encryption.ts).
 *   - The ratchet step moves the whole direction forward: every sender on the link
 *     switches to base_key[n+1] and starts its counter again, and the old base key is
 *     forgotten, so a key that leaks later does not open earlier media.
 */
import { decodeHeader, DEFAULT_SUITE, ratchetBaseKey, SFrameContext, SFrameError } from '@conclave/sframe';
import { clearPrefixLength, FrameDecryptor, FrameEncryptor, type Codec } from './frame-crypto.js';

export const RATCHET_BITS = 8n;
const STEP_MASK = (1n << RATCHET_BITS) - 1n;
/** A receiver follows a sender at most this many ratchet steps ahead in one go (the step is unauthenticated). */
export const MAX_CATCH_UP = 4;

export function composeKid(generation: number, step: number): bigint {
  return (BigInt(generation) << RATCHET_BITS) | (BigInt(step) & STEP_MASK);
}

export function splitKid(kid: bigint): { generation: number; step: number } {
  return { generation: Number(kid >> RATCHET_BITS), step: Number(kid & STEP_MASK) };
}

/** What we send on one link: one base key, ratcheted forward, shared by every sending track. */
export class SendDirection {
  readonly context: SFrameContext;
  #baseKey: Uint8Array;
  #step = 0;
  #nextGeneration = 1;

  constructor(baseKey: Uint8Array, suiteId = DEFAULT_SUITE) {
    this.context = new SFrameContext(suiteId);
    this.#baseKey = baseKey;
  }

  get step(): number {
    return this.#step;
  }

  /** The encryptor of a track that starts sending: a generation never used before on this link. */
  newTrack(): TrackEncryptor {
    return new TrackEncryptor(this, this.#nextGeneration++);
  }

  /** Moves every track to the next base key; the previous one is gone. */
  async ratchet(): Promise<void> {
    this.#baseKey = await ratchetBaseKey(this.#baseKey, this.context.suite);
    this.#step += 1;
  }

  /** @internal The KID of one generation at the current step if its key is already derived. */
  readyKid(generation: number): bigint | null {
    const kid = composeKid(generation, this.#step);
    return this.context.hasKey(kid) ? kid : null;
  }

  /** @internal The key of one generation at the current step, added to the context on first use. */
  async keyFor(generation: number): Promise<bigint> {
    const ready = this.readyKid(generation);
    if (ready !== null) return ready;
    const kid = composeKid(generation, this.#step);
    await this.context.addKey(kid, this.#baseKey);
    // The same generation's key at the previous step is no longer needed.
    this.context.removeKey(composeKid(generation, this.#step - 1));
    return kid;
  }
}

/** One sending track: its own KID, and a counter that restarts only with a new key. */
export class TrackEncryptor {
  #encryptor: FrameEncryptor | null = null;

  constructor(
    readonly direction: SendDirection,
    readonly generation: number,
  ) {}

  async encrypt(codec: Codec, frame: Uint8Array): Promise<Uint8Array> {
    // Per frame: no await unless a key must be derived (once per generation and step).
    const kid = this.direction.readyKid(this.generation) ?? (await this.direction.keyFor(this.generation));
    if (this.#encryptor?.kid !== kid) this.#encryptor = new FrameEncryptor(this.direction.context, kid);
    return this.#encryptor.encrypt(codec, frame);
  }
}

/** What we receive on one link: follows the sender's ratchet, drops what does not authenticate. */
export class ReceiveDirection {
  readonly context: SFrameContext;
  readonly #decryptor: FrameDecryptor;
  /** Base keys by ratchet step: the current one and the one before (frames still in flight). */
  #baseKeys = new Map<number, Uint8Array>();
  #step = 0;

  constructor(baseKey: Uint8Array, suiteId = DEFAULT_SUITE) {
    this.context = new SFrameContext(suiteId);
    this.#decryptor = new FrameDecryptor(this.context);
    this.#baseKeys.set(0, baseKey);
  }

  get step(): number {
    return this.#step;
  }

  /**
   * The frame's plaintext, or throws SFrameError. Returns whether this frame moved the
   * receiver to a new ratchet step (the caller then asks for a key frame).
   */
  async decrypt(codec: Codec, frame: Uint8Array): Promise<{ plaintext: Uint8Array; ratcheted: boolean }> {
    const { kid } = decodeHeader(frame.subarray(clearPrefixLength(codec, frame)));
    const { step: wireStep } = splitKid(kid);
    const step = this.#unwrap(wireStep);
    if (step === null) throw new SFrameError(`KID ${kid}: ratchet step out of reach`);
    const candidate = this.#baseKeys.get(step) ?? (await this.#baseKeyAt(step));
    const known = this.context.hasKey(kid);
    if (!known) await this.context.addKey(kid, candidate);
    let plaintext: Uint8Array;
    try {
      plaintext = await this.#decryptor.decrypt(codec, frame);
    } catch (error) {
      // A key derived for a forged header is not kept.
      if (!known) this.context.removeKey(kid);
      throw error;
    }
    if (step <= this.#step) return { plaintext, ratcheted: false };
    this.#advanceTo(step, candidate);
    return { plaintext, ratcheted: true };
  }

  /** The absolute step a wire step (mod 256) stands for: the previous, current or a few ahead. */
  #unwrap(wireStep: number): number | null {
    for (let step = this.#step - 1; step <= this.#step + MAX_CATCH_UP; step++) {
      if (step >= 0 && (step & Number(STEP_MASK)) === wireStep) return step;
    }
    return null;
  }

  async #baseKeyAt(step: number): Promise<Uint8Array> {
    const known = this.#baseKeys.get(step);
    if (known) return known;
    if (step < this.#step) throw new SFrameError(`ratchet step ${step} is gone`);
    let key = this.#baseKeys.get(this.#step) as Uint8Array;
    for (let next = this.#step + 1; next <= step; next++) key = await ratchetBaseKey(key, this.context.suite);
    return key;
  }

  /** Keeps the new step and the one before it; every older key is forgotten. */
  #advanceTo(step: number, baseKey: Uint8Array): void {
    const current = this.#baseKeys.get(this.#step);
    this.#baseKeys = new Map([[step, baseKey]]);
    if (current && this.#step === step - 1) this.#baseKeys.set(this.#step, current);
    this.#step = step;
    const kept = new Set([step, step - 1].map((value) => BigInt(value) & STEP_MASK));
    for (const kid of this.context.kids()) if (!kept.has(kid & STEP_MASK)) this.context.removeKey(kid);
  }
}
