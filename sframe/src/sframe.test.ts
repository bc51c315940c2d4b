import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader, MAX_UINT64, SFrameError } from './header.js';
import { ratchetBaseKey } from './key-schedule.js';
import { SFrameContext } from './sframe.js';
import { cipherSuite } from './suites.js';
import { checkVectors, fromHex, parseVectorFile } from './vectors.js';

// The RFC's own vector file, copied into the project with its source note (test-vectors/SOURCE.md).
const vectors = parseVectorFile(readFileSync(new URL('../test-vectors/test-vectors.json', import.meta.url), 'utf8'));

describe('RFC 9605 test vectors', () => {
  it('reads 64-bit KIDs and counters exactly', () => {
    expect(vectors.header.at(-1)).toMatchObject({ kid: MAX_UINT64, ctr: MAX_UINT64 });
    expect(vectors.header.length).toBeGreaterThan(200);
    expect(vectors.sframe.map((v) => v.cipher_suite)).toEqual([1, 2, 3, 4, 5]);
  });

  it('passes every header, AES-CTR-HMAC and SFrame vector', async () => {
    const results = await checkVectors(vectors);
    expect(results.filter((result) => result.failures.length > 0)).toEqual([]);
    expect(results).toHaveLength(vectors.header.length + vectors.aes_ctr_hmac.length + vectors.sframe.length);
  });
});

describe('header', () => {
  it('refuses values outside 64 bits and truncated input', () => {
    expect(() => encodeHeader({ kid: MAX_UINT64 + 1n, ctr: 0n })).toThrow(SFrameError);
    expect(() => encodeHeader({ kid: 0n, ctr: -1n })).toThrow(SFrameError);
    expect(() => decodeHeader(new Uint8Array())).toThrow(/empty/);
    expect(() => decodeHeader(fromHex('0bffff'))).toThrow(/truncated/); // says 4 counter bytes, has 2
  });

  it('writes and reads every power of two and its neighbours as plain big-endian (numbers below 2^48, BigInt above)', () => {
    const bigEndian = (value: bigint) => {
      const bytes: number[] = [];
      for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
      return bytes;
    };
    for (let bit = 3; bit <= 64; bit++) {
      for (const value of [(1n << BigInt(bit)) - 1n, 1n << BigInt(bit), (1n << BigInt(bit)) + 1n]) {
        if (value < 8n || value > MAX_UINT64) continue; // below 8 the counter sits in the config byte
        const header = encodeHeader({ kid: 1n, ctr: value });
        const expected = bigEndian(value);
        expect([...header.subarray(1)]).toEqual(expected);
        expect(header[0]).toBe(0x10 | 0x8 | (expected.length - 1));
        expect(decodeHeader(header).ctr).toBe(value);
      }
    }
  });

  it('round-trips every KID and counter length', () => {
    for (let bytes = 0; bytes <= 8; bytes++) {
      const value = bytes === 0 ? 5n : (1n << BigInt(8 * bytes)) - 1n;
      const header = encodeHeader({ kid: value, ctr: value / 3n });
      expect(decodeHeader(header)).toMatchObject({ kid: value, ctr: value / 3n, length: header.length });
    }
  });
});

