/**
 * IVF, the minimal container libvpx uses for VP8 and VP9: a 32-byte file header, then
 * per frame a 12-byte header (size, 64-bit pts) and the frame as it came from the
 * encoder. The recorder writes WebRTC encoded frames to IVF, which ffmpeg then copies
 * into Matroska without transcoding.
 */

export type IvfCodec = 'vp8' | 'vp9';

export interface IvfFrame {
  data: Uint8Array;
  /** Presentation time in `timebase` units; never negative (rebase RTP time on the first frame). */
  pts: bigint | number;
}

export interface IvfFile {
  codec: IvfCodec;
  width: number;
  height: number;
  /** Seconds per tick: 1/90000 for RTP video timestamps. */
  timebase: { num: number; den: number };
  frames: IvfFrame[];
}

const FILE_HEADER = 32;
const FRAME_HEADER = 12;
const FOURCC: Record<IvfCodec, string> = { vp8: 'VP80', vp9: 'VP90' };

export function writeIvf(file: IvfFile): Uint8Array {
  const { codec, width, height, timebase, frames } = file;
  checkUint(width, 0xffff, 'width');
  checkUint(height, 0xffff, 'height');
  checkUint(timebase.num, 0xffffffff, 'timebase.num');
  checkUint(timebase.den, 0xffffffff, 'timebase.den');
  if (timebase.num === 0 || timebase.den === 0) throw new RangeError('IVF timebase must not be zero');
  if (frames.length > 0xffffffff) throw new RangeError('too many frames for IVF');

  const size = frames.reduce((total, frame) => total + FRAME_HEADER + frame.data.byteLength, FILE_HEADER);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  writeAscii(out, 0, 'DKIF');
  view.setUint16(4, 0, true); // version
  view.setUint16(6, FILE_HEADER, true);
  writeAscii(out, 8, FOURCC[codec]);
  view.setUint16(12, width, true);
  view.setUint16(14, height, true);
  // IVF stores the rate (denominator) before the scale (numerator).
  view.setUint32(16, timebase.den, true);
  view.setUint32(20, timebase.num, true);
  view.setUint32(24, lengthField(frames), true);

  let offset = FILE_HEADER;
  for (const [index, frame] of frames.entries()) {
    const pts = BigInt(frame.pts);
    if (pts < 0n || pts >= 2n ** 64n) throw new RangeError(`frame ${index}: pts ${pts} is out of range`);
    if (frame.data.byteLength > 0xffffffff) throw new RangeError(`frame ${index} is too large for IVF`);
    view.setUint32(offset, frame.data.byteLength, true);
    view.setBigUint64(offset + 4, pts, true);
    out.set(frame.data, offset + FRAME_HEADER);
    offset += FRAME_HEADER + frame.data.byteLength;
  }
  return out;
}

/** Parses an IVF file (ours, or libvpx's and ffmpeg's); throws on a truncated or foreign file. */
export function readIvf(bytes: Uint8Array): IvfFile {
  if (bytes.byteLength < FILE_HEADER || readAscii(bytes, 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint16(6, true);
  const fourcc = readAscii(bytes, 8, 4);
  const codec = (Object.keys(FOURCC) as IvfCodec[]).find((key) => FOURCC[key] === fourcc);
  if (!codec) throw new Error(`unsupported IVF codec ${JSON.stringify(fourcc)}`);
  const frames: IvfFrame[] = [];
  // The frame count in the header is not trusted (writers that stream leave it at 0).
  let offset = headerSize;
  while (offset < bytes.byteLength) {
    if (offset + FRAME_HEADER > bytes.byteLength) throw new Error(`truncated IVF frame header at ${offset}`);
    const length = view.getUint32(offset, true);
    const pts = view.getBigUint64(offset + 4, true);
    const start = offset + FRAME_HEADER;
    if (start + length > bytes.byteLength) throw new Error(`truncated IVF frame at ${offset}`);
    frames.push({ data: bytes.subarray(start, start + length), pts });
    offset = start + length;
  }
  return {
    codec,
    width: view.getUint16(12, true),
    height: view.getUint16(14, true),
    timebase: { num: view.getUint32(20, true), den: view.getUint32(16, true) },
    frames,
  };
}

/**
 * Width and height of a VP8 key frame (RFC 6386 section 9.1): a 3-byte frame tag whose
 * lowest bit is 0 on key frames, the start code 9d 01 2a, then 14-bit width and height,
 * little-endian (the top 2 bits are the upscaling mode). Null for an inter frame.
 */
export function vp8KeyFrameSize(frame: Uint8Array): { width: number; height: number } | null {
  if (frame.byteLength < 10) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if ((view.getUint8(0) & 1) !== 0) return null;
  if (view.getUint8(3) !== 0x9d || view.getUint8(4) !== 0x01 || view.getUint8(5) !== 0x2a) return null;
  return { width: view.getUint16(6, true) & 0x3fff, height: view.getUint16(8, true) & 0x3fff };
}

/**
 * Width and height of a VP9 key frame, from its uncompressed header (VP9 bitstream
 * specification, section 6.2): frame marker, profile, frame type, sync code 49 83 42,
 * colour config, then width-1 and height-1 on 16 bits each. Null for an inter frame.
 */
export function vp9KeyFrameSize(frame: Uint8Array): { width: number; height: number } | null {
  const bits = new BitReader(frame);
  try {
    if (bits.read(2) !== 2) return null; // frame marker
    const profile = bits.read(1) | (bits.read(1) << 1);
    if (profile === 3) bits.read(1); // reserved zero
    if (bits.read(1) === 1) return null; // show_existing_frame
    if (bits.read(1) !== 0) return null; // frame_type: 0 is a key frame
    bits.read(2); // show_frame, error_resilient_mode
    if (bits.read(8) !== 0x49 || bits.read(8) !== 0x83 || bits.read(8) !== 0x42) return null;
    if (profile >= 2) bits.read(1); // ten_or_twelve_bit
    const colorSpace = bits.read(3);
    const SRGB = 7;
    if (colorSpace !== SRGB) {
      bits.read(1); // color_range
      if (profile === 1 || profile === 3) bits.read(3); // subsampling_x, subsampling_y, reserved
    } else if (profile === 1 || profile === 3) {
      bits.read(1); // reserved
    }
    return { width: bits.read(16) + 1, height: bits.read(16) + 1 };
  } catch {
    return null; // too short to be a key frame
  }
}

class BitReader {
  #bytes: Uint8Array;
  #position = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Reads `count` bits, most significant first. */
  read(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.#bytes[this.#position >> 3];
      if (byte === undefined) throw new RangeError('end of data');
      value = value * 2 + ((byte >> (7 - (this.#position & 7))) & 1);
      this.#position++;
    }
    return value;
  }
}

/**
 * Bytes 24-27: libvpx documents them as the frame count, but ffmpeg, our only reader,
 * takes them as the stream duration in timebase units (and its own IVF muxer writes
 * that), so a frame count would show a 30-frame file at 90 kHz as 0.3 ms long. We write
 * what ffmpeg writes: the average frame interval times the frame count, 0 if unknown.
 */
function lengthField(frames: readonly IvfFrame[]): number {
  const first = frames[0];
  const last = frames.at(-1);
  if (!first || !last || frames.length < 2) return 0;
  const span = BigInt(last.pts) - BigInt(first.pts);
  const length = (span * BigInt(frames.length)) / BigInt(frames.length - 1);
  return length > 0n && length <= 0xffffffffn ? Number(length) : 0;
}

function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`IVF ${name} out of range: ${value}`);
}

function writeAscii(out: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
}

function readAscii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}
