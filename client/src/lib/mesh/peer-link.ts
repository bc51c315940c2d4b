import type { SignalData } from '@conclave/protocol';

/**
 * One WebRTC connection to one remote participant. The mesh engine only knows this
 * interface; simple-peer sits behind it (simple-peer-link.ts) and could be swapped.
 */
export interface PeerLink {
  /** Feeds a description or candidate received from the remote side. */
  signal(data: SignalData): void;
  /** Sends a text message on the data channel; false when the channel is not open. */
  send(text: string): boolean;
  /** Adds a track (renegotiates); `stream` groups it with others on the remote side. */
  addTrack(track: MediaStreamTrack, stream: MediaStream): void;
  removeTrack(track: MediaStreamTrack, stream: MediaStream): void;
  /** Swaps a sent track for another of the same kind, without renegotiation. */
  replaceTrack(old: MediaStreamTrack, next: MediaStreamTrack, stream: MediaStream): void;
  /** The RTP senders, to tune encodings (bitrate, resolution) per link. */
  senders(): RTCRtpSender[];
  getStats(): Promise<RTCStatsReport>;
  /** The DTLS fingerprints in our local and the remote session description, once both are set. */
  fingerprints(): LinkFingerprints | null;
  destroy(): void;
}

export interface LinkFingerprints {
  /** Of our own certificate ("sha-256 AB:CD:…"). */
  local: string;
  /** Of the peer's, as the description relayed by the server says. */
  remote: string;
}

/** Puts a frame transform on every RTP sender and receiver of a link (end-to-end encryption). */
export interface LinkMediaHooks {
  /** RTCPeerConnection settings the transforms need. */
  config: Record<string, unknown>;
  sender(sender: RTCRtpSender): void;
  receiver(receiver: RTCRtpReceiver): void;
}

export interface PeerLinkHandlers {
  /** A description or candidate to send to the remote side through signaling. */
  onSignal(data: SignalData): void;
  onTrack(track: MediaStreamTrack, stream: MediaStream): void;
  /** The data channel is open: the link carries media and messages. */
  onConnect(): void;
  onData(text: string): void;
  /** RTCPeerConnection.iceConnectionState changes ('disconnected' may recover by itself). */
  onIceState(state: RTCIceConnectionState): void;
  /** The link is gone for good (closed, failed or destroyed); `error` says why when it failed. */
  onClose(error?: Error): void;
}

export interface PeerLinkOptions {
  /** The newcomer initiates: it makes the offer to those already present. */
  initiator: boolean;
  streams: MediaStream[];
  iceServers: RTCIceServer[];
  /** `relay`: only TURN relay candidates (the server's ICE_TRANSPORT_POLICY); `all` when absent. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  media?: LinkMediaHooks;
}

export type PeerLinkFactory = (options: PeerLinkOptions, handlers: PeerLinkHandlers) => PeerLink;
