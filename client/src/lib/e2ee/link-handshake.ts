/**
 * The end-to-end handshake of one link, over its data channel (no DOM):
 *
 *   both:  e2ee-hello    ephemeral key, identity key, own DTLS fingerprint
 *   both:  e2ee-confirm  HMAC(room secret, transcript) + identity signature
 *   both:  sas-commit    H(nonce, transcript hash)          once keys are agreed
 *   both:  sas-reveal    nonce                              once the peer's commitment is in
 *
 * Messages are handled one at a time in arrival order (the channel is ordered).
 */
import type { E2eeMessage } from '../mesh/peer-messages.js';
import { KeyAgreement, KeyAgreementError, fromBase64Url, toBase64Url, type Curve, type Hello, type LinkIdentity, type LinkKeys } from './key-agreement.js';
import { commitSas, deriveSas, type SasCommitment, type ShortAuthenticationString } from './sas.js';

/**
 * Why a link has no end-to-end keys:
 *   - `in-the-middle`: the peer's announced DTLS fingerprint is not the one its session
 *     description carried: the signaling server (or someone on its path) rewrote it;
 *   - `confirmation`: the peer does not know the room secret, or someone in the middle
 *     rewrote the handshake as well;
 *   - `identity`: the peer's identity key did not sign the handshake;
 *   - `unencrypted`: the peer joined with a transport-only link;
 *   - `protocol`: a malformed or out-of-order handshake message.
 */
export type HandshakeFailure = 'in-the-middle' | 'confirmation' | 'identity' | 'unencrypted' | 'protocol';

export interface HandshakeEvents {
  send(message: E2eeMessage): void;
  keys(keys: LinkKeys): void;
  sas(sas: ShortAuthenticationString): void;
  failed(reason: HandshakeFailure, detail: string): void;
}

export class LinkHandshake {
  readonly #identity: LinkIdentity;
  readonly #events: HandshakeEvents;
  #agreement: KeyAgreement;
  #queue: Promise<void> = Promise.resolve();
  #keys: LinkKeys | null = null;
  #sasOwn: SasCommitment | null = null;
  #sasPeerCommitment: Uint8Array | null = null;
  #done = false;

  constructor(identity: LinkIdentity, curve: Curve, events: HandshakeEvents) {
    this.#identity = identity;
    this.#events = events;
    this.#agreement = new KeyAgreement(identity, curve);
  }

  /** Sends our hello. */
  start(): void {
    this.#enqueue(() => this.#sendHello());
  }

  receive(message: E2eeMessage): void {
    this.#enqueue(() => this.#handle(message));
  }

  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#done) return;
      try {
        await step();
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  async #sendHello(): Promise<void> {
    const hello = await this.#agreement.hello();
    this.#events.send({ t: 'e2ee-hello', ...hello });
  }

  async #handle(message: E2eeMessage): Promise<void> {
    switch (message.t) {
      case 'e2ee-off':
        return this.#stop('unencrypted', 'this participant joined with a transport-encryption-only link');
      case 'e2ee-abort':
        // Unauthenticated, but it can only stop the handshake, which anyone in the middle can do anyway.
        return this.#stop(message.reason, 'the peer’s side of the handshake failed', false);
      case 'e2ee-hello':
        return this.#hello(message);
      case 'e2ee-confirm': {
        if (this.#keys) throw new KeyAgreementError('a second confirmation');
        this.#keys = await this.#agreement.receiveConfirmation(message);
        this.#events.keys(this.#keys);
        this.#sasOwn = await commitSas(this.#keys.transcriptHash);
        this.#events.send({ t: 'sas-commit', commitment: toBase64Url(this.#sasOwn.commitment) });
        return;
      }
      case 'sas-commit':
        if (!this.#sasOwn || this.#sasPeerCommitment) throw new KeyAgreementError('an unexpected commitment');
        this.#sasPeerCommitment = fromBase64Url(message.commitment);
        // Only now that the peer is bound to its value do we reveal ours.
        this.#events.send({ t: 'sas-reveal', nonce: toBase64Url(this.#sasOwn.nonce) });
        return;
      case 'sas-reveal': {
        if (!this.#keys || !this.#sasOwn || !this.#sasPeerCommitment) throw new KeyAgreementError('a reveal before its commitment');
        const sas = await deriveSas({
          transcriptHash: this.#keys.transcriptHash,
          initiator: this.#identity.initiator,
          own: this.#sasOwn,
          peerCommitment: this.#sasPeerCommitment,
          peerNonce: fromBase64Url(message.nonce),
        });
        this.#done = true;
        this.#events.sas(sas);
        return;
      }
    }
  }

  async #hello(hello: Hello): Promise<void> {
    if (hello.curve !== this.#agreement.curve) {
      // The side that offered X25519 falls back to P-256 when the other has only that; the
      // other side ignores the X25519 hello and waits for the P-256 one.
      if (hello.curve === 'X25519') return;
      this.#agreement = new KeyAgreement(this.#identity, 'P-256');
      await this.#sendHello();
    }
    const confirmation = await this.#agreement.receiveHello(hello);
    this.#events.send({ t: 'e2ee-confirm', ...confirmation });
  }

  #fail(error: unknown): void {
    const detail = error instanceof Error ? error.message : String(error);
    if (!(error instanceof KeyAgreementError) && !(error instanceof Error && error.name === 'SasError')) return this.#stop('protocol', detail);
    if (/fingerprint differs/.test(detail)) return this.#stop('in-the-middle', detail);
    if (/identity key/.test(detail)) return this.#stop('identity', detail);
    if (/key confirmation failed/.test(detail)) return this.#stop('confirmation', detail);
    this.#stop('protocol', detail);
  }

  #stop(reason: HandshakeFailure, detail: string, tellPeer = true): void {
    this.#done = true;
    if (tellPeer && reason !== 'unencrypted') this.#events.send({ t: 'e2ee-abort', reason });
    this.#events.failed(reason, detail);
  }
}
