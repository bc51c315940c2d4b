import { CLIENT_EVENTS, ERROR_CODES, MAX_MESSAGE_BYTES, type RelayedSignal } from '@conclave/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../src/client-address.js';
import { MAX_VIOLATIONS } from '../src/handlers/index.js';
import type { RunningServer } from '../src/server.js';
import { mutate, randomValue, rng } from './fuzz.js';
import { client, closeAll, emit, freshRoom, join, next, startSignaling, unconnectedClient } from './harness.js';

const servers: RunningServer[] = [];
async function server(env: Record<string, string> = {}): Promise<RunningServer> {
  const started = await startSignaling(env);
  servers.push(started);
  return started;
}
afterEach(async () => {
  closeAll();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const VALID: Record<string, Record<string, unknown>> = {
  join: { room: 'fuzz-room', name: 'Fuzz' },
  knock: { room: 'fuzz-room', name: 'Fuzz' },
  resume: { room: 'fuzz-room', id: 'A'.repeat(22), secret: 'B'.repeat(43) },
  signal: { to: 'A'.repeat(22), data: { type: 'offer', sdp: 'v=0' } },
  'reconnect-peer': { to: 'A'.repeat(22) },
  leave: {},
  lock: { locked: true },
  'set-password': { password: 'pw' },
  lobby: {},
  admit: { id: 'A'.repeat(22) },
  refuse: { id: 'A'.repeat(22) },
  remove: { id: 'A'.repeat(22) },
};

const PAYLOADS_PER_EVENT = 2000;

describe('malformed input', () => {
  it(`answers ${PAYLOADS_PER_EVENT} random and mutated payloads per event with a coded error, and keeps serving`, async () => {
    const s = await server({ JOINS_PER_MINUTE_PER_IP: '1000000', MAX_CONNECTIONS_PER_IP: '1000' });
    const watcherRoom = freshRoom();
    const watcher = await client(s);
    const watching = await join(watcher, watcherRoom, 'Watcher');
    const random = rng(20261130);
    const codes = new Set<string>();
    let acked = 0;

    for (const event of CLIENT_EVENTS) {
      const valid = VALID[event] ?? {};
      for (let sent = 0; sent < PAYLOADS_PER_EVENT; ) {
        // A socket is cut off after MAX_VIOLATIONS errors: send fewer on each.
        const socket = await client(s);
        for (let i = 0; i < MAX_VIOLATIONS - 2 && sent < PAYLOADS_PER_EVENT; i++, sent++) {
          const payload = random() < 0.5 ? randomValue(random) : mutate(random, valid);
          const reply = (await emit(socket, event, payload)) as { ok: boolean; error?: { code: string; message: string } };
          acked += 1;
          if (!reply.ok) {
            expect(ERROR_CODES).toContain(reply.error?.code);
            expect(reply.error?.message.length).toBeGreaterThan(0);
            codes.add(reply.error?.code ?? '');
          }
        }
        socket.disconnect();
      }
    }
    expect(acked).toBe(PAYLOADS_PER_EVENT * CLIENT_EVENTS.length);
    expect(codes).toContain('invalid');

    // Everyone else is still served, and nothing leaked into the watcher's room.
    const other = await client(s);
    const relayed = next<RelayedSignal>(watcher, 'signal');
    const o = await join(other, watcherRoom, 'Other');
    await emit(other, 'signal', { to: watching.id, data: { type: 'offer', sdp: 'v=0' } });
    expect(await relayed).toEqual({ from: o.id, data: { type: 'offer', sdp: 'v=0' } });
    expect((await s.store.members(watcherRoom)).map((m) => m.name)).toEqual(['Watcher', 'Other']);
  }, 60_000);

  it('closes a connection that sends more than 64 KB in one message', async () => {
    const s = await server();
    const socket = await client(s);
    const closed = next<string>(socket, 'disconnect');
    socket.emit('signal', { to: 'A'.repeat(22), data: { type: 'offer', sdp: 'x'.repeat(MAX_MESSAGE_BYTES + 1) } });
    expect(await closed).toBe('transport close');
    const again = await client(s);
    expect((await join(again, freshRoom(), 'Still here')).ok).toBe(true);
  });
});

describe('concurrent admissions', () => {
  it('two joins sent at once on one connection take one seat, never two', async () => {
    const s = await server({ JOINS_PER_MINUTE_PER_IP: '1000' });
    const room = freshRoom();
    const socket = await client(s);
    // Both leave before either is answered (a password makes the first one slow).
    const replies = (await Promise.all([
      emit(socket, 'join', { room, name: 'One', password: 'slow-hash-first' }),
      emit(socket, 'join', { room, name: 'Two' }),
      emit(socket, 'knock', { room, name: 'Three' }),
    ])) as { ok: boolean; error?: { code: string } }[];
    expect(replies.filter((reply) => reply.ok)).toHaveLength(1);
    expect(replies.filter((reply) => !reply.ok).map((reply) => reply.error?.code)).toEqual(['already-joined', 'already-joined']);
    expect(await s.store.members(room)).toHaveLength(1);
  });
});

describe('client address', () => {
  it('behind a trusted proxy, is the entry the proxy appended, not one the client wrote', () => {
    const request = (forwarded: string) =>
      ({ headers: { 'x-forwarded-for': forwarded }, socket: { remoteAddress: '10.0.0.1' } }) as unknown as IncomingMessage;
    expect(clientAddress(request('6.6.6.6, 203.0.113.7'), true)).toBe('203.0.113.7');
    expect(clientAddress(request('203.0.113.7'), true)).toBe('203.0.113.7');
    expect(clientAddress(request('6.6.6.6'), false)).toBe('10.0.0.1');
  });
});

describe('rate limits', () => {
  it('throttles a flooding client, then cuts it off, while another room relays as usual', async () => {
    const s = await server({ EVENTS_PER_SECOND: '50', EVENT_BURST: '100' });
    const flooder = await client(s);
    const accomplice = await client(s);
    const floodRoom = freshRoom();
    await join(flooder, floodRoom, 'Flooder');
    const target = await join(accomplice, floodRoom, 'Target');

    const alice = await client(s);
    const bob = await client(s);
    const room = freshRoom();
    await join(alice, room, 'Alice');
    const b = await join(bob, room, 'Bob');

    const replies: { ok: boolean; error?: { code: string } }[] = [];
    const cutOff = next<string>(flooder, 'disconnect', 10_000);
    for (let i = 0; i < 2000; i++) {
      flooder.emit('signal', { to: target.id, data: { type: 'candidate', candidate: { candidate: `c${i}` } } }, (reply: { ok: boolean }) => replies.push(reply));
    }

    // Meanwhile, the other room: 30 signals, each timed from emit to arrival.
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const arrived = next(bob, 'signal');
      const start = performance.now();
      await emit(alice, 'signal', { to: b.id, data: { type: 'candidate', candidate: { candidate: `ok${i}` } } });
      await arrived;
      latencies.push(performance.now() - start);
    }

    expect(await cutOff).toBe('io server disconnect');
    expect(replies.filter((r) => r.ok).length).toBeLessThanOrEqual(110);
    expect(replies.some((r) => r.error?.code === 'rate-limited')).toBe(true);
    latencies.sort((x, y) => x - y);
    // A functional bound, far above normal (a few ms): the flood must not stall other rooms.
    expect(latencies[Math.floor(latencies.length * 0.9)]).toBeLessThan(250);
  });

  it('limits join attempts per address, which also slows password guessing', async () => {
    const s = await server({ JOINS_PER_MINUTE_PER_IP: '5' });
    const room = freshRoom();
    const owner = await client(s);
    await join(owner, room, 'Owner', { password: 'right' });
    const guesser = await client(s);
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const reply = (await emit(guesser, 'join', { room, name: 'G', password: `guess${i}` })) as { error: { code: string } };
      codes.push(reply.error.code);
    }
    // One failed guess costs several attempts: the second guess is already refused.
    expect(codes[0]).toBe('bad-password');
    expect(codes.slice(1)).toEqual(['rate-limited', 'rate-limited', 'rate-limited']);
  });

  it('caps connections per address', async () => {
    const s = await server({ MAX_CONNECTIONS_PER_IP: '3' });
    await Promise.all([client(s), client(s), client(s)]);
    const fourth = unconnectedClient(s);
    const failed = next<Error>(fourth, 'connect_error');
    fourth.connect();
    expect((await failed).message).toMatch(/websocket error|too many/);
  });
});

describe('origin allow-list', () => {
  it('admits the server’s own origin and listed ones, and refuses other sites', async () => {
    const s = await server({ ALLOWED_ORIGINS: 'https://meet.example.org' });
    const port = new URL(s.url).port;
    await client(s, { extraHeaders: { origin: 'https://meet.example.org' } });
    await client(s, { extraHeaders: { origin: `http://127.0.0.1:${port}` } });
    const evil = unconnectedClient(s, { extraHeaders: { origin: 'https://evil.example' } });
    const failed = next<Error>(evil, 'connect_error');
    evil.connect();
    await failed;
    expect(evil.connected).toBe(false);
  });
});
