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

export const peerMessageSchema = z.discriminatedUnion('t', [presenceSchema, chatSchema, byeSchema]);

export type Presence = Omit<z.infer<typeof presenceSchema>, 't'>;
export type ChatMessage = z.infer<typeof chatSchema>;
export type PeerMessage = z.infer<typeof peerMessageSchema>;

export const NO_PRESENCE: Presence = { audio: false, video: false, hand: false, camera: null, screen: null };

export function parsePeerMessage(text: string): PeerMessage | null {
  try {
    const parsed = peerMessageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
