import { ROOM_ID_PATTERN } from '@conclave/protocol';
import { describe, expect, it } from 'vitest';
import { encryptionFromFragment, linkFromInput, meetingHref, newMeetingLink, newRoomId, parseRoute, secretFromFragment } from './room-link.js';

describe('room links', () => {
  it('makes 128-bit ids the server accepts, never twice the same', () => {
    const ids = new Set(Array.from({ length: 1000 }, newRoomId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(ROOM_ID_PATTERN);
      expect(id).toHaveLength(22);
    }
  });

  it('gives each new meeting a secret of 192 bits, carried in the fragment only', () => {
    const link = newMeetingLink();
    expect(link.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(meetingHref(link)).toBe(`/r/${link.roomId}#${link.secret}`);
    expect(secretFromFragment(`#${link.secret}`)).toBe(link.secret);
    expect(secretFromFragment('#short')).toBeNull();
    expect(secretFromFragment('')).toBeNull();
  });

  it('routes / and /r/<id>, and nothing else', () => {
    expect(parseRoute('/')).toEqual({ page: 'landing' });
    expect(parseRoute('/r/abcd1234')).toEqual({ page: 'room', roomId: 'abcd1234' });
    expect(parseRoute('/r/abcd1234/')).toEqual({ page: 'room', roomId: 'abcd1234' });
    expect(parseRoute('/r/a%2Fb')).toEqual({ page: 'not-found' });
    expect(parseRoute('/r/')).toEqual({ page: 'not-found' });
    expect(parseRoute('/admin')).toEqual({ page: 'not-found' });
  });

  it('reads a meeting from a full link (with its secret), a path or a bare room id', () => {
    const secret = 'S'.repeat(32);
    expect(linkFromInput(`https://meet.example.internal/r/Team-Sync_01#${secret}`)).toEqual({ roomId: 'Team-Sync_01', secret });
    expect(linkFromInput('/r/Team-Sync_01')).toEqual({ roomId: 'Team-Sync_01', secret: null });
    expect(linkFromInput('  Team-Sync_01 ')).toEqual({ roomId: 'Team-Sync_01', secret: null });
    expect(linkFromInput('https://meet.example.internal/archive')).toBeNull();
    expect(linkFromInput('not a link')).toBeNull();
  });
});

describe('link encryption', () => {
  it('reads the room secret, transport-only, or nothing usable from the fragment', () => {
    const link = newMeetingLink();
    const fromLink = encryptionFromFragment(`#${link.secret}`);
    expect(fromLink.kind === 'e2ee' && fromLink.secret.length).toBe(24);
    expect(encryptionFromFragment('#transport-only')).toEqual({ kind: 'transport' });
    expect(encryptionFromFragment('')).toEqual({ kind: 'missing' });
    expect(encryptionFromFragment('#short')).toEqual({ kind: 'missing' });
    const transport = newMeetingLink(true);
    expect(meetingHref(transport)).toBe(`/r/${transport.roomId}#transport-only`);
    expect(linkFromInput(`https://x.example${meetingHref(transport)}`)).toEqual(transport);
  });
});
