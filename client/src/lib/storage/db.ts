import Dexie, { type EntityTable } from 'dexie';

/** One chat message as kept on this device. */
export interface StoredChat {
  room: string;
  /** The author's random message id (dedupes a message that arrives twice). */
  id: string;
  /** Participant id of the author at the time (ids change between meetings). */
  from: string;
  name: string;
  text: string;
  /** Author's clock, milliseconds since the epoch. */
  at: number;
  mine: boolean;
}

/** A peer identity key this person compared out loud and confirmed. */
export interface TrustedIdentity {
  /** identityFingerprint() of the key. */
  fingerprint: string;
  /** The name the peer used when verified. */
  name: string;
  /** Lowercased name, for the "known name, new key" warning. */
  nameKey: string;
  verifiedAt: number;
}

/** This browser's own long-lived identity key pair (the private key is not extractable). */
export interface StoredIdentity {
  key: 'self';
  privateKey: CryptoKey;
  publicKey: Uint8Array<ArrayBuffer>;
}

export interface Preference {
  key: string;
  value: unknown;
}

/**
 * What Conclave keeps in this browser: preferences (display name, devices, language),
 * chat history per room, the identity key and the identities verified by their short
 * authentication string. Nothing here ever goes to a server.
 */
export class ConclaveDb extends Dexie {
  prefs!: EntityTable<Preference, 'key'>;
  chat!: EntityTable<StoredChat, 'id'>;
  identity!: EntityTable<StoredIdentity, 'key'>;
  trusted!: EntityTable<TrustedIdentity, 'fingerprint'>;

  constructor(name = 'conclave') {
    super(name);
    this.version(1).stores({
      prefs: 'key',
      chat: '[room+id], room, [room+at]',
    });
    this.version(2).stores({ identity: 'key', trusted: 'fingerprint, nameKey' });
  }
}

let shared: ConclaveDb | null = null;

/** The app's database, opened on first use. */
export function db(): ConclaveDb {
  shared ??= new ConclaveDb();
  return shared;
}
