/**
 * Long-lived identity keys (no DOM: WebCrypto only). Each browser profile has one ECDSA
 * P-256 key pair; its private half is not extractable. The public half goes into every
 * link's transcript and signs it, so the short authentication string two people compare
 * vouches for that key, and a verified key can be recognised in later meetings.
 */
const subtle = globalThis.crypto.subtle;
const SIGNING = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface IdentityKeys {
  privateKey: CryptoKey;
  /** Raw (uncompressed point) public key. */
  publicKey: Uint8Array<ArrayBuffer>;
}

export async function createIdentity(): Promise<IdentityKeys> {
  const pair = (await subtle.generateKey(SIGNING, false, ['sign', 'verify'])) as CryptoKeyPair;
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) };
}

export async function signWithIdentity(identity: IdentityKeys, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle.sign(SIGNATURE, identity.privateKey, data));
}

/** Whether `signature` over `data` is from the holder of `publicKey`; false for a malformed key. */
export async function verifyIdentitySignature(publicKey: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    const key = await subtle.importKey('raw', publicKey, SIGNING, false, ['verify']);
    return await subtle.verify(SIGNATURE, key, signature, data);
  } catch {
    return false;
  }
}

/** A short, stable name for a public identity key: the first 16 bytes of its SHA-256, in hex. */
export async function identityFingerprint(publicKey: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await subtle.digest('SHA-256', publicKey));
  return [...hash.subarray(0, 16)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
