import type { JoinOk, Peer, RelayedSignal } from '@conclave/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client, closeAll, collect, emit, freshRoom, join, next, sleep } from './harness.js';
import { startRedisServer, type RunningRedis } from './redis-server.js';
import { spawnServer, type ServerProcess } from './server-process.js';

/**
 * Two real server processes sharing one real redis-server: they must act as one.
 * A load balancer would send a reconnecting client to a live node; here the test does.
 */
let redis: RunningRedis;
const nodes: ServerProcess[] = [];
const GRACE_SECONDS = 3;

async function node(): Promise<ServerProcess> {
  const started = await spawnServer({ REDIS_URL: redis.url, RESUME_GRACE_SECONDS: String(GRACE_SECONDS), JOINS_PER_MINUTE_PER_IP: '10000' });
  nodes.push(started);
  return started;
}

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const n of nodes) n.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.exited));
  await redis.stop();
});
afterEach(closeAll);

const offer = { type: 'offer', sdp: 'v=0\r\n' } as const;

describe('several signaling processes on Redis', () => {
  it('lets participants on different nodes meet and signal each other', async () => {
    const [a, b] = [await node(), await node()];
    const room = freshRoom();
    const alice = await client(a.url);
    const bob = await client(b.url);
    const al = await join(alice, room, 'Alice');
    const joined = next<Peer>(alice, 'peer-joined');
    const bo = await join(bob, room, 'Bob');
    expect(bo.peers).toEqual([{ id: al.id, name: 'Alice', role: 'moderator' }]);
    expect(await joined).toEqual({ id: bo.id, name: 'Bob', role: 'participant' });

    const toAlice = next<RelayedSignal>(alice, 'signal');
    await emit(bob, 'signal', { to: al.id, data: offer });
    expect(await toAlice).toEqual({ from: bo.id, data: offer });
    const toBob = next<RelayedSignal>(bob, 'signal');
    await emit(alice, 'signal', { to: bo.id, data: { type: 'answer', sdp: 'v=0\r\n' } });
    expect((await toBob).from).toBe(al.id);
  });

  it('holds the capacity across nodes: 20 simultaneous joins admit exactly 8', async () => {
    const [a, b] = [nodes[0] ?? (await node()), nodes[1] ?? (await node())];
    const room = freshRoom();
    const sockets = await Promise.all(Array.from({ length: 20 }, (_, i) => client(i % 2 ? a.url : b.url)));
    const replies = (await Promise.all(sockets.map((s, i) => emit(s, 'join', { room, name: `P${i}` })))) as { ok: boolean; error?: { code: string } }[];
    expect(replies.filter((r) => r.ok)).toHaveLength(8);
    expect(replies.filter((r) => !r.ok).map((r) => r.error?.code)).toEqual(Array(12).fill('room-full'));
  });

  it('when a node is killed, its clients resume on another and the meeting goes on', async () => {
    const doomed = await node();
    const survivor = nodes[0] ?? (await node());
    const room = freshRoom();
    const alice = await client(doomed.url);
    const carol = await client(doomed.url);
    const bob = await client(survivor.url);
    const al = await join(alice, room, 'Alice');
    const ca = await join(carol, room, 'Carol');
    const bo = await join(bob, room, 'Bob');
    const bobHears = collect<{ id: string }>(bob, 'peer-left');

    doomed.kill('SIGKILL');
    await doomed.exited;

    // Alice's client reconnects (to the live node) and resumes: same id, same peers.
    const alice2 = await client(survivor.url);
    const resumed = (await emit(alice2, 'resume', { room, id: al.id, secret: al.resume })) as JoinOk;
    expect(resumed).toMatchObject({ ok: true, id: al.id, role: 'moderator' });
    expect(resumed.peers.map((p) => p.id).sort()).toEqual([ca.id, bo.id].sort());

    const toAlice = next<RelayedSignal>(alice2, 'signal');
    await emit(bob, 'signal', { to: al.id, data: offer });
    expect(await toAlice).toEqual({ from: bo.id, data: offer });

    // A newcomer sees everyone, and Alice still moderates.
    const dave = await client(survivor.url);
    const da = await join(dave, room, 'Dave');
    expect(da.peers.map((p) => p.name)).toEqual(['Alice', 'Carol', 'Bob']);
    expect(await emit(alice2, 'lock', { locked: true })).toEqual({ ok: true });

    // Carol never comes back: once the dead node is noticed (about 10 s) and her grace ends, she is gone.
    await expect.poll(() => bobHears.map((m) => m.id), { timeout: 20_000, interval: 250 }).toEqual([ca.id]);
    expect(bobHears).not.toContainEqual({ id: al.id });
  }, 40_000);

  it('on SIGTERM a node tells its clients to reconnect, and they resume elsewhere', async () => {
    const leaving = await node();
    const staying = nodes[0] ?? (await node());
    const room = freshRoom();
    const alice = await client(leaving.url);
    const bob = await client(staying.url);
    const al = await join(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    const bobHears = collect(bob, 'peer-left');

    const told = next(alice, 'server-shutdown', 5000);
    leaving.kill('SIGTERM');
    await told;
    expect(await leaving.exited).toBe(0);

    const alice2 = await client(staying.url);
    expect(await emit(alice2, 'resume', { room, id: al.id, secret: al.resume })).toMatchObject({ ok: true, id: al.id });
    await sleep((GRACE_SECONDS + 2) * 1000);
    expect(bobHears).toEqual([]);
  }, 30_000);
});
