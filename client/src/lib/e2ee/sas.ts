/**
 * Short authentication string (issue #5; not yet in the UI): two people compare a few
 * emoji or digits out loud to be sure no one sits in the middle of their connection.
 *
 * Commit before reveal: each side first sends H(nonce | transcript hash), and reveals
 * its nonce only once it holds the other's commitment. Neither side, nor anyone in the
 * middle, can then pick a nonce to steer the string towards a chosen value.
 */
import { concat } from '@conclave/sframe';

const subtle = globalThis.crypto.subtle;

/** 64 emoji, easy to tell apart and to name out loud: 6 bits each. */
export const SAS_EMOJI = [
  '🐶', '🐱', '🦁', '🐴', '🦄', '🐷', '🐘', '🐰', '🐼', '🐓', '🐧', '🐢', '🐟', '🐙', '🦋', '🌷',
  '🌳', '🌵', '🍄', '🌏', '🌙', '☁️', '🔥', '🍌', '🍎', '🍓', '🌽', '🍕', '🎂', '❤️', '😀', '🤖',
  '🎩', '👓', '🔧', '🎅', '👍', '☂️', '⌛', '⏰', '🎁', '💡', '📕', '✏️', '📎', '✂️', '🔒', '🔑',
  '🔨', '☎️', '🏁', '🚂', '🚲', '✈️', '🚀', '🏆', '⚽', '🎸', '🎺', '🔔', '⚓', '🎧', '📁', '📌',
] as const;

export interface SasCommitment {
  /** Send first. */
  commitment: Uint8Array;
  /** Send once the peer's commitment has arrived. */
  nonce: Uint8Array;
}

export interface ShortAuthenticationString {
  emoji: string[];
  /** Six digits, for those who prefer numbers. */
  digits: string;
}

export class SasError extends Error {
  override name = 'SasError';
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest('SHA-256', concat(...parts)));
}

const label = (text: string) => new TextEncoder().encode(text);

export async function commitSas(transcriptHash: Uint8Array): Promise<SasCommitment> {
  const nonce = crypto.getRandomValues(new Uint8Array(32));
  return { nonce, commitment: await sha256(label('conclave sas commit'), nonce, transcriptHash) };
}

/**
 * Checks the peer's revealed nonce against its earlier commitment, then derives the
 * string both sides show. The initiator's nonce comes first, so both compute the same.
 */
export async function deriveSas(options: {
  transcriptHash: Uint8Array;
  initiator: boolean;
  own: SasCommitment;
  peerCommitment: Uint8Array;
  peerNonce: Uint8Array;
}): Promise<ShortAuthenticationString> {
  const expected = await sha256(label('conclave sas commit'), options.peerNonce, options.transcriptHash);
  if (expected.length !== options.peerCommitment.length || expected.some((byte, i) => byte !== options.peerCommitment[i])) {
    throw new SasError('the peer revealed a value it had not committed to');
  }
  const [first, second] = options.initiator ? [options.own.nonce, options.peerNonce] : [options.peerNonce, options.own.nonce];
  const hash = await sha256(label('conclave sas'), options.transcriptHash, first, second);
  // 5 emoji = 30 bits from the first 4 bytes; 6 digits from the next 4.
  const bits = ((hash[0] ?? 0) << 24) | ((hash[1] ?? 0) << 16) | ((hash[2] ?? 0) << 8) | (hash[3] ?? 0);
  const emoji = Array.from({ length: 5 }, (_, i) => SAS_EMOJI[(bits >>> (26 - 6 * i)) & 0x3f] as string);
  const number = new DataView(hash.buffer, hash.byteOffset + 4, 4).getUint32(0) % 1_000_000;
  return { emoji, digits: number.toString().padStart(6, '0') };
}
