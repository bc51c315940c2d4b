import type { Peer, SignalData } from '@conclave/protocol';
import type { PeerLink, PeerLinkFactory } from './peer-link.js';

export type LinkState = 'connecting' | 'connected' | 'failed';

export interface MeshEvents {
  onRemoteStream(peerId: string, stream: MediaStream): void;
  onLinkState(peerId: string, state: LinkState, error?: Error): void;
}

export interface MeshOptions {
  createLink: PeerLinkFactory;
  /** Sends a description or candidate to one remote participant through signaling. */
  sendSignal(to: string, data: SignalData): void;
  localStream: MediaStream | null;
  iceServers: RTCIceServer[];
  events: MeshEvents;
}

/**
 * The mesh engine: one link per remote participant. It knows nothing of the UI or of
 * Socket.IO; the session wires it to both.
 */
export class Mesh {
  readonly #links = new Map<string, PeerLink>();
  readonly #options: MeshOptions;

  constructor(options: MeshOptions) {
    this.#options = options;
  }

  /** Opens a link to a participant. `initiator` is true for the newcomer's links to those present. */
  connect(peer: Peer, initiator: boolean): void {
    this.disconnect(peer.id);
    const { createLink, sendSignal, localStream, iceServers, events } = this.#options;
    const link = createLink(
      { initiator, localStream, iceServers },
      {
        onSignal: (data) => sendSignal(peer.id, data),
        onStream: (stream) => events.onRemoteStream(peer.id, stream),
        onConnect: () => events.onLinkState(peer.id, 'connected'),
        onClose: (error) => {
          // Only report the close of the link that is still current.
          if (this.#links.get(peer.id) !== link) return;
          this.#links.delete(peer.id);
          events.onLinkState(peer.id, 'failed', error);
        },
      },
    );
    this.#links.set(peer.id, link);
    events.onLinkState(peer.id, 'connecting');
  }

  /** Routes a relayed signal to its link; signals from unknown participants are dropped. */
  receiveSignal(from: string, data: SignalData): boolean {
    const link = this.#links.get(from);
    if (!link) return false;
    link.signal(data);
    return true;
  }

  /** Closes the link to one participant, leaving the others untouched. */
  disconnect(peerId: string): void {
    const link = this.#links.get(peerId);
    if (!link) return;
    this.#links.delete(peerId);
    link.destroy();
  }

  has(peerId: string): boolean {
    return this.#links.has(peerId);
  }

  get size(): number {
    return this.#links.size;
  }

  getStats(peerId: string): Promise<RTCStatsReport> | undefined {
    return this.#links.get(peerId)?.getStats();
  }

  close(): void {
    for (const peerId of [...this.#links.keys()]) this.disconnect(peerId);
  }
}
