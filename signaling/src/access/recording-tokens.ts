import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { participantIdSchema, roomIdSchema } from '@conclave/protocol';

/**
 * Tokens between the signaling server and the recording service, signed (HS256) with the
 * RECORDER_SECRET they share. Two kinds, told apart by audience so one is never taken
 * for the other:
 *   - a recording grant: the server gives it to a participant allowed to start or stop
 *     recording; the participant presents it to the recording service (about a minute);
 *   - a recorder token: the recording service gives it to its own browser, which joins
 *     the room with role `recorder`, a role nothing else can take.
 * Imported by the recording service too (package subpath `@conclave/signaling/recording-tokens`).
 */
const GRANT_AUDIENCE = 'conclave-recording-grant';
const RECORDER_AUDIENCE = 'conclave-recorder';
export const GRANT_TTL_SECONDS = 60;

export class RecordingTokenError extends Error {
  override name = 'RecordingTokenError';
}

const grantSchema = z.object({ room: roomIdSchema, sub: participantIdSchema, action: z.enum(['start', 'stop']), exp: z.number() });
const recorderSchema = z.object({ room: roomIdSchema, recording: z.string().min(1).max(64), exp: z.number() });

export type RecordingGrant = z.infer<typeof grantSchema>;
export type RecorderClaims = z.infer<typeof recorderSchema>;

const key = (secret: string) => new TextEncoder().encode(secret);

async function sign(secret: string, audience: string, payload: Record<string, string>, ttlSeconds: number): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

async function verify<T extends z.ZodType>(secret: string, token: string, audience: string, schema: T, what: string): Promise<z.infer<T>> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], audience, requiredClaims: ['exp'] }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new RecordingTokenError(`the ${what} has expired`);
    throw new RecordingTokenError(`the ${what} is not valid`);
  }
  const claims = schema.safeParse(payload);
  if (!claims.success) throw new RecordingTokenError(`the ${what} lacks its claims`);
  return claims.data;
}

export function mintRecordingGrant(secret: string, grant: { room: string; participant: string; action: 'start' | 'stop' }): Promise<string> {
  return sign(secret, GRANT_AUDIENCE, { room: grant.room, sub: grant.participant, action: grant.action }, GRANT_TTL_SECONDS);
}

export function verifyRecordingGrant(secret: string, token: string): Promise<RecordingGrant> {
  return verify(secret, token, GRANT_AUDIENCE, grantSchema, 'recording grant');
}

export function mintRecorderToken(secret: string, claims: { room: string; recording: string; ttlSeconds: number }): Promise<string> {
  return sign(secret, RECORDER_AUDIENCE, { room: claims.room, recording: claims.recording }, claims.ttlSeconds);
}

/** Verifies a recorder token for `room`; throws RecordingTokenError saying why it is refused. */
export async function verifyRecorderToken(secret: string, token: string, room: string): Promise<RecorderClaims> {
  const claims = await verify(secret, token, RECORDER_AUDIENCE, recorderSchema, 'recorder token');
  if (claims.room !== room) throw new RecordingTokenError('the recorder token is for another room');
  return claims;
}
