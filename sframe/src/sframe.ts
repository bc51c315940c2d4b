import { createAead, type Aead } from './aead.js';
import { decodeHeader, headerLayout, SFrameError, writeHeader } from './header.js';
import { deriveKeyMaterial } from './key-schedule.js';
import { cipherSuite, type CipherSuite } from './suites.js';

interface KeyEntry {
  aead: Aead;
  salt: Uint8Array;
  /** Scratch for this key's nonces: WebCrypto copies its parameters when called, so one buffer serves every frame. */
  nonce: Uint8Array;
}

/** nonce = sframe_salt XOR CTR (big-endian, right-aligned). */
export function makeNonce(salt: Uint8Array, ctr: bigint): Uint8Array {
  return writeNonce(salt, ctr, new Uint8Array(salt.length));
}

const LOW_32 = 0xffffffffn;

/** makeNonce into `out`; the counter's 64 bits as two 32-bit numbers (BigInt arithmetic allocates, and this runs per frame). */
function writeNonce(salt: Uint8Array, ctr: bigint, out: Uint8Array): Uint8Array {
  out.set(salt);
  const low = Number(ctr & LOW_32);
  const high = ctr > LOW_32 ? Number((ctr >> 32n) & LOW_32) : 0;
  const last = out.length - 1;
  for (let byte = 0; byte < 4; byte++) {
    out[last - byte] = (out[last - byte] ?? 0) ^ ((low >>> (8 * byte)) & 0xff);
    out[last - 4 - byte] = (out[last - 4 - byte] ?? 0) ^ ((high >>> (8 * byte)) & 0xff);
  }
  return out;
}

/** Scratch for header + metadata, the AAD (grown when needed; WebCrypto copies it when called). */
class AadBuffer {
  #bytes = new Uint8Array(64);

  of(header: Uint8Array, metadata: Uint8Array): Uint8Array {
    const length = header.length + metadata.length;
    if (length > this.#bytes.length) this.#bytes = new Uint8Array(2 * length);
    this.#bytes.set(header);
    this.#bytes.set(metadata, header.length);
    return this.#bytes.subarray(0, length);
  }
}

/**
 * SFrame encryption and decryption (RFC 9605, 4.4) for one cipher suite: keys are added
 * by KID; encrypt() takes the KID and counter to use, decrypt() reads them from the header.
 * Counter management (never twice under one key) belongs to the caller.
 */
export class SFrameContext {
  readonly suite: CipherSuite;
  readonly #keys = new Map<bigint, KeyEntry>();
  readonly #aad = new AadBuffer();

  constructor(suiteId: number) {
    this.suite = cipherSuite(suiteId);
  }

  async addKey(kid: bigint, baseKey: Uint8Array): Promise<void> {
    const { key, salt } = await deriveKeyMaterial(baseKey, kid, this.suite);
    this.#keys.set(kid, { aead: await createAead(this.suite, key), salt, nonce: new Uint8Array(salt.length) });
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
  async encrypt(kid: bigint, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array, prepend: Uint8Array = EMPTY): Promise<Uint8Array> {
    const entry = this.#keys.get(kid);
    if (!entry) throw new SFrameError(`no key for KID ${kid}`);
    const layout = headerLayout({ kid, ctr }); // also refuses a KID or counter outside 64 bits
    const headerBytes = layout.length;
    // One allocation for the whole protected frame; the AEAD's output is copied in once.
    const out = new Uint8Array(prepend.length + headerBytes + plaintext.length + this.suite.nt);
    out.set(prepend);
    writeHeader({ kid, ctr }, out, prepend.length, layout);
    const header = out.subarray(prepend.length, prepend.length + headerBytes);
    const ciphertext = await entry.aead.encrypt(writeNonce(entry.salt, ctr, entry.nonce), this.#aad.of(header, metadata), plaintext);
    out.set(ciphertext, prepend.length + headerBytes);
    return out;
  }

  /** The plaintext, its KID and counter; throws SFrameError when the key is unknown or authentication fails. */
  async decrypt(metadata: Uint8Array, sframe: Uint8Array): Promise<{ kid: bigint; ctr: bigint; plaintext: Uint8Array }> {
    const { kid, ctr, length } = decodeHeader(sframe);
    const entry = this.#keys.get(kid);
    if (!entry) throw new SFrameError(`no key for KID ${kid}`);
    const aad = this.#aad.of(sframe.subarray(0, length), metadata);
    const plaintext = await entry.aead.decrypt(writeNonce(entry.salt, ctr, entry.nonce), aad, sframe.subarray(length));
    return { kid, ctr, plaintext };
  }
}

const EMPTY = new Uint8Array(0);
