import type { z } from 'zod';
import type { ErrorAck } from './errors.js';
import type {
  iceServerSchema,
  joinRequestSchema,
  peerLeftSchema,
  peerSchema,
  relayedSignalSchema,
  roleSchema,
  signalDataSchema,
  signalRequestSchema,
} from './schemas.js';

export type Role = z.infer<typeof roleSchema>;
export type SignalData = z.infer<typeof signalDataSchema>;
export type JoinRequest = z.input<typeof joinRequestSchema>;
export type SignalRequest = z.infer<typeof signalRequestSchema>;
export type Peer = z.infer<typeof peerSchema>;
export type IceServer = z.infer<typeof iceServerSchema>;
export type PeerLeft = z.infer<typeof peerLeftSchema>;
export type RelayedSignal = z.infer<typeof relayedSignalSchema>;

export interface JoinOk {
  ok: true;
  /** This participant's id, issued by the server. */
  id: string;
  /** Those already in the room; the newcomer makes the offers to each of them. */
  peers: Peer[];
  /** From server configuration only; empty by default (host candidates on the LAN). */
  iceServers: IceServer[];
  /** Room capacity, so a client can say how many seats are left. */
  capacity: number;
}

export type JoinAck = JoinOk | ErrorAck;
export type SimpleAck = { ok: true } | ErrorAck;

/** Events a client emits. Every one takes an acknowledgement callback. */
export interface ClientToServerEvents {
  join: (request: JoinRequest, ack: (reply: JoinAck) => void) => void;
  signal: (request: SignalRequest, ack: (reply: SimpleAck) => void) => void;
  leave: (ack: (reply: SimpleAck) => void) => void;
}

/** Events the server emits to clients. */
export interface ServerToClientEvents {
  signal: (message: RelayedSignal) => void;
  'peer-joined': (peer: Peer) => void;
  'peer-left': (message: PeerLeft) => void;
}

export const CLIENT_EVENTS = ['join', 'signal', 'leave'] as const satisfies readonly (keyof ClientToServerEvents)[];
