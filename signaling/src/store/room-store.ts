import type { Peer, RelayedSignal, Role, RoomState } from '@conclave/protocol';

/**
 * Room state: what must be shared by every signaling process of a deployment. One
 * process keeps it in memory (MemoryRoomStore); several keep it in Redis
 * (RedisRoomStore). Every method that checks and changes is atomic.
 */

export interface MemberRecord {
  id: string;
  name: string;
  role: Role;
  /** Socket.IO id while connected; null while the member may still resume. */
  socketId: string | null;
  /** SHA-256 (hex) of the secret that proves the right to resume. */
  resumeHash: string;
  /** Milliseconds since the epoch; orders peers and picks the next moderator. */
  joinedAt: number;
}

export interface RoomSettings {
  locked: boolean;
  /** scrypt hash of the room password (see passwords.ts), or null for none. */
  passwordHash: string | null;
  /**
   * Opened by a join token with the compliance claim: always recorded, the notice required.
   * Set when the room is created, never changed. (Absent in rooms stored by older versions.)
   */
  compliance?: boolean;
}

export type SettingsPatch = Partial<Pick<RoomSettings, 'locked' | 'passwordHash'>>;

export interface LobbyEntry {
  id: string;
  name: string;
  socketId: string;
  /** SHA-256 (hex) of the knocker's ticket. */
  ticketHash: string;
  admitted: boolean;
  knockedAt: number;
}

export interface JoinOptions {
  capacity: number;
  /** A moderator token or an admitted lobby ticket gets past the lock. */
  ignoreLock: boolean;
  /** Settings of the room if this join creates it. */
  initial: RoomSettings;
  /** Whoever opens an empty room becomes its moderator (open access only). */
  firstIsModerator: boolean;
}

export type JoinResult =
  | {
      ok: true;
      /** The member as stored (its role may have been raised to moderator). */
      member: MemberRecord;
      /** Those already present, oldest first. */
      others: MemberRecord[];
      settings: RoomSettings;
      /** Whether this join created the room (and its settings). */
      created: boolean;
    }
  | { ok: false; reason: 'room-full' | 'locked' };

export interface Departure {
  room: string;
  member: MemberRecord;
  /** Raised to moderator because the last moderator left (open access only). */
  promoted: MemberRecord | null;
}

export interface RoomStore {
  /** Settings of a room with members; null when nobody is in it. */
  settings(room: string): Promise<RoomSettings | null>;
  join(room: string, member: MemberRecord, options: JoinOptions): Promise<JoinResult>;
  /** Removes a member; null when it was not there. */
  leave(room: string, id: string, options: { promote: boolean }): Promise<Departure | null>;
  member(room: string, id: string): Promise<MemberRecord | null>;
  members(room: string): Promise<MemberRecord[]>;
  /** Lock and password change; compliance is fixed when the room is created. */
  updateSettings(room: string, patch: SettingsPatch): Promise<RoomSettings | null>;

  /**
   * The member's connection dropped: keep its seat until `deadline` (ms since epoch).
   * With `expectedSocketId`, only if that is still the member's connection (it may have
   * resumed on another meanwhile). False if nothing was detached.
   */
  detach(room: string, id: string, deadline: number, expectedSocketId?: string): Promise<boolean>;
  /** The member resumed on a new connection. Null if it is gone. */
  attach(room: string, id: string, socketId: string): Promise<MemberRecord | null>;
  /** Removes members whose grace ended before `now` (and those of crashed nodes); each is returned once, to one caller. */
  sweep(now: number, options: { promote: boolean }): Promise<Departure[]>;

  lobbyAdd(room: string, entry: LobbyEntry): Promise<void>;
  lobbyGet(room: string, id: string): Promise<LobbyEntry | null>;
  /** Marks an entry admitted; false if it is gone. */
  lobbyAdmit(room: string, id: string): Promise<boolean>;
  /** Removes and returns an entry; null if it is gone. */
  lobbyTake(room: string, id: string): Promise<LobbyEntry | null>;
  lobbyList(room: string): Promise<LobbyEntry[]>;

  /** Keeps a signal for a detached member until it resumes (bounded; the oldest are dropped). */
  queueSignal(id: string, message: RelayedSignal, ttlMs: number): Promise<void>;
  drainSignals(id: string): Promise<RelayedSignal[]>;

  /** Throws when the store cannot be used (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Signals kept for one detached member at most. */
export const MAX_QUEUED_SIGNALS = 200;

export function toPeer(member: MemberRecord): Peer {
  return { id: member.id, name: member.name, role: member.role };
}

export function roomState(settings: RoomSettings): RoomState {
  return { locked: settings.locked, hasPassword: settings.passwordHash !== null };
}

/** The member to raise when no moderator is left: the one present longest, never a recorder. */
export function nextModerator(members: MemberRecord[]): MemberRecord | null {
  if (members.some((member) => member.role === 'moderator')) return null;
  const candidates = members.filter((member) => member.role === 'participant').sort((a, b) => a.joinedAt - b.joinedAt);
  return candidates[0] ?? null;
}
