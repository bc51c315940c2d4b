/**
 * The page's side of media encryption: starts the media worker and puts a transform on
 * every RTP sender and receiver of every link. One path per browser, feature-detected:
 * RTCRtpScriptTransform where it exists, else createEncodedStreams (which needs
 * `encodedInsertableStreams` in the RTCPeerConnection configuration).
 */
import type { CapturedFrame, FromWorker, LinkCounters, TappedFrame, ToWorker, TransformOptions } from './worker-protocol.js';

export type TransformPath = 'script-transform' | 'encoded-streams';

interface EncodedStreams {
  readable: ReadableStream;
  writable: WritableStream;
}
type WithEncodedStreams = { createEncodedStreams(): EncodedStreams };

/** Which path this browser offers, or null when it has neither (E2EE impossible). */
export function detectTransformPath(preferred?: string | null): TransformPath | null {
  const script = typeof RTCRtpScriptTransform !== 'undefined';
  const streams = typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype;
  // A test (or an operator investigating) may ask for the fallback where both exist.
  if (preferred === 'encoded-streams' && streams) return 'encoded-streams';
  if (script) return 'script-transform';
  return streams ? 'encoded-streams' : null;
}

export interface MediaEncryptionOptions {
  path: TransformPath;
  /** How often each sender ratchets its key forward (RFC 9605, 5.1). */
  ratchetIntervalMs?: number;
  /** Test aid: the worker keeps the first bytes of a few frames before and after encryption. */
  capture?: boolean;
  /** The recorder: decrypted frames come back to the page (and reach decoders only if asked). */
  tap?: { feedDecoders: boolean; onFrames(frames: TappedFrame[]): void };
  onCounters(links: Record<string, LinkCounters>): void;
  /** The worker died: its keys and counters are gone, so every link must be rebuilt with new keys. */
  onCrash(): void;
}

export class MediaEncryption {
  readonly path: TransformPath;
  readonly #options: MediaEncryptionOptions;
  #worker: Worker;
  /** createEncodedStreams works once per sender or receiver: a reused sender keeps its first pipeline. */
  readonly #piped = new WeakSet<RTCRtpSender | RTCRtpReceiver>();
  #captureWaiters: ((frames: CapturedFrame[]) => void)[] = [];

  constructor(options: MediaEncryptionOptions) {
    this.path = options.path;
    this.#options = options;
    this.#worker = this.#start();
  }

  /** RTCPeerConnection configuration this path needs. */
  get peerConnectionConfig(): Record<string, unknown> {
    return this.path === 'encoded-streams' ? { encodedInsertableStreams: true } : {};
  }

  sender(linkId: string, sender: RTCRtpSender): void {
    const kind = sender.track?.kind;
    if (kind === 'audio' || kind === 'video') this.#attach(sender, { linkId, side: 'send', kind });
  }

  receiver(linkId: string, receiver: RTCRtpReceiver): void {
    const kind = receiver.track.kind;
    if (kind === 'audio' || kind === 'video') this.#attach(receiver, { linkId, side: 'receive', kind, trackId: receiver.track.id });
  }

  setKeys(linkId: string, keys: { sendKey: Uint8Array; receiveKey: Uint8Array }): void {
    this.#post({ type: 'keys', linkId, sendKey: keys.sendKey, receiveKey: keys.receiveKey });
  }

  /** The recorder starts a segment: every sender is asked for a key frame. */
  requestKeyFrames(): void {
    this.#post({ type: 'request-key-frames' });
  }

  closeLink(linkId: string): void {
    this.#post({ type: 'close-link', linkId });
  }

  /** Test aid: frames the worker kept before and after encryption (needs `capture`). */
  captured(): Promise<CapturedFrame[]> {
    return new Promise((resolve) => {
      this.#captureWaiters.push(resolve);
      this.#post({ type: 'capture-report' });
    });
  }

  close(): void {
    this.#worker.terminate();
  }

  #start(): Worker {
    const worker = new Worker(new URL('./media-worker.ts', import.meta.url), { type: 'module', name: 'conclave-media' });
    worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      if (data.type === 'counters') this.#options.onCounters(data.links);
      else if (data.type === 'capture-report') for (const resolve of this.#captureWaiters.splice(0)) resolve(data.frames);
      else if (data.type === 'tapped') this.#options.tap?.onFrames(data.frames);
      else console.warn(`conclave: media worker: ${data.message}`);
    };
    worker.onerror = (event) => {
      console.error(`conclave: the media worker failed (${event.message}); rebuilding every connection with new keys`);
      worker.terminate();
      this.#worker = this.#start();
      this.#options.onCrash();
    };
    const tap = this.#options.tap;
    worker.postMessage({
      type: 'init',
      ratchetIntervalMs: this.#options.ratchetIntervalMs ?? 60_000,
      capture: this.#options.capture ?? false,
      ...(tap ? { tap: { feedDecoders: tap.feedDecoders } } : {}),
    } satisfies ToWorker);
    return worker;
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #attach(target: RTCRtpSender | RTCRtpReceiver, options: TransformOptions): void {
    if (this.path === 'script-transform') {
      target.transform = new RTCRtpScriptTransform(this.#worker, options);
      return;
    }
    if (this.#piped.has(target)) return;
    this.#piped.add(target);
    const { readable, writable } = (target as unknown as WithEncodedStreams).createEncodedStreams();
    this.#worker.postMessage({ type: 'stream', readable, writable, options } satisfies ToWorker, [readable, writable]);
  }
}
