/**
 * The recorder's chunk: 1 to 2 seconds of one participant's track, exactly the encoded
 * frames that participant sent (decrypted, never re-encoded). No DOM: the recording
 * recorder page writes it and the recording service reads it.
 *
 *   "CCK1" | u32 frame count | frames...
 *   frame: u8 flags (bit 0: key frame) | u32 RTP timestamp | f64 arrival (ms since the epoch)
 *          | f32 audio level (NaN when absent) | u32 length | bytes
 *
 * All numbers big-endian.
 */
export const CHUNK_MAGIC = 'CCK1';
const FRAME_HEADER = 1 + 4 + 8 + 4 + 4;

export interface ChunkFrame {
  keyFrame: boolean;
  rtpTimestamp: number;
  receivedAt: number;
  audioLevel: number | null;
  data: Uint8Array;
}

export function encodeChunk(frames: ChunkFrame[]): Uint8Array<ArrayBuffer> {
  const size = 8 + frames.reduce((sum, frame) => sum + FRAME_HEADER + frame.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CHUNK_MAGIC), 0);
  view.setUint32(4, frames.length);
  let offset = 8;
  for (const frame of frames) {
    view.setUint8(offset, frame.keyFrame ? 1 : 0);
    view.setUint32(offset + 1, frame.rtpTimestamp >>> 0);
    view.setFloat64(offset + 5, frame.receivedAt);
    view.setFloat32(offset + 13, frame.audioLevel ?? Number.NaN);
    view.setUint32(offset + 17, frame.data.length);
    out.set(frame.data, offset + FRAME_HEADER);
    offset += FRAME_HEADER + frame.data.length;
  }
  return out;
}

export class ChunkFormatError extends Error {
  override name = 'ChunkFormatError';
}

export function decodeChunk(bytes: Uint8Array): ChunkFrame[] {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== CHUNK_MAGIC) throw new ChunkFormatError('not a recorder chunk');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4);
  const frames: ChunkFrame[] = [];
  let offset = 8;
  for (let i = 0; i < count; i++) {
    if (offset + FRAME_HEADER > bytes.length) throw new ChunkFormatError(`truncated chunk: frame ${i} header`);
    const length = view.getUint32(offset + 17);
    if (offset + FRAME_HEADER + length > bytes.length) throw new ChunkFormatError(`truncated chunk: frame ${i} data`);
    const level = view.getFloat32(offset + 13);
    frames.push({
      keyFrame: (view.getUint8(offset) & 1) === 1,
      rtpTimestamp: view.getUint32(offset + 1),
      receivedAt: view.getFloat64(offset + 5),
      audioLevel: Number.isNaN(level) ? null : level,
      data: bytes.subarray(offset + FRAME_HEADER, offset + FRAME_HEADER + length),
    });
    offset += FRAME_HEADER + length;
  }
  if (offset !== bytes.length) throw new ChunkFormatError('trailing bytes after the last frame');
  return frames;
}
