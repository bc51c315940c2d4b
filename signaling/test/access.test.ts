import type { JoinOk, KnockOk, Peer, RoomState } from '@conclave/protocol';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/access/tokens.js';
import type { RunningServer } from '../src/server.js';
import { client, closeAll, emit, freshRoom, join, next, refusal, startSignaling } from './harness.js';

const TOKEN_SECRET = 'test-token-secret-that-is-long-enough!!';
const TURN_SECRET = 'turn-shared-secret';

let open: RunningServer;
beforeAll(async () => {
  open = await startSignaling({
    ROOM_CAPACITY: '4',
    TOKEN_SECRET,
    TURN_URLS: 'turn:turn.lan:3478?transport=udp,turns:turn.lan:5349',
    TURN_SECRET,
    TURN_TTL_SECONDS: '3600',
    ICE_SERVERS: '[{"urls":"stun:stun.lan:3478"}]',
  });
});
afterAll(() => open.close());
afterEach(closeAll);

describe('room password', () => {
  it('is set by whoever opens the room and required from everyone after', async () => {
    const room = freshRoom();
    const owner = await client(open);
    const first = await join(owner, room, 'Owner', { password: 'correct horse' });
    expect(first.room).toEqual({ locked: false, hasPassword: true });

    const guest = await client(open);
    expect(await refusal(guest, 'join', { room, name: 'Guest' })).toBe('bad-password');
    expect(await refusal(guest, 'join', { room, name: 'Guest', password: 'wrong' })).toBe('bad-password');
    await join(guest, room, 'Guest', { password: 'correct horse' });
  });

  it('is stored only as a slow hash', async () => {
    const room = freshRoom();
    await join(await client(open), room, 'Owner', { password: 'hunter2-hunter2' });
    const settings = await open.store.settings(room);
    expect(settings?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(settings?.passwordHash).not.toContain('hunter2');
  });

  it('can be changed by the moderator only', async () => {
    const room = freshRoom();
    const moderator = await client(open);
    const guest = await client(open);
    await join(moderator, room, 'Mod');
    await join(guest, room, 'Guest');
    expect(await refusal(guest, 'set-password', { password: 'mine now' })).toBe('forbidden');
    const updated = next<RoomState>(guest, 'room-updated');
    expect(await emit(moderator, 'set-password', { password: 'new one' })).toEqual({ ok: true });
    expect(await updated).toEqual({ locked: false, hasPassword: true });
    expect(await refusal(await client(open), 'join', { room, name: 'Late' })).toBe('bad-password');
  });
});

describe('join tokens', () => {
  it('grant the role and name they carry', async () => {
    const room = freshRoom();
    await join(await client(open), room, 'Opener');
    const token = await mintToken(TOKEN_SECRET, { room, role: 'moderator', name: 'Chair', ttlSeconds: 60 });
    const chair = await join(await client(open), room, 'Someone else', { token, role: 'moderator' });
    expect(chair.role).toBe('moderator');
    expect(chair.peers.map((p) => p.name)).toEqual(['Opener']);
    const peers = (await open.store.members(room)).map((m) => [m.name, m.role]);
    expect(peers).toContainEqual(['Chair', 'moderator']);
  });

  it('are refused when forged, expired or for another room', async () => {
    const room = freshRoom();
    const socket = await client(open);
    const forged = await mintToken('another-secret-that-is-long-enough!!!!', { room, role: 'moderator', ttlSeconds: 60 });
    const expired = await mintToken(TOKEN_SECRET, { room, role: 'moderator', ttlSeconds: -10 });
    const elsewhere = await mintToken(TOKEN_SECRET, { room: 'other-room', role: 'moderator', ttlSeconds: 60 });
    for (const token of [forged, expired, elsewhere, 'not.a.jwt']) {
      expect(await refusal(socket, 'join', { room, name: 'X', token })).toBe('bad-token');
    }
  });

  it('are needed to ask for the moderator role, and nobody gets the recorder role', async () => {
    const room = freshRoom();
    const socket = await client(open);
    expect(await refusal(socket, 'join', { room, name: 'X', role: 'moderator' })).toBe('forbidden');
    expect(await refusal(socket, 'join', { room, name: 'X', role: 'recorder' })).toBe('forbidden');
    const participantToken = await mintToken(TOKEN_SECRET, { room, role: 'participant', ttlSeconds: 60 });
    expect(await refusal(socket, 'join', { room, name: 'X', role: 'moderator', token: participantToken })).toBe('forbidden');
  });

  it('are required by a server in token mode', async () => {
    const strict = await startSignaling({ ACCESS: 'token', TOKEN_SECRET });
    try {
      const room = freshRoom();
      const socket = await client(strict);
      expect(await refusal(socket, 'join', { room, name: 'X' })).toBe('bad-token');
      const token = await mintToken(TOKEN_SECRET, { room: '*', role: 'participant', ttlSeconds: 60 });
      const reply = await join(socket, room, 'X', { token });
      expect(reply.role).toBe('participant'); // no automatic moderator in token mode
    } finally {
      await strict.close();
    }
  });
});

describe('moderation', () => {
  it('lock keeps newcomers out; a knock waits for a moderator who admits or refuses', async () => {
    const room = freshRoom();
    const moderator = await client(open);
    await join(moderator, room, 'Mod');
    expect(await emit(moderator, 'lock', { locked: true })).toEqual({ ok: true });

    const knocker = await client(open);
    expect(await refusal(knocker, 'join', { room, name: 'Knocker' })).toBe('locked');
    const knocked = next<{ id: string; name: string }>(moderator, 'lobby-knock');
    const knock = (await emit(knocker, 'knock', { room, name: 'Knocker' })) as KnockOk;
    expect(knock.ok).toBe(true);
    expect(await knocked).toEqual({ id: knock.id, name: 'Knocker' });
    expect(await emit(moderator, 'lobby')).toEqual({ ok: true, lobby: [{ id: knock.id, name: 'Knocker' }] });

    // Not admitted yet: the ticket opens nothing.
    expect(await refusal(knocker, 'join', { room, name: 'Knocker', ticket: knock.ticket })).toBe('bad-ticket');
    const admitted = next(knocker, 'admitted');
    expect(await emit(moderator, 'admit', { id: knock.id })).toEqual({ ok: true });
    await admitted;
    const joined = next<Peer>(moderator, 'peer-joined');
    const reply = await join(knocker, room, 'Knocker', { ticket: knock.ticket });
    expect((await joined).id).toBe(reply.id);

    // A second knocker is refused.
    const other = await client(open);
    const second = (await emit(other, 'knock', { room, name: 'Other' })) as KnockOk;
    const refused = next(other, 'refused');
    expect(await emit(moderator, 'refuse', { id: second.id })).toEqual({ ok: true });
    await refused;
    expect(await refusal(other, 'join', { room, name: 'Other' })).toBe('locked');
  });

  it('knocking on an unlocked room says to join instead', async () => {
    const room = freshRoom();
    await join(await client(open), room, 'Mod');
    expect(await refusal(await client(open), 'knock', { room, name: 'K' })).toBe('not-locked');
  });

  it('only moderators lock, admit, refuse and remove', async () => {
    const room = freshRoom();
    const moderator = await client(open);
    const guest = await client(open);
    await join(moderator, room, 'Mod');
    const g = await join(guest, room, 'Guest');
    for (const [event, payload] of [
      ['lock', { locked: true }],
      ['admit', { id: g.id }],
      ['refuse', { id: g.id }],
      ['remove', { id: g.id }],
    ] as const) {
      expect(await refusal(guest, event, payload)).toBe('forbidden');
    }
  });

  it('a removed participant is told, disconnected, and gone for the others', async () => {
    const room = freshRoom();
    const moderator = await client(open);
    const guest = await client(open);
    const watcher = await client(open);
    await join(moderator, room, 'Mod');
    const g = await join(guest, room, 'Guest');
    await join(watcher, room, 'Watcher');
    const removed = next(guest, 'removed');
    const disconnected = next(guest, 'disconnect');
    const left = next(watcher, 'peer-left');
    expect(await emit(moderator, 'remove', { id: g.id })).toEqual({ ok: true });
    await removed;
    await disconnected;
    expect(await left).toEqual({ id: g.id });
  });

  it('when the moderator leaves an open room, the longest present becomes moderator', async () => {
    const room = freshRoom();
    const first = await client(open);
    const second = await client(open);
    const third = await client(open);
    await join(first, room, 'First');
    const s = await join(second, room, 'Second');
    await join(third, room, 'Third');
    const updated = next<Peer>(third, 'peer-updated');
    await emit(first, 'leave');
    expect(await updated).toEqual({ id: s.id, name: 'Second', role: 'moderator' });
    expect(await emit(second, 'lock', { locked: true })).toEqual({ ok: true });
  });
});

describe('ICE servers', () => {
  it('carry time-limited TURN credentials in the coturn use-auth-secret scheme', async () => {
    const before = Math.floor(Date.now() / 1000);
    const reply: JoinOk = await join(await client(open), freshRoom(), 'Ada');
    expect(reply.iceServers[0]).toEqual({ urls: 'stun:stun.lan:3478' });
    const turn = reply.iceServers[1];
    expect(turn?.urls).toEqual(['turn:turn.lan:3478?transport=udp', 'turns:turn.lan:5349']);
    const [expiry, user] = (turn?.username ?? '').split(':');
    expect(user).toBe(reply.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 3600);
    expect(Number(expiry)).toBeLessThanOrEqual(before + 3601);
    expect(turn?.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn?.username ?? '').digest('base64'));
    expect(reply.iceTransportPolicy).toBe('all');
  });

  it('tell clients to relay only when ICE_TRANSPORT_POLICY=relay', async () => {
    const relay = await startSignaling({ TURN_URLS: 'turn:turn.lan:3478', TURN_SECRET, ICE_TRANSPORT_POLICY: 'relay' });
    try {
      const reply: JoinOk = await join(await client(relay), freshRoom(), 'Ada');
      expect(reply.iceTransportPolicy).toBe('relay');
      expect(reply.iceServers[0]?.username).toMatch(/^\d+:/);
    } finally {
      await relay.close();
    }
  });
});
