import type { SignalData } from '@conclave/protocol';
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerLink, PeerLinkFactory } from './peer-link.js';

type PeerWithInternals = SimplePeer.Instance & { _pc: RTCPeerConnection };

/** The PeerLink of the app: simple-peer with trickle ICE and one ordered data channel. */
export const createSimplePeerLink: PeerLinkFactory = (options, handlers) => {
  const peer = new SimplePeer({
    initiator: options.initiator,
    trickle: true,
    // One transport for audio, video and data: fewer candidates to gather and check, media sooner.
    config: { iceServers: options.iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' },
    streams: options.streams,
  }) as PeerWithInternals;
  let closed = false;
  const close = (error?: Error): void => {
    if (closed) return;
    closed = true;
    handlers.onClose(error);
  };

  // simple-peer's signal objects are exactly the shapes the protocol schema accepts.
  peer.on('signal', (data) => handlers.onSignal(data as SignalData));
  peer.on('track', (track: MediaStreamTrack, stream: MediaStream) => handlers.onTrack(track, stream));
  peer.on('connect', () => handlers.onConnect());
  peer.on('data', (chunk: Uint8Array | string) => handlers.onData(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)));
  peer.on('iceStateChange', (state: RTCIceConnectionState) => handlers.onIceState(state));
  peer.on('close', () => close());
  peer.on('error', (error: Error) => close(error));

  const link: PeerLink = {
    signal: (data) => {
      if (!closed) peer.signal(data as SimplePeer.SignalData);
    },
    send: (text) => {
      if (closed || !peer.connected) return false;
      peer.send(text);
      return true;
    },
    addTrack: (track, stream) => {
      if (!closed) peer.addTrack(track, stream);
    },
    removeTrack: (track, stream) => {
      if (!closed) peer.removeTrack(track, stream);
    },
    replaceTrack: (old, next, stream) => {
      if (!closed) peer.replaceTrack(old, next, stream);
    },
    // simple-peer drops its RTCPeerConnection once destroyed.
    senders: () => (closed || !peer._pc ? [] : peer._pc.getSenders()),
    getStats: () => (closed || !peer._pc ? Promise.reject(new Error('the link is closed')) : peer._pc.getStats()),
    destroy: () => {
      closed = true;
      peer.destroy();
    },
  };
  return link;
};
