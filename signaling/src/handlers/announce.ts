import { toPeer, type Departure } from '../store/room-store.js';
import { moderatorChannel, roomChannel, type Services } from './context.js';

/** Tells a room that someone left, and who moderates now if that changed. */
export function announceDeparture({ io, log }: Services, departure: Departure, why: string): void {
  const { room, member, promoted } = departure;
  io.to(roomChannel(room)).emit('peer-left', { id: member.id });
  log.info({ room, participant: member.id, why }, 'participant left');
  if (promoted) {
    if (promoted.socketId) io.in(promoted.socketId).socketsJoin(moderatorChannel(room));
    io.to(roomChannel(room)).emit('peer-updated', toPeer(promoted));
    log.info({ room, participant: promoted.id }, 'new moderator');
  }
}
