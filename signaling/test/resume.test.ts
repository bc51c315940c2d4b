import type { JoinOk, RelayedSignal } from '@conclave/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.js';
import { aliceAndBob, client, closeAll, collect, emit, freshRoom, join, next, refusal, sleep, startSignaling } from './harness.js';
import { spawnServer } from './server-process.js';

const offer = { type: 'offer', sdp: 'v=0\r\n' } as const;
const candidate = (n: number) => ({ type: 'candidate', candidate: { candidate: `candidate:${n} 1 udp 1 192.0.2.2 ${5000 + n} typ host` } }) as const;

let server: RunningServer;
beforeAll(async () => {
  server = await startSignaling({ RESUME_GRACE_SECONDS: '2' });
});
afterAll(() => server.close());
afterEach(closeAll);

describe('resume after a dropped connection', () => {
  it('keeps the seat and id, and delivers the signals sent meanwhile', async () => {
    const { room, alice, bob, a, b } = await aliceAndBob(server);
    const aliceLeft = collect(alice, 'peer-left');

    bob.disconnect(); // the network drops: no leave was sent
    await sleep(100);
    expect(await emit(alice, 'signal', { to: b.id, data: offer })).toEqual({ ok: true });
    expect(await emit(alice, 'signal', { to: b.id, data: candidate(1) })).toEqual({ ok: true });

    const bob2 = await client(server);
    const queued = collect<RelayedSignal>(bob2, 'signal');
    const resumed = (await emit(bob2, 'resume', { room, id: b.id, secret: b.resume })) as JoinOk;
    expect(resumed).toMatchObject({ ok: true, id: b.id, role: 'participant', peers: [{ id: a.id, name: 'Alice' }] });
    await sleep(100);
    expect(queued).toEqual([
      { from: a.id, data: offer },
      { from: a.id, data: candidate(1) },
    ]);
    expect(aliceLeft).toEqual([]);

    // And the relay works both ways again.
    const relayed = next<RelayedSignal>(alice, 'signal');
    await emit(bob2, 'signal', { to: a.id, data: candidate(2) });
    expect(await relayed).toEqual({ from: b.id, data: candidate(2) });
  });

  it('needs the secret from the join', async () => {
    const room = freshRoom();
    const bob = await client(server);
    const b = await join(bob, room, 'Bob');
    bob.disconnect();
    const thief = await client(server);
    const wrong = b.resume.slice(0, -2) + (b.resume.endsWith('AA') ? 'BB' : 'AA');
    expect(await refusal(thief, 'resume', { room, id: b.id, secret: wrong })).toBe('unknown-session');
  });

  it('takes over from a connection the server still thinks is open', async () => {
    const { room, alice, bob, a, b } = await aliceAndBob(server);
    const oldClosed = next(bob, 'disconnect');
    const bob2 = await client(server);
    await emit(bob2, 'resume', { room, id: b.id, secret: b.resume });
    await oldClosed;
    const relayed = next<RelayedSignal>(bob2, 'signal');
    await emit(alice, 'signal', { to: b.id, data: offer });
    expect(await relayed).toEqual({ from: a.id, data: offer });
  });

  it('frees the seat when the grace period ends', async () => {
    const { room, alice, bob, b } = await aliceAndBob(server);
    const left = next(alice, 'peer-left', 5000);
    const dropped = Date.now();
    bob.disconnect();
    expect(await left).toEqual({ id: b.id });
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(1900);
    expect(await refusal(await client(server), 'resume', { room, id: b.id, secret: b.resume })).toBe('unknown-session');
  });
});

describe('rebuilding one peer connection', () => {
  it('relays reconnect-peer with the sender stamped, within the room only', async () => {
    const { alice, bob, a, b } = await aliceAndBob(server);
    const asked = next(bob, 'reconnect-peer');
    expect(await emit(alice, 'reconnect-peer', { to: b.id })).toEqual({ ok: true });
    expect(await asked).toEqual({ from: a.id });

    const stranger = await client(server);
    await join(stranger, freshRoom(), 'Stranger');
    expect(await refusal(stranger, 'reconnect-peer', { to: b.id })).toBe('unknown-peer');
  });
});

describe('shutdown', () => {
  it('on SIGTERM tells clients to reconnect and exits cleanly', async () => {
    const proc = await spawnServer();
    const socket = await client(proc.url);
    await join(socket, freshRoom(), 'Ada');
    const told = next(socket, 'server-shutdown', 5000);
    const closed = next(socket, 'disconnect', 5000);
    proc.kill('SIGTERM');
    await told;
    expect(await closed).toBe('io server disconnect');
    expect(await proc.exited).toBe(0);
  });
});
