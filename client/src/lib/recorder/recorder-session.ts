/**
 * The recorder page's engine: joins the room as the `recorder` participant (visible to
 * all), receives only, and keeps exactly the encoded frames each consenting participant
 * sends: decrypted in the media worker, batched into chunks, stored in IndexedDB first,
 * then uploaded. Nobody's keys reach it before they consent (their client withholds them),
 * so a participant who declines is absent from the recording, not muted afterwards.
 */
import { encodeChunk, type ChunkFrame, type Peer } from '@conclave/protocol';
import { E2eeSession, type EncryptionMode } from '../e2ee/e2ee-session.js';
import type { TappedFrame } from '../e2ee/worker-protocol.js';
import { Mesh } from '../mesh/mesh.js';
import type { ConsentMessage, PeerMessage } from '../mesh/peer-messages.js';
import { isE2eeMessage } from '../mesh/peer-messages.js';
import { createSimplePeerLink } from '../mesh/simple-peer-link.js';
import { SignalingClient } from '../signaling/signaling-client.js';
import { loadIdentity } from '../storage/trust.js';
import { Chunker, type Batch, type TrackKey } from './chunker.js';
import { ChunkStore, type StoredChunk } from './chunk-store.js';
import { Uploader, type UploadProblem } from './uploader.js';

export interface RecorderConfig {
  recording: string;
  room: string;
  encryption: EncryptionMode;
  /** The recorder token the service minted for this room. */
  token: string;
  signalingUrl: string;
  /** The recording service's base URL, and the key its upload routes require. */
  serviceUrl: string;
  uploadKey: string;
  /** Segments rotate at least this often (10 minutes by default). */
  segmentMs: number;
  /** Whether decrypted frames also go to decoders (they need not: see docs/benchmarks.md). */
  feedDecoders: boolean;
}

/**
 * A segment also rotates once it holds this much: each segment is muxed by one
 * ffmpeg.wasm job, whose whole Chromium must stay under 1 GB of memory (bench:recorder
 * measured about 450 MiB plus 3.7 times the input; the muxer refuses more than 128 MiB).
 */
export const SEGMENT_MAX_BYTES = 96 * 1024 * 1024;

export type RecorderStatus = 'starting' | 'recording' | 'stopping' | 'stopped' | 'failed';

interface Participant {
  name: string;
  /** Stream id of the screen share, from the participant's presence. */
  screen: string | null;
  /** Track id → stream id, from the tracks received. */
  streams: Map<string, string>;
}

/** A notice-log entry, as the service stores it (in an `events` chunk, so it is never lost either). */
export interface NoticeEvent {
  participant: string;
  name: string;
  event: 'shown' | 'consented' | 'declined' | 'revoked' | 'joined' | 'left';
  notice: string | null;
  at: number;
  shownAt?: number;
}

export class RecorderSession {
  status: RecorderStatus = 'starting';
  readonly #config: RecorderConfig;
  readonly #store = new ChunkStore();
  readonly #participants = new Map<string, Participant>();
  #signaling: SignalingClient | null = null;
  #mesh: Mesh | null = null;
  #e2ee: E2eeSession | null = null;
  #chunker: Chunker | null = null;
  #uploader: Uploader;
  #timers: ReturnType<typeof setInterval>[] = [];
  /** linkId → participant id, for tapped frames. */
  readonly #linkPeer = new Map<string, string>();
  #problem: UploadProblem = null;
  #segmentBytes = 0;

