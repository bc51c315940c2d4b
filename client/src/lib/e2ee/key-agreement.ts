/**
 * Per-connection key agreement for end-to-end encryption (issue #5; not yet wired into
 * the media path). No DOM: WebCrypto only, so it runs in the page, a worker and Node.
 *
 * Over a link's data channel each side sends a hello (an ephemeral ECDH public key, its
 * long-lived identity key and the DTLS fingerprint of its own certificate). Both build
 * the same transcript:
 *
 *   "conclave-e2ee-v1" | curve | room id | initiator id | responder id
 *   | initiator public key | responder public key
 *   | initiator DTLS fingerprint | responder DTLS fingerprint
 *   | initiator identity key | responder identity key
 *
 * where each fingerprint is the one its owner announced AND the one the other side read
 * in the SDP: a signaling server that rewrote `a=fingerprint` (to sit in the middle of
 * DTLS) makes the two sides' transcripts differ. Each side then proves it knows the room
 * secret (which never reaches the server) with an HMAC over the transcript, and checks
 * the other's, and signs the transcript hash with its identity key. Only then are
 * directional SFrame base keys derived from the ECDH secret, salted with the transcript hash.
 */
import { signWithIdentity, verifyIdentitySignature, type IdentityKeys } from './identity.js';

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const PROTOCOL_LABEL = 'conclave-e2ee-v1';

export type Curve = 'P-256' | 'X25519';

export interface Hello {
  curve: Curve;
  /** Raw public key, base64url. */
  publicKey: string;
  /** The DTLS fingerprint of the sender's own certificate, as in its SDP ("sha-256 AB:CD:..."). */
  fingerprint: string;
  /** The sender's long-lived identity public key (ECDSA P-256, raw), base64url. */
  identity: string;
}

/** What each side sends once it holds the other's hello. */
export interface Confirmation {
  /** HMAC over the transcript under a key from the room secret, base64url. */
  mac: string;
  /** Identity-key signature of the transcript hash, base64url. */
  signature: string;
}

export interface LinkIdentity {
  roomId: string;
  roomSecret: Uint8Array;
  selfId: string;
  peerId: string;
  /** The initiator of the link (the newcomer) comes first in the transcript. */
  initiator: boolean;
  /** Our certificate's fingerprint, from our local SDP. */
  localFingerprint: string;
  /** The peer's fingerprint as our remote SDP gave it (what the server relayed). */
  remoteFingerprint: string;
  /** Our long-lived identity key. */
  identity: IdentityKeys;
}

export interface LinkKeys {
  /** Base key for what we send (SFrame, RFC 9605 base_key). */
  sendKey: Uint8Array;
  /** Base key for what we receive. */
  receiveKey: Uint8Array;
  /** SHA-256 of the transcript: the source of the short authentication string. */
  transcriptHash: Uint8Array;
  /** The peer's identity public key (raw), proven by its signature over the transcript. */
  peerIdentity: Uint8Array<ArrayBuffer>;
}

export class KeyAgreementError extends Error {
  override name = 'KeyAgreementError';
}

export const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new KeyAgreementError('malformed public key');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Length-prefixed concatenation: no two different field lists give the same bytes. */
function encodeFields(fields: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const parts = fields.map((field) => (typeof field === 'string' ? encoder.encode(field) : field));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + 4 + part.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

/** Normalises "sha-256 AB:CD:..." so that case and spacing cannot make equal fingerprints differ. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Whether this engine can do X25519 in WebCrypto (Chromium 133+, Node 20 have it). */
export async function supportsX25519(): Promise<boolean> {
  try {
    await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
    return true;
  } catch {
    return false;
  }
}

function algorithm(curve: Curve): EcKeyImportParams | Algorithm {
  return curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: 'P-256' };
}

async function hmac(keyBytes: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', key, data));
}

async function hkdf(ikm: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, info: string, length: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode(info) }, key, length * 8));
}

function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** One side of the handshake on one link. */
export class KeyAgreement {
  readonly #identity: LinkIdentity;
  readonly #curve: Curve;
  #keys: CryptoKeyPair | null = null;
  #publicKey: Uint8Array<ArrayBuffer> | null = null;
  #transcript: Uint8Array<ArrayBuffer> | null = null;
  #shared: Uint8Array<ArrayBuffer> | null = null;
  #transcriptHash: Uint8Array<ArrayBuffer> | null = null;
  #peerIdentity: Uint8Array<ArrayBuffer> | null = null;

  constructor(identity: LinkIdentity, curve: Curve = 'P-256') {
    if (identity.roomSecret.length < 16) throw new KeyAgreementError('the room secret must hold at least 128 bits');
    this.#identity = identity;
    this.#curve = curve;
  }

  get curve(): Curve {
    return this.#curve;
  }

