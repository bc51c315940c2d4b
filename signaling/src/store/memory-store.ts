import type { RelayedSignal } from '@conclave/protocol';
import {
  MAX_QUEUED_SIGNALS,
  nextModerator,
  type Departure,
  type JoinOptions,
  type JoinResult,
  type LobbyEntry,
  type MemberRecord,
  type RoomSettings,
  type RoomStore,
  type SettingsPatch,
} from './room-store.js';

interface Room {
  settings: RoomSettings;
  members: Map<string, MemberRecord>;
  lobby: Map<string, LobbyEntry>;
}

/**
 * Room state of a single process. Node runs one callback at a time, so each method
 * checks and changes in one synchronous step: concurrent joins cannot overfill a room.
 */
export class MemoryRoomStore implements RoomStore {
  readonly #rooms = new Map<string, Room>();
  /** "room\nid" → deadline for detached members. */
  readonly #deadlines = new Map<string, number>();
  readonly #queues = new Map<string, { messages: RelayedSignal[]; expires: number }>();

  async settings(room: string): Promise<RoomSettings | null> {
    const state = this.#rooms.get(room);
    return state && state.members.size > 0 ? { ...state.settings } : null;
  }

  async join(room: string, member: MemberRecord, options: JoinOptions): Promise<JoinResult> {
    let state = this.#rooms.get(room);
    const created = !state || state.members.size === 0;
    if (options.capacity < 1) return { ok: false, reason: 'room-full' };
    if (!state) {
      state = { settings: { ...options.initial }, members: new Map(), lobby: new Map() };
      this.#rooms.set(room, state);
    } else if (created) {
      state.settings = { ...options.initial };
    }
    if (!created && state.settings.locked && !options.ignoreLock) return { ok: false, reason: 'locked' };
    if (state.members.size >= options.capacity) return { ok: false, reason: 'room-full' };

    const others = [...state.members.values()].sort((a, b) => a.joinedAt - b.joinedAt).map((m) => ({ ...m }));
    const stored: MemberRecord = { ...member, role: created && options.firstIsModerator && member.role === 'participant' ? 'moderator' : member.role };
    state.members.set(stored.id, stored);
    return { ok: true, member: { ...stored }, others, settings: { ...state.settings }, created };
  }

  async leave(room: string, id: string, options: { promote: boolean }): Promise<Departure | null> {
    const state = this.#rooms.get(room);
    const member = state?.members.get(id);
    if (!state || !member) return null;
    state.members.delete(id);
    this.#deadlines.delete(`${room}\n${id}`);
    this.#queues.delete(id);
    let promoted: MemberRecord | null = null;
    if (options.promote) {
      promoted = nextModerator([...state.members.values()]);
      if (promoted) promoted.role = 'moderator';
    }
    if (state.members.size === 0 && state.lobby.size === 0) this.#rooms.delete(room);
    return { room, member: { ...member }, promoted: promoted && { ...promoted } };
  }

  async member(room: string, id: string): Promise<MemberRecord | null> {
    const member = this.#rooms.get(room)?.members.get(id);
    return member ? { ...member } : null;
  }

  async members(room: string): Promise<MemberRecord[]> {
    const state = this.#rooms.get(room);
    return state ? [...state.members.values()].sort((a, b) => a.joinedAt - b.joinedAt).map((m) => ({ ...m })) : [];
  }

  async updateSettings(room: string, patch: SettingsPatch): Promise<RoomSettings | null> {
    const state = this.#rooms.get(room);
    if (!state || state.members.size === 0) return null;
    if (patch.locked !== undefined) state.settings.locked = patch.locked;
    if (patch.passwordHash !== undefined) state.settings.passwordHash = patch.passwordHash;
    return { ...state.settings };
  }

  async detach(room: string, id: string, deadline: number, expectedSocketId?: string): Promise<boolean> {
    const member = this.#rooms.get(room)?.members.get(id);
    if (!member) return false;
    if (expectedSocketId !== undefined && member.socketId !== expectedSocketId) return false;
    member.socketId = null;
    this.#deadlines.set(`${room}\n${id}`, deadline);
    return true;
  }

  async attach(room: string, id: string, socketId: string): Promise<MemberRecord | null> {
    const member = this.#rooms.get(room)?.members.get(id);
    if (!member) return null;
    member.socketId = socketId;
    this.#deadlines.delete(`${room}\n${id}`);
    return { ...member };
  }

  async sweep(now: number, options: { promote: boolean }): Promise<Departure[]> {
    const departures: Departure[] = [];
    for (const [key, deadline] of this.#deadlines) {
      if (deadline > now) continue;
      const [room = '', id = ''] = key.split('\n');
      const departure = await this.leave(room, id, options);
      if (departure) departures.push(departure);
    }
    for (const [id, queue] of this.#queues) if (queue.expires <= now) this.#queues.delete(id);
    return departures;
  }

  async lobbyAdd(room: string, entry: LobbyEntry): Promise<void> {
    const state = this.#rooms.get(room);
    if (state) state.lobby.set(entry.id, { ...entry });
  }

  async lobbyGet(room: string, id: string): Promise<LobbyEntry | null> {
    const entry = this.#rooms.get(room)?.lobby.get(id);
    return entry ? { ...entry } : null;
  }

  async lobbyAdmit(room: string, id: string): Promise<boolean> {
    const entry = this.#rooms.get(room)?.lobby.get(id);
    if (!entry) return false;
    entry.admitted = true;
    return true;
  }

  async lobbyTake(room: string, id: string): Promise<LobbyEntry | null> {
    const state = this.#rooms.get(room);
    const entry = state?.lobby.get(id);
    if (!state || !entry) return null;
    state.lobby.delete(id);
    if (state.members.size === 0 && state.lobby.size === 0) this.#rooms.delete(room);
    return entry;
  }

  async lobbyList(room: string): Promise<LobbyEntry[]> {
    const state = this.#rooms.get(room);
    return state ? [...state.lobby.values()].sort((a, b) => a.knockedAt - b.knockedAt).map((e) => ({ ...e })) : [];
  }

  async queueSignal(id: string, message: RelayedSignal, ttlMs: number): Promise<void> {
    const queue = this.#queues.get(id) ?? { messages: [], expires: 0 };
    queue.messages.push(message);
    if (queue.messages.length > MAX_QUEUED_SIGNALS) queue.messages.shift();
    queue.expires = Date.now() + ttlMs;
    this.#queues.set(id, queue);
  }

  async drainSignals(id: string): Promise<RelayedSignal[]> {
    const queue = this.#queues.get(id);
    this.#queues.delete(id);
    return queue && queue.expires > Date.now() ? queue.messages : [];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#rooms.clear();
  }

  /** Rooms with at least one member (for metrics). */
  get roomCount(): number {
    let count = 0;
    for (const state of this.#rooms.values()) if (state.members.size > 0) count += 1;
    return count;
  }
}
