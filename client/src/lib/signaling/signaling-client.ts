import {
  errorAck,
  peerLeftSchema,
  peerSchema,
  relayedSignalSchema,
  type ClientToServerEvents,
  type JoinAck,
  type Peer,
  type ServerToClientEvents,
  type SignalData,
} from '@conclave/protocol';
import { io, type Socket } from 'socket.io-client';

export interface SignalingHandlers {
  onPeerJoined(peer: Peer): void;
  onPeerLeft(peerId: string): void;
  onSignal(from: string, data: SignalData): void;
  /** The socket dropped; Socket.IO retries by itself. */
  onConnectionLost(reason: string): void;
}

/** How long the client waits for an acknowledgement before giving up on a request. */
const ACK_TIMEOUT_MS = 10_000;

/**
 * The client side of the signaling protocol (docs in protocol/). It validates what the
 * server sends, since the server is not trusted with anything but relaying.
 */
export class SignalingClient {
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;

  constructor(handlers: SignalingHandlers, url?: string) {
    this.#socket = url ? io(url, { autoConnect: false }) : io({ autoConnect: false });
    const socket = this.#socket;

    socket.on('peer-joined', (message) => {
      const parsed = peerSchema.safeParse(message);
      if (parsed.success) handlers.onPeerJoined(parsed.data);
      else console.warn('conclave: ignored a malformed peer-joined', parsed.error.issues);
    });
    socket.on('peer-left', (message) => {
      const parsed = peerLeftSchema.safeParse(message);
      if (parsed.success) handlers.onPeerLeft(parsed.data.id);
      else console.warn('conclave: ignored a malformed peer-left', parsed.error.issues);
    });
    socket.on('signal', (message) => {
      const parsed = relayedSignalSchema.safeParse(message);
      if (parsed.success) handlers.onSignal(parsed.data.from, parsed.data.data);
      else console.warn('conclave: ignored a malformed signal', parsed.error.issues);
    });
    socket.on('disconnect', (reason) => handlers.onConnectionLost(reason));
  }

  /** Connects and joins a room. Resolves with the server's acknowledgement, never rejects. */
  async join(room: string, name: string): Promise<JoinAck> {
    this.#socket.connect();
    try {
      return await this.#socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', { room, name });
    } catch {
      return errorAck('internal', 'the signaling server did not answer');
    }
  }

  sendSignal(to: string, data: SignalData): void {
    this.#socket.emit('signal', { to, data }, (reply) => {
      if (!reply.ok) console.warn(`conclave: signal to ${to} refused: ${reply.error.code}: ${reply.error.message}`);
    });
  }

  /** Leaves the room and closes the connection. */
  close(): void {
    if (this.#socket.connected) this.#socket.emit('leave', () => undefined);
    this.#socket.disconnect();
  }
}
