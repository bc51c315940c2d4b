import type { ErrorCode, JoinOk, Peer, Role, RoomState } from '@conclave/protocol';
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

export type MeetingStatus = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'failed' | 'removed' | 'left';

const JOIN_ERRORS: Partial<Record<ErrorCode, string>> = {
  'room-full': 'This meeting is full.',
  locked: 'This meeting is locked.',
  'bad-password': 'This meeting needs the right password.',
  'bad-token': 'Your invitation is not valid for this meeting.',
};

/**
 * One meeting as the UI sees it: local media, the remote participants and their streams.
 * Methods are the only way to change it; components read the getters.
 */
export class Meeting {
  #status = $state<MeetingStatus>('idle');
  #error = $state<string | null>(null);
  #localStream = $state.raw<MediaStream | null>(null);
  #remotes = $state.raw<RemoteParticipant[]>([]);
  #self = $state.raw<{ id: string; role: Role } | null>(null);
  #room = $state.raw<RoomState>({ locked: false, hasPassword: false });

  #name = '';
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
    return this.#self?.id ?? null;
  }
  get role(): Role | null {
    return this.#self?.role ?? null;
  }
  get room(): RoomState {
    return this.#room;
  }

  async join(name: string): Promise<void> {
    if (this.#status === 'joining' || this.#status === 'joined') return;
    this.#status = 'joining';
    this.#error = null;
    this.#name = name;

    if (!this.#localStream) {
      try {
        this.#localStream = await openLocalMedia();
      } catch (error) {
        return this.#fail(describeMediaError(error));
      }
    }

    this.#signaling ??= new SignalingClient({
      onPeerJoined: (peer) => this.#connectTo(peer, false),
      onPeerLeft: (peerId) => this.#removeRemote(peerId),
      onPeerUpdated: (peer) => this.#peerUpdated(peer),
      onRoomUpdated: (state) => (this.#room = state),
      onSignal: (from, data) => {
        if (!this.#mesh?.receiveSignal(from, data)) console.warn(`conclave: signal from unknown participant ${from}`);
      },
      onReconnectPeer: (from) => {
        const peer = this.#remotes.find((remote) => remote.id === from);
        if (peer) this.#connectTo(peer, false);
      },
      onConnectionLost: () => {
        if (this.#status === 'joined') this.#status = 'reconnecting';
      },
      onResumed: (reply) => this.#resumed(reply),
      onSessionLost: () => this.#rejoin(),
      onRemoved: () => {
        this.#teardown();
        this.#status = 'removed';
      },
    });

    const reply = await this.#signaling.join({ room: this.roomId, name });
    if (!reply.ok) {
      this.#signaling.close();
      this.#signaling = null;
      return this.#fail(JOIN_ERRORS[reply.error.code] ?? reply.error.message);
    }
    this.#entered(reply);
    // The newcomer makes the offers to everyone already present.
    for (const peer of reply.peers) this.#connectTo(peer, true);
  }

  leave(): void {
    this.#teardown();
    for (const track of this.#localStream?.getTracks() ?? []) track.stop();
    this.#localStream = null;
    this.#status = 'left';
  }

  #entered(reply: JoinOk): void {
    this.#self = { id: reply.id, role: reply.role };
    this.#room = reply.room;
    this.#mesh?.close();
    const signaling = this.#signaling;
    this.#mesh = new Mesh({
      createLink: createSimplePeerLink,
      sendSignal: (to, data) => signaling?.sendSignal(to, data),
      localStream: this.#localStream,
      iceServers: reply.iceServers,
      events: {
        onRemoteStream: (peerId, stream) => this.#updateRemote(peerId, { stream }),
        onLinkState: (peerId, link) => this.#updateRemote(peerId, { link }),
      },
    });
    this.#remotes = [];
    this.#status = 'joined';
  }

  /** Back with the same id: keep every working link, and catch up on who came and went meanwhile. */
  #resumed(reply: JoinOk): void {
    this.#self = { id: reply.id, role: reply.role };
    this.#room = reply.room;
    for (const remote of this.#remotes) {
      if (!reply.peers.some((peer) => peer.id === remote.id)) this.#removeRemote(remote.id);
    }
    // Newcomers made us offers while we were away; they arrive right after this reply.
    for (const peer of reply.peers) if (!this.#mesh?.has(peer.id)) this.#connectTo(peer, false);
    this.#status = 'joined';
  }

  /** Our seat is gone: join again as a newcomer (new id, fresh links). */
  #rejoin(): void {
    this.#teardown();
    this.#status = 'idle';
    void this.join(this.#name);
  }

  #teardown(): void {
    this.#mesh?.close();
    this.#mesh = null;
    this.#signaling?.close();
    this.#signaling = null;
    this.#remotes = [];
    this.#self = null;
  }

  #fail(message: string): void {
    for (const track of this.#localStream?.getTracks() ?? []) track.stop();
    this.#localStream = null;
    this.#error = message;
    this.#status = 'failed';
  }

  #connectTo(peer: Peer, initiator: boolean): void {
    if (!this.#mesh) return;
    const known = this.#remotes.find((remote) => remote.id === peer.id);
    this.#remotes = [
      ...this.#remotes.filter((remote) => remote.id !== peer.id),
      { id: peer.id, name: peer.name, role: peer.role, stream: known?.stream ?? null, link: 'connecting' },
    ];
    this.#mesh.connect(peer, initiator);
  }

  #peerUpdated(peer: Peer): void {
    if (peer.id === this.#self?.id) this.#self = { id: peer.id, role: peer.role };
    else this.#updateRemote(peer.id, { role: peer.role, name: peer.name });
  }

  #removeRemote(peerId: string): void {
    this.#mesh?.disconnect(peerId);
    this.#remotes = this.#remotes.filter((remote) => remote.id !== peerId);
  }

  #updateRemote(peerId: string, change: Partial<Omit<RemoteParticipant, 'id'>>): void {
    this.#remotes = this.#remotes.map((remote) => (remote.id === peerId ? { ...remote, ...change } : remote));
  }
}
