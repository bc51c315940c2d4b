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

export interface Preference {
  key: string;
  value: unknown;
}

/**
 * What Conclave keeps in this browser: preferences (display name, devices, language)
 * and chat history per room. Nothing here ever goes to a server.
 */
export class ConclaveDb extends Dexie {
  prefs!: EntityTable<Preference, 'key'>;
  chat!: EntityTable<StoredChat, 'id'>;

  constructor(name = 'conclave') {
    super(name);
    this.version(1).stores({
      prefs: 'key',
      chat: '[room+id], room, [room+at]',
    });
  }
}

let shared: ConclaveDb | null = null;

/** The app's database, opened on first use. */
export function db(): ConclaveDb {
  shared ??= new ConclaveDb();
  return shared;
}
