import { z } from 'zod';
import { MAX_SDP_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, ROOM_ID_PATTERN, TOKEN_MAX_LENGTH } from './limits.js';

// Control characters (C0, DEL, C1) and bidi overrides are refused in names: they
// make one person look like another in the participant list.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

export const roomIdSchema = z
  .string()
  .regex(ROOM_ID_PATTERN, 'room id must be 4 to 64 characters among A-Z a-z 0-9 _ -');

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .refine((s) => [...s].length <= NAME_MAX_LENGTH, `name must be at most ${NAME_MAX_LENGTH} characters`)
  .refine((s) => !FORBIDDEN_NAME_CHARS.test(s), 'name must not contain control or direction characters');

/** Server-issued ids (participants, lobby entries): 128 random bits, base64url. */
export const participantIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a participant id');

/** Secrets the server hands out (resume secrets, lobby tickets): 256 random bits, base64url. */
export const secretSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a secret issued by this server');

export const roleSchema = z.enum(['participant', 'moderator', 'recorder']);

export const passwordSchema = z.string().min(1).max(PASSWORD_MAX_LENGTH);

/**
 * What one peer sends another through the server: session descriptions, trickled
 * ICE candidates, and the two renegotiation requests of simple-peer. The server
 * validates the shape and relays it untouched; it never reads an SDP.
 */
export const signalDataSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
    sdp: z.string().max(MAX_SDP_LENGTH),
  }),
  z.strictObject({
    type: z.literal('candidate'),
    candidate: z.strictObject({
      candidate: z.string().max(1024),
      sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(1023).nullable().optional(),
      usernameFragment: z.string().max(256).nullable().optional(),
    }),
  }),
  z.strictObject({ type: z.literal('renegotiate'), renegotiate: z.literal(true) }),
  z.strictObject({
    type: z.literal('transceiverRequest'),
    transceiverRequest: z.strictObject({
      kind: z.enum(['audio', 'video']),
      init: z
        .strictObject({ direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional() })
        .optional(),
    }),
  }),
]);

// ---- client to server ----

export const joinRequestSchema = z.strictObject({
  room: roomIdSchema,
  name: displayNameSchema,
  /** Asked-for role; only what a token grants (or `participant`) is accepted. */
  role: roleSchema.optional(),
  token: z.string().min(1).max(TOKEN_MAX_LENGTH).optional(),
  password: passwordSchema.optional(),
  /** From `knock`, once a moderator admitted it: lets the holder past the lock. */
  ticket: secretSchema.optional(),
  /** The person read and accepted the recording notice (required in compliance rooms). */
  acknowledgeRecording: z.literal(true).optional(),
});

/** Asks for a short-lived grant to start or stop the room's recording at the recording service. */
export const recordingGrantRequestSchema = z.strictObject({ action: z.enum(['start', 'stop']) });

export const knockRequestSchema = z.strictObject({
  room: roomIdSchema,
  name: displayNameSchema,
  token: z.string().min(1).max(TOKEN_MAX_LENGTH).optional(),
});

export const resumeRequestSchema = z.strictObject({
  room: roomIdSchema,
  id: participantIdSchema,
  secret: secretSchema,
});

export const signalRequestSchema = z.strictObject({
  to: participantIdSchema,
  data: signalDataSchema,
});

/** Asks one peer to drop its connection to the sender and accept a fresh offer (simple-peer has no ICE restart). */
export const reconnectPeerRequestSchema = z.strictObject({ to: participantIdSchema });

export const lockRequestSchema = z.strictObject({ locked: z.boolean() });
export const setPasswordRequestSchema = z.strictObject({ password: passwordSchema.nullable() });
export const targetRequestSchema = z.strictObject({ id: participantIdSchema });
export const emptyRequestSchema = z.union([z.undefined(), z.strictObject({})]);

// ---- server to client ----

export const peerSchema = z.strictObject({
  id: participantIdSchema,
  name: z.string(),
  role: roleSchema,
});

export const iceServerSchema = z.strictObject({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

export const roomStateSchema = z.strictObject({ locked: z.boolean(), hasPassword: z.boolean() });

export const peerLeftSchema = z.strictObject({ id: participantIdSchema });

export const relayedSignalSchema = z.strictObject({
  from: participantIdSchema,
  data: signalDataSchema,
});

export const relayedReconnectSchema = z.strictObject({ from: participantIdSchema });

export const lobbyKnockSchema = z.strictObject({ id: participantIdSchema, name: z.string() });
