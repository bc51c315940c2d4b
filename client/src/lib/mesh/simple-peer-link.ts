import type { SignalData } from '@conclave/protocol';
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerLink, PeerLinkFactory } from './peer-link.js';

/** The PeerLink of the app: simple-peer with trickle ICE. */
export const createSimplePeerLink: PeerLinkFactory = (options, handlers) => {
  const peer = new SimplePeer({
    initiator: options.initiator,
    trickle: true,
    config: { iceServers: options.iceServers },
    ...(options.localStream ? { stream: options.localStream } : {}),
  });
  let closed = false;
  const close = (error?: Error): void => {
    if (closed) return;
    closed = true;
    handlers.onClose(error);
  };

  // simple-peer's signal objects are exactly the shapes the protocol schema accepts.
  peer.on('signal', (data) => handlers.onSignal(data as SignalData));
  peer.on('stream', (stream: MediaStream) => handlers.onStream(stream));
  peer.on('connect', () => handlers.onConnect());
  peer.on('close', () => close());
  peer.on('error', (error: Error) => close(error));

  const link: PeerLink = {
    signal: (data) => {
      if (!closed) peer.signal(data as SimplePeer.SignalData);
    },
    getStats: () => (peer as unknown as { _pc: RTCPeerConnection })._pc.getStats(),
    destroy: () => {
      closed = true;
      peer.destroy();
    },
  };
  return link;
};
