/**
 * The recorder's Ed25519 identity: one key per recorder installation, created on first
 * use and kept as PKCS#8 PEM readable by the recorder's user only. Manifests carry the
 * public key, so a recording verifies on its own; the archive check notes key changes.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from './canonical.js';
import { type Manifest, type UnsignedManifest } from './schema.js';
import { fsyncDirectory } from './fsync.js';

export const RECORDER_KEY_FILE = 'recorder-key.pem';

export interface RecorderKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Base64 of the raw 32-byte public key, as in manifest.recorder.publicKey. */
  publicKeyBase64: string;
  /** First 16 hex digits of the SHA-256 of the raw public key. */
  keyId: string;
}

// An Ed25519 SPKI DER is a fixed 12-byte prefix followed by the raw 32-byte key.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function keyIdOf(rawPublicKey: Uint8Array): string {
  return createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16);
}

export function publicKeyFromBase64(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function recorderKeyFrom(privateKey: KeyObject): RecorderKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the recorder key must be Ed25519, not ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { privateKey, publicKey, publicKeyBase64: raw.toString('base64'), keyId: keyIdOf(raw) };
}

/**
 * The key in `dir/recorder-key.pem`, created (with `dir`, mode 0700) if there is none.
 * Refuses a key file that others than its owner may read or write, as ssh does: whoever
 * can read it can sign recordings in the recorder's name.
 */
export async function loadOrCreateRecorderKey(dir: string): Promise<RecorderKey> {
  const file = join(dir, RECORDER_KEY_FILE);
  const existing = await loadKey(file);
  if (existing) return existing;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(pem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // link() rather than rename(): it never replaces a key another process created meanwhile.
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  await fsyncDirectory(dir);
  const created = await loadKey(file);
  if (!created) throw new Error(`${file} vanished right after it was written`);
  return created;
}

async function loadKey(file: string): Promise<RecorderKey | null> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(`${file} is accessible to others (mode ${(mode & 0o777).toString(8)}): run chmod 600 on it`);
  }
  const pem = await readFile(file, 'utf8');
  try {
    return recorderKeyFrom(createPrivateKey({ key: pem, format: 'pem' }));
  } catch (error) {
    throw new Error(`${file} is not an Ed25519 private key: ${(error as Error).message}`, { cause: error });
  }
}

/** The bytes a signature covers: the canonical JSON of the manifest without `signature`. */
export function signedBytes(unsigned: UnsignedManifest): Buffer {
  const { signature: _ignored, ...rest } = unsigned as UnsignedManifest & { signature?: unknown };
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** Signs a manifest whose `recorder` is this key (anything else is a bug: it would never verify). */
export function signManifest(unsigned: UnsignedManifest, key: RecorderKey): Manifest {
  if (unsigned.recorder.publicKey !== key.publicKeyBase64 || unsigned.recorder.keyId !== key.keyId) {
    throw new Error('manifest.recorder does not name the signing key');
  }
  const signature = sign(null, signedBytes(unsigned), key.privateKey).toString('base64');
  return { ...unsigned, signature };
}

/**
 * Whether `signature` is the Ed25519 signature, by `recorder.publicKey`, of the rest of the
 * manifest. Takes a schema-checked manifest; says nothing about who holds the key.
 */
export function verifyManifestSignature(manifest: Manifest): boolean {
  const { signature, ...unsigned } = manifest;
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromBase64(manifest.recorder.publicKey);
  } catch {
    return false;
  }
  return verify(null, signedBytes(unsigned), publicKey, Buffer.from(signature, 'base64'));
}
