/**
 * The crypto worker: the client's own per-link SFrame code (link-crypto.ts, as the media
 * worker runs it) encrypting frames with a TrackEncryptor and decrypting them with a
 * ReceiveDirection, as fast as it goes for a while.
 */
import type { Codec } from '../../../client/src/lib/e2ee/frame-crypto.js';
import { ReceiveDirection, SendDirection } from '../../../client/src/lib/e2ee/link-crypto.js';
import type { CryptoResult, CryptoRun, FromCryptoWorker } from './protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<CryptoRun>) => void) | null;
  postMessage(message: FromCryptoWorker): void;
}

const scope = globalThis as unknown as WorkerScope;

/** Random bytes (getRandomValues fills at most 64 KiB at a time); a VP8 delta frame for video. */
function randomFrame(size: number, codec: Codec): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65_536) crypto.getRandomValues(frame.subarray(offset, Math.min(size, offset + 65_536)));
  // VP8 payload header: P bit set on delta frames (3 bytes in clear), as most frames are.
  if (codec === 'vp8') frame[0] = (frame[0] ?? 0) | 0x01;
  return frame;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One link, one way: the sender's track encryptor and the receiver, on the same 128-bit base key. */
async function pipeline(run: CryptoRun, until: number): Promise<{ frames: number; protectedSize: number }> {
  const baseKey = crypto.getRandomValues(new Uint8Array(16));
  const track = new SendDirection(baseKey.slice()).newTrack();
  const receive = new ReceiveDirection(baseKey.slice());
  const pool = Array.from({ length: 8 }, () => randomFrame(run.size, run.codec));
  let frames = 0;
  let protectedSize: number;
  do {
    const frame = pool[frames % pool.length] as Uint8Array;
    const protectedFrame = await track.encrypt(run.codec, frame);
    const { plaintext } = await receive.decrypt(run.codec, protectedFrame);
    if (frames < pool.length && !same(plaintext, frame)) throw new Error('a frame did not decrypt to what was sent');
    protectedSize = protectedFrame.length;
    frames += 1;
  } while (performance.now() < until);
  return { frames, protectedSize };
}

/** The reference: crypto.subtle AES-128-GCM alone (a fresh nonce per frame, no header, no AAD, no copies of ours). */
async function bareWebCrypto(run: CryptoRun, until: number): Promise<{ frames: number; protectedSize: number }> {
  const key = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(16)), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const pool = Array.from({ length: 8 }, () => randomFrame(run.size, run.codec));
  const iv = new Uint8Array(12);
  const ivView = new DataView(iv.buffer);
  let frames = 0;
  let protectedSize: number;
  do {
    const frame = pool[frames % pool.length] as Uint8Array<ArrayBuffer>;
    ivView.setUint32(8, frames);
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, frame);
    const opened = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed));
    if (frames < pool.length && !same(opened, frame)) throw new Error('a frame did not decrypt to what was sent');
    protectedSize = sealed.byteLength;
    frames += 1;
  } while (performance.now() < until);
  return { frames, protectedSize };
}

scope.onmessage = ({ data: run }) => {
  const start = performance.now();
  const until = start + run.seconds * 1000;
  Promise.all(Array.from({ length: run.pipelines }, () => (run.baseline ? bareWebCrypto(run, until) : pipeline(run, until))))
    .then((results) => {
      const ms = performance.now() - start;
      const frames = results.reduce((sum, r) => sum + r.frames, 0);
      const result: CryptoResult = { frames, bytes: frames * run.size, ms, protectedSize: results[0]?.protectedSize ?? 0 };
      scope.postMessage({ type: 'result', result });
    })
    .catch((error: unknown) => scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
