/**
 * Realistic WebRTC payloads for the bots: a Chrome-like session description (audio and
 * video, about 4 KB) and host ICE candidates. Each message carries a unique numeric tag
 * (the SDP session id, the candidate foundation) so the receiver can match it to its send time.
 */
import { randomBytes } from 'node:crypto';
import type { SignalData } from '@conclave/protocol';

/** What stays the same across one bot's messages: its ICE credentials, DTLS fingerprint, SSRCs. */
export interface Identity {
  ufrag: string;
  pwd: string;
  fingerprint: string;
  stream: string;
  audioTrack: string;
  videoTrack: string;
  cname: string;
  ssrcs: [number, number, number];
  address: string;
}

const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function iceString(length: number): string {
  return [...randomBytes(length)].map((byte) => ICE_CHARS[byte % 64]).join('');
}

function uuid(): string {
  return crypto.randomUUID();
}

export function newIdentity(): Identity {
  const bytes = randomBytes(36);
  return {
    ufrag: iceString(4),
    pwd: iceString(24),
    fingerprint: [...bytes.subarray(0, 32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':'),
    stream: uuid(),
    audioTrack: uuid(),
    videoTrack: uuid(),
    cname: iceString(16),
    ssrcs: [bytes.readUInt32BE(0) >>> 1, bytes.readUInt32BE(4) >>> 1, bytes.readUInt32BE(8) >>> 1],
    address: `10.${bytes[32] ?? 0}.${bytes[33] ?? 0}.${(bytes[34] ?? 0) | 1}`,
  };
}

const AUDIO_EXTMAPS = [
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'urn:ietf:params:rtp-hdrext:sdes:mid',
];

const VIDEO_EXTMAPS = [
  'urn:ietf:params:rtp-hdrext:toffset',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'urn:3gpp:video-orientation',
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  'http://www.webrtc.org/experiments/rtp-hdrext/video-content-type',
  'http://www.webrtc.org/experiments/rtp-hdrext/video-timing',
  'http://www.webrtc.org/experiments/rtp-hdrext/color-space',
  'urn:ietf:params:rtp-hdrext:sdes:mid',
  'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
];

/** Video codecs as Chrome offers them: [payload type, rtpmap, fmtp, payload type of its RTX]. */
const VIDEO_CODECS: [number, string, string, number][] = [
  [96, 'VP8/90000', '', 97],
  [98, 'VP9/90000', 'profile-id=0', 99],
  [102, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f', 103],
  [106, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', 107],
  [45, 'AV1/90000', 'level-idx=5;profile=0;tier=0', 46],
];

const VIDEO_FEEDBACK = ['goog-remb', 'transport-cc', 'ccm fir', 'nack', 'nack pli'];

/** The connection, ICE and DTLS lines every media section repeats. */
function transportLines(id: Identity, setup: string, mid: number): string[] {
  return [
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${id.ufrag}`,
    `a=ice-pwd:${id.pwd}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${id.fingerprint}`,
    `a=setup:${setup}`,
    `a=mid:${mid}`,
  ];
}

function audioSection(id: Identity, setup: string): string[] {
  const [audioSsrc] = id.ssrcs;
  return [
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    ...transportLines(id, setup, 0),
    ...AUDIO_EXTMAPS.map((uri, i) => `a=extmap:${i + 1} ${uri}`),
    'a=sendrecv',
    `a=msid:${id.stream} ${id.audioTrack}`,
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    `a=ssrc:${audioSsrc} cname:${id.cname}`,
    `a=ssrc:${audioSsrc} msid:${id.stream} ${id.audioTrack}`,
  ];
}

function videoSection(id: Identity, setup: string): string[] {
  const [, videoSsrc, rtxSsrc] = id.ssrcs;
  const payloadTypes = VIDEO_CODECS.flatMap(([pt, , , rtx]) => [pt, rtx]);
  const codecLines = VIDEO_CODECS.flatMap(([pt, rtpmap, fmtp, rtx]) => [
    `a=rtpmap:${pt} ${rtpmap}`,
    ...VIDEO_FEEDBACK.map((fb) => `a=rtcp-fb:${pt} ${fb}`),
    ...(fmtp ? [`a=fmtp:${pt} ${fmtp}`] : []),
    `a=rtpmap:${rtx} rtx/90000`,
    `a=fmtp:${rtx} apt=${pt}`,
  ]);
  return [
    `m=video 9 UDP/TLS/RTP/SAVPF ${payloadTypes.join(' ')} 114 115 116`,
    ...transportLines(id, setup, 1),
    ...VIDEO_EXTMAPS.map((uri, i) => `a=extmap:${i + AUDIO_EXTMAPS.length + 1} ${uri}`),
    'a=sendrecv',
    `a=msid:${id.stream} ${id.videoTrack}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...codecLines,
    'a=rtpmap:114 red/90000',
    'a=rtpmap:115 rtx/90000',
    'a=fmtp:115 apt=114',
    'a=rtpmap:116 ulpfec/90000',
    `a=ssrc-group:FID ${videoSsrc} ${rtxSsrc}`,
    `a=ssrc:${videoSsrc} cname:${id.cname}`,
    `a=ssrc:${videoSsrc} msid:${id.stream} ${id.videoTrack}`,
    `a=ssrc:${rtxSsrc} cname:${id.cname}`,
    `a=ssrc:${rtxSsrc} msid:${id.stream} ${id.videoTrack}`,
  ];
}

/** Each bot's SDP text around the tag, built once per bot and type. */
const templates = new WeakMap<Identity, Map<'offer' | 'answer', [string, string]>>();

function template(type: 'offer' | 'answer', id: Identity): [string, string] {
  const byType = templates.get(id) ?? new Map<'offer' | 'answer', [string, string]>();
  templates.set(id, byType);
  let parts = byType.get(type);
  if (!parts) {
    const setup = type === 'offer' ? 'actpass' : 'active';
    const rest = [
      's=-',
      't=0 0',
      'a=group:BUNDLE 0 1',
      'a=extmap-allow-mixed',
      `a=msid-semantic: WMS ${id.stream}`,
      ...audioSection(id, setup),
      ...videoSection(id, setup),
    ];
    parts = ['v=0\r\no=- ', ` 2 IN IP4 127.0.0.1\r\n${rest.join('\r\n')}\r\n`];
    byType.set(type, parts);
  }
  return parts;
}

/** A full offer or answer whose session id (o= line) is the tag. */
export function makeDescription(type: 'offer' | 'answer', id: Identity, tag: number): SignalData {
  const [head, tail] = template(type, id);
  return { type, sdp: `${head}${tag}${tail}` };
}

/** The n-th host candidate of a bot; its foundation is the tag. */
export function makeCandidate(id: Identity, tag: number, n: number): SignalData {
  const port = 50000 + ((n * 7919) % 15000);
  const candidate = `candidate:${tag} 1 udp 2122260223 ${id.address} ${port} typ host generation 0 ufrag ${id.ufrag} network-id ${1 + (n % 3)}`;
  return { type: 'candidate', candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } };
}

/** The tag a bot put in a description or candidate, or undefined for anything else. */
export function tagOf(data: SignalData): number | undefined {
  let text: string;
  let start: number;
  if (data.type === 'candidate') {
    text = data.candidate.candidate;
    start = 'candidate:'.length;
  } else if ('sdp' in data) {
    text = data.sdp;
    start = text.indexOf('\no=- ') + '\no=- '.length;
  } else {
    return undefined;
  }
  const end = text.indexOf(' ', start);
  const tag = Number(text.slice(start, end));
  return end > start && Number.isSafeInteger(tag) ? tag : undefined;
}