  constructor(config: RecorderConfig) {
    this.#config = config;
    this.#uploader = new Uploader(
      this.#store,
      (chunk) => `${config.serviceUrl}/api/recordings/${encodeURIComponent(chunk.recording)}/chunks/${chunk.seq}`,
      config.uploadKey,
      (problem) => this.#uploadProblem(problem),
    );
  }

  /** Drains what a crashed predecessor left, then joins and records. */
  async start(): Promise<void> {
    for (const chunk of await this.#store.pending(this.#config.recording)) this.#uploader.enqueue(chunk);
    const segment = await this.#store.nextSegment(this.#config.recording);
    this.#chunker = new Chunker(segment, (batch) => void this.#keep(batch));
    const identity = await loadIdentity();
    const signaling = new SignalingClient(this.#handlers(), this.#config.signalingUrl);
    this.#signaling = signaling;
    const reply = await signaling.join({ room: this.#config.room, name: 'Recorder', role: 'recorder', token: this.#config.token });
    if (!reply.ok) {
      this.status = 'failed';
      throw new Error(`the recorder could not join: ${reply.error.code}: ${reply.error.message}`);
    }
    const e2ee = new E2eeSession({
      roomId: this.#config.room,
      mode: this.#config.encryption,
      identity,
      send: (peerId, message) => this.#mesh?.send(peerId, message),
      nameOf: (peerId) => this.#participants.get(peerId)?.name ?? '',
      onChange: () => undefined,
      onRebuildAll: () => this.#mesh?.rebuildAll(),
      tap: { feedDecoders: this.#config.feedDecoders, onFrames: (frames) => this.#tapped(frames) },
    });
    this.#e2ee = e2ee;
    const mesh = new Mesh({
      selfId: reply.id,
      createLink: createSimplePeerLink,
      media: (linkId) => e2ee.mediaHooks(linkId),
      signaling: { sendSignal: (to, data) => signaling.sendSignal(to, data), requestReconnect: (to) => signaling.requestReconnect(to) },
      iceServers: reply.iceServers,
      iceTransportPolicy: reply.iceTransportPolicy,
      events: {
        onTrack: (peerId, track, stream) => this.#participants.get(peerId)?.streams.set(track.id, stream.id),
        onLinkState: () => undefined,
        onLinkOpen: (peerId, link) => {
          this.#linkPeer.set(link.id, peerId);
          e2ee.linkOpened(peerId, reply.id, link);
        },
        onLinkClosed: (peerId, linkId) => {
          this.#linkPeer.delete(linkId);
          e2ee.linkClosed(peerId, linkId);
        },
        onMessage: (peerId, message, linkId) => (isE2eeMessage(message) ? e2ee.message(linkId, message) : this.#received(peerId, message)),
      },
    });
    this.#mesh = mesh;
    // The newcomer (us) offers to everyone present.
    for (const peer of reply.peers) this.#arrived(peer, true);
    this.#timers.push(
      setInterval(() => this.#chunker?.flushIdle(Date.now()), 250),
      setInterval(() => this.rotate(), this.#config.segmentMs),
    );
    // A segment starts with a key frame from every sender.
    setTimeout(() => e2ee.requestKeyFrames(), 1000);
    this.status = 'recording';
  }

  /** Closes the current segment and starts the next (track change, timer). */
  rotate(): void {
    const chunker = this.#chunker;
    if (!chunker) return;
    this.#segmentBytes = 0;
    void this.#store.nextSegment(this.#config.recording).then(() => {
      chunker.rotate();
      this.#e2ee?.requestKeyFrames();
    });
  }

  /** Leaves, and resolves once every chunk is stored by the service. */
  async stop(): Promise<void> {
    this.status = 'stopping';
    for (const timer of this.#timers) clearInterval(timer);
    this.#chunker?.flushAll();
    this.#mesh?.broadcast({ t: 'bye' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    this.#mesh?.close();
    this.#e2ee?.close();
    this.#signaling?.close();
    while (!this.#uploader.idle || (await this.#store.pending(this.#config.recording)).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.status = 'stopped';
  }

  #handlers() {
    return {
      onPeerJoined: (peer: Peer) => this.#arrived(peer, false),
      onPeerLeft: (peerId: string) => this.#departed(peerId),
      onPeerUpdated: (peer: Peer) => {
        const known = this.#participants.get(peer.id);
        if (known) known.name = peer.name;
      },
      onRoomUpdated: () => undefined,
      onSignal: (from: string, data: Parameters<Mesh['receiveSignal']>[1]) => void this.#mesh?.receiveSignal(from, data),
      onReconnectPeer: (from: string) => this.#mesh?.receiveReconnect(from),
      onConnectionLost: () => undefined,
      onResumed: () => undefined,
      onSessionLost: () => {
        this.status = 'failed';
      },
      onRemoved: () => {
        this.status = 'failed';
      },
      onLobbyKnock: () => undefined,
      onLobbyLeft: () => undefined,
      onAdmitted: () => undefined,
      onRefused: () => undefined,
    };
  }

  #arrived(peer: Peer, initiator: boolean): void {
    if (peer.role === 'recorder') return;
    this.#participants.set(peer.id, { name: peer.name, screen: null, streams: new Map() });
    this.#log({ participant: peer.id, name: peer.name, event: 'joined', notice: null, at: Date.now() });
    this.#mesh?.connect(peer, initiator);
  }

  #departed(peerId: string): void {
    const participant = this.#participants.get(peerId);
    if (!participant) return;
    this.#mesh?.disconnect(peerId);
    this.#log({ participant: peerId, name: participant.name, event: 'left', notice: null, at: Date.now() });
    this.#participants.delete(peerId);
  }

  #received(peerId: string, message: PeerMessage): void {
    const participant = this.#participants.get(peerId);
    if (!participant) return;
    if (message.t === 'consent') this.#consent(peerId, participant, message);
    else if (message.t === 'presence') {
      // A screen share starting or stopping changes the tracks: a new segment.
      if (message.screen !== participant.screen) {
        participant.screen = message.screen;
        this.rotate();
      }
    } else if (message.t === 'camera-switched') this.rotate();
    else if (message.t === 'bye') this.#departed(peerId);
  }

  #consent(peerId: string, participant: Participant, message: ConsentMessage): void {
    this.#log({ participant: peerId, name: participant.name, event: message.state, notice: message.notice, at: message.at, shownAt: message.shownAt });
  }

  #log(event: NoticeEvent): void {
    const data = new TextEncoder().encode(JSON.stringify(event));
    this.#chunker?.add({ participant: event.participant, track: 'events', kind: 'events', codec: 'json' }, {
      keyFrame: false,
      rtpTimestamp: 0,
      receivedAt: event.at,
      audioLevel: null,
      data,
    });
  }

  #tapped(frames: TappedFrame[]): void {
    const chunker = this.#chunker;
    if (!chunker) return;
    for (const frame of frames) {
      const participant = this.#linkPeer.get(frame.linkId);
      if (!participant) continue;
      const key: TrackKey = { participant, track: frame.trackId, kind: frame.kind, codec: frame.codec };
      const chunkFrame: ChunkFrame = {
        keyFrame: frame.keyFrame,
        rtpTimestamp: frame.rtpTimestamp,
        receivedAt: frame.receivedAt,
        audioLevel: frame.audioLevel,
        data: new Uint8Array(frame.data),
      };
      chunker.add(key, chunkFrame);
    }
  }

  /** A closed batch: stored locally first (IndexedDB), then queued for upload. */
  async #keep(batch: Batch): Promise<void> {
    const data = encodeChunk(batch.frames);
    this.#segmentBytes += data.length;
    if (this.#segmentBytes > SEGMENT_MAX_BYTES) this.rotate();
    const sha256 = [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    const participant = this.#participants.get(batch.participant);
    const role = batch.kind === 'video' && participant && participant.streams.get(batch.track) === participant.screen ? 'screen' : batch.kind;
    const stored: StoredChunk = await this.#store.put({
      recording: this.#config.recording,
      participant: batch.participant,
      name: participant?.name ?? '',
      track: batch.track,
      kind: batch.kind,
      codec: role === 'screen' ? `${batch.codec};screen` : batch.codec,
      segment: batch.segment,
      firstAt: batch.frames[0]?.receivedAt ?? 0,
      lastAt: batch.frames.at(-1)?.receivedAt ?? 0,
      frames: batch.frames.length,
      bytes: data.length,
      sha256,
      data,
    } as Omit<StoredChunk, 'seq'>);
    this.#uploader.enqueue(stored);
  }

  /** People in the meeting hear about a recording problem (disk full) at once. */
  #uploadProblem(problem: UploadProblem): void {
    const previous = this.#problem;
    this.#problem = problem;
    if (problem) this.#mesh?.broadcast({ t: 'recorder-alert', code: problem });
    else if (previous) this.#mesh?.broadcast({ t: 'recorder-alert', code: 'recovered' });
  }
}
