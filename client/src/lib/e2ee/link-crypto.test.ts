import { decodeHeader, SFrameError } from '@conclave/sframe';
import { describe, expect, it } from 'vitest';
import { clearPrefixLength } from './frame-crypto.js';
import { composeKid, MAX_CATCH_UP, ReceiveDirection, SendDirection, splitKid } from './link-crypto.js';

const vp8Key = Uint8Array.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, ...Array(300).fill(7)]);
const vp8Delta = Uint8Array.from([0x31, 0x05, 0x00, ...Array(120).fill(9)]);
const opus = Uint8Array.from([0x78, ...Array(60).fill(3)]);

function directions() {
  const baseKey = crypto.getRandomValues(new Uint8Array(16));
  return { send: new SendDirection(baseKey), receive: new ReceiveDirection(baseKey) };
}

const header = (frame: Uint8Array, codec: 'vp8' | 'opus') => decodeHeader(frame.subarray(clearPrefixLength(codec, frame)));

describe('key ids', () => {
  it('put the generation above 8 bits of ratchet step (RFC 9605, 5.1)', () => {
    expect(composeKid(3, 2)).toBe(0x302n);
    expect(composeKid(1, 257)).toBe(0x101n);
    expect(splitKid(0x1205n)).toEqual({ generation: 0x12, step: 5 });
  });
});

describe('a link direction', () => {
  it('gives every track its own KID and decrypts each', async () => {
    const { send, receive } = directions();
    const video = send.newTrack();
    const audio = send.newTrack();
    const protectedVideo = await video.encrypt('vp8', vp8Key);
    const protectedAudio = await audio.encrypt('opus', opus);
    expect(header(protectedVideo, 'vp8').kid).not.toBe(header(protectedAudio, 'opus').kid);
    expect((await receive.decrypt('vp8', protectedVideo)).plaintext).toEqual(vp8Key);
    expect((await receive.decrypt('opus', protectedAudio)).plaintext).toEqual(opus);
  });

  it('never uses a (KID, counter) pair twice: across tracks, replaced tracks and ratchets', async () => {
    const { send } = directions();
    const used = new Set<string>();
    let frames = 0;
    for (let round = 0; round < 3; round++) {
      // A replaced or restarted track is a new encryptor: it must not start over on an old KID.
      const tracks = [send.newTrack(), send.newTrack()];
      for (let i = 0; i < 40; i++) {
        for (const track of tracks) {
          const { kid, ctr } = header(await track.encrypt('vp8', vp8Delta), 'vp8');
          used.add(`${kid}/${ctr}`);
          frames += 1;
        }
        if (i === 20) await send.ratchet();
      }
    }
    expect(used.size).toBe(frames);
  });

  it('follows the sender through ratchets, then forgets the old keys', async () => {
    const { send, receive } = directions();
    const track = send.newTrack();
    expect((await receive.decrypt('vp8', await track.encrypt('vp8', vp8Delta))).ratcheted).toBe(false);
    const late = await track.encrypt('vp8', vp8Delta); // never delivered before the ratchet
    await send.ratchet();
    await send.ratchet();
    const next = await track.encrypt('vp8', vp8Key);
    expect(splitKid(header(next, 'vp8').kid).step).toBe(2);
    expect(await receive.decrypt('vp8', next)).toEqual({ plaintext: vp8Key, ratcheted: true });
    expect(receive.step).toBe(2);
    // A frame from two steps back: its key is gone.
    await expect(receive.decrypt('vp8', late)).rejects.toThrow(/out of reach/);
  });

  it('refuses to chase a ratchet step far ahead (the step is not authenticated)', async () => {
    const { send, receive } = directions();
    const track = send.newTrack();
    for (let i = 0; i <= MAX_CATCH_UP; i++) await send.ratchet();
    await expect(receive.decrypt('opus', await track.encrypt('opus', opus))).rejects.toThrow(/out of reach/);
  });

  it('drops replayed, truncated, tampered frames and frames under another key', async () => {
    const { send, receive } = directions();
    const track = send.newTrack();
    const frame = await track.encrypt('vp8', vp8Key);
    await receive.decrypt('vp8', frame);
    await expect(receive.decrypt('vp8', frame)).rejects.toThrow(/replayed/);
    const second = await track.encrypt('vp8', vp8Delta);
    await expect(receive.decrypt('vp8', second.subarray(0, second.length - 1))).rejects.toThrow(SFrameError);
    const tampered = second.slice();
    tampered[1] = (tampered[1] ?? 0) ^ 0x01; // inside the clear VP8 prefix: authenticated as metadata
    await expect(receive.decrypt('vp8', tampered)).rejects.toThrow(SFrameError);
    expect((await receive.decrypt('vp8', second)).plaintext).toEqual(vp8Delta);
    const stranger = directions().send.newTrack();
    await expect(receive.decrypt('vp8', await stranger.encrypt('vp8', vp8Delta))).rejects.toThrow(SFrameError);
  });
});

