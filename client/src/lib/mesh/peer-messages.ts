import { z } from 'zod';

/**
 * Messages peers exchange on their data channel: presence (what I send and show) and
 * chat. They never touch the server. Peers validate them: a peer is not trusted to be
 * well-formed.
 */
export const CHAT_MAX_LENGTH = 2000;

export const presenceSchema = z.strictObject({
  t: z.literal('presence'),
  audio: z.boolean(),
  video: z.boolean(),
  hand: z.boolean(),
  /** id of the MediaStream carrying the camera and microphone, as the receiver sees it */
  camera: z.string().max(100).nullable(),
  /** id of the MediaStream carrying the screen share, or null when not sharing */
  screen: z.string().max(100).nullable(),
});

export const chatSchema = z.strictObject({
  t: z.literal('chat'),
  /** Random, chosen by the author: the same message reaching twice is kept once. */
  id: z.string().min(8).max(64),
  text: z.string().trim().min(1).max(CHAT_MAX_LENGTH),
  /** Milliseconds since the epoch, the author's clock. */
  at: z.number().int().nonnegative(),
});

/** Sent to every peer on leaving: they drop us at once, even if our goodbye to the server is lost. */
export const byeSchema = z.strictObject({ t: z.literal('bye') });

/**
 * The sender switched camera: the same RTP track now carries another source (perhaps of
 * another size). The recorder starts a new segment, so each file holds one source.
 */
export const cameraSwitchedSchema = z.strictObject({ t: z.literal('camera-switched') });

const base64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/);

/** End-to-end key agreement (docs/security.md): our ephemeral key, identity key and DTLS fingerprint. */
export const e2eeHelloSchema = z.strictObject({
  t: z.literal('e2ee-hello'),
  curve: z.enum(['P-256', 'X25519']),
  publicKey: base64url(200),
  identity: base64url(200),
  fingerprint: z.string().min(1).max(200),
});

/** Proof of the room secret (HMAC over the transcript) and the identity key's signature of it. */
export const e2eeConfirmSchema = z.strictObject({ t: z.literal('e2ee-confirm'), mac: base64url(100), signature: base64url(200) });

/** Sent instead of a hello by a participant whose link is transport-encryption only. */
export const e2eeOffSchema = z.strictObject({ t: z.literal('e2ee-off') });

/** The sender's handshake failed (see link-handshake.ts): the peer then shows the failure too. */
export const e2eeAbortSchema = z.strictObject({
  t: z.literal('e2ee-abort'),
  reason: z.enum(['in-the-middle', 'confirmation', 'identity', 'unencrypted', 'protocol']),
});

/**
 * To the recorder: what the person decided about the recording notice they were shown
 * (`notice` names its text version; `shownAt` is when it appeared). The recorder keeps
 * these in its notice log.
 */
export const consentSchema = z.strictObject({
  t: z.literal('consent'),
  state: z.enum(['shown', 'consented', 'declined', 'revoked']),
  notice: z.string().min(1).max(64),
  shownAt: z.number().int().nonnegative(),
  at: z.number().int().nonnegative(),
});

/** From the recorder to everyone: a problem people in the meeting must know about. */
export const recorderAlertSchema = z.strictObject({ t: z.literal('recorder-alert'), code: z.enum(['disk-full', 'upload-failing', 'recovered']) });

/** Short authentication string, commit before reveal. */
export const sasCommitSchema = z.strictObject({ t: z.literal('sas-commit'), commitment: base64url(100) });
export const sasRevealSchema = z.strictObject({ t: z.literal('sas-reveal'), nonce: base64url(100) });

export const peerMessageSchema = z.discriminatedUnion('t', [
  presenceSchema,
  chatSchema,
  byeSchema,
  cameraSwitchedSchema,
  e2eeHelloSchema,
  e2eeConfirmSchema,
  e2eeOffSchema,
  e2eeAbortSchema,
  sasCommitSchema,
  sasRevealSchema,
  consentSchema,
  recorderAlertSchema,
]);

export type Presence = Omit<z.infer<typeof presenceSchema>, 't'>;
export type ChatMessage = z.infer<typeof chatSchema>;
export type ConsentMessage = z.infer<typeof consentSchema>;
export type PeerMessage = z.infer<typeof peerMessageSchema>;
export type E2eeMessage = Extract<PeerMessage, { t: 'e2ee-hello' | 'e2ee-confirm' | 'e2ee-off' | 'e2ee-abort' | 'sas-commit' | 'sas-reveal' }>;

export function isE2eeMessage(message: PeerMessage): message is E2eeMessage {
  return message.t.startsWith('e2ee-') || message.t.startsWith('sas-');
}

export const NO_PRESENCE: Presence = { audio: false, video: false, hand: false, camera: null, screen: null };

export function parsePeerMessage(text: string): PeerMessage | null {
  try {
    const parsed = peerMessageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
