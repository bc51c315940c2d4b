import {
  emptyRequestSchema,
  joinRequestSchema,
  knockRequestSchema,
  resumeRequestSchema,
  type IceServer,
} from '@conclave/protocol';
import { admit, isComplianceRoom, requireNotice, type Admission } from '../access/admission.js';
import { hashPassword, verifyPassword } from '../access/passwords.js';
import { turnCredentials } from '../access/turn.js';
import { roomState, toPeer, type MemberRecord, type RoomSettings } from '../store/room-store.js';
import { announceDeparture } from './announce.js';
import {
  Refusal,
  handler,
  moderatorChannel,
  newId,
  newSecret,
  requireParticipant,
  roomChannel,
  sha256,
  type Reply,
  type Services,
  type SignalingSocket,
} from './context.js';

/** Failed password attempts cost this many admission tokens: guessing is slow. */
const FAILED_PASSWORD_COST = 5;

function checkAdmissionRate(socket: SignalingSocket, services: Services): void {
  if (services.isShuttingDown()) throw new Refusal('shutting-down', 'the server is shutting down; reconnect and try again');
  if (!services.admissions.take(socket.data.ip)) {
    throw new Refusal('rate-limited', 'too many attempts from this address; wait a minute');
  }
}

/**
 * A connection is in at most one room or lobby; a knocker may only join with its ticket.
 * A knock that a moderator refused (perhaps through another node) no longer counts.
 */
async function checkNotInRoom(socket: SignalingSocket, { store }: Services, ticket?: string): Promise<void> {
  if (socket.data.participant) throw new Refusal('already-joined', 'this connection is already in a room; send leave first');
  const knocked = socket.data.knock;
  if (!knocked || ticket) return;
  if (await store.lobbyGet(knocked.room, knocked.id)) {
    throw new Refusal('already-joined', 'this connection is waiting in a lobby; join with its ticket once admitted');
  }
  socket.data.knock = undefined;
}

function iceServersFor({ config }: Services, participantId: string): IceServer[] {
  if (!config.TURN_SECRET || config.TURN_URLS.length === 0) return config.ICE_SERVERS;
  const turn = turnCredentials({ urls: config.TURN_URLS, secret: config.TURN_SECRET, ttlSeconds: config.TURN_TTL_SECONDS }, participantId);
  return [...config.ICE_SERVERS, turn];
}

/**
 * A compliance room (one its opener's token made so) needs the notice accepted from every
 * joiner; a compliance token cannot join a room that was opened without it, since those
 * present never accepted to be always recorded.
 */
function checkCompliance(admission: Admission, settings: RoomSettings, request: { acknowledgeRecording?: true | undefined }): void {
  if (admission.role === 'recorder') return;
  if (settings.compliance) requireNotice(request);
  else if (admission.compliance) {
    throw new Refusal('forbidden', 'this meeting was opened without compliance recording; a compliance join token cannot enter it');
  }
}

async function checkPassword(socket: SignalingSocket, services: Services, settings: RoomSettings, password: string | undefined): Promise<void> {
  if (!settings.passwordHash) return;
  if (password && (await verifyPassword(password, settings.passwordHash))) return;
  services.admissions.penalize(socket.data.ip, FAILED_PASSWORD_COST);
  throw new Refusal('bad-password', password ? 'wrong room password' : 'this room needs a password');
}

/** Puts the socket in the room's channels and builds the acknowledgement both join and resume send. */
function enterRoom(
  socket: SignalingSocket,
  services: Services,
  room: string,
  member: MemberRecord,
  others: MemberRecord[],
  settings: RoomSettings,
  resumeSecret: string,
): Reply {
  socket.data.participant = { id: member.id, room, name: member.name };
  socket.data.onDisconnect = 'detach';
  void socket.join(roomChannel(room));
  if (member.role === 'moderator') void socket.join(moderatorChannel(room));
  return {
    ok: true,
    id: member.id,
    role: member.role,
    peers: others.map(toPeer),
    iceServers: iceServersFor(services, member.id),
    iceTransportPolicy: services.config.ICE_TRANSPORT_POLICY,
    capacity: services.config.ROOM_CAPACITY,
    room: roomState(settings),
    resume: resumeSecret,
    resumeGrace: services.config.RESUME_GRACE_SECONDS,
    recording: {
      url: services.config.RECORDER_URL ?? null,
      policy: services.config.RECORDING_POLICY,
      compliance: isComplianceRoom(services.config, room, settings),
    },
  };
}

