/**
 * Ogg Opus writer (RFC 7845) for WebRTC's encoded audio frames: an OpusHead page, an
 * OpusTags page, then the packets unchanged.
 *
 * Timing: granule positions are the running sum of the packets' own durations (read
 * from each TOC), not their RTP timestamps. The Ogg Opus timeline has no way to say
 * "nothing for 300 ms" other than packets that cover it, so when the RTP timestamps jump
 * forward (packets lost before they reached us, a dropped link, DTX) the writer covers
 * the jump with CELT silence packets, and the audio after it stays aligned with the
 * video (whose IVF frames carry their own timestamps). Each jump is also returned as a
 * gap, with where it falls in the file and how long it was, for the caller to record as
 * a gap marker. A jump backwards cannot be covered: the audio after it moves later.
 */
import { OggStreamWriter } from './ogg.js';
import { opusPacketSamples } from './opus-toc.js';
import { RtpTimestampUnwrapper } from './rtp-time.js';

export interface OpusInputPacket {
  data: Uint8Array;
  /** RTP timestamp at 48 kHz (Opus always uses a 48 kHz RTP clock), unsigned 32-bit. */
  rtpTimestamp: number;
}

export interface OggOpusOptions {
  packets: readonly OpusInputPacket[];
  /**
   * Output channels in OpusHead. WebRTC negotiates opus/48000/2 and may send mono or
   * stereo packets; a decoder set to 2 plays either, so 2 is the default.
   */
  channels?: 1 | 2;
  /** Samples to drop at the start. 0: the recording joins a running encoder, nothing to trim. */
  preSkip?: number;
  /** Logical stream serial number. */
  serial?: number;
  vendor?: string;
  /** Cover forward timestamp jumps with silence (default true); false closes them up instead. */
  fillGaps?: boolean;
}

export interface OpusGap {
  /** Index (in the input) of the first packet after the jump. */
  packetIndex: number;
  /** Position in the file, in 48 kHz samples, where the missing audio would have been. */
  atSample: number;
  /** Length of the jump in 48 kHz samples; negative when the timestamps went back. */
  missingSamples: number;
}

export interface OggOpusResult {
  data: Uint8Array;
  /** Audio in the file, in 48 kHz samples (the last granule minus the pre-skip). */
  durationSamples: number;
  gaps: OpusGap[];
  /** Indexes of packets left out because their TOC is malformed (they would break decoding). */
  dropped: number[];
}

export const OPUS_SAMPLE_RATE = 48_000;
const DEFAULT_SERIAL = 0x636f6e63; // "conc"
/** Pages close after about a second of audio, as ffmpeg's do: damage to one page loses little. */
const PAGE_SAMPLES = OPUS_SAMPLE_RATE;
/** Longest jump covered with silence: a day. Longer ones are corrupt timestamps, closed up. */
const MAX_FILL_SAMPLES = 24 * 3600 * OPUS_SAMPLE_RATE;

/**
 * Opus packets that decode to silence: a CELT-only fullband frame (TOC configurations
 * 31, 30, 29, 28: 20, 10, 5 and 2.5 ms, mono, one frame) whose range-coded payload
 * 0xFF 0xFE sets the silence flag (RFC 6716 section 4.3).
 */
const SILENCE = [960, 480, 240, 120].map((samples, i) => ({ samples, data: Uint8Array.of((31 - i) << 3, 0xff, 0xfe) }));

/** Silence packets covering `samples` (to the nearest 2.5 ms, the shortest Opus frame). */
export function silencePackets(samples: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let left = Math.round(samples / 120) * 120;
  for (const { samples: size, data } of SILENCE) {
    for (; left >= size; left -= size) packets.push(data);
  }
  return packets;
}

export function writeOggOpus(options: OggOpusOptions): OggOpusResult {
  const { packets, channels = 2, preSkip = 0, serial = DEFAULT_SERIAL, vendor = 'conclave', fillGaps = true } = options;
  if (!Number.isInteger(preSkip) || preSkip < 0 || preSkip > 0xffff) throw new RangeError(`bad pre-skip ${preSkip}`);
  const writer = new OggStreamWriter(serial);
  // Each header packet sits alone on its page, and audio starts on a fresh page (RFC 7845 section 3).
  writer.write({ data: opusHead(channels, preSkip), granule: 0n });
  writer.flush();
  writer.write({ data: opusTags(vendor), granule: 0n });
  writer.flush();

  const unwrapper = new RtpTimestampUnwrapper();
  const gaps: OpusGap[] = [];
  const dropped: number[] = [];
  let written = 0;
  let pageStart = 0;
  let expected: bigint | undefined;
  const append = (data: Uint8Array, samples: number) => {
    written += samples;
    writer.write({ data, granule: BigInt(preSkip + written) });
    if (written - pageStart >= PAGE_SAMPLES) {
      writer.flush();
      pageStart = written;
    }
  };
  for (const [index, packet] of packets.entries()) {
    const samples = opusPacketSamples(packet.data);
    if (samples === null) {
      dropped.push(index);
      continue;
    }
    const timestamp = unwrapper.unwrap(packet.rtpTimestamp);
    if (expected !== undefined && timestamp !== expected) {
      const missingSamples = Number(timestamp - expected);
      gaps.push({ packetIndex: index, atSample: written, missingSamples });
      if (fillGaps && missingSamples > 0 && missingSamples <= MAX_FILL_SAMPLES) {
        for (const silence of silencePackets(missingSamples)) append(silence, opusPacketSamples(silence) ?? 0);
      }
    }
    expected = timestamp + BigInt(samples);
    append(packet.data, samples);
  }
  return { data: writer.end(), durationSamples: written, gaps, dropped };
}

/** Identification header (RFC 7845 section 5.1), channel mapping family 0. */
function opusHead(channels: 1 | 2, preSkip: number): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(ascii('OpusHead'));
  head[8] = 1; // version
  head[9] = channels;
  view.setUint16(10, preSkip, true);
  view.setUint32(12, OPUS_SAMPLE_RATE, true); // input sample rate, informative only
  view.setInt16(16, 0, true); // output gain
  head[18] = 0; // mapping family 0: mono or stereo, no mapping table
  return head;
}

/** Comment header (RFC 7845 section 5.2): vendor string and no user comments. */
function opusTags(vendor: string): Uint8Array {
  const vendorBytes = new TextEncoder().encode(vendor);
  const tags = new Uint8Array(8 + 4 + vendorBytes.byteLength + 4);
  const view = new DataView(tags.buffer);
  tags.set(ascii('OpusTags'));
  view.setUint32(8, vendorBytes.byteLength, true);
  tags.set(vendorBytes, 12);
  view.setUint32(12 + vendorBytes.byteLength, 0, true);
  return tags;
}

function ascii(text: string): number[] {
  return [...text].map((char) => char.charCodeAt(0));
}
