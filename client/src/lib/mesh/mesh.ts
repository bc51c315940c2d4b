import type { Peer, SignalData } from '@conclave/protocol';
import { applyPlan, planUplink } from './bandwidth.js';
import type { LinkFingerprints, LinkMediaHooks, PeerLink, PeerLinkFactory } from './peer-link.js';
import { parsePeerMessage, type PeerMessage } from './peer-messages.js';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface MeshEvents {
  onTrack(peerId: string, track: MediaStreamTrack, stream: MediaStream): void;
  onLinkState(peerId: string, state: LinkState): void;
  /** A link (new or rebuilt) opened: time to tell that peer our presence, and agree on keys. */
  onLinkOpen(peerId: string, link: OpenLink): void;
  /** A link is gone (closed, replaced by a rebuilt one, or its peer left). */
  onLinkClosed?(peerId: string, linkId: string): void;
  onMessage(peerId: string, message: PeerMessage, linkId: string): void;
}

/** What the session needs to know of a link that just opened. */
export interface OpenLink {
  /** Unique for each link ever made by this mesh (a rebuilt link gets a new one). */
  id: string;
  initiator: boolean;
  fingerprints: LinkFingerprints | null;
}

export interface MeshSignaling {
  sendSignal(to: string, data: SignalData): void;
  /** Asks a peer to drop its link to us and take a fresh one (see docs/protocol.md, reconnect-peer). */
  requestReconnect(to: string): void;
}

export interface MeshOptions {
  selfId: string;
  createLink: PeerLinkFactory;
  signaling: MeshSignaling;
  iceServers: RTCIceServer[];
  /** From the join reply: `relay` forces every link through TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  events: MeshEvents;
  /** Frame transforms for each new link (end-to-end encryption), given its id. */
  media?: (linkId: string) => LinkMediaHooks | undefined;
  /** Total uplink to share across links, in kbit/s. */
  uplinkKbps?: number;
  /** Timers, replaceable in tests. */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  now?: () => number;
}

/** A link 'disconnected' for this long is rebuilt (it usually recovers within a few seconds). */
export const DISCONNECTED_REBUILD_MS = 5000;
/**
 * A new link not connected after this long is given up and rebuilt, and shown as failed.
 * ICE itself fails a link whose candidate pairs all fail (in about 30 s), but with no pair
 * at all (relay-only and TURN refusing the credentials, say) it never reports anything.
 */
export const CONNECT_TIMEOUT_MS = 30_000;
/** A failed link is rebuilt after this pause, doubling on each failure in a row (to 30 s at most). */
const REBUILD_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** A reconnect request from the larger id is ignored while our own fresh rebuild is this young. */
const FRESH_LINK_MS = 5000;

interface LinkEntry {
  id: string;
  peer: Peer;
  link: PeerLink;
  initiator: boolean;
  createdAt: number;
  connected: boolean;
  failures: number;
  timer: unknown;
  connectTimer: unknown;
  /** Shown as failed: stays so through rebuilds until a link connects (no flicker back to "reconnecting"). */
  shownFailed: boolean;
}

/**
 * The mesh engine: one link per remote participant, the local media on all of them, and
 * recovery of each link on its own. It knows nothing of the UI or of Socket.IO.
 */
export class Mesh {
  readonly #links = new Map<string, LinkEntry>();
  readonly #options: MeshOptions;
  readonly #setTimer: (run: () => void, ms: number) => unknown;
  readonly #clearTimer: (timer: unknown) => void;
  readonly #now: () => number;
  #camera: MediaStream | null = null;
  #screen: MediaStream | null = null;
  #closed = false;
  #linkCount = 0;

  constructor(options: MeshOptions) {
    this.#options = options;
    this.#setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.#clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
    this.#now = options.now ?? (() => Date.now());
  }

  // ---- links ----

