import { bigEndian, SFrameError } from './header.js';
import { concat } from './key-schedule.js';
import type { CipherSuite } from './suites.js';

const subtle = globalThis.crypto.subtle;

/**
 * An AEAD of RFC 9605 ready to use: keys imported once per KID. Callers reuse their nonce
 * and AAD buffers as soon as a call returns its promise, so an implementation reads (or
 * copies) them before its first await.
 */
export interface Aead {
  encrypt(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Throws SFrameError when authentication fails. */
  decrypt(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array>;
}

async function gcm(suite: CipherSuite, key: Uint8Array): Promise<Aead> {
  const cryptoKey = await subtle.importKey('raw', concat(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
  // WebCrypto copies the IV and AAD when called: callers may reuse those buffers at once.
  const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => ({
    name: 'AES-GCM',
    iv: nonce as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: suite.nt * 8,
  });
  return {
    // Views go to WebCrypto as they are: it copies its input itself (frames are large, copies add up).
    encrypt: async (nonce, aad, plaintext) => new Uint8Array(await subtle.encrypt(params(nonce, aad), cryptoKey, plaintext as Uint8Array<ArrayBuffer>)),
    decrypt: async (nonce, aad, ciphertext) => {
      try {
        return new Uint8Array(await subtle.decrypt(params(nonce, aad), cryptoKey, ciphertext as Uint8Array<ArrayBuffer>));
      } catch {
        throw new SFrameError('SFrame authentication failed');
      }
    },
  };
}

/**
 * AES-CTR with a truncated HMAC (RFC 9605, 4.5.1): the key is the AES key then the HMAC
 * key; the tag covers the lengths, the nonce, the AAD and the ciphertext.
 */
async function ctrHmac(suite: CipherSuite, key: Uint8Array): Promise<Aead> {
  const encKey = await subtle.importKey('raw', key.slice(0, suite.aesKeyLength), 'AES-CTR', false, ['encrypt', 'decrypt']);
  const authKey = await subtle.importKey('raw', key.slice(suite.aesKeyLength), { name: 'HMAC', hash: suite.hash }, false, ['sign']);
  const counterBlock = (nonce: Uint8Array) => concat(nonce, new Uint8Array(16 - nonce.length));
  const tag = async (nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array) => {
    const authData = concat(bigEndian(BigInt(aad.length), 8), bigEndian(BigInt(ct.length), 8), bigEndian(BigInt(suite.nt), 8), nonce, aad, ct);
    return new Uint8Array(await subtle.sign('HMAC', authKey, authData)).slice(0, suite.nt);
  };
  const ctr = async (nonce: Uint8Array, data: Uint8Array) =>
    new Uint8Array(await subtle.encrypt({ name: 'AES-CTR', counter: counterBlock(nonce), length: 32 }, encKey, concat(data)));
  return {
    encrypt: async (nonceView, aadView, plaintext) => {
      const [nonce, aad] = [nonceView.slice(), aadView.slice()];
      const ct = await ctr(nonce, plaintext);
      return concat(ct, await tag(nonce, aad, ct));
    },
    decrypt: async (nonceView, aadView, ciphertext) => {
      const [nonce, aad] = [nonceView.slice(), aadView.slice()];
      if (ciphertext.length < suite.nt) throw new SFrameError('SFrame ciphertext shorter than its tag');
      const ct = ciphertext.subarray(0, ciphertext.length - suite.nt);
      const expected = await tag(nonce, aad, ct);
      const given = ciphertext.subarray(ciphertext.length - suite.nt);
      // Constant time: compare every byte whatever the first difference.
      let difference = 0;
      for (let i = 0; i < expected.length; i++) difference |= (expected[i] ?? 0) ^ (given[i] ?? 0);
      if (difference !== 0) throw new SFrameError('SFrame authentication failed');
      return ctr(nonce, ct);
    },
  };
}

export function createAead(suite: CipherSuite, key: Uint8Array): Promise<Aead> {
  if (key.length !== suite.nk) throw new SFrameError(`key must be ${suite.nk} bytes for ${suite.name}`);
  return suite.mode === 'gcm' ? gcm(suite, key) : ctrHmac(suite, key);
}
