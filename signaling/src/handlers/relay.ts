import { reconnectPeerRequestSchema, signalRequestSchema, type RelayedSignal } from '@conclave/protocol';
import { Refusal, handler, requireParticipant, type Participant, type Services } from './context.js';

/** The target, if it is in the sender's own room: a signal never crosses rooms. */
async function roommate(services: Services, sender: Participant, to: string) {
  const target = to === sender.id ? null : await services.store.member(sender.room, to);
  if (!target) throw new Refusal('unknown-peer', 'no such participant in this room');
  return target;
}

/** Relays a description or candidate; `from` is always the sender's server-issued id. */
export const signal = handler(signalRequestSchema, async (socket, request, services) => {
  const started = performance.now();
  const sender = requireParticipant(socket);
  const target = await roommate(services, sender, request.to);
  const message: RelayedSignal = { from: sender.id, data: request.data };
  const deliver = (to: string, forged: RelayedSignal) => {
    void services.store.member(sender.room, to).then((member) => member?.socketId && services.io.to(member.socketId).emit('signal', forged));
  };
  if (services.interceptSignal?.({ room: sender.room, to: target.id, message }, deliver)) return { ok: true };
  if (target.socketId) services.io.to(target.socketId).emit('signal', message);
  // The target's connection dropped: keep it for its resume.
  else await services.store.queueSignal(target.id, message, services.config.RESUME_GRACE_SECONDS * 1000);
  services.metrics.relayed.inc();
  services.metrics.relaySeconds.observe((performance.now() - started) / 1000);
  return { ok: true };
});

/**
 * Asks a peer to drop its connection to the sender and wait for a fresh offer, which the
 * sender makes next. simple-peer cannot restart ICE, so a broken link is rebuilt whole.
 */
export const reconnectPeer = handler(reconnectPeerRequestSchema, async (socket, request, services) => {
  const sender = requireParticipant(socket);
  const target = await roommate(services, sender, request.to);
  if (!target.socketId) throw new Refusal('unknown-peer', 'that participant is reconnecting; try again shortly');
  services.io.to(target.socketId).emit('reconnect-peer', { from: sender.id });
  return { ok: true };
});