/**
 * Runs an admission (join, resume, knock) with the connection marked as joining, so that a
 * second one sent before the first is answered cannot take a second seat.
 */
function admission<T>(run: (socket: SignalingSocket, request: T, services: Services) => Promise<Reply>) {
  return async (socket: SignalingSocket, request: T, services: Services): Promise<Reply> => {
    // Checked and set before any await: the second of two back-to-back requests sees it.
    if (socket.data.admitting) throw new Refusal('already-joined', 'this connection is already joining a room');
    socket.data.admitting = true;
    try {
      await checkNotInRoom(socket, services, (request as { ticket?: string }).ticket);
      return await run(socket, request, services);
    } finally {
      socket.data.admitting = false;
    }
  };
}

/** A lobby ticket from `knock` on this same connection, once admitted, gets past the lock; returns its lobby id. */
async function checkTicket(socket: SignalingSocket, { store }: Services, room: string, ticket: string): Promise<string> {
  const knock = socket.data.knock;
  const entry = knock && knock.room === room ? await store.lobbyGet(room, knock.id) : null;
  if (!entry || !entry.admitted || entry.ticketHash !== sha256(ticket)) {
    throw new Refusal('bad-ticket', 'this lobby ticket is unknown or not admitted yet');
  }
  return entry.id;
}

/** The admitted knocker is in: its lobby entry goes (only now, so a failed join can be retried). */
async function consumeTicket(socket: SignalingSocket, { store, io }: Services, room: string, lobbyId: string): Promise<void> {
  await store.lobbyTake(room, lobbyId);
  socket.data.knock = undefined;
  io.to(moderatorChannel(room)).emit('lobby-left', { id: lobbyId });
}

export const join = handler(
  joinRequestSchema,
  admission(async (socket, request, services) => {
    checkAdmissionRate(socket, services);
    const { store, config, io, log, metrics } = services;
    const { room } = request;
    const admission = await admit(config, request);

    const existing = await store.settings(room);
    if (existing) checkCompliance(admission, existing, request);
    const bypass = admission.privileged;
    if (existing && !bypass && !request.ticket) await checkPassword(socket, services, existing, request.password);
    const lobbyId = request.ticket ? await checkTicket(socket, services, room, request.ticket) : null;
    const viaTicket = lobbyId !== null;

    const resumeSecret = newSecret();
    const candidate: MemberRecord = {
      id: newId(),
      name: admission.name,
      role: admission.role,
      socketId: socket.id,
      resumeHash: sha256(resumeSecret),
      joinedAt: Date.now(),
    };
    // The creator of a room may set its password: hash it only when the room is new.
    const initial: RoomSettings = {
      locked: false,
      passwordHash: !existing && request.password ? await hashPassword(request.password) : null,
      compliance: admission.compliance,
    };
    const result = await store.join(room, candidate, {
      capacity: config.ROOM_CAPACITY,
      ignoreLock: bypass || viaTicket,
      initial,
      firstIsModerator: config.ACCESS === 'open',
    });
    if (!result.ok) {
      throw result.reason === 'locked'
        ? new Refusal('locked', 'the room is locked; knock to ask a moderator to let you in')
        : new Refusal('room-full', `the room is full (${config.ROOM_CAPACITY} participants)`);
    }
    // Someone else created the room between our two reads: its password and compliance apply to us too.
    if (!existing && !result.created) {
      try {
        checkCompliance(admission, result.settings, request);
        if (!bypass && !viaTicket) await checkPassword(socket, services, result.settings, request.password);
      } catch (refusal) {
        const departure = await store.leave(room, candidate.id, { promote: false });
        if (departure) io.to(roomChannel(room)).emit('peer-left', { id: candidate.id });
        throw refusal;
      }
    }

    if (lobbyId) await consumeTicket(socket, services, room, lobbyId);
    const reply = enterRoom(socket, services, room, result.member, result.others, result.settings, resumeSecret);
    socket.to(roomChannel(room)).emit('peer-joined', toPeer(result.member));
    metrics.joins.inc({ kind: 'join' });
    log.info({ room, participant: result.member.id, role: result.member.role, present: result.others.length + 1 }, 'participant joined');
    return reply;
  }),
);

