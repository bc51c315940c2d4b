import {
  errorAck,
  lobbyKnockSchema,
  peerLeftSchema,
  peerSchema,
  relayedReconnectSchema,
  relayedSignalSchema,
  roomStateSchema,
  type ClientToServerEvents,
  type JoinAck,
  type JoinOk,
  type JoinRequest,
  type KnockAck,
  type KnockRequest,
  type LobbyAck,
  type LobbyKnock,
  type RecordingGrantAck,
  type Peer,
  type SimpleAck,
  type RoomState,
  type ServerToClientEvents,
  type SignalData,
} from '@conclave/protocol';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';

export interface SignalingHandlers {
  onPeerJoined(peer: Peer): void;
  onPeerLeft(peerId: string): void;
  onPeerUpdated(peer: Peer): void;
  onRoomUpdated(state: RoomState): void;
  onSignal(from: string, data: SignalData): void;
  /** A peer dropped its connection to us and will send a fresh offer. */
  onReconnectPeer(from: string): void;
  /** The socket dropped; the client reconnects and resumes by itself. */
  onConnectionLost(reason: string): void;
  /** Back in the room with the same id; peer connections were never touched. */
  onResumed(reply: JoinOk): void;
  /** The seat is gone (grace over, server restarted): the session must join again. */
  onSessionLost(): void;
  /** A moderator removed us. */
  onRemoved(): void;
  /** To moderators: someone knocked on the locked room. */
  onLobbyKnock(knock: LobbyKnock): void;
  onLobbyLeft(id: string): void;
  /** To a knocker: a moderator let us in (join with the ticket now) or said no. */
  onAdmitted(): void;
  onRefused(): void;
}

/** How long the client waits for an acknowledgement before giving up on a request. */
const ACK_TIMEOUT_MS = 10_000;

/**
 * The client side of the signaling protocol (docs/protocol.md). It validates what the
 * server sends, since the server is trusted with nothing but relaying, and resumes the
 * session by itself after a dropped connection.
 */
export class SignalingClient {
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly #handlers: SignalingHandlers;
  #session: { room: string; id: string; secret: string } | null = null;
  #closed = false;
  #removed = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(handlers: SignalingHandlers, url?: string) {
    this.#handlers = handlers;
    // Another origin (the recorder page): WebSocket only, which needs no CORS (the server checks Origin).
    this.#socket = url ? io(url, { autoConnect: false, transports: ['websocket'] }) : io({ autoConnect: false });
    const socket = this.#socket;

    this.#on('peer-joined', peerSchema, (peer) => handlers.onPeerJoined(peer));
    this.#on('peer-left', peerLeftSchema, ({ id }) => handlers.onPeerLeft(id));
    this.#on('peer-updated', peerSchema, (peer) => handlers.onPeerUpdated(peer));
    this.#on('room-updated', roomStateSchema, (state) => handlers.onRoomUpdated(state));
    this.#on('signal', relayedSignalSchema, ({ from, data }) => handlers.onSignal(from, data));
    this.#on('reconnect-peer', relayedReconnectSchema, ({ from }) => handlers.onReconnectPeer(from));
    this.#on('lobby-knock', lobbyKnockSchema, (knock) => handlers.onLobbyKnock(knock));
    this.#on('lobby-left', peerLeftSchema, ({ id }) => handlers.onLobbyLeft(id));
    socket.on('admitted', () => handlers.onAdmitted());
    socket.on('refused', () => handlers.onRefused());
    socket.on('removed', () => {
      this.#removed = true;
      handlers.onRemoved();
    });

