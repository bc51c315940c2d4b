import { bigEndian } from './header.js';
import type { CipherSuite } from './suites.js';

const subtle = globalThis.crypto.subtle;
const text = new TextEncoder();

/** The byte strings one after the other, in a fresh buffer. */
function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export { concat };

/** "SFrame 1.0 Secret key " + KID (8 bytes) + cipher suite (2 bytes), and the same for the salt (RFC 9605, 4.4.2). */
export function keyLabels(kid: bigint, suite: CipherSuite): { keyLabel: Uint8Array; saltLabel: Uint8Array } {
  const tail = concat(bigEndian(kid, 8), bigEndian(BigInt(suite.id), 2));
  return {
    keyLabel: concat(text.encode('SFrame 1.0 Secret key '), tail),
    saltLabel: concat(text.encode('SFrame 1.0 Secret salt '), tail),
  };
}

export interface SFrameKeyMaterial {
  /** The AEAD key, sframe_key. */
  key: Uint8Array;
  /** sframe_salt, XORed with the counter to make each nonce. */
  salt: Uint8Array;
}

/** sframe_secret = HKDF-Extract("", base_key); only needed to check test vectors. */
export async function extractSecret(baseKey: Uint8Array, suite: CipherSuite): Promise<Uint8Array> {
  const hashLength = suite.hash === 'SHA-256' ? 32 : 64;
  // An empty HMAC key equals HashLen zero bytes (RFC 2104 pads keys with zeros).
  const hmacKey = await subtle.importKey('raw', new Uint8Array(hashLength), { name: 'HMAC', hash: suite.hash }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', hmacKey, concat(baseKey)));
}

/** The per-KID key and salt from a base key (RFC 9605, 4.4.2), with WebCrypto's HKDF. */
export async function deriveKeyMaterial(baseKey: Uint8Array, kid: bigint, suite: CipherSuite): Promise<SFrameKeyMaterial> {
  const ikm = await subtle.importKey('raw', concat(baseKey), 'HKDF', false, ['deriveBits']);
  const { keyLabel, saltLabel } = keyLabels(kid, suite);
  const expand = async (info: Uint8Array, length: number) =>
    new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: suite.hash, salt: new Uint8Array(0), info: concat(info) }, ikm, length * 8));
  return { key: await expand(keyLabel, suite.nk), salt: await expand(saltLabel, suite.nn) };
}

/**
 * One ratchet step (RFC 9605, 5.1): the next base key, from which the previous one cannot
 * be recovered. base_key[i+1] = HKDF-Expand(HKDF-Extract("", base_key[i]), "SFrame 1.0 Ratchet", Nh).
 */
export async function ratchetBaseKey(baseKey: Uint8Array, suite: CipherSuite): Promise<Uint8Array> {
  const hashLength = suite.hash === 'SHA-256' ? 32 : 64;
  const ikm = await subtle.importKey('raw', concat(baseKey), 'HKDF', false, ['deriveBits']);
  const info = text.encode('SFrame 1.0 Ratchet');
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: suite.hash, salt: new Uint8Array(0), info }, ikm, hashLength * 8));
}
