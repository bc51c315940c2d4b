import { emptyRequestSchema, lockRequestSchema, setPasswordRequestSchema, targetRequestSchema } from '@conclave/protocol';
import { hashPassword } from '../access/passwords.js';
import { roomState, type SettingsPatch } from '../store/room-store.js';
import { announceDeparture } from './announce.js';
import { Refusal, handler, moderatorChannel, requireModerator, roomChannel, type Services } from './context.js';

async function updateRoom(services: Services, room: string, patch: SettingsPatch): Promise<void> {
  const settings = await services.store.updateSettings(room, patch);
  if (!settings) throw new Refusal('not-joined', 'the room is gone');
  services.io.to(roomChannel(room)).emit('room-updated', roomState(settings));
}

export const lock = handler(lockRequestSchema, async (socket, request, services) => {
  const moderator = await requireModerator(socket, services);
  await updateRoom(services, moderator.room, { locked: request.locked });
  services.log.info({ room: moderator.room, locked: request.locked, by: moderator.id }, 'room lock changed');
  return { ok: true };
});

export const setPassword = handler(setPasswordRequestSchema, async (socket, request, services) => {
  const moderator = await requireModerator(socket, services);
  const passwordHash = request.password === null ? null : await hashPassword(request.password);
  await updateRoom(services, moderator.room, { passwordHash });
  services.log.info({ room: moderator.room, hasPassword: passwordHash !== null, by: moderator.id }, 'room password changed');
  return { ok: true };
});

export const lobby = handler(emptyRequestSchema, async (socket, _request, services) => {
  const moderator = await requireModerator(socket, services);
  const entries = await services.store.lobbyList(moderator.room);
  return { ok: true, lobby: entries.map(({ id, name }) => ({ id, name })) };
});

export const admitKnocker = handler(targetRequestSchema, async (socket, request, services) => {
  const moderator = await requireModerator(socket, services);
  const entry = await services.store.lobbyGet(moderator.room, request.id);
  if (!entry || !(await services.store.lobbyAdmit(moderator.room, request.id))) {
    throw new Refusal('unknown-peer', 'nobody with that id is waiting in the lobby');
  }
  services.io.to(entry.socketId).emit('admitted', {});
  services.io.to(moderatorChannel(moderator.room)).emit('lobby-left', { id: entry.id });
  services.log.info({ room: moderator.room, lobby: entry.id, by: moderator.id }, 'knock admitted');
  return { ok: true };
});

export const refuseKnocker = handler(targetRequestSchema, async (socket, request, services) => {
  const moderator = await requireModerator(socket, services);
  const entry = await services.store.lobbyTake(moderator.room, request.id);
  if (!entry) throw new Refusal('unknown-peer', 'nobody with that id is waiting in the lobby');
  services.io.to(entry.socketId).emit('refused', {});
  services.io.to(moderatorChannel(moderator.room)).emit('lobby-left', { id: entry.id });
  services.log.info({ room: moderator.room, lobby: entry.id, by: moderator.id }, 'knock refused');
  return { ok: true };
});

export const remove = handler(targetRequestSchema, async (socket, request, services) => {
  const moderator = await requireModerator(socket, services);
  if (request.id === moderator.id) throw new Refusal('invalid', 'use leave to leave the room yourself');
  const departure = await services.store.leave(moderator.room, request.id, { promote: false });
  if (!departure) throw new Refusal('unknown-peer', 'no such participant in this room');
  const { socketId } = departure.member;
  if (socketId) {
    services.io.to(socketId).emit('removed', {});
    services.io.in(socketId).disconnectSockets(true);
  }
  announceDeparture(services, departure, `removed by ${moderator.id}`);
  return { ok: true };
});
