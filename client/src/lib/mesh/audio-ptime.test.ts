import { describe, expect, it } from 'vitest';
import { withAudioPtime } from './audio-ptime.js';

const sdp = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=rtpmap:96 VP8/90000',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  '',
].join('\r\n');

describe('Opus packet time in the SDP', () => {
  it('adds a=ptime to the audio section only, and keeps the line endings', () => {
    const out = withAudioPtime(sdp, 40);
    const lines = out.split('\r\n');
    expect(lines.filter((line) => line.startsWith('a=ptime:'))).toEqual(['a=ptime:40']);
    expect(lines.indexOf('a=ptime:40')).toBeGreaterThan(lines.indexOf('m=audio 9 UDP/TLS/RTP/SAVPF 111'));
    expect(lines.indexOf('a=ptime:40')).toBeLessThan(lines.indexOf('m=video 9 UDP/TLS/RTP/SAVPF 96'));
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.replace('a=ptime:40\r\n', '')).toBe(sdp);
  });

  it('replaces a ptime already there, in every audio section, even the last one', () => {
    const two = `${sdp}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ptime:20\r\na=rtpmap:111 opus/48000/2\r\n`;
    const lines = withAudioPtime(two, 60).split('\r\n');
    expect(lines.filter((line) => line.startsWith('a=ptime:'))).toEqual(['a=ptime:60', 'a=ptime:60']);
    expect(withAudioPtime('v=0\nm=audio 9 RTP/AVP 0\n', 40)).toBe('v=0\nm=audio 9 RTP/AVP 0\na=ptime:40\n');
  });

  it('leaves a description without audio alone', () => {
    const video = 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n';
    expect(withAudioPtime(video)).toBe(video);
  });
});
