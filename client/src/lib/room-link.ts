import { ROOM_ID_PATTERN } from '@conclave/protocol';

export type Route = { page: 'landing' } | { page: 'room'; roomId: string } | { page: 'not-found' };

/** A meeting link's two parts: the room id (the server sees it) and the room secret (it never does). */
export interface MeetingLink {
  roomId: string;
  /** Lives only in the URL fragment, which browsers never send to a server. Null for a bare room id. */
  secret: string | null;
  /** Created as transport-encryption only (no room secret): for browsers without encoded transforms. */
  transportOnly?: boolean;
}

/** The fragment of a meeting created as transport-encryption only. */
export const TRANSPORT_ONLY_FRAGMENT = 'transport-only';

/** How a room's media is protected, as its link says (the server has no say in it). */
export type LinkEncryption = { kind: 'e2ee'; secret: Uint8Array<ArrayBuffer> } | { kind: 'transport' } | { kind: 'missing' };

/** The room secret: 192 random bits, base64url (32 characters). At least 128 are required. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

function randomBase64Url(bytes: number): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...random)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 128 random bits, base64url: a room id nobody can guess. */
export function newRoomId(): string {
  return randomBase64Url(16);
}

/** A new meeting: its id and the secret its link carries in the fragment. */
export function newMeetingLink(transportOnly = false): MeetingLink {
  return transportOnly ? { roomId: newRoomId(), secret: null, transportOnly: true } : { roomId: newRoomId(), secret: randomBase64Url(24) };
}

export function roomPath(roomId: string): string {
  return `/r/${roomId}`;
}

/** Path and fragment of a meeting link (relative to the app's origin). */
export function meetingHref({ roomId, secret, transportOnly }: MeetingLink): string {
  if (transportOnly) return `${roomPath(roomId)}#${TRANSPORT_ONLY_FRAGMENT}`;
  return secret ? `${roomPath(roomId)}#${secret}` : roomPath(roomId);
}

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'landing' };
  const match = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1] && ROOM_ID_PATTERN.test(match[1])) return { page: 'room', roomId: match[1] };
  return { page: 'not-found' };
}

/** The room secret of a URL fragment ("#…"), or null when it has none or a malformed one. */
export function secretFromFragment(hash: string): string | null {
  const secret = hash.replace(/^#/, '');
  return SECRET_PATTERN.test(secret) ? secret : null;
}

/** The encryption a link's fragment asks for: its room secret's bytes, transport only, or nothing usable. */
export function encryptionFromFragment(hash: string): LinkEncryption {
  const fragment = hash.replace(/^#/, '');
  if (fragment === TRANSPORT_ONLY_FRAGMENT) return { kind: 'transport' };
  const secret = secretFromFragment(fragment);
  if (!secret) return { kind: 'missing' };
  const binary = atob(secret.replace(/-/g, '+').replace(/_/g, '/'));
  return { kind: 'e2ee', secret: Uint8Array.from(binary, (char) => char.charCodeAt(0)) };
}

/** Accepts a full meeting link, a path or a bare room id; null when it is none of these. */
export function linkFromInput(input: string): MeetingLink | null {
  const text = input.trim();
  if (ROOM_ID_PATTERN.test(text)) return { roomId: text, secret: null };
  try {
    const url = new URL(text, 'http://conclave.invalid');
    const route = parseRoute(url.pathname);
    if (route.page !== 'room') return null;
    return url.hash === `#${TRANSPORT_ONLY_FRAGMENT}` ? { roomId: route.roomId, secret: null, transportOnly: true } : { roomId: route.roomId, secret: secretFromFragment(url.hash) };
  } catch {
    return null;
  }
}