  /** Opens a link to a participant: as initiator for the newcomer's links to those present. */
  connect(peer: Peer, initiator: boolean): void {
    const previous = this.#links.get(peer.id);
    this.#drop(peer.id);
    const id = `${peer.id}/${++this.#linkCount}`;
    const media = this.#options.media?.(id);
    const entry: LinkEntry = {
      id,
      peer,
      link: undefined as unknown as PeerLink,
      initiator,
      createdAt: this.#now(),
      connected: false,
      failures: previous?.failures ?? 0,
      timer: undefined,
      connectTimer: undefined,
      shownFailed: previous?.shownFailed ?? false,
    };
    entry.link = this.#options.createLink(
      {
        initiator,
        streams: this.#streams(),
        iceServers: this.#options.iceServers,
        ...(this.#options.iceTransportPolicy ? { iceTransportPolicy: this.#options.iceTransportPolicy } : {}),
        ...(media ? { media } : {}),
      },
      {
        onSignal: (data) => this.#options.signaling.sendSignal(peer.id, data),
        onTrack: (track, stream) => this.#options.events.onTrack(peer.id, track, stream),
        onConnect: () => {
          if (!this.#isCurrent(entry)) return;
          this.#clearTimer(entry.connectTimer);
          entry.connected = true;
          entry.shownFailed = false;
          entry.failures = 0;
          this.#options.events.onLinkState(peer.id, 'connected');
          this.#options.events.onLinkOpen(peer.id, { id, initiator, fingerprints: entry.link.fingerprints() });
          void this.#tune(entry);
        },
        onData: (text) => {
          const message = parsePeerMessage(text);
          if (message && this.#isCurrent(entry)) this.#options.events.onMessage(peer.id, message, id);
        },
        onIceState: (state) => this.#iceState(entry, state),
        onClose: () => {
          if (this.#isCurrent(entry)) this.#failed(entry);
        },
      },
    );
    this.#links.set(peer.id, entry);
    entry.connectTimer = this.#setTimer(() => this.#isCurrent(entry) && !entry.connected && this.#failed(entry, 'failed'), CONNECT_TIMEOUT_MS);
    this.#options.events.onLinkState(peer.id, entry.shownFailed ? 'failed' : previous ? 'reconnecting' : 'connecting');
    this.#retune();
  }

  /** Routes a relayed signal to its link; signals from unknown participants are dropped. */
  receiveSignal(from: string, data: SignalData): boolean {
    const entry = this.#links.get(from);
    if (!entry) return false;
    entry.link.signal(data);
    return true;
  }

  /**
   * The peer asks to rebuild our link. The smaller id always makes the offer, so when both
   * sides ask at once they still agree on who initiates.
   */
  receiveReconnect(from: string): void {
    const entry = this.#links.get(from);
    if (!entry) return;
    const weInitiate = this.#options.selfId < from;
    if (weInitiate && entry.initiator && !entry.connected && this.#now() - entry.createdAt < FRESH_LINK_MS) return;
    this.connect(entry.peer, weInitiate);
  }

  /** Rebuilds one link from scratch (a new connection, so new keys). */
  rebuild(peerId: string): void {
    const entry = this.#links.get(peerId);
    if (entry) this.#rebuild(entry);
  }

  /** Rebuilds every link from scratch (new connections, new keys). */
  rebuildAll(): void {
    for (const entry of [...this.#links.values()]) this.#rebuild(entry);
  }

  /** Closes the link to one participant (who left), leaving the others untouched. */
  disconnect(peerId: string): void {
    this.#drop(peerId);
    this.#retune();
  }

  has(peerId: string): boolean {
    return this.#links.has(peerId);
  }

  get size(): number {
    return this.#links.size;
  }

  peerIds(): string[] {
    return [...this.#links.keys()];
  }

  getStats(peerId: string): Promise<RTCStatsReport> | undefined {
    return this.#links.get(peerId)?.link.getStats();
  }

  close(): void {
    this.#closed = true;
    for (const peerId of [...this.#links.keys()]) this.#drop(peerId);
  }

  // ---- messages ----

  send(peerId: string, message: PeerMessage): boolean {
    return this.#links.get(peerId)?.link.send(JSON.stringify(message)) ?? false;
  }

  /** Sends to every open link; returns how many took it. */
  broadcast(message: PeerMessage): number {
    const text = JSON.stringify(message);
    let sent = 0;
    for (const entry of this.#links.values()) if (entry.link.send(text)) sent += 1;
    return sent;
  }

  // ---- local media ----

  /** The camera and microphone stream every link sends (set before connecting). */
  setCamera(stream: MediaStream | null): void {
    this.#camera = stream;
  }

  /** Swaps the camera's (or microphone's) track on every link, without renegotiation. */
  replaceTrack(old: MediaStreamTrack, next: MediaStreamTrack): void {
    const camera = this.#camera;
    if (!camera) return;
    for (const entry of this.#links.values()) entry.link.replaceTrack(old, next, camera);
  }

  /** Starts sending a screen share on every link (renegotiates). */
  startScreen(stream: MediaStream): void {
    this.#screen = stream;
    for (const entry of this.#links.values()) for (const track of stream.getTracks()) entry.link.addTrack(track, stream);
    this.#retune();
  }

  stopScreen(): void {
    const screen = this.#screen;
    if (!screen) return;
    this.#screen = null;
    for (const entry of this.#links.values()) {
      for (const track of screen.getTracks()) {
        try {
          entry.link.removeTrack(track, screen);
        } catch {
          // The link was rebuilt since the share started: it never carried this track.
        }
      }
    }
    this.#retune();
  }

  // ---- internals ----

  #streams(): MediaStream[] {
    return [this.#camera, this.#screen].filter((stream): stream is MediaStream => stream !== null);
  }

  #isCurrent(entry: LinkEntry): boolean {
    return !this.#closed && this.#links.get(entry.peer.id) === entry;
  }

  #drop(peerId: string): void {
    const entry = this.#links.get(peerId);
    if (!entry) return;
    this.#links.delete(peerId);
    this.#clearTimer(entry.timer);
    this.#clearTimer(entry.connectTimer);
    entry.link.destroy();
    this.#options.events.onLinkClosed?.(peerId, entry.id);
  }

  #iceState(entry: LinkEntry, state: RTCIceConnectionState): void {
    if (!this.#isCurrent(entry)) return;
    this.#clearTimer(entry.timer);
    entry.timer = undefined;
    if (state === 'disconnected') {
      this.#options.events.onLinkState(entry.peer.id, 'reconnecting');
      entry.timer = this.#setTimer(() => this.#isCurrent(entry) && this.#rebuild(entry), DISCONNECTED_REBUILD_MS);
    } else if ((state === 'connected' || state === 'completed') && entry.connected) {
      this.#options.events.onLinkState(entry.peer.id, 'connected');
    }
  }

  /**
   * The link closed or failed, or never connected: rebuild it after a pause that grows with
   * repeated failures. Shown as failed after three in a row, or at once with `shown`.
   */
  #failed(entry: LinkEntry, shown?: 'failed'): void {
    this.#clearTimer(entry.timer);
    this.#clearTimer(entry.connectTimer);
    entry.failures += 1;
    entry.shownFailed ||= shown === 'failed' || entry.failures > 3;
    this.#options.events.onLinkState(entry.peer.id, entry.shownFailed ? 'failed' : 'reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, REBUILD_BACKOFF_MS * 2 ** (entry.failures - 1));
    entry.timer = this.#setTimer(() => this.#isCurrent(entry) && this.#rebuild(entry), delay);
  }

  /** Rebuilds one link whole (simple-peer has no ICE restart); the smaller id makes the offer. */
  #rebuild(entry: LinkEntry): void {
    this.#options.signaling.requestReconnect(entry.peer.id);
    this.connect(entry.peer, this.#options.selfId < entry.peer.id);
  }

  /** Shares the uplink again: room size or screen share changed. */
  #retune(): void {
    for (const entry of this.#links.values()) if (entry.connected) void this.#tune(entry);
  }

  async #tune(entry: LinkEntry): Promise<void> {
    const plan = planUplink(this.#links.size, {
      ...(this.#options.uplinkKbps ? { uplinkKbps: this.#options.uplinkKbps } : {}),
      sharing: this.#screen !== null,
    });
    const screenTracks = new Set((this.#screen?.getTracks() ?? []).map((track) => track.id));
    await applyPlan(entry.link.senders(), plan, screenTracks);
  }
}
