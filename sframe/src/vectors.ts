import { createAead } from './aead.js';
import { decodeHeader, encodeHeader } from './header.js';
import { deriveKeyMaterial, extractSecret, keyLabels } from './key-schedule.js';
import { makeNonce, SFrameContext } from './sframe.js';
import { CIPHER_SUITES, cipherSuite } from './suites.js';

/**
 * The JSON layout of the RFC 9605 test vectors (sframe-wg/sframe test-vectors.json):
 * byte strings are lowercase hex; `kid` and `ctr` may exceed 2^53 and are read exactly.
 */
export interface VectorFile {
  header: { kid: bigint; ctr: bigint; encoded: string }[];
  aes_ctr_hmac: { cipher_suite: number; key: string; enc_key: string; auth_key: string; nonce: string; aad: string; pt: string; ct: string }[];
  sframe: {
    cipher_suite: number;
    kid: bigint;
    ctr: bigint;
    base_key: string;
    sframe_key_label: string;
    sframe_salt_label: string;
    sframe_secret: string;
    sframe_key: string;
    sframe_salt: string;
    metadata: string;
    nonce: string;
    aad: string;
    pt: string;
    ct: string;
  }[];
}

export interface CheckResult {
  /** For example "sframe[2] suite 3 kid 291 ctr 17767". */
  name: string;
  /** Empty when the vector passed; else what did not match. */
  failures: string[];
}

