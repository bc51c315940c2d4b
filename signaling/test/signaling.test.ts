import type { Peer, RelayedSignal } from '@conclave/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VIOLATIONS } from '../src/handlers/index.js';
import type { RunningServer } from '../src/server.js';
import { aliceAndBob, client, closeAll, collect, emit, freshRoom, join, next, sleep, startSignaling } from './harness.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startSignaling({ ROOM_CAPACITY: '8', ICE_SERVERS: '[{"urls":"turn:turn.lan:3478"}]' });
});
afterAll(() => server.close());
afterEach(closeAll);

const offer = { type: 'offer', sdp: 'v=0\r\n' } as const;

describe('join', () => {
  it('issues an unguessable id, lists those present and the configured ICE servers', async () => {
    const room = freshRoom();
    const alice = await client(server);
    const first = await join(alice, room, 'Alice');
    expect(first.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first.peers).toEqual([]);
    expect(first.iceServers).toEqual([{ urls: 'turn:turn.lan:3478' }]);
    expect(first.capacity).toBe(8);

    const bob = await client(server);
    const joined = next<Peer>(alice, 'peer-joined');
    const second = await join(bob, room, 'Bob');
    expect(first.role).toBe('moderator'); // whoever opens an open room moderates it
    expect(second.role).toBe('participant');
    expect(second.peers).toEqual([{ id: first.id, name: 'Alice', role: 'moderator' }]);
    expect(await joined).toEqual({ id: second.id, name: 'Bob', role: 'participant' });
    expect(second.id).not.toBe(first.id);
  });

  it('refuses a second join on the same connection', async () => {
    const socket = await client(server);
    await join(socket, freshRoom(), 'Ada');
    expect(await emit(socket, 'join', { room: freshRoom(), name: 'Ada' })).toMatchObject({
      ok: false,
      error: { code: 'already-joined' },
    });
  });

  it('answers invalid payloads with a clear error', async () => {
    const socket = await client(server);
    const reply = await emit(socket, 'join', { room: 'x', name: '' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect((reply as { error: { message: string } }).error.message).toMatch(/room/);
  });

  it('admits exactly the capacity when 20 people join at once', async () => {
    const room = freshRoom();
    const sockets = await Promise.all(Array.from({ length: 20 }, () => client(server)));
    const replies = (await Promise.all(sockets.map((s, i) => emit(s, 'join', { room, name: `P${i}` })))) as {
      ok: boolean;
      error?: { code: string };
    }[];
    expect(replies.filter((r) => r.ok)).toHaveLength(8);
    expect(replies.filter((r) => !r.ok).every((r) => r.error?.code === 'room-full')).toBe(true);
  });
});

describe('signal', () => {
  it('relays to the addressee with the sender stamped by the server', async () => {
    const { alice, bob, a, b } = await aliceAndBob(server);
    const relayed = next<RelayedSignal>(alice, 'signal');
    expect(await emit(bob, 'signal', { to: a.id, data: offer })).toEqual({ ok: true });
    expect(await relayed).toEqual({ from: b.id, data: offer });
  });

  it('refuses a forged sender', async () => {
    const room = freshRoom();
    const alice = await client(server);
    const bob = await client(server);
    const a = await join(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    const reply = await emit(bob, 'signal', { to: a.id, from: a.id, data: offer });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('never reaches another room, even with a valid participant id', async () => {
    const alice = await client(server);
    const mallory = await client(server);
    const a = await join(alice, freshRoom(), 'Alice');
    await join(mallory, freshRoom(), 'Mallory');
    const received = collect(alice, 'signal');
    expect(await emit(mallory, 'signal', { to: a.id, data: offer })).toMatchObject({
      ok: false,
      error: { code: 'unknown-peer' },
    });
    await sleep(100);
    expect(received).toEqual([]);
  });

  it('requires joining first', async () => {
    const socket = await client(server);
    expect(await emit(socket, 'signal', { to: 'A'.repeat(22), data: offer })).toMatchObject({
      ok: false,
      error: { code: 'not-joined' },
    });
  });
});

describe('leaving', () => {
  it('tells the room at once on leave, and frees the seat', async () => {
    const { room, alice, bob, b } = await aliceAndBob(server);

    const left = next(alice, 'peer-left');
    expect(await emit(bob, 'leave')).toEqual({ ok: true });
    expect(await left).toEqual({ id: b.id });
    expect((await server.store.members(room)).map((m) => m.id)).not.toContain(b.id);
    // The connection stays usable: it may join again, with a new id.
    expect((await join(bob, room, 'Bob')).id).not.toBe(b.id);
  });
});

describe('bad input', () => {
  it('answers an unknown event with an error ack', async () => {
    const socket = await client(server);
    expect(await emit(socket, 'steal-keys', {})).toMatchObject({ ok: false, error: { code: 'unknown-event' } });
  });

  it('disconnects a socket after repeated violations', async () => {
    const socket = await client(server);
    const disconnected = next(socket, 'disconnect', 5000);
    for (let i = 0; i < MAX_VIOLATIONS; i++) socket.emit('join', { room: 1 }, () => undefined);
    expect(await disconnected).toBe('io server disconnect');
  });

  it('survives garbage of every shape on every event', async () => {
    const room = freshRoom();
    const watcher = await client(server);
    await join(watcher, room, 'Watcher');
    const junk: unknown[] = [null, 0, -1, 'x', [], {}, { room }, { to: null }, { data: { type: 'offer' } }, [1, 2], true, { __proto__: { ok: 1 } }];
    for (const event of ['join', 'signal', 'leave', 'unknown']) {
      const socket = await client(server);
      for (const payload of junk.slice(0, 10)) socket.emit(event, payload);
      socket.emit(event);
      socket.disconnect();
    }
    // The server still works for everyone.
    const other = await client(server);
    const peerJoined = next<Peer>(watcher, 'peer-joined');
    await join(other, room, 'Other');
    expect((await peerJoined).name).toBe('Other');
  });
});

describe('http', () => {
  it('answers /healthz', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
  });
  it('says clearly when the client is not built', async () => {
    const res = await fetch(`${server.url}/r/some-room`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
  });
});
