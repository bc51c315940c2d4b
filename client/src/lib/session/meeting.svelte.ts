import type { Peer, Role } from '@conclave/protocol';
import { describeMediaError, openLocalMedia } from '../media/capture.js';
import { Mesh, type LinkState } from '../mesh/mesh.js';
import { createSimplePeerLink } from '../mesh/simple-peer-link.js';
import { SignalingClient } from '../signaling/signaling-client.js';

export interface RemoteParticipant {
  id: string;
  name: string;
  role: Role;
  stream: MediaStream | null;
  link: LinkState;
}

export type MeetingStatus = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'failed' | 'left';

/**
 * One meeting as the UI sees it: local media, the remote participants and their streams.
 * Methods are the only way to change it; components read the getters.
 */
export class Meeting {
  #status = $state<MeetingStatus>('idle');
  #error = $state<string | null>(null);
  #localStream = $state.raw<MediaStream | null>(null);
  #remotes = $state.raw<RemoteParticipant[]>([]);
  #selfId = $state<string | null>(null);

  #signaling: SignalingClient | null = null;
  #mesh: Mesh | null = null;

  constructor(readonly roomId: string) {}

  get status(): MeetingStatus {
    return this.#status;
  }
  get error(): string | null {
    return this.#error;
  }
  get localStream(): MediaStream | null {
    return this.#localStream;
  }
  get remotes(): readonly RemoteParticipant[] {
    return this.#remotes;
  }
  get selfId(): string | null {
    return this.#selfId;
  }

  async join(name: string): Promise<void> {
    if (this.#status === 'joining' || this.#status === 'joined') return;
    this.#status = 'joining';
    this.#error = null;

    try {
      this.#localStream = await openLocalMedia();
    } catch (error) {
      return this.#fail(describeMediaError(error));
    }

    const signaling = new SignalingClient({
      onPeerJoined: (peer) => this.#addRemote(peer, false),
      onPeerLeft: (peerId) => this.#removeRemote(peerId),
      onSignal: (from, data) => {
        if (!this.#mesh?.receiveSignal(from, data)) console.warn(`conclave: signal from unknown participant ${from}`);
      },
      onConnectionLost: () => {
        if (this.#status === 'joined') this.#status = 'reconnecting';
      },
    });
    this.#signaling = signaling;

    const reply = await signaling.join(this.roomId, name);
    if (!reply.ok) {
      signaling.close();
      return this.#fail(reply.error.message, reply.error.code);
    }

    this.#selfId = reply.id;
    this.#mesh = new Mesh({
      createLink: createSimplePeerLink,
      sendSignal: (to, data) => signaling.sendSignal(to, data),
      localStream: this.#localStream,
      iceServers: reply.iceServers,
      events: {
        onRemoteStream: (peerId, stream) => this.#updateRemote(peerId, { stream }),
        onLinkState: (peerId, link) => this.#updateRemote(peerId, { link }),
      },
    });
    this.#status = 'joined';
    // The newcomer makes the offers to everyone already present.
    for (const peer of reply.peers) this.#addRemote(peer, true);
  }

  leave(): void {
    this.#mesh?.close();
    this.#mesh = null;
    this.#signaling?.close();
    this.#signaling = null;
    for (const track of this.#localStream?.getTracks() ?? []) track.stop();
    this.#localStream = null;
    this.#remotes = [];
    this.#status = 'left';
  }

  #fail(message: string, code?: string): void {
    for (const track of this.#localStream?.getTracks() ?? []) track.stop();
    this.#localStream = null;
    this.#error = code === 'room-full' ? 'This meeting is full.' : message;
    this.#status = 'failed';
  }

  #addRemote(peer: Peer, initiator: boolean): void {
    if (!this.#mesh) return;
    this.#remotes = [
      ...this.#remotes.filter((remote) => remote.id !== peer.id),
      { ...peer, stream: null, link: 'connecting' },
    ];
    this.#mesh.connect(peer, initiator);
  }

  #removeRemote(peerId: string): void {
    this.#mesh?.disconnect(peerId);
    this.#remotes = this.#remotes.filter((remote) => remote.id !== peerId);
  }

  #updateRemote(peerId: string, change: Partial<Pick<RemoteParticipant, 'stream' | 'link'>>): void {
    this.#remotes = this.#remotes.map((remote) => (remote.id === peerId ? { ...remote, ...change } : remote));
  }
}