describe('SFrameContext', () => {
  const baseKey = fromHex('000102030405060708090a0b0c0d0e0f');
  const metadata = new TextEncoder().encode('vp8 prefix');
  const payload = new Uint8Array(1000).map((_, i) => i % 251);

  it('decrypts what it encrypts, for every suite', async () => {
    for (const suite of [1, 2, 3, 4, 5]) {
      const context = new SFrameContext(suite);
      await context.addKey(7n, baseKey);
      const sframe = await context.encrypt(7n, 42n, metadata, payload);
      const { kid, ctr, plaintext } = await context.decrypt(metadata, sframe);
      expect({ kid, ctr }).toEqual({ kid: 7n, ctr: 42n });
      expect(plaintext).toEqual(payload);
    }
  });

  it('rejects other metadata, a truncated frame, an unknown KID, and a frame from another key', async () => {
    const context = new SFrameContext(4);
    await context.addKey(1n, baseKey);
    const sframe = await context.encrypt(1n, 9n, metadata, payload);
    await expect(context.decrypt(new TextEncoder().encode('other prefix'), sframe)).rejects.toThrow(/authentication/);
    await expect(context.decrypt(metadata, sframe.subarray(0, sframe.length - 1))).rejects.toThrow(SFrameError);
    await expect(context.decrypt(metadata, sframe.subarray(0, 1))).rejects.toThrow(SFrameError);
    await expect(context.encrypt(1n, MAX_UINT64 + 1n, metadata, payload)).rejects.toThrow(/CTR must be an unsigned 64-bit integer/);
    const stranger = new SFrameContext(4);
    await stranger.addKey(2n, baseKey);
    await expect(stranger.decrypt(metadata, sframe)).rejects.toThrow(/no key for KID 1/);
    await stranger.addKey(1n, fromHex('ffffffffffffffffffffffffffffffff'));
    await expect(stranger.decrypt(metadata, sframe)).rejects.toThrow(/authentication/);
  });

  it('keeps calls apart when many run at once on one context (nonce and AAD buffers are reused)', async () => {
    for (const suite of [1, 4]) {
      const context = new SFrameContext(suite);
      await context.addKey(1n, baseKey);
      await context.addKey(300n, baseKey);
      const frames = Array.from({ length: 24 }, (_, i) => ({ kid: i % 2 ? 300n : 1n, ctr: BigInt(i) << BigInt(i), meta: new TextEncoder().encode(`prefix ${i}`), data: payload.map((byte) => byte ^ i) }));
      const sealed = await Promise.all(frames.map((f) => context.encrypt(f.kid, f.ctr, f.meta, f.data)));
      // Each alone, in order: the same bytes as when they ran together.
      for (const [i, f] of frames.entries()) expect(sealed[i]).toEqual(await context.encrypt(f.kid, f.ctr, f.meta, f.data));
      const opened = await Promise.all(sealed.map((s, i) => context.decrypt(frames[i]?.meta ?? metadata, s)));
      expect(opened.map((o) => o.plaintext)).toEqual(frames.map((f) => f.data));
      expect(opened.map((o) => o.ctr)).toEqual(frames.map((f) => f.ctr));
    }
  });

  it('puts the prefix, then the header, then the ciphertext in one buffer', async () => {
    const context = new SFrameContext(4);
    await context.addKey(1n, baseKey);
    const prefix = Uint8Array.of(0xaa, 0xbb, 0xcc);
    const framed = await context.encrypt(1n, 70_000n, metadata, payload, prefix);
    const alone = await context.encrypt(1n, 70_000n, metadata, payload);
    expect(framed.subarray(0, 3)).toEqual(prefix);
    expect(framed.subarray(3)).toEqual(alone);
    expect(framed.byteOffset === 0 && framed.byteLength === framed.buffer.byteLength).toBe(true);
  });

  it('never makes the same ciphertext for two counters', async () => {
    const context = new SFrameContext(4);
    await context.addKey(1n, baseKey);
    const first = await context.encrypt(1n, 1n, metadata, payload);
    const second = await context.encrypt(1n, 2n, metadata, payload);
    expect(first.subarray(1)).not.toEqual(second.subarray(1));
  });
});

describe('ratchet (RFC 9605, 5.1)', () => {
  it('matches HKDF-Expand(HKDF-Extract("", key), "SFrame 1.0 Ratchet", Nh) computed by Node', async () => {
    const base = Uint8Array.from({ length: 16 }, (_, i) => i);
    for (const [id, hash, length] of [[4, 'sha256', 32], [5, 'sha512', 64]] as const) {
      const next = await ratchetBaseKey(base, cipherSuite(id));
      const expected = new Uint8Array(hkdfSync(hash, base, new Uint8Array(0), 'SFrame 1.0 Ratchet', length));
      expect(Buffer.from(next).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    }
  });
});
