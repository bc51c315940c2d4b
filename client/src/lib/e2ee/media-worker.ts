/**
 * The media worker: encrypts every outgoing encoded frame and decrypts every incoming one
 * (SFrame, RFC 9605), for all links of the meeting. Frames reach it through
 * RTCRtpScriptTransform (the `rtctransform` event) or, in browsers that only have
 * createEncodedStreams, as transferred streams. Without a link's keys nothing passes:
 * an outgoing frame is held back (never sent in clear) and an incoming one is dropped.
 */
import { codecFromMimeType, clearPrefixLength, type Codec } from './frame-crypto.js';
import { ReceiveDirection, SendDirection, type TrackEncryptor } from './link-crypto.js';
import type { CapturedFrame, FromWorker, LinkCounters, TappedFrame, ToWorker, TransformOptions } from './worker-protocol.js';

/** The parts of an encoded audio or video frame the worker uses. */
interface EncodedFrame {
  data: ArrayBuffer;
  /** Video only: 'key' or 'delta'. */
  type?: string;
  getMetadata(): { mimeType?: string; rtpTimestamp?: number; audioLevel?: number };
}

/** The parts of RTCRtpScriptTransformer the worker uses (generateKeyFrame is not in every browser). */
interface ScriptTransformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: TransformOptions;
  generateKeyFrame?: () => Promise<unknown>;
  sendKeyFrameRequest?: () => Promise<void>;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
  postMessage(message: FromWorker): void;
}

/** Ways to ask for a key frame on one transform; absent on the createEncodedStreams path. */
interface KeyFrames {
  /** Sender: make our encoder produce one now. */
  generate?: () => void;
  /** Receiver: ask the remote sender for one. */
  request?: () => void;
}

interface Link {
  send: SendDirection | null;
  receive: ReceiveDirection | null;
  counters: LinkCounters;
  /** Ask for key frames on this link's transforms (after keys arrive and after each ratchet). */
  keyFrames: Set<KeyFrames>;
  ratchetTimer: ReturnType<typeof setInterval> | undefined;
}

const scope = globalThis as unknown as WorkerScope;
const links = new Map<string, Link>();
let ratchetIntervalMs = 60_000;
let capture = false;
/** The recorder's mode: decrypted frames go to the page (batched), and to the decoder only if asked. */
let tap: { feedDecoders: boolean } | null = null;
let tapped: TappedFrame[] = [];
let tappedTransfer: ArrayBuffer[] = [];
/** Every receiver's way to ask for a key frame, across links (recording segments start with one). */
const allKeyFrames = new Set<KeyFrames>();
const captured: CapturedFrame[] = [];
const CAPTURE_LIMIT = 40;
const COUNTERS_INTERVAL_MS = 500;

function link(linkId: string): Link {
  let entry = links.get(linkId);
  if (!entry) {
    entry = {
      send: null,
      receive: null,
      counters: { encrypted: 0, held: 0, decrypted: 0, noKey: 0, failed: 0, sendStep: 0, receiveStep: 0 },
      keyFrames: new Set(),
      ratchetTimer: undefined,
    };
    links.set(linkId, entry);
  }
  return entry;
}

function codecOf(frame: EncodedFrame, kind: 'audio' | 'video'): Codec {
  const mimeType = frame.getMetadata().mimeType;
  // Browsers without mimeType in the metadata negotiate the defaults: Opus and VP8.
  return codecFromMimeType(mimeType ?? (kind === 'audio' ? 'audio/opus' : 'video/vp8'));
}

/** Audio has no key frames: its codec is read again every this many frames (one second of Opus). */
const AUDIO_CODEC_CHECK_EVERY = 50;

/**
 * One stream's codec. getMetadata() builds a whole dictionary on every call, and this runs
 * for every frame, so it is read only when the codec can have changed: on a video key
 * frame (an encoder switching codecs starts with one) and now and then for audio.
 */