  /** Our hello, to send on the data channel. */
  async hello(): Promise<Hello> {
    this.#keys = (await subtle.generateKey(algorithm(this.#curve), false, ['deriveBits'])) as CryptoKeyPair;
    this.#publicKey = new Uint8Array(await subtle.exportKey('raw', this.#keys.publicKey));
    return {
      curve: this.#curve,
      publicKey: toBase64Url(this.#publicKey),
      fingerprint: this.#identity.localFingerprint,
      identity: toBase64Url(this.#identity.identity.publicKey),
    };
  }

  /**
   * Takes the peer's hello: computes the shared secret and the transcript, and returns
   * our confirmation (an HMAC under a key from the room secret) to send back.
   */
  async receiveHello(peer: Hello): Promise<Confirmation> {
    if (!this.#keys || !this.#publicKey) throw new KeyAgreementError('send our hello first');
    if (peer.curve !== this.#curve) throw new KeyAgreementError(`the peer uses ${peer.curve}, we use ${this.#curve}`);
    const id = this.#identity;
    // The peer's announced fingerprint must be the one its SDP carried to us.
    if (normalizeFingerprint(peer.fingerprint) !== normalizeFingerprint(id.remoteFingerprint)) {
      throw new KeyAgreementError('the peer’s DTLS fingerprint differs from the one in its session description');
    }
    const peerKey = fromBase64Url(peer.publicKey);
    const peerIdentity = fromBase64Url(peer.identity);
    let remote: CryptoKey;
    try {
      remote = await subtle.importKey('raw', peerKey, algorithm(this.#curve), false, []);
    } catch {
      throw new KeyAgreementError('the peer’s public key is not a valid key');
    }
    this.#shared = new Uint8Array(
      await subtle.deriveBits({ name: this.#curve === 'X25519' ? 'X25519' : 'ECDH', public: remote } as EcdhKeyDeriveParams, this.#keys.privateKey, 256),
    );
    const mine = { id: id.selfId, key: this.#publicKey, fingerprint: normalizeFingerprint(id.localFingerprint), identity: id.identity.publicKey };
    const theirs = { id: id.peerId, key: peerKey, fingerprint: normalizeFingerprint(peer.fingerprint), identity: peerIdentity };
    const [first, second] = id.initiator ? [mine, theirs] : [theirs, mine];
    this.#transcript = encodeFields([
      PROTOCOL_LABEL, this.#curve, id.roomId, first.id, second.id, first.key, second.key,
      first.fingerprint, second.fingerprint, first.identity, second.identity,
    ]);
    this.#transcriptHash = new Uint8Array(await subtle.digest('SHA-256', this.#transcript));
    this.#peerIdentity = peerIdentity;
    const signature = await signWithIdentity(id.identity, encodeFields(['identity', id.selfId, this.#transcriptHash]));
    return { mac: toBase64Url(await this.#confirmation(id.selfId)), signature: toBase64Url(signature) };
  }

  /** Checks the peer's confirmation; on success, the link's directional keys. */
  async receiveConfirmation(confirmation: Confirmation): Promise<LinkKeys> {
    const shared = this.#shared;
    const transcriptHash = this.#transcriptHash;
    const peerIdentity = this.#peerIdentity;
    if (!shared || !transcriptHash || !peerIdentity) throw new KeyAgreementError('no hello received yet');
    const expected = await this.#confirmation(this.#identity.peerId);
    const decode = (text: string) => {
      try {
        return fromBase64Url(text);
      } catch {
        return new Uint8Array();
      }
    };
    if (!equalConstantTime(expected, decode(confirmation.mac))) {
      throw new KeyAgreementError('key confirmation failed: a different room secret, or someone in the middle of the connection');
    }
    const signed = encodeFields(['identity', this.#identity.peerId, transcriptHash]);
    if (!(await verifyIdentitySignature(peerIdentity, decode(confirmation.signature), signed))) {
      throw new KeyAgreementError('the peer’s identity key did not sign this connection');
    }
    const direction = (from: string, to: string) => hkdf(shared, transcriptHash, `conclave sframe ${from} -> ${to}`, 16);
    const { selfId, peerId } = this.#identity;
    return { sendKey: await direction(selfId, peerId), receiveKey: await direction(peerId, selfId), transcriptHash, peerIdentity };
  }

  /** HMAC(confirm key, "confirm" | who | transcript); the confirm key comes from the room secret alone. */
  async #confirmation(who: string): Promise<Uint8Array<ArrayBuffer>> {
    const transcript = this.#transcript;
    if (!transcript) throw new KeyAgreementError('no transcript yet');
    const secret = Uint8Array.from(this.#identity.roomSecret);
    const confirmKey = await hkdf(secret, encoder.encode(this.#identity.roomId), 'conclave key confirmation', 32);
    return hmac(confirmKey, encodeFields(['confirm', who, transcript]));
  }
}
