/** Messages between the page and the media worker (media-worker.ts). */

/** Which end of a link a transform sits on; given to the worker with each transform. */
export interface TransformOptions {
  linkId: string;
  side: 'send' | 'receive';
  kind: 'audio' | 'video';
}

export type ToWorker =
  | { type: 'init'; ratchetIntervalMs: number; capture: boolean }
  /** The link's directional base keys, once its key agreement succeeded. */
  | { type: 'keys'; linkId: string; sendKey: Uint8Array; receiveKey: Uint8Array }
  /** The link is gone: its keys are dropped. */
  | { type: 'close-link'; linkId: string }
  /** The createEncodedStreams path: the streams of one sender or receiver. */
  | { type: 'stream'; readable: ReadableStream; writable: WritableStream; options: TransformOptions }
  | { type: 'capture-report' };

/** Frame counters of one link since it began, for the page's per-tile state. */
export interface LinkCounters {
  encrypted: number;
  /** Outgoing frames dropped because the link has no keys yet (never sent in clear). */
  held: number;
  decrypted: number;
  /** Incoming frames dropped because the link has no keys yet. */
  noKey: number;
  /** Incoming frames dropped because they did not authenticate (or were replays). */
  failed: number;
  /** Ratchet steps taken by what we send and what we receive. */
  sendStep: number;
  receiveStep: number;
}

/** Test aid (enabled by `capture` in init): the first bytes of the first video frames before and after encryption. */
export interface CapturedFrame {
  kind: 'audio' | 'video';
  plaintext: number[];
  ciphertext: number[];
  plaintextLength: number;
  ciphertextLength: number;
  prefixLength: number;
}

export type FromWorker =
  | { type: 'counters'; links: Record<string, LinkCounters> }
  | { type: 'capture-report'; frames: CapturedFrame[] }
  | { type: 'error'; message: string };
