import { recordingGrantRequestSchema } from '@conclave/protocol';
import { isComplianceRoom } from '../access/admission.js';
import { mintRecordingGrant } from '../access/recording-tokens.js';
import { Refusal, handler, requireParticipant } from './context.js';

/**
 * A grant to start or stop the room's recording, for the participant to present to the
 * recording service. The room secret never comes here: the browser sends it to the
 * recording service itself (which is a participant and needs it).
 */
export const recordingGrant = handler(recordingGrantRequestSchema, async (socket, request, services) => {
  const { config, store, log } = services;
  const participant = requireParticipant(socket);
  if (!config.RECORDER_URL || !config.RECORDER_SECRET) throw new Refusal('recording-unavailable', 'no recording service is configured on this server');
  const member = await store.member(participant.room, participant.id);
  if (!member) throw new Refusal('not-joined', 'join a room first');
  // A compliance room is always recorded: anyone present may (re)start it, nobody may stop it.
  const compliance = isComplianceRoom(config, participant.room, await store.settings(participant.room));
  if (compliance && request.action === 'stop') throw new Refusal('forbidden', 'this meeting is always recorded: its recording cannot be stopped');
  if (!compliance && config.RECORDING_POLICY === 'moderators' && member.role !== 'moderator') {
    throw new Refusal('forbidden', 'only moderators may start or stop recording in this room');
  }
  const grant = await mintRecordingGrant(config.RECORDER_SECRET, { room: participant.room, participant: participant.id, action: request.action });
  log.info({ room: participant.room, by: participant.id, action: request.action }, 'recording grant issued');
  return { ok: true, grant, url: config.RECORDER_URL };
});
