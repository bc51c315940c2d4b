/**
 * End-to-end encryption for one meeting: a handshake per link, the keys to the media
 * worker, and for each peer the security state the UI shows. It knows the mesh only
 * through link ids and data-channel messages, and the UI not at all.
 */
import type { OpenLink } from '../mesh/mesh.js';
import type { LinkMediaHooks } from '../mesh/peer-link.js';
import type { E2eeMessage } from '../mesh/peer-messages.js';
import { checkTrust, forgetVerified, rememberVerified } from '../storage/trust.js';
import { identityFingerprint, type IdentityKeys } from './identity.js';
import { supportsX25519 } from './key-agreement.js';
import { LinkHandshake, type HandshakeFailure } from './link-handshake.js';
import { MediaEncryption, type TransformPath } from './media-encryption.js';
import type { ShortAuthenticationString } from './sas.js';
import type { CapturedFrame, LinkCounters, TappedFrame } from './worker-protocol.js';

/**
 * - `negotiating`: keys are being agreed (media held back meanwhile);
 * - `encrypted`: frames from this peer decrypt;
 * - `key-missing`: frames arrive but there is no key for them (yet);
 * - `decrypt-failing`: frames arrive and do not authenticate;
 * - `failed`: no keys will come (see `failure`); nothing from this peer is shown;
 * - `transport`: the room is transport-encryption only;
 * - `withheld`: no keys on purpose: the recorder, for someone who has not consented.
 */
export type SecurityState = 'negotiating' | 'encrypted' | 'key-missing' | 'decrypt-failing' | 'failed' | 'transport' | 'withheld';
export type SecurityFailure = HandshakeFailure | 'timeout' | 'mismatch';

export interface PeerSecurity {
  state: SecurityState;
  failure: SecurityFailure | null;
  sas: ShortAuthenticationString | null;
  /** Fingerprint of the peer's identity key, once its handshake proved it. */
  identity: string | null;
  /** This identity was compared out loud and confirmed (now or in an earlier meeting). */
  verified: boolean;
  /** Someone with this name was verified before under another key. */
  knownNameNewKey: boolean;
}

export const TRANSPORT_SECURITY: PeerSecurity = { state: 'transport', failure: null, sas: null, identity: null, verified: false, knownNameNewKey: false };
export const NEGOTIATING: PeerSecurity = { ...TRANSPORT_SECURITY, state: 'negotiating' };

/** A link that has not agreed on keys this long after opening shows as failed. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export type EncryptionMode = { kind: 'e2ee'; roomSecret: Uint8Array; path: TransformPath } | { kind: 'transport' };

export interface E2eeSessionOptions {
  roomId: string;
  mode: EncryptionMode;
  identity: IdentityKeys;
  send(peerId: string, message: E2eeMessage): void;
  nameOf(peerId: string): string;
  onChange(peerId: string, security: PeerSecurity): void;
  /** Every link must be rebuilt (the media worker restarted and lost its keys). */
  onRebuildAll(): void;
  ratchetIntervalMs?: number;
  capture?: boolean;
  /** The recorder's page: decrypted frames come back (see MediaEncryption). */
  tap?: { feedDecoders: boolean; onFrames(frames: TappedFrame[]): void };
}

interface LinkState {
  peerId: string;
  handshake: LinkHandshake;
  keyed: boolean;
  counters: LinkCounters | null;
  timer: ReturnType<typeof setTimeout>;
}

export class E2eeSession {
  readonly mode: EncryptionMode;
  readonly #options: E2eeSessionOptions;
  readonly #media: MediaEncryption | null;
  readonly #links = new Map<string, LinkState>();
  readonly #security = new Map<string, PeerSecurity>();
  /** Links opened without keys on purpose (the recorder, before consent), by link id. */
  readonly #withheld = new Map<string, { peerId: string; selfId: string; link: OpenLink }>();
  /** Messages that arrived while a link's handshake was being set up. */
  readonly #early = new Map<string, E2eeMessage[]>();
  readonly #curve: Promise<'X25519' | 'P-256'> = supportsX25519().then((yes) => (yes ? 'X25519' : 'P-256'));

