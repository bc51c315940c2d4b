import { createAead, type Aead } from './aead.js';
import { bigEndian, decodeHeader, encodeHeader, MAX_UINT64, SFrameError } from './header.js';
import { concat, deriveKeyMaterial } from './key-schedule.js';
import { cipherSuite, type CipherSuite } from './suites.js';

interface KeyEntry {
  aead: Aead;
  salt: Uint8Array;
}

/** nonce = sframe_salt XOR CTR (big-endian, right-aligned). */
export function makeNonce(salt: Uint8Array, ctr: bigint): Uint8Array {
  const counter = bigEndian(ctr, salt.length);
  return salt.map((byte, i) => byte ^ (counter[i] ?? 0));
}

/**
 * SFrame encryption and decryption (RFC 9605, 4.4) for one cipher suite: keys are added
 * by KID; encrypt() takes the KID and counter to use, decrypt() reads them from the header.
 * Counter management (never twice under one key) belongs to the caller.
 */
export class SFrameContext {
  readonly suite: CipherSuite;
  readonly #keys = new Map<bigint, KeyEntry>();

  constructor(suiteId: number) {
    this.suite = cipherSuite(suiteId);
  }

  async addKey(kid: bigint, baseKey: Uint8Array): Promise<void> {
    const { key, salt } = await deriveKeyMaterial(baseKey, kid, this.suite);
    this.#keys.set(kid, { aead: await createAead(this.suite, key), salt });
  }

  removeKey(kid: bigint): void {
    this.#keys.delete(kid);
  }

  hasKey(kid: bigint): boolean {
    return this.#keys.has(kid);
  }

  /** The KIDs that have a key. */
  kids(): bigint[] {
    return [...this.#keys.keys()];
  }

  /**
   * header + AEAD(plaintext), with header + metadata authenticated. `prepend` (a media
   * frame's clear prefix) goes in front of the result in the same allocation.
   */
  async encrypt(kid: bigint, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array, prepend?: Uint8Array): Promise<Uint8Array> {
    const entry = this.#keys.get(kid);
    if (!entry) throw new SFrameError(`no key for KID ${kid}`);
    if (ctr < 0n || ctr > MAX_UINT64) throw new SFrameError('CTR out of range');
    const header = encodeHeader({ kid, ctr });
    const ciphertext = await entry.aead.encrypt(makeNonce(entry.salt, ctr), concat(header, metadata), plaintext);
    return prepend ? concat(prepend, header, ciphertext) : concat(header, ciphertext);
  }

  /**
   * The plaintext, its KID and counter; throws SFrameError when the key is unknown or
   * authentication fails. With `prepend`, the plaintext comes after it in one allocation.
   */
  async decrypt(metadata: Uint8Array, sframe: Uint8Array, prepend?: Uint8Array): Promise<{ kid: bigint; ctr: bigint; plaintext: Uint8Array }> {
    const { kid, ctr, length } = decodeHeader(sframe);
    const entry = this.#keys.get(kid);
    if (!entry) throw new SFrameError(`no key for KID ${kid}`);
    const header = sframe.subarray(0, length);
    const plaintext = await entry.aead.decrypt(makeNonce(entry.salt, ctr), concat(header, metadata), sframe.subarray(length));
    return { kid, ctr, plaintext: prepend && prepend.length > 0 ? concat(prepend, plaintext) : plaintext };
  }
}