export const resume = handler(
  resumeRequestSchema,
  admission(async (socket, request, services) => {
    checkAdmissionRate(socket, services);
    const { store, io, log, metrics } = services;
    const known = await store.member(request.room, request.id);
    if (!known || known.resumeHash !== sha256(request.secret)) {
      throw new Refusal('unknown-session', 'this session is over; join again');
    }
    const member = await store.attach(request.room, request.id, socket.id);
    if (!member) throw new Refusal('unknown-session', 'this session is over; join again');
    // The old connection may still look open somewhere; it must not speak for this member any more.
    if (known.socketId && known.socketId !== socket.id) io.in(known.socketId).disconnectSockets(true);

    const others = (await store.members(request.room)).filter((other) => other.id !== member.id);
    const settings = (await store.settings(request.room)) ?? { locked: false, passwordHash: null, compliance: false };
    const reply = enterRoom(socket, services, request.room, member, others, settings, request.secret);
    // Signals that arrived while the connection was down, in order, after the acknowledgement.
    const queued = await store.drainSignals(member.id);
    setImmediate(() => {
      for (const message of queued) socket.emit('signal', message);
    });
    metrics.joins.inc({ kind: 'resume' });
    log.info({ room: request.room, participant: member.id, queued: queued.length }, 'participant resumed');
    return reply;
  }),
);

export const knock = handler(
  knockRequestSchema,
  admission(async (socket, request, services) => {
    checkAdmissionRate(socket, services);
    const { store, config, io, log } = services;
    // The recording notice of a compliance room is accepted at the join that follows an admission.
    const admission = await admit(config, { ...request, acknowledgeRecording: true });
    const settings = await store.settings(request.room);
    if (!settings?.locked) throw new Refusal('not-locked', 'the room is not locked: join it directly');

    const ticket = newSecret();
    const entry = { id: newId(), name: admission.name, socketId: socket.id, ticketHash: sha256(ticket), admitted: false, knockedAt: Date.now() };
    await store.lobbyAdd(request.room, entry);
    socket.data.knock = { room: request.room, id: entry.id };
    io.to(moderatorChannel(request.room)).emit('lobby-knock', { id: entry.id, name: entry.name });
    log.info({ room: request.room, lobby: entry.id }, 'knock');
    return { ok: true, id: entry.id, ticket };
  }),
);

export const leave = handler(emptyRequestSchema, async (socket, _request, services) => {
  const participant = requireParticipant(socket);
  socket.data.participant = undefined;
  void socket.leave(roomChannel(participant.room));
  void socket.leave(moderatorChannel(participant.room));
  const departure = await services.store.leave(participant.room, participant.id, { promote: services.config.ACCESS === 'open' });
  if (departure) announceDeparture(services, departure, 'leave');
  return { ok: true };
});

/**
 * A closed connection keeps its seat for the resume grace (its peer connections live on
 * without the server), unless it was closed on purpose (violations, removal).
 */
export async function disconnected(socket: SignalingSocket, services: Services): Promise<void> {
  const { store, config, io } = services;
  const knocked = socket.data.knock;
  if (knocked && (await store.lobbyTake(knocked.room, knocked.id))) {
    io.to(moderatorChannel(knocked.room)).emit('lobby-left', { id: knocked.id });
  }
  const participant = socket.data.participant;
  if (!participant) return;
  if (socket.data.onDisconnect === 'leave') {
    const member = await store.member(participant.room, participant.id);
    // Already resumed on a newer connection, or already gone.
    if (member?.socketId !== socket.id) return;
    const departure = await store.leave(participant.room, participant.id, { promote: config.ACCESS === 'open' });
    if (departure) announceDeparture(services, departure, 'closed');
  } else {
    // Atomic compare: a resume on another node between a read and the detach must win.
    await store.detach(participant.room, participant.id, Date.now() + config.RESUME_GRACE_SECONDS * 1000, socket.id);
  }
}
