import type { Role } from '@conclave/protocol';
import type { Config } from '../config.js';
import { Refusal } from '../handlers/context.js';
import type { RoomSettings } from '../store/room-store.js';
import { RecordingTokenError, verifyRecorderToken } from './recording-tokens.js';
import { TokenError, verifyToken } from './tokens.js';

/** The name every participant sees for the recorder: it cannot pose as a person. */
export const RECORDER_NAME = 'Recorder';

export interface Admission {
  role: Role;
  name: string;
  /** A moderator token lets its holder past the lock and the room password. */
  privileged: boolean;
  /** The join token makes the room it opens a compliance room. */
  compliance: boolean;
}

/**
 * Who may enter, as what: decided from the server's access mode and the join token.
 * The recorder role is never granted here: only the recording service may take it.
 */
export async function admit(
  config: Pick<Config, 'ACCESS' | 'TOKEN_SECRET' | 'RECORDER_SECRET' | 'COMPLIANCE_ROOMS'>,
  request: { room: string; name: string; role?: Role | undefined; token?: string | undefined; acknowledgeRecording?: true | undefined },
): Promise<Admission> {
  if (request.role === 'recorder') return admitRecorder(config, request);
  if (isComplianceRoom(config, request.room)) requireNotice(request);

  if (request.token) {
    let claims;
    try {
      claims = await verifyToken(config.TOKEN_SECRET, request.token, request.room);
    } catch (error) {
      if (error instanceof TokenError) throw new Refusal('bad-token', error.message);
      throw error;
    }
    if (request.role === 'moderator' && claims.role !== 'moderator') {
      throw new Refusal('forbidden', 'the join token does not grant the moderator role');
    }
    if (claims.compliance) requireNotice(request);
    return { role: claims.role, name: claims.name ?? request.name, privileged: claims.role === 'moderator', compliance: claims.compliance === true };
  }

  if (config.ACCESS === 'token') throw new Refusal('bad-token', 'this server requires a join token');
  if (request.role === 'moderator') throw new Refusal('forbidden', 'the moderator role needs a join token that grants it');
  return { role: 'participant', name: request.name, privileged: false, compliance: false };
}

export function requireNotice(request: { acknowledgeRecording?: true | undefined }): void {
  if (!request.acknowledgeRecording) throw new Refusal('notice-required', 'this meeting is always recorded: accept the recording notice to join');
}

/**
 * A compliance room is always recorded. It is one by configuration (COMPLIANCE_ROOMS), or
 * because the join token that opened it said so (kept in the room's settings).
 */
export function isComplianceRoom(config: Pick<Config, 'COMPLIANCE_ROOMS'>, room: string, settings?: Pick<RoomSettings, 'compliance'> | null): boolean {
  return settings?.compliance === true || config.COMPLIANCE_ROOMS.includes('*') || config.COMPLIANCE_ROOMS.includes(room);
}

/** Only the recording service's browser holds a recorder token; it enters past lock and password, named "Recorder". */
async function admitRecorder(config: Pick<Config, 'RECORDER_SECRET'>, request: { room: string; token?: string | undefined }): Promise<Admission> {
  if (!config.RECORDER_SECRET || !request.token) throw new Refusal('forbidden', 'the recorder role is reserved for the recording service');
  try {
    await verifyRecorderToken(config.RECORDER_SECRET, request.token, request.room);
  } catch (error) {
    if (error instanceof RecordingTokenError) throw new Refusal('forbidden', error.message);
    throw error;
  }
  return { role: 'recorder', name: RECORDER_NAME, privileged: true, compliance: false };
}