function codecTracker(kind: 'audio' | 'video'): (frame: EncodedFrame) => Codec {
  let codec: Codec | null = null;
  let sinceRead = 0;
  return (frame) => {
    sinceRead += 1;
    if (codec === null || (kind === 'video' ? frame.type === 'key' : sinceRead >= AUDIO_CODEC_CHECK_EVERY)) {
      codec = codecOf(frame, kind);
      sinceRead = 0;
    }
    return codec;
  };
}

function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
}

function keep(kind: 'audio' | 'video', codec: Codec, plaintext: Uint8Array, ciphertext: Uint8Array): void {
  if (captured.length >= CAPTURE_LIMIT) return;
  captured.push({
    kind,
    plaintext: [...plaintext.subarray(0, 64)],
    ciphertext: [...ciphertext.subarray(0, 64)],
    plaintextLength: plaintext.length,
    ciphertextLength: ciphertext.length,
    prefixLength: clearPrefixLength(codec, plaintext),
  });
}

/** What one transform does to each frame: the frame to pass on, or null to drop it. */
type FrameStep = (frame: EncodedFrame) => Promise<EncodedFrame | null>;

function encryptingStep(options: TransformOptions): FrameStep {
  const state = link(options.linkId);
  const codecOfFrame = codecTracker(options.kind);
  let encryptor: TrackEncryptor | null = null;
  return async (frame) => {
    const send = state.send;
    if (!send) {
      state.counters.held += 1;
      return null;
    }
    // A new base key (first keys, or a rebuilt worker's): a new generation, so a fresh KID.
    if (encryptor?.direction !== send) encryptor = send.newTrack();
    try {
      const codec = codecOfFrame(frame);
      const plaintext = new Uint8Array(frame.data);
      const ciphertext = await encryptor.encrypt(codec, plaintext);
      if (capture && options.kind === 'video') keep(options.kind, codec, plaintext, ciphertext);
      frame.data = exactBuffer(ciphertext);
      state.counters.encrypted += 1;
      return frame;
    } catch (error) {
      state.counters.held += 1;
      report(error);
      return null;
    }
  };
}

function decryptingStep(options: TransformOptions, keyFrames: KeyFrames): FrameStep {
  const state = link(options.linkId);
  const codecOfFrame = codecTracker(options.kind);
  return async (frame) => {
    const receive = state.receive;
    if (!receive) {
      state.counters.noKey += 1;
      return null;
    }
    try {
      const codec = codecOfFrame(frame);
      const { plaintext, ratcheted } = await receive.decrypt(codec, new Uint8Array(frame.data));
      const data = exactBuffer(plaintext);
      if (tap) keepTapped(options, codec, frame, data.slice(0));
      frame.data = data;
      state.counters.decrypted += 1;
      state.counters.receiveStep = receive.step;
      // The sender moved to a new key: a key frame under it lets the old one go at once.
      if (ratcheted) keyFrames.request?.();
      return !tap || tap.feedDecoders ? frame : null;
    } catch {
      // Never rendered: a frame that fails authentication, a replay, a truncated frame.
      state.counters.failed += 1;
      return null;
    }
  };
}

function keepTapped(options: TransformOptions, codec: Codec, frame: EncodedFrame, data: ArrayBuffer): void {
  const metadata = frame.getMetadata();
  tapped.push({
    linkId: options.linkId,
    trackId: options.trackId ?? '',
    kind: options.kind,
    codec,
    data,
    rtpTimestamp: metadata.rtpTimestamp ?? 0,
    receivedAt: performance.timeOrigin + performance.now(),
    keyFrame: frame.type === 'key',
    audioLevel: typeof metadata.audioLevel === 'number' ? metadata.audioLevel : null,
  });
  tappedTransfer.push(data);
}

/** Tapped frames leave in batches: one message per 100 ms, buffers transferred, not copied. */
function flushTapped(): void {
  if (tapped.length === 0) return;
  const frames = tapped;
  const transfer = tappedTransfer;
  tapped = [];
  tappedTransfer = [];
  (scope as unknown as { postMessage(message: FromWorker, transfer: Transferable[]): void }).postMessage({ type: 'tapped', frames }, transfer);
}

