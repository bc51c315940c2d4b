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

function byteLength(value: bigint): number {
  let length = 1;
  while (value >> BigInt(8 * length) > 0n) length += 1;
  return length;
}

function writeBigEndian(value: bigint, bytes: Uint8Array, offset: number, length: number): void {
  for (let i = length - 1; i >= 0; i--) {
    bytes[offset + i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

function readBigEndian(bytes: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

function checkRange(name: string, value: bigint): void {
  if (value < 0n || value > MAX_UINT64) throw new SFrameError(`${name} must be an unsigned 64-bit integer`);
}

export function encodeHeader(header: SFrameHeader): Uint8Array {
  const bytes = new Uint8Array(headerLength(header));
  writeHeader(header, bytes, 0);
  return bytes;
}

/** How many bytes encodeHeader() takes for this KID and counter. */
export function headerLength({ kid, ctr }: SFrameHeader): number {
  checkRange('KID', kid);
  checkRange('CTR', ctr);
  return 1 + (kid < 8n ? 0 : byteLength(kid)) + (ctr < 8n ? 0 : byteLength(ctr));
}

/** Writes the header into `bytes` at `offset` (room for headerLength() bytes): no allocation on the media path. */
export function writeHeader({ kid, ctr }: SFrameHeader, bytes: Uint8Array, offset: number): void {
  checkRange('KID', kid);
  checkRange('CTR', ctr);
  const kidLength = kid < 8n ? 0 : byteLength(kid);
  const ctrLength = ctr < 8n ? 0 : byteLength(ctr);
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
