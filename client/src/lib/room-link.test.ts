import { ROOM_ID_PATTERN } from '@conclave/protocol';
import { describe, expect, it } from 'vitest';
import { newRoomId, parseRoute, roomIdFromInput } from './room-link.js';

describe('room links', () => {
  it('makes 128-bit ids the server accepts, never twice the same', () => {
    const ids = new Set(Array.from({ length: 1000 }, newRoomId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(ROOM_ID_PATTERN);
      expect(id).toHaveLength(22);
    }
  });

  it('routes / and /r/<id>, and nothing else', () => {
    expect(parseRoute('/')).toEqual({ page: 'landing' });
    expect(parseRoute('/r/abcd1234')).toEqual({ page: 'room', roomId: 'abcd1234' });
    expect(parseRoute('/r/abcd1234/')).toEqual({ page: 'room', roomId: 'abcd1234' });
    expect(parseRoute('/r/a%2Fb')).toEqual({ page: 'not-found' });
    expect(parseRoute('/r/')).toEqual({ page: 'not-found' });
    expect(parseRoute('/admin')).toEqual({ page: 'not-found' });
  });

  it('reads a room id from a full link, a path or a bare id', () => {
    expect(roomIdFromInput('https://meet.example.internal/r/Team-Sync_01#secret')).toBe('Team-Sync_01');
    expect(roomIdFromInput('/r/Team-Sync_01')).toBe('Team-Sync_01');
    expect(roomIdFromInput('  Team-Sync_01 ')).toBe('Team-Sync_01');
    expect(roomIdFromInput('https://meet.example.internal/archive')).toBeNull();
    expect(roomIdFromInput('not a link')).toBeNull();
  });
});
