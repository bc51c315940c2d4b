import type { SignalData } from '@conclave/protocol';
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { LinkFingerprints, PeerLink, PeerLinkFactory } from './peer-link.js';

type PeerWithInternals = SimplePeer.Instance & { _pc: RTCPeerConnection | null };

/** The first DTLS fingerprint of a session description (with BUNDLE, all m-lines share one). */
export function fingerprintOf(sdp: string | undefined): string | null {
  return /^a=fingerprint:(\S+ \S+)/m.exec(sdp ?? '')?.[1] ?? null;
}

/** The PeerLink of the app: simple-peer with trickle ICE and one ordered data channel. */
export const createSimplePeerLink: PeerLinkFactory = (options, handlers) => {
  const peer = new SimplePeer({
    initiator: options.initiator,
    trickle: true,
    // One transport for audio, video and data: fewer candidates to gather and check, media sooner.
    config: { iceServers: options.iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', ...options.media?.config },
    streams: options.streams,
  }) as PeerWithInternals;
  const media = options.media;
  const pc = peer._pc;
  // Every receiver gets its transform once, as early as it exists: Chromium never feeds a
  // transform set later (in the track event, or after the remote description) on a
  // transceiver that addTrack created. Receivers that the remote description creates
  // (a track the peer adds) get theirs in the track event, which works for those.
  const withTransform = new WeakSet<RTCRtpReceiver>();
  const attachReceivers = (receivers: RTCRtpReceiver[]) => {
    for (const receiver of receivers) {
      if (!media || withTransform.has(receiver)) continue;
      withTransform.add(receiver);
      media.receiver(receiver);
    }
  };
  if (media && pc) {
    for (const sender of pc.getSenders()) media.sender(sender);
    attachReceivers(pc.getReceivers());
    pc.addEventListener('track', (event) => attachReceivers([event.receiver]));
  }
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
      if (closed) return;
      peer.addTrack(track, stream);
      const sender = peer._pc?.getSenders().find((candidate) => candidate.track === track);
      if (media && sender) media.sender(sender);
      attachReceivers(peer._pc?.getReceivers() ?? []);
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
    fingerprints: (): LinkFingerprints | null => {
      const local = fingerprintOf(peer._pc?.localDescription?.sdp);
      const remote = fingerprintOf(peer._pc?.remoteDescription?.sdp);
      return local && remote ? { local, remote } : null;
    },
    destroy: () => {
      closed = true;
      peer.destroy();
    },
  };
  return link;
};
