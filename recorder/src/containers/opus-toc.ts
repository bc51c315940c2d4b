/**
 * Duration of an Opus packet from its TOC byte (RFC 6716 section 3.1): the top 5 bits
 * select a mode and frame size, the low 2 bits how many frames the packet holds
 * (code 3 puts the count in the next byte).
 */

/** Frame size in 48 kHz samples of each configuration: 12 SILK, 4 hybrid, 16 CELT (RFC 6716 table 2). */
const SILK = [480, 960, 1920, 2880]; // 10, 20, 40, 60 ms, for NB, MB, WB
const HYBRID = [480, 960]; // 10, 20 ms, for SWB, FB
const CELT = [120, 240, 480, 960]; // 2.5, 5, 10, 20 ms, for NB, WB, SWB, FB
const FRAME_SAMPLES = [...SILK, ...SILK, ...SILK, ...HYBRID, ...HYBRID, ...CELT, ...CELT, ...CELT, ...CELT];

/** An Opus packet never holds more than 120 ms. */
export const OPUS_MAX_PACKET_SAMPLES = 5760;

export function opusFrameSamples(toc: number): number {
  return FRAME_SAMPLES[(toc >> 3) & 31] ?? 0; // (always defined: 32 configurations)
}

/** Samples at 48 kHz in the packet, or null if the packet is malformed. */
export function opusPacketSamples(packet: Uint8Array): number | null {
  const toc = packet[0];
  if (toc === undefined) return null;
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 1 || code === 2) frames = 2;
  else {
    const count = packet[1];
    if (count === undefined) return null;
    frames = count & 0x3f;
  }
  const samples = frames * opusFrameSamples(toc);
  return samples === 0 || samples > OPUS_MAX_PACKET_SAMPLES ? null : samples;
}

/** Whether the packet was coded in stereo (the decoder can still output either). */
export function opusPacketIsStereo(packet: Uint8Array): boolean {
  return packet[0] !== undefined && (packet[0] & 0x04) !== 0;
}
