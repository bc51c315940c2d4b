/** The cipher suites of RFC 9605 (section 4.5 and the IANA registry, section 8.1). */
export interface CipherSuite {
  id: number;
  name: string;
  /** Hash of the key schedule (HKDF) and, for the CTR suites, of the HMAC. */
  hash: 'SHA-256' | 'SHA-512';
  /** AEAD key length in bytes (for CTR+HMAC: the AES key then the HMAC key). */
  nk: number;
  /** Nonce length in bytes. */
  nn: number;
  /** Authentication tag length in bytes. */
  nt: number;
  mode: 'gcm' | 'ctr-hmac';
  /** AES key length in bytes (the first part of the key for CTR+HMAC). */
  aesKeyLength: number;
}

export const CIPHER_SUITES: ReadonlyMap<number, CipherSuite> = new Map(
  (
    [
      { id: 1, name: 'AES_128_CTR_HMAC_SHA256_80', hash: 'SHA-256', nk: 48, nn: 12, nt: 10, mode: 'ctr-hmac', aesKeyLength: 16 },
      { id: 2, name: 'AES_128_CTR_HMAC_SHA256_64', hash: 'SHA-256', nk: 48, nn: 12, nt: 8, mode: 'ctr-hmac', aesKeyLength: 16 },
      { id: 3, name: 'AES_128_CTR_HMAC_SHA256_32', hash: 'SHA-256', nk: 48, nn: 12, nt: 4, mode: 'ctr-hmac', aesKeyLength: 16 },
      { id: 4, name: 'AES_128_GCM_SHA256_128', hash: 'SHA-256', nk: 16, nn: 12, nt: 16, mode: 'gcm', aesKeyLength: 16 },
      { id: 5, name: 'AES_256_GCM_SHA512_128', hash: 'SHA-512', nk: 32, nn: 12, nt: 16, mode: 'gcm', aesKeyLength: 32 },
    ] satisfies CipherSuite[]
  ).map((suite) => [suite.id, suite]),
);

/** Conclave's default: AES_128_GCM_SHA256_128. */
export const DEFAULT_SUITE = 4;

export function cipherSuite(id: number): CipherSuite {
  const suite = CIPHER_SUITES.get(id);
  if (!suite) throw new RangeError(`unknown SFrame cipher suite ${id}`);
  return suite;
}
