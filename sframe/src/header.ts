/**
 * The SFrame header (RFC 9605, section 4.3): one config byte, then the key id and the
 * counter in big-endian, each in as few bytes as it takes.
 *
 *   0 1 2 3 4 5 6 7
 *  +-+-+-+-+-+-+-+-+
 *  |X|  K  |Y|  C  |   X=0: KID is K (0-7); X=1: K+1 bytes of KID follow
 *  +-+-+-+-+-+-+-+-+   Y=0: CTR is C (0-7); Y=1: C+1 bytes of CTR follow
 *
 * KIDs and counters are 64-bit: bigint throughout, never number.
 */
export interface SFrameHeader {
  kid: bigint;
  ctr: bigint;
}

export const MAX_UINT64 = (1n << 64n) - 1n;

export class SFrameError extends Error {
  override name = 'SFrameError';
}

// Header fields are read and written per media frame: below 2^48 (every counter and KID in
// practice) the arithmetic is on numbers, since each BigInt operation allocates.
const NUMBER_SAFE = 1n << 48n;
/** 2^8, 2^16, ... 2^56: a value below LIMITS[n - 1] fits in n bytes. */
const LIMITS = Array.from({ length: 7 }, (_, i) => 1n << BigInt(8 * (i + 1)));

function byteLength(value: bigint): number {
  let length = 1;
  while (length < 8 && value >= (LIMITS[length - 1] as bigint)) length += 1;
  return length;
}

function writeBigEndian(value: bigint, bytes: Uint8Array, offset: number, length: number): void {
  if (value < NUMBER_SAFE) {
    let small = Number(value);
    for (let i = length - 1; i >= 0; i--) {
      bytes[offset + i] = small % 256;
      small = Math.floor(small / 256);
    }
    return;
  }
  for (let i = length - 1; i >= 0; i--) {
    bytes[offset + i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

function readBigEndian(bytes: Uint8Array, offset: number, length: number): bigint {
  if (length <= 6) {
    let small = 0;
    for (let i = 0; i < length; i++) small = small * 256 + (bytes[offset + i] ?? 0);
    return BigInt(small);
  }
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

function checkRange(name: string, value: bigint): void {
  if (value < 0n || value > MAX_UINT64) throw new SFrameError(`${name} must be an unsigned 64-bit integer`);
}

export function encodeHeader(header: SFrameHeader): Uint8Array {
  const layout = headerLayout(header);
  const bytes = new Uint8Array(layout.length);
  writeHeader(header, bytes, 0, layout);
  return bytes;
}

/** How many bytes the KID and the counter take after the config byte (0: inside it). */
export interface HeaderLayout {
  kidLength: number;
  ctrLength: number;
  /** The whole header. */
  length: number;
}

export function headerLayout({ kid, ctr }: SFrameHeader): HeaderLayout {
  checkRange('KID', kid);
  checkRange('CTR', ctr);
  const kidLength = kid < 8n ? 0 : byteLength(kid);
  const ctrLength = ctr < 8n ? 0 : byteLength(ctr);
  return { kidLength, ctrLength, length: 1 + kidLength + ctrLength };
}

/** Writes the header into `bytes` at `offset`, laid out as headerLayout() said: no allocation on the media path. */
export function writeHeader({ kid, ctr }: SFrameHeader, bytes: Uint8Array, offset: number, { kidLength, ctrLength }: HeaderLayout): void {
  const kidBits = kidLength === 0 ? Number(kid) : 0x8 | (kidLength - 1);
  const ctrBits = ctrLength === 0 ? Number(ctr) : 0x8 | (ctrLength - 1);
  bytes[offset] = (kidBits << 4) | ctrBits;
  if (kidLength) writeBigEndian(kid, bytes, offset + 1, kidLength);
  if (ctrLength) writeBigEndian(ctr, bytes, offset + 1 + kidLength, ctrLength);
}

/** Reads the header at the start of an SFrame ciphertext; `length` is how many bytes it took. */
export function decodeHeader(bytes: Uint8Array): SFrameHeader & { length: number } {
  const config = bytes[0];
  if (config === undefined) throw new SFrameError('empty SFrame ciphertext');
  const kidBits = config >> 4;
  const ctrBits = config & 0xf;
  const kidLength = kidBits & 0x8 ? (kidBits & 0x7) + 1 : 0;
  const ctrLength = ctrBits & 0x8 ? (ctrBits & 0x7) + 1 : 0;
  const length = 1 + kidLength + ctrLength;
  if (bytes.length < length) throw new SFrameError('truncated SFrame header');
  const kid = kidLength ? readBigEndian(bytes, 1, kidLength) : BigInt(kidBits);
  const ctr = ctrLength ? readBigEndian(bytes, 1 + kidLength, ctrLength) : BigInt(ctrBits);
  return { kid, ctr, length };
}

/** `value` as `length` big-endian bytes (the key schedule and the nonce use fixed widths). */
export function bigEndian(value: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  writeBigEndian(value, bytes, 0, length);
  return bytes;
}