    socket.on('disconnect', (reason) => {
      if (this.#closed || this.#removed) return;
      handlers.onConnectionLost(reason);
      // Socket.IO retries by itself except after a server-side disconnect (a shutdown).
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 250 + Math.random() * 1000);
    });
    socket.on('connect', () => {
      clearTimeout(this.#retry);
      if (this.#session) void this.#resume();
    });
  }

  /** Opens the connection ahead of joining (on the pre-join page), so joining is one round trip. */
  connect(): void {
    if (!this.#socket.connected) this.#socket.connect();
  }

  /** Connects and joins a room. Resolves with the server's acknowledgement, never rejects. */
  async join(request: JoinRequest): Promise<JoinAck> {
    this.#closed = false;
    this.#removed = false;
    if (!this.#socket.connected) this.#socket.connect();
    let reply: JoinAck;
    try {
      reply = await this.#socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', request);
    } catch {
      return errorAck('internal', 'the signaling server did not answer');
    }
    if (reply.ok) this.#session = { room: request.room, id: reply.id, secret: reply.resume };
    return reply;
  }

  /** Knocks on a locked room; the reply carries the ticket to join with once admitted. */
  async knock(request: KnockRequest): Promise<KnockAck> {
    if (!this.#socket.connected) this.#socket.connect();
    try {
      return await this.#socket.timeout(ACK_TIMEOUT_MS).emitWithAck('knock', request);
    } catch {
      return errorAck('internal', 'the signaling server did not answer');
    }
  }

  /** Moderator actions; each resolves with the server's acknowledgement. */
  moderate(action: 'admit' | 'refuse' | 'remove', id: string): Promise<SimpleAck>;
  moderate(action: 'lock', locked: boolean): Promise<SimpleAck>;
  moderate(action: 'set-password', password: string | null): Promise<SimpleAck>;
  async moderate(action: 'admit' | 'refuse' | 'remove' | 'lock' | 'set-password', value: string | boolean | null): Promise<SimpleAck> {
    const socket = this.#socket.timeout(ACK_TIMEOUT_MS);
    try {
      if (action === 'lock') return await socket.emitWithAck('lock', { locked: value as boolean });
      if (action === 'set-password') return await socket.emitWithAck('set-password', { password: value as string | null });
      return await socket.emitWithAck(action, { id: value as string });
    } catch {
      return errorAck('internal', 'the signaling server did not answer');
    }
  }

  /** Moderators: who waits in the lobby now. */
  /** A short-lived grant to start or stop recording, to present to the recording service. */
  async recordingGrant(action: 'start' | 'stop'): Promise<RecordingGrantAck> {
    try {
      return await this.#socket.timeout(ACK_TIMEOUT_MS).emitWithAck('recording-grant', { action });
    } catch {
      return errorAck('internal', 'the signaling server did not answer');
    }
  }

  async lobby(): Promise<LobbyAck> {
    try {
      return await this.#socket.timeout(ACK_TIMEOUT_MS).emitWithAck('lobby');
    } catch {
      return errorAck('internal', 'the signaling server did not answer');
    }
  }

  sendSignal(to: string, data: SignalData): void {
    this.#socket.emit('signal', { to, data }, (reply) => {
      if (!reply.ok) console.warn(`conclave: signal to ${to} refused: ${reply.error.code}: ${reply.error.message}`);
    });
  }

  /** Asks one peer to drop its connection to us; we then send it a fresh offer. */
  requestReconnect(to: string): void {
    this.#socket.emit('reconnect-peer', { to }, (reply) => {
      if (!reply.ok) console.warn(`conclave: reconnect-peer to ${to} refused: ${reply.error.code}`);
    });
  }

  /** Leaves the room and closes the connection. */
  close(): void {
    clearTimeout(this.#retry);
    this.#closed = true;
    this.#session = null;
    if (this.#socket.connected) this.#socket.emit('leave', () => undefined);
    this.#socket.disconnect();
  }

  async #resume(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    let reply: JoinAck;
    try {
      reply = await this.#socket.timeout(ACK_TIMEOUT_MS).emitWithAck('resume', session);
    } catch {
      reply = errorAck('internal', 'no answer');
    }
    if (this.#closed) return;
    if (reply.ok) return this.#handlers.onResumed(reply);
    if (reply.error.code === 'already-joined') return; // another attempt on this connection got there
    if (reply.error.code === 'unknown-session') {
      this.#session = null;
      this.#handlers.onSessionLost();
    } else {
      // The server could not take us back yet (shutting down, rate limited): try again shortly.
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => void this.#resume(), 2000);
    }
  }

  /** Subscribes to a server event, dropping payloads that do not match the protocol. */
  #on<S extends z.ZodType>(event: keyof ServerToClientEvents, schema: S, handle: (message: z.output<S>) => void): void {
    (this.#socket as unknown as Socket).on(event, (message: unknown) => {
      const parsed = schema.safeParse(message);
      if (parsed.success) handle(parsed.data);
      else console.warn(`conclave: ignored a malformed ${event}`, parsed.error.issues);
    });
  }
}
