import { SFrameContext } from '@conclave/sframe';
import { describe, expect, it } from 'vitest';
import { clearPrefixLength, codecFromMimeType, FrameDecryptor, FrameEncryptor, REPLAY_WINDOW } from './frame-crypto.js';

const baseKey = crypto.getRandomValues(new Uint8Array(16));

async function pair(kid = 3n) {
  const sender = new SFrameContext(4);
  const receiver = new SFrameContext(4);
  await sender.addKey(kid, baseKey);
  await receiver.addKey(kid, baseKey);
  return { encryptor: new FrameEncryptor(sender, kid), decryptor: new FrameDecryptor(receiver) };
}

const vp8Key = Uint8Array.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, ...Array(200).fill(7)]);
const vp8Delta = Uint8Array.from([0x31, 0x05, 0x00, ...Array(100).fill(9)]);
const opus = Uint8Array.from([0x78, ...Array(60).fill(3)]);

describe('clear codec prefix', () => {
  it('keeps the VP8 payload header (10 bytes on key frames, 3 on delta) and the Opus TOC byte', () => {
    expect(clearPrefixLength('vp8', vp8Key)).toBe(10);
    expect(clearPrefixLength('vp8', vp8Delta)).toBe(3);
    expect(clearPrefixLength('opus', opus)).toBe(1);
    expect(clearPrefixLength('vp9', vp8Key)).toBe(0);
    expect(codecFromMimeType('video/VP8')).toBe('vp8');
    expect(() => codecFromMimeType('video/H264')).toThrow(/no end-to-end encryption/);
  });
});

describe('frame encryption', () => {
  it('leaves the prefix readable, hides the rest, and round-trips', async () => {
    const { encryptor, decryptor } = await pair();
    for (const [codec, frame] of [['vp8', vp8Key], ['vp8', vp8Delta], ['opus', opus]] as const) {
      const protectedFrame = await encryptor.encrypt(codec, frame);
      const prefix = clearPrefixLength(codec, frame);
      expect(protectedFrame.subarray(0, prefix)).toEqual(frame.subarray(0, prefix));
      expect(protectedFrame.subarray(prefix)).not.toEqual(frame.subarray(prefix));
      expect(await decryptor.decrypt(codec, protectedFrame)).toEqual(frame);
    }
  });

  it('refuses a frame whose clear prefix is not the one inside the ciphertext', async () => {
    const sender = new SFrameContext(4);
    await sender.addKey(3n, baseKey);
    const { decryptor } = await pair();
    // Only a key holder can do this: the prefix in clear (authenticated) differs from the one encrypted.
    const clear = vp8Delta.subarray(0, 3);
    const inside = Uint8Array.from([0x31, 0x06, 0x00, ...vp8Delta.subarray(3)]);
    const forged = await sender.encrypt(3n, 0n, clear, inside, clear);
    await expect(decryptor.decrypt('vp8', forged)).rejects.toThrow(/clear prefix does not match/);
  });

  it('never reuses a counter under a key', async () => {
    const { encryptor } = await pair();
    const first = await encryptor.encrypt('opus', opus);
    const second = await encryptor.encrypt('opus', opus);
    expect(encryptor.counter).toBe(2n);
    expect(first).not.toEqual(second);
  });

  it('drops replayed, truncated and tampered frames, and frames from another key', async () => {
    const { encryptor, decryptor } = await pair();
    const frame = await encryptor.encrypt('vp8', vp8Key);
    await decryptor.decrypt('vp8', frame);
    await expect(decryptor.decrypt('vp8', frame)).rejects.toThrow(/replayed/);
    const next = await encryptor.encrypt('vp8', vp8Delta);
    await expect(decryptor.decrypt('vp8', next.subarray(0, next.length - 4))).rejects.toThrow();
    const tamperedPrefix = next.slice();
    tamperedPrefix[1] = (tamperedPrefix[1] ?? 0) ^ 0x40; // the clear prefix is authenticated
    await expect(decryptor.decrypt('vp8', tamperedPrefix)).rejects.toThrow(/authentication/);
    const other = await pair(4n);
    await expect(decryptor.decrypt('vp8', await other.encryptor.encrypt('vp8', vp8Delta))).rejects.toThrow(/no key/);
    expect(await decryptor.decrypt('vp8', next)).toEqual(vp8Delta);
  });

  it('accepts late frames inside the replay window, refuses those below it', async () => {
    const { encryptor, decryptor } = await pair();
    const frames = [];
    for (let i = 0n; i <= REPLAY_WINDOW + 1n; i++) frames.push(await encryptor.encrypt('opus', opus));
    await decryptor.decrypt('opus', frames.at(-1) as Uint8Array); // counter 129 arrives first
    await decryptor.decrypt('opus', frames[5] as Uint8Array); // late, inside the window
    await expect(decryptor.decrypt('opus', frames[0] as Uint8Array)).rejects.toThrow(/replayed/); // below it
  });
});