function attach(readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>, options: TransformOptions, keyFrames: KeyFrames): void {
  const state = link(options.linkId);
  if (options.kind === 'video') state.keyFrames.add(keyFrames);
  if (options.kind === 'video' && options.side === 'receive') allKeyFrames.add(keyFrames);
  const step = options.side === 'send' ? encryptingStep(options) : decryptingStep(options, keyFrames);
  void forEachFrame(readable, writable, step).finally(() => {
    state.keyFrames.delete(keyFrames);
    allKeyFrames.delete(keyFrames);
  });
}

/**
 * Reads, transforms and writes frames one at a time until either end goes away (the
 * sender or receiver stopped: nothing to report then). A plain loop rather than
 * pipeThrough(TransformStream).pipeTo(): the two pipes cost about three times the
 * promise work per frame, and this runs for every frame of every link.
 */
async function forEachFrame(readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>, step: FrameStep): Promise<void> {
  const reader = readable.getReader();
  const writer = writable.getWriter();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const frame = await step(value);
      if (frame) await writer.write(frame);
    }
    await writer.close();
  } catch {
    // An end failed: the transceiver is gone. Let go of the other end too.
    reader.cancel().catch(() => undefined);
    writer.abort().catch(() => undefined);
  }
}

async function setKeys(linkId: string, sendKey: Uint8Array, receiveKey: Uint8Array): Promise<void> {
  const state = link(linkId);
  state.send = new SendDirection(sendKey);
  state.receive = new ReceiveDirection(receiveKey);
  clearInterval(state.ratchetTimer);
  state.ratchetTimer = setInterval(() => void ratchet(state), ratchetIntervalMs);
  // Media can flow now: get a key frame both ways rather than waiting for the next one.
  for (const keyFrames of state.keyFrames) {
    keyFrames.generate?.();
    keyFrames.request?.();
  }
}

async function ratchet(state: Link): Promise<void> {
  if (!state.send) return;
  await state.send.ratchet();
  state.counters.sendStep = state.send.step;
  for (const keyFrames of state.keyFrames) keyFrames.generate?.();
}

/** The link's keys are gone at once: its transforms, which hold this state, stop passing frames. */
function closeLink(linkId: string): void {
  const state = links.get(linkId);
  if (!state) return;
  clearInterval(state.ratchetTimer);
  state.send = null;
  state.receive = null;
  links.delete(linkId);
}

function report(error: unknown): void {
  scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

scope.onrtctransform = ({ transformer }) => {
  const side = transformer.options.side;
  attach(transformer.readable, transformer.writable, transformer.options, {
    ...(side === 'send' && transformer.generateKeyFrame ? { generate: () => void transformer.generateKeyFrame?.().catch(() => undefined) } : {}),
    ...(side === 'receive' && transformer.sendKeyFrameRequest ? { request: () => void transformer.sendKeyFrameRequest?.().catch(() => undefined) } : {}),
  });
};

scope.onmessage = ({ data: message }) => {
  switch (message.type) {
    case 'init':
      ratchetIntervalMs = message.ratchetIntervalMs;
      capture = message.capture;
      tap = message.tap ?? null;
      if (tap) setInterval(flushTapped, 100);
      break;
    case 'request-key-frames':
      for (const keyFrames of allKeyFrames) keyFrames.request?.();
      break;
    case 'keys':
      void setKeys(message.linkId, message.sendKey, message.receiveKey);
      break;
    case 'close-link':
      closeLink(message.linkId);
      break;
    case 'stream':
      attach(message.readable as ReadableStream<EncodedFrame>, message.writable as WritableStream<EncodedFrame>, message.options, {});
      break;
    case 'capture-report':
      scope.postMessage({ type: 'capture-report', frames: captured.slice() });
      break;
  }
};

setInterval(() => {
  const counters: Record<string, LinkCounters> = {};
  for (const [linkId, state] of links) counters[linkId] = { ...state.counters };
  scope.postMessage({ type: 'counters', links: counters });
}, COUNTERS_INTERVAL_MS);
