import type { z } from 'zod';
import type { ErrorAck } from './errors.js';
import type {
  iceServerSchema,
  joinRequestSchema,
  knockRequestSchema,
  lobbyKnockSchema,
  lockRequestSchema,
  peerLeftSchema,
  peerSchema,
  reconnectPeerRequestSchema,
  recordingGrantRequestSchema,
  relayedReconnectSchema,
  relayedSignalSchema,
  resumeRequestSchema,
  roleSchema,
  roomStateSchema,
  setPasswordRequestSchema,
  signalDataSchema,
  signalRequestSchema,
  targetRequestSchema,
} from './schemas.js';

export type Role = z.infer<typeof roleSchema>;
export type SignalData = z.infer<typeof signalDataSchema>;
export type JoinRequest = z.input<typeof joinRequestSchema>;
export type KnockRequest = z.input<typeof knockRequestSchema>;
export type ResumeRequest = z.infer<typeof resumeRequestSchema>;
export type SignalRequest = z.infer<typeof signalRequestSchema>;
export type ReconnectPeerRequest = z.infer<typeof reconnectPeerRequestSchema>;
export type LockRequest = z.infer<typeof lockRequestSchema>;
export type SetPasswordRequest = z.infer<typeof setPasswordRequestSchema>;
export type TargetRequest = z.infer<typeof targetRequestSchema>;
export type Peer = z.infer<typeof peerSchema>;
export type IceServer = z.infer<typeof iceServerSchema>;
export type IceTransportPolicy = 'all' | 'relay';
export type RoomState = z.infer<typeof roomStateSchema>;
export type PeerLeft = z.infer<typeof peerLeftSchema>;
export type RelayedSignal = z.infer<typeof relayedSignalSchema>;
export type RelayedReconnect = z.infer<typeof relayedReconnectSchema>;
export type LobbyKnock = z.infer<typeof lobbyKnockSchema>;
export type RecordingGrantRequest = z.infer<typeof recordingGrantRequestSchema>;

/** What a participant needs to know about recording in this room. */
export interface RecordingInfo {
  /** Base URL of the recording service (which the browser calls with a grant), or null when none is configured. */
  url: string | null;
  /** Who may start and stop recording. */
  policy: 'moderators' | 'anyone';
  /** A compliance room is always recorded; joiners acknowledged the notice. */
  compliance: boolean;
}

export interface JoinOk {
  ok: true;
  /** This participant's id, issued by the server. */
  id: string;
  /** This participant's role: from its token, or `moderator` for whoever opened an open room. */
  role: Role;
  /** Those already in the room, oldest first; the newcomer makes the offers to each of them. */
  peers: Peer[];
  /** From server configuration only; empty by default (host candidates on the LAN). */
  iceServers: IceServer[];
  /**
   * The RTCPeerConnection's iceTransportPolicy, from server configuration: `relay` makes
   * every connection go through the TURN server (ICE_TRANSPORT_POLICY), `all` by default.
   */
  iceTransportPolicy: IceTransportPolicy;
  /** Room capacity, so a client can say how many seats are left. */
  capacity: number;
  room: RoomState;
  /** Proves this participant's identity to `resume` after a dropped connection. Keep it in memory only. */
  resume: string;
  /** Seconds the seat is kept after the connection drops. */
  resumeGrace: number;
  recording: RecordingInfo;
}

export interface KnockOk {
  ok: true;
  /** This lobby entry's id, as moderators see it. */
  id: string;
  /** Present it as `ticket` in `join` once `admitted` arrives. */
  ticket: string;
}

export type JoinAck = JoinOk | ErrorAck;
export type KnockAck = KnockOk | ErrorAck;
export type SimpleAck = { ok: true } | ErrorAck;
export type LobbyAck = { ok: true; lobby: LobbyKnock[] } | ErrorAck;
/** A grant (a JWT the recording service checks, valid about a minute) and where to present it. */
export type RecordingGrantAck = { ok: true; grant: string; url: string } | ErrorAck;

/** Events a client emits. Every one takes an acknowledgement callback. */
export interface ClientToServerEvents {
  join: (request: JoinRequest, ack: (reply: JoinAck) => void) => void;
  knock: (request: KnockRequest, ack: (reply: KnockAck) => void) => void;
  resume: (request: ResumeRequest, ack: (reply: JoinAck) => void) => void;
  signal: (request: SignalRequest, ack: (reply: SimpleAck) => void) => void;
  'reconnect-peer': (request: ReconnectPeerRequest, ack: (reply: SimpleAck) => void) => void;
  leave: (ack: (reply: SimpleAck) => void) => void;
  lock: (request: LockRequest, ack: (reply: SimpleAck) => void) => void;
  'set-password': (request: SetPasswordRequest, ack: (reply: SimpleAck) => void) => void;
  lobby: (ack: (reply: LobbyAck) => void) => void;
  'recording-grant': (request: RecordingGrantRequest, ack: (reply: RecordingGrantAck) => void) => void;
  admit: (request: TargetRequest, ack: (reply: SimpleAck) => void) => void;
  refuse: (request: TargetRequest, ack: (reply: SimpleAck) => void) => void;
  remove: (request: TargetRequest, ack: (reply: SimpleAck) => void) => void;
}

/** Events the server emits to clients. */
export interface ServerToClientEvents {
  signal: (message: RelayedSignal) => void;
  'reconnect-peer': (message: RelayedReconnect) => void;
  'peer-joined': (peer: Peer) => void;
  'peer-left': (message: PeerLeft) => void;
  /** A participant's role changed (for example, a new moderator after the last one left). */
  'peer-updated': (peer: Peer) => void;
  'room-updated': (state: RoomState) => void;
  /** To moderators: someone knocked on the locked room. */
  'lobby-knock': (message: LobbyKnock) => void;
  /** To moderators: a lobby entry went away (admitted, refused, or gave up). */
  'lobby-left': (message: PeerLeft) => void;
  /** To a knocker: a moderator let you in; `join` now with your ticket. */
  admitted: (message: Record<string, never>) => void;
  /** To a knocker: a moderator said no. */
  refused: (message: Record<string, never>) => void;
  /** To a participant a moderator removed; the connection closes next. */
  removed: (message: Record<string, never>) => void;
  /** The server is stopping: reconnect (a load balancer sends you to another node) and `resume`. */
  'server-shutdown': (message: Record<string, never>) => void;
}

export const CLIENT_EVENTS = [
  'join',
  'knock',
  'resume',
  'signal',
  'reconnect-peer',
  'leave',
  'lock',
  'set-password',
  'lobby',
  'admit',
  'refuse',
  'remove',
  'recording-grant',
] as const satisfies readonly (keyof ClientToServerEvents)[];

export type ClientEvent = (typeof CLIENT_EVENTS)[number];
