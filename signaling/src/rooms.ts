import type { Peer, Role } from '@conclave/protocol';

export interface Member {
  id: string;
  name: string;
  role: Role;
  socketId: string;
}

export type JoinOutcome = { ok: true; others: Peer[] } | { ok: false; reason: 'room-full' };

function toPeer(member: Member): Peer {
  return { id: member.id, name: member.name, role: member.role };
}

/**
 * Room membership for one signaling process. Join checks capacity and adds the member
 * in one synchronous step, so concurrent joins can never overfill a room.
 */
export class RoomRegistry {
  readonly #rooms = new Map<string, Map<string, Member>>();

  constructor(readonly capacity: number) {}

  join(roomId: string, member: Member): JoinOutcome {
    const room = this.#rooms.get(roomId) ?? new Map<string, Member>();
    if (room.size >= this.capacity) return { ok: false, reason: 'room-full' };
    const others = [...room.values()].map(toPeer);
    room.set(member.id, member);
    this.#rooms.set(roomId, room);
    return { ok: true, others };
  }

  /** Removes a member; returns whether it was there. Empty rooms are forgotten. */
  leave(roomId: string, memberId: string): boolean {
    const room = this.#rooms.get(roomId);
    if (!room?.delete(memberId)) return false;
    if (room.size === 0) this.#rooms.delete(roomId);
    return true;
  }

  member(roomId: string, memberId: string): Member | undefined {
    return this.#rooms.get(roomId)?.get(memberId);
  }

  get roomCount(): number {
    return this.#rooms.size;
  }
}
