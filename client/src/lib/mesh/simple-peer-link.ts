import type { SignalData } from '@conclave/protocol';
import SimplePeer from 'simple-peer/simplepeer.min.js';
import { withAudioPtime } from './audio-ptime.js';
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
    config: {
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...options.media?.config,
    },
    streams: options.streams,
    // 40 ms Opus frames instead of 20: half the audio packets, each a cost per frame (audio-ptime.ts).
    sdpTransform: (sdp: string) => withAudioPtime(sdp),
  }) as PeerWithInternals;
  const media = options.media;
  const pc = peer._pc;
  // Every sender and receiver gets its transform once, as soon as it exists: Chromium never
  // feeds a receiver transform set later (in the track event, or after the remote
  // description) on a transceiver created locally, by addTrack or addTransceiver (which
  // simple-peer calls on its own when renegotiating). So both are wrapped.
  const withTransform = new WeakSet<RTCRtpSender | RTCRtpReceiver>();
  const attach = (transceivers: RTCRtpTransceiver[]) => {
    if (!media) return;
    for (const { sender, receiver } of transceivers) {
      if (sender.track && !withTransform.has(sender)) {
        withTransform.add(sender);
        media.sender(sender);
      }
      if (!withTransform.has(receiver)) {
        withTransform.add(receiver);
        media.receiver(receiver);
      }
    }
  };
  if (media && pc) {
    attach(pc.getTransceivers()); // the initial streams, added in simple-peer's constructor
    const addTrack = pc.addTrack.bind(pc);
    pc.addTrack = (track, ...streams) => {
      const sender = addTrack(track, ...streams);
      attach(pc.getTransceivers().filter((transceiver) => transceiver.sender === sender));
      return sender;
    };
    const addTransceiver = pc.addTransceiver.bind(pc);
    pc.addTransceiver = (trackOrKind, init) => {
      const transceiver = addTransceiver(trackOrKind, init);
      attach([transceiver]);
      return transceiver;
    };
    // Transceivers the remote description creates (a track the peer added) work from here.
    pc.addEventListener('track', (event) => attach([event.transceiver]));
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
