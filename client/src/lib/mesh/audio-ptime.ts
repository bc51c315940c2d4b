/**
 * Opus packet time. Browsers send a 20 ms Opus frame per packet by default: 50 packets a
 * second per link, each of them encrypted, sent, received and decrypted on its own. With
 * end-to-end encryption every frame also crosses to the media worker and back, a cost per
 * frame rather than per byte (docs/benchmarks.md, E2EE). 40 ms frames halve that work and
 * the packet headers' share of the bandwidth (about 10 kbit/s less per link), for 20 ms more
 * latency. Each side states it in the SDP it sends (`a=ptime`), and the other's encoder
 * follows it.
 */
export const AUDIO_PTIME_MS = 40;

/** The SDP with `a=ptime:<ms>` in every audio section (replacing one already there). */
export function withAudioPtime(sdp: string, ms: number = AUDIO_PTIME_MS): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const out: string[] = [];
  let inAudio = false;
  let placed = false;
  const close = () => {
    if (inAudio && !placed) {
      // Before the trailing empty string of a description that ends with a line break.
      const at = out.length > 0 && out[out.length - 1] === '' ? out.length - 1 : out.length;
      out.splice(at, 0, `a=ptime:${ms}`);
    }
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      close();
      inAudio = line.startsWith('m=audio');
      placed = false;
    }
    if (inAudio && line.startsWith('a=ptime:')) {
      if (!placed) out.push(`a=ptime:${ms}`);
      placed = true;
      continue;
    }
    out.push(line);
  }
  close();
  return out.join(eol);
}
