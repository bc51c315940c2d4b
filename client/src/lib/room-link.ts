import { ROOM_ID_PATTERN } from '@conclave/protocol';

export type Route = { page: 'landing' } | { page: 'room'; roomId: string } | { page: 'not-found' };

/** 128 random bits, base64url: a room id nobody can guess. */
export function newRoomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function roomPath(roomId: string): string {
  return `/r/${roomId}`;
}

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'landing' };
  const match = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1] && ROOM_ID_PATTERN.test(match[1])) return { page: 'room', roomId: match[1] };
  return { page: 'not-found' };
}

/** Accepts a full meeting link, a path or a bare room id; returns the room id or null. */
export function roomIdFromInput(input: string): string | null {
  const text = input.trim();
  if (ROOM_ID_PATTERN.test(text)) return text;
  try {
    const route = parseRoute(new URL(text, 'http://conclave.invalid').pathname);
    return route.page === 'room' ? route.roomId : null;
  } catch {
    return null;
  }
}