/** Parses a vector file, keeping 64-bit `kid` and `ctr` exact (JSON.parse would round them). */
export function parseVectorFile(text: string): VectorFile {
  const exact = text.replace(/"(kid|ctr)"\s*:\s*(\d+)/g, '"$1":"$2"');
  const raw = JSON.parse(exact) as Record<string, unknown>;
  const toBigInt = (entry: Record<string, unknown>) => ({ ...entry, kid: BigInt(entry.kid as string), ctr: BigInt(entry.ctr as string) });
  if (!Array.isArray(raw.header) || !Array.isArray(raw.sframe)) throw new Error('not an SFrame vector file: "header" and "sframe" arrays expected');
  return {
    header: (raw.header as Record<string, unknown>[]).map(toBigInt),
    aes_ctr_hmac: Array.isArray(raw.aes_ctr_hmac) ? raw.aes_ctr_hmac : [],
    sframe: (raw.sframe as Record<string, unknown>[]).map(toBigInt),
  } as VectorFile;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const fromHex = (text: string): Uint8Array => {
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new Error(`not hex: ${text.slice(0, 20)}`);
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
};

function expectHex(failures: string[], what: string, actual: Uint8Array, expected: string): void {
  if (hex(actual) !== expected.toLowerCase()) failures.push(`${what}: got ${hex(actual)}, expected ${expected}`);
}

/** The ciphertext with one bit flipped, at the middle of the part after the header. */
function flipBit(bytes: Uint8Array, from: number): Uint8Array {
  const copy = bytes.slice();
  const index = from + Math.floor((copy.length - from) / 2);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

async function rejects(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return false;
  } catch {
    return true;
  }
}

async function checkSFrame(vector: VectorFile['sframe'][number]): Promise<string[]> {
  const failures: string[] = [];
  const suite = CIPHER_SUITES.get(vector.cipher_suite);
  if (!suite) return [`unknown cipher suite ${vector.cipher_suite}`];
  const baseKey = fromHex(vector.base_key);
  const { keyLabel, saltLabel } = keyLabels(vector.kid, suite);
  expectHex(failures, 'sframe_key_label', keyLabel, vector.sframe_key_label);
  expectHex(failures, 'sframe_salt_label', saltLabel, vector.sframe_salt_label);
  expectHex(failures, 'sframe_secret', await extractSecret(baseKey, suite), vector.sframe_secret);
  const { key, salt } = await deriveKeyMaterial(baseKey, vector.kid, suite);
  expectHex(failures, 'sframe_key', key, vector.sframe_key);
  expectHex(failures, 'sframe_salt', salt, vector.sframe_salt);
  expectHex(failures, 'nonce', makeNonce(salt, vector.ctr), vector.nonce);
  const metadata = fromHex(vector.metadata);
  const header = encodeHeader({ kid: vector.kid, ctr: vector.ctr });
  expectHex(failures, 'aad', Uint8Array.from([...header, ...metadata]), vector.aad);

  const context = new SFrameContext(vector.cipher_suite);
  await context.addKey(vector.kid, baseKey);
  const ct = await context.encrypt(vector.kid, vector.ctr, metadata, fromHex(vector.pt));
  expectHex(failures, 'encrypt(pt)', ct, vector.ct);
  const expectedCt = fromHex(vector.ct);
  try {
    const { plaintext } = await context.decrypt(metadata, expectedCt);
    expectHex(failures, 'decrypt(ct)', plaintext, vector.pt);
  } catch (error) {
    failures.push(`decrypt(ct) failed: ${(error as Error).message}`);
  }
  if (!(await rejects(() => context.decrypt(metadata, flipBit(expectedCt, header.length))))) {
    failures.push('decrypt accepted a ciphertext with one bit flipped');
  }
  return failures;
}

async function checkCtrHmac(vector: VectorFile['aes_ctr_hmac'][number]): Promise<string[]> {
  const failures: string[] = [];
  const suite = cipherSuite(vector.cipher_suite);
  const key = fromHex(vector.key);
  expectHex(failures, 'enc_key', key.slice(0, suite.aesKeyLength), vector.enc_key);
  expectHex(failures, 'auth_key', key.slice(suite.aesKeyLength), vector.auth_key);
  const aead = await createAead(suite, key);
  const nonce = fromHex(vector.nonce);
  const aad = fromHex(vector.aad);
  expectHex(failures, 'encrypt(pt)', await aead.encrypt(nonce, aad, fromHex(vector.pt)), vector.ct);
  try {
    expectHex(failures, 'decrypt(ct)', await aead.decrypt(nonce, aad, fromHex(vector.ct)), vector.pt);
  } catch (error) {
    failures.push(`decrypt(ct) failed: ${(error as Error).message}`);
  }
  if (!(await rejects(() => aead.decrypt(nonce, aad, flipBit(fromHex(vector.ct), 0))))) {
    failures.push('decrypt accepted a ciphertext with one bit flipped');
  }
  return failures;
}

function checkHeader(vector: VectorFile['header'][number]): string[] {
  const failures: string[] = [];
  expectHex(failures, 'encoded', encodeHeader(vector), vector.encoded);
  try {
    const decoded = decodeHeader(fromHex(vector.encoded));
    if (decoded.kid !== vector.kid || decoded.ctr !== vector.ctr) failures.push(`decoded kid ${decoded.kid} ctr ${decoded.ctr}`);
    if (decoded.length !== vector.encoded.length / 2) failures.push(`decoded length ${decoded.length}`);
  } catch (error) {
    failures.push(`decode failed: ${(error as Error).message}`);
  }
  return failures;
}

/** Checks every vector of a file: headers, the CTR+HMAC AEADs, and full SFrame encryption. */
export async function checkVectors(file: VectorFile): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  file.header.forEach((vector, i) => results.push({ name: `header[${i}] kid ${vector.kid} ctr ${vector.ctr}`, failures: checkHeader(vector) }));
  for (const [i, vector] of file.aes_ctr_hmac.entries()) {
    results.push({ name: `aes_ctr_hmac[${i}] suite ${vector.cipher_suite}`, failures: await checkCtrHmac(vector) });
  }
  for (const [i, vector] of file.sframe.entries()) {
    results.push({ name: `sframe[${i}] suite ${vector.cipher_suite} kid ${vector.kid} ctr ${vector.ctr}`, failures: await checkSFrame(vector) });
  }
  return results;
}
