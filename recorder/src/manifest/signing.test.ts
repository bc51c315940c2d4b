import { mkdtempSync, readFileSync, statSync, chmodSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema, type UnsignedManifest } from './schema.js';
import { keyIdOf, loadOrCreateRecorderKey, RECORDER_KEY_FILE, signManifest, verifyManifestSignature, type RecorderKey } from './signing.js';

function unsigned(key: RecorderKey): UnsignedManifest {
  return {
    version: 1,
    recordingId: 'rec-1',
    room: 'board',
    startedAt: '2025-01-01T10:00:00.000Z',
    endedAt: '2025-01-01T10:30:00.000Z',
    recorder: { publicKey: key.publicKeyBase64, keyId: key.keyId },
    previousManifestSha256: null,
    participants: [{ id: 'p1', name: 'Alice', notices: [{ event: 'consented', notice: 'notice-v3', at: '2025-01-01T10:00:01.000Z' }] }],
    segments: [],
    files: [{ path: 'segments/segment-0001.mkv', sha256: 'a'.repeat(64), bytes: 10 }],
  };
}

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'recorder-key-'));

describe('the recorder key', () => {
  it('is created once, mode 0600, as PKCS#8 PEM, and loaded again unchanged', async () => {
    const dir = join(tempDir(), 'keys');
    const key = await loadOrCreateRecorderKey(dir);
    const file = join(dir, RECORDER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readdirSync(dir)).toEqual([RECORDER_KEY_FILE]);
    expect(Buffer.from(key.publicKeyBase64, 'base64')).toHaveLength(32);
    expect(key.keyId).toBe(keyIdOf(Buffer.from(key.publicKeyBase64, 'base64')));
    expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);

    const again = await loadOrCreateRecorderKey(dir);
    expect(again.publicKeyBase64).toBe(key.publicKeyBase64);
  });

  it('creates one key when asked twice at once', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([loadOrCreateRecorderKey(dir), loadOrCreateRecorderKey(dir)]);
    expect(a.publicKeyBase64).toBe(b.publicKeyBase64);
    expect(readdirSync(dir)).toEqual([RECORDER_KEY_FILE]);
  });

  it('refuses a key file others may read, and one that is not Ed25519', async () => {
    const dir = tempDir();
    await loadOrCreateRecorderKey(dir);
    chmodSync(join(dir, RECORDER_KEY_FILE), 0o644);
    await expect(loadOrCreateRecorderKey(dir)).rejects.toThrow(/accessible to others \(mode 644\)/);

    const other = tempDir();
    writeFileSync(join(other, RECORDER_KEY_FILE), 'not a key', { mode: 0o600 });
    await expect(loadOrCreateRecorderKey(other)).rejects.toThrow(/not an Ed25519 private key/);
  });
});

describe('manifest signatures', () => {
  it('round-trip, and the signed manifest passes the schema', async () => {
    const key = await loadOrCreateRecorderKey(tempDir());
    const manifest = signManifest(unsigned(key), key);
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(verifyManifestSignature(manifest)).toBe(true);
    // Key order does not matter: the signature covers the canonical form.
    const reordered = reverseKeys(manifest) as typeof manifest;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(manifest));
    expect(verifyManifestSignature(reordered)).toBe(true);
  });

  it('fail once anything signed changes, or under another key', async () => {
    const key = await loadOrCreateRecorderKey(tempDir());
    const manifest = signManifest(unsigned(key), key);
    expect(verifyManifestSignature({ ...manifest, room: 'other' })).toBe(false);
    expect(verifyManifestSignature({ ...manifest, files: [{ ...manifest.files[0]!, bytes: 11 }] })).toBe(false);
    const other = await loadOrCreateRecorderKey(tempDir());
    expect(verifyManifestSignature({ ...manifest, recorder: { publicKey: other.publicKeyBase64, keyId: other.keyId } })).toBe(false);
    const signature = Buffer.from(manifest.signature, 'base64');
    signature[0] = signature[0]! ^ 1;
    expect(verifyManifestSignature({ ...manifest, signature: signature.toString('base64') })).toBe(false);
  });

  it('will not sign a manifest naming another recorder key', async () => {
    const key = await loadOrCreateRecorderKey(tempDir());
    const other = await loadOrCreateRecorderKey(tempDir());
    expect(() => signManifest(unsigned(other), key)).toThrow(/does not name the signing key/);
  });
});
