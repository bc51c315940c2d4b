/** Messages between the page and the media worker (media-worker.ts). */

/** Which end of a link a transform sits on; given to the worker with each transform. */
export interface TransformOptions {
  linkId: string;
  side: 'send' | 'receive';
  kind: 'audio' | 'video';
  /** The RTP receiver's track id, so a tapped frame can be told apart (camera or screen). */
  trackId?: string;
}

/** A decrypted frame as received, handed to the recorder page: the bitstream as sent. */
export interface TappedFrame {
  linkId: string;
  trackId: string;
  kind: 'audio' | 'video';
  codec: string;
  data: ArrayBuffer;
  /** RTP timestamp (90 kHz video, 48 kHz Opus). */
  rtpTimestamp: number;
  /** performance.timeOrigin + performance.now() when the frame left the decrypting transform. */
  receivedAt: number;
  keyFrame: boolean;
  /** Audio level 0..1 when the sender included it, else null. */
  audioLevel: number | null;
}

export type ToWorker =
  /**
   * `tap`: the recorder's mode: every decrypted incoming frame goes to the page (see
   * TappedFrame); `feedDecoders` says whether it also goes on to the decoder.
   */
  | { type: 'init'; ratchetIntervalMs: number; capture: boolean; tap?: { feedDecoders: boolean } }
  /** Asks every sender on every link for a key frame (a recording segment starts). */
  | { type: 'request-key-frames' }
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
  | { type: 'tapped'; frames: TappedFrame[] }
  | { type: 'error'; message: string };
