import type { SignalData } from '@conclave/protocol';

/**
 * One WebRTC connection to one remote participant. The mesh engine only knows this
 * interface; simple-peer sits behind it (simple-peer-link.ts) and could be swapped.
 */
export interface PeerLink {
  /** Feeds a description or candidate received from the remote side. */
  signal(data: SignalData): void;
  /** Inbound and outbound RTP statistics of this connection. */
  getStats(): Promise<RTCStatsReport>;
  destroy(): void;
}

export interface PeerLinkHandlers {
  /** A description or candidate to send to the remote side through signaling. */
  onSignal(data: SignalData): void;
  onStream(stream: MediaStream): void;
  onConnect(): void;
  /** The link is gone for good (closed, failed or destroyed); `error` says why when it failed. */
  onClose(error?: Error): void;
}

export interface PeerLinkOptions {
  /** The newcomer initiates: it makes the offer to those already present. */
  initiator: boolean;
  localStream: MediaStream | null;
  iceServers: RTCIceServer[];
}

export type PeerLinkFactory = (options: PeerLinkOptions, handlers: PeerLinkHandlers) => PeerLink;