  constructor(options: E2eeSessionOptions) {
    this.#options = options;
    this.mode = options.mode;
    this.#media =
      options.mode.kind === 'e2ee'
        ? new MediaEncryption({
            path: options.mode.path,
            ...(options.ratchetIntervalMs ? { ratchetIntervalMs: options.ratchetIntervalMs } : {}),
            ...(options.capture ? { capture: true } : {}),
            ...(options.tap ? { tap: options.tap } : {}),
            onCounters: (links) => this.#counters(links),
            onCrash: () => options.onRebuildAll(),
          })
        : null;
  }

  get encrypted(): boolean {
    return this.mode.kind === 'e2ee';
  }

  /** Transforms for a new link's senders and receivers; none in a transport-only room. */
  mediaHooks(linkId: string): LinkMediaHooks | undefined {
    const media = this.#media;
    if (!media) return undefined;
    return {
      config: media.peerConnectionConfig,
      sender: (sender) => media.sender(linkId, sender),
      receiver: (receiver) => media.receiver(linkId, receiver),
    };
  }

  /**
   * Whether private messages (chat) may go to and come from this peer: its keys were
   * confirmed with the room secret. A server in the middle of DTLS never gets there.
   */
  confirmed(peerId: string): boolean {
    if (this.mode.kind === 'transport') return true;
    const keyed = [...this.#links.values()].some((link) => link.peerId === peerId && link.keyed);
    return keyed && this.security(peerId).state !== 'failed';
  }

  /** Test aid: the worker's frame counters per link, as last reported. */
  counters(): Record<string, LinkCounters> {
    return Object.fromEntries([...this.#links].flatMap(([linkId, link]) => (link.counters ? [[linkId, link.counters]] : [])));
  }

  security(peerId: string): PeerSecurity {
    return this.#security.get(peerId) ?? (this.encrypted ? NEGOTIATING : TRANSPORT_SECURITY);
  }

  /**
   * A link opened: agree on keys, unless `withhold` (the recorder, before this person
   * consents): then no key, so no media, until release().
   */
  linkOpened(peerId: string, selfId: string, link: OpenLink, withhold = false): void {
    const mode = this.mode;
    if (mode.kind === 'transport') {
      this.#options.send(peerId, { t: 'e2ee-off' });
      return;
    }
    if (withhold) {
      this.#withheld.set(link.id, { peerId, selfId, link });
      this.#update(peerId, { ...NEGOTIATING, state: 'withheld' });
      return;
    }
    this.#update(peerId, { ...NEGOTIATING });
    if (!link.fingerprints) {
      // Without both session descriptions there is nothing to bind the keys to.
      this.#update(peerId, { state: 'failed', failure: 'protocol' });
      return;
    }
    const fingerprints = link.fingerprints;
    void this.#curve.then((curve) => {
      const handshake = new LinkHandshake(
        {
          roomId: this.#options.roomId,
          roomSecret: mode.roomSecret,
          selfId,
          peerId,
          initiator: link.initiator,
          identity: this.#options.identity,
          localFingerprint: fingerprints.local,
          remoteFingerprint: fingerprints.remote,
        },
        curve,
        {
          send: (message) => this.#links.has(link.id) && this.#options.send(peerId, message),
          keys: (keys) => {
            const state = this.#links.get(link.id);
            if (!state) return;
            state.keyed = true;
            clearTimeout(state.timer);
            this.#media?.setKeys(link.id, keys);
            void identityFingerprint(keys.peerIdentity).then(async (identity) => {
              const trust = await checkTrust(identity, this.#options.nameOf(peerId));
              if (this.#links.has(link.id)) this.#update(peerId, { identity, verified: trust.verified, knownNameNewKey: trust.knownNameNewKey });
            });
          },
          sas: (sas) => this.#links.has(link.id) && this.#update(peerId, { sas }),
          failed: (failure) => {
            const state = this.#links.get(link.id);
            if (state) clearTimeout(state.timer);
            if (this.#links.has(link.id)) this.#update(peerId, { state: 'failed', failure });
          },
        },
      );
      const timer = setTimeout(() => {
        const state = this.#links.get(link.id);
        if (state && !state.keyed && this.security(peerId).state !== 'failed') this.#update(peerId, { state: 'failed', failure: 'timeout' });
      }, HANDSHAKE_TIMEOUT_MS);
      this.#links.set(link.id, { peerId, handshake, keyed: false, counters: null, timer });
      handshake.start();
      for (const message of this.#early.get(link.id) ?? []) handshake.receive(message);
      this.#early.delete(link.id);
    });
  }

  message(linkId: string, message: E2eeMessage): void {
    const state = this.#links.get(linkId);
    if (state) state.handshake.receive(message);
    else if (this.encrypted) this.#early.set(linkId, [...(this.#early.get(linkId) ?? []), message].slice(-8));
  }

  /** Consent given: the withheld links to this peer agree on keys now. */
  release(peerId: string): void {
    for (const [linkId, held] of [...this.#withheld]) {
      if (held.peerId !== peerId) continue;
      this.#withheld.delete(linkId);
      this.linkOpened(held.peerId, held.selfId, held.link);
    }
  }

  /**
   * Consent revoked: the keys of every link to this peer are dropped at once (no frame
   * passes after this call); the caller rebuilds the link, which then opens withheld.
   */
  withhold(peerId: string): void {
    for (const [linkId, state] of this.#links) {
      if (state.peerId !== peerId) continue;
      clearTimeout(state.timer);
      this.#media?.closeLink(linkId);
      this.#links.delete(linkId);
    }
    this.#update(peerId, { ...NEGOTIATING, state: 'withheld' });
  }

  /** The recorder starts a segment: every sender is asked for a key frame. */
  requestKeyFrames(): void {
    this.#media?.requestKeyFrames();
  }

  linkClosed(peerId: string, linkId: string): void {
    this.#withheld.delete(linkId);
    const state = this.#links.get(linkId);
    if (state) clearTimeout(state.timer);
    this.#links.delete(linkId);
    this.#early.delete(linkId);
    this.#media?.closeLink(linkId);
    if (![...this.#links.values()].some((link) => link.peerId === peerId)) this.#security.delete(peerId);
  }

  /** The person confirmed the strings match: remembered for later meetings. */
  async verify(peerId: string): Promise<void> {
    const security = this.security(peerId);
    if (!security.identity || !security.sas) return;
    await rememberVerified(security.identity, this.#options.nameOf(peerId));
    this.#update(peerId, { verified: true, knownNameNewKey: false });
  }

  /** The strings differ: someone sits in the middle. Media to and from this peer stops at once. */
  async reportMismatch(peerId: string): Promise<void> {
    const security = this.security(peerId);
    for (const [linkId, state] of this.#links) if (state.peerId === peerId) this.#media?.closeLink(linkId);
    if (security.identity) await forgetVerified(security.identity);
    this.#update(peerId, { state: 'failed', failure: 'mismatch', verified: false });
  }

  /** Test aid: frames before and after encryption, as the worker kept them. */
  captured(): Promise<CapturedFrame[]> {
    return this.#media?.captured() ?? Promise.resolve([]);
  }

  close(): void {
    for (const state of this.#links.values()) clearTimeout(state.timer);
    this.#links.clear();
    this.#media?.close();
  }

  #update(peerId: string, change: Partial<PeerSecurity>): void {
    const next = { ...this.security(peerId), ...change };
    this.#security.set(peerId, next);
    this.#options.onChange(peerId, next);
  }

  /** Turns the worker's frame counters into each peer's state (what changed since the last report). */
  #counters(links: Record<string, LinkCounters>): void {
    for (const [linkId, counters] of Object.entries(links)) {
      const state = this.#links.get(linkId);
      if (!state) continue;
      const before = state.counters;
      state.counters = counters;
      const current = this.security(state.peerId);
      if (current.state === 'failed') continue;
      const delta = (key: 'decrypted' | 'failed' | 'noKey') => counters[key] - (before?.[key] ?? 0);
      const next: SecurityState | null =
        delta('decrypted') > 0 ? 'encrypted' : delta('failed') > 0 ? 'decrypt-failing' : delta('noKey') > 0 && state.keyed ? 'key-missing' : null;
      if (next && next !== current.state) this.#update(state.peerId, { state: next });
    }
  }
}
