import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import type { RelayedSignal } from '@conclave/protocol';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRoomStore } from '../src/store/memory-store.js';
import { createRedisBackend, type RedisBackend, type RedisBackendOptions } from '../src/store/redis-store.js';
import {
  MAX_QUEUED_SIGNALS,
  type Departure,
  type JoinOptions,
  type LobbyEntry,
  type MemberRecord,
  type RoomSettings,
  type RoomStore,
} from '../src/store/room-store.js';
import { startRedisServer, type RunningRedis } from './redis-server.js';

/**
 * One contract, two stores. Each test gets two handles on one shared state: the same object for
 * the memory store; for Redis, two backends with different node ids (two signaling processes).
 */
interface StoreEnv {
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(): Promise<[RoomStore, RoomStore]>;
  /** Closes what open() opened. */
  cleanup(): Promise<void>;
}

const memoryEnv: StoreEnv = {
  async setup() {},
  async teardown() {},
  async open() {
    const store = new MemoryRoomStore();
    return [store, store];
  },
  async cleanup() {},
};

/** Redis: one redis-server for the file; a fresh key prefix per test keeps tests apart. */
const redis = {
  server: null as RunningRedis | null,
  backends: [] as RedisBackend[],
  tests: 0,
  prefix: '',
  async backend(options: Partial<RedisBackendOptions> = {}): Promise<RedisBackend> {
    if (!redis.server) throw new Error('redis-server is not running');
    const backend = await createRedisBackend({
      url: redis.server.url,
      nodeId: `node-${redis.backends.length}`,
      keyPrefix: redis.prefix,
      resumeGraceMs: 100,
      nodeTtlMs: 2000,
      ...options,
    });
    redis.backends.push(backend);
    return backend;
  },
};

const redisEnv: StoreEnv = {
  async setup() {
    redis.server = await startRedisServer();
  },
  async teardown() {
    await redis.server?.stop();
  },
  async open() {
    redis.tests += 1;
    redis.prefix = `test${redis.tests}:`;
    const a = await redis.backend({ nodeId: 'a' });
    const b = await redis.backend({ nodeId: 'b' });
    return [a.store, b.store];
  },
  async cleanup() {
    await Promise.all(redis.backends.splice(0).map((backend) => backend.close()));
  },
};

let sequence = 0;

function member(overrides: Partial<MemberRecord> = {}): MemberRecord {
  sequence += 1;
  return {
    id: `member-${sequence}`,
    name: `Person ${sequence}`,
    role: 'participant',
    socketId: `socket-${sequence}`,
    resumeHash: 'a1'.repeat(32),
    joinedAt: 1_700_000_000_000 + sequence,
    ...overrides,
  };
}

function lobbyEntry(overrides: Partial<LobbyEntry> = {}): LobbyEntry {
  sequence += 1;
  return {
    id: `knock-${sequence}`,
    name: `Knocker ${sequence}`,
    socketId: `socket-${sequence}`,
    ticketHash: 'b2'.repeat(32),
    admitted: false,
    knockedAt: 1_700_000_000_000 + sequence,
    ...overrides,
  };
}

const OPEN: RoomSettings = { locked: false, passwordHash: null };

function options(overrides: Partial<JoinOptions> = {}): JoinOptions {
  return { capacity: 8, ignoreLock: false, initial: { ...OPEN }, firstIsModerator: true, ...overrides };
}

async function joinOk(store: RoomStore, room: string, record: MemberRecord, overrides: Partial<JoinOptions> = {}) {
  const result = await store.join(room, record, options(overrides));
  if (!result.ok) throw new Error(`join refused: ${result.reason}`);
  return result;
}

function signal(n: number): RelayedSignal {
  return { from: 'A'.repeat(22), data: { type: 'candidate', candidate: { candidate: `candidate:${n}`, sdpMid: '0', sdpMLineIndex: null } } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ids = (records: { id: string }[]) => records.map((record) => record.id);

describe.each([
  ['MemoryRoomStore', memoryEnv],
  ['RedisRoomStore', redisEnv],
] as const)('%s', (_name, env) => {
  let a: RoomStore;
  let b: RoomStore;

  beforeAll(() => env.setup(), 15_000);
  afterAll(() => env.teardown());
  afterEach(() => env.cleanup());

  async function stores(): Promise<void> {
    [a, b] = await env.open();
  }

  describe('join', () => {
    it('creates the room on the first join; later joins see those present, oldest first', async () => {
      await stores();
      const first = member({ joinedAt: 30 });
      const opened = await joinOk(a, 'room', first);
      expect(opened).toEqual({ ok: true, member: { ...first, role: 'moderator' }, others: [], settings: OPEN, created: true });

      const second = member({ joinedAt: 10 });
      const joined = await joinOk(b, 'room', second, { initial: { locked: true, passwordHash: 'ignored' } });
      expect(joined.created).toBe(false);
      expect(joined.settings).toEqual(OPEN);
      expect(joined.member).toEqual(second);
      expect(joined.others).toEqual([{ ...first, role: 'moderator' }]);

      const third = member({ joinedAt: 20 });
      expect(ids((await joinOk(a, 'room', third)).others)).toEqual([second.id, first.id]);
      expect(await b.members('room')).toEqual([second, third, { ...first, role: 'moderator' }]);
      expect(await a.member('room', third.id)).toEqual(third);
      expect(await a.member('room', 'nobody')).toBeNull();
      expect(await a.member('elsewhere', third.id)).toBeNull();
      expect(await a.members('elsewhere')).toEqual([]);
    });

    it('raises only a participant opening a room with firstIsModerator', async () => {
      await stores();
      expect((await joinOk(a, 'r1', member({ role: 'recorder' }))).member.role).toBe('recorder');
      expect((await joinOk(a, 'r1', member())).member.role).toBe('participant');
      expect((await joinOk(a, 'r2', member(), { firstIsModerator: false })).member.role).toBe('participant');
      expect((await joinOk(a, 'r3', member({ role: 'moderator' }), { firstIsModerator: false })).member.role).toBe('moderator');
    });

    it('refuses a locked room unless ignoreLock; the initial lock does not stop the opener', async () => {
      await stores();
      await joinOk(a, 'room', member(), { initial: { locked: true, passwordHash: null }, capacity: 2 });
      expect(await b.join('room', member(), options({ capacity: 2 }))).toEqual({ ok: false, reason: 'locked' });
      await joinOk(b, 'room', member(), { capacity: 2, ignoreLock: true });
      // Locked and full: the lock is checked first.
      expect(await a.join('room', member(), options({ capacity: 2 }))).toEqual({ ok: false, reason: 'locked' });
      expect(await a.join('room', member(), options({ capacity: 2, ignoreLock: true }))).toEqual({ ok: false, reason: 'room-full' });
    });

    it('refuses a full room until someone leaves', async () => {
      await stores();
      const first = member();
      await joinOk(a, 'room', first, { capacity: 2 });
      await joinOk(b, 'room', member(), { capacity: 2 });
      expect(await a.join('room', member(), options({ capacity: 2 }))).toEqual({ ok: false, reason: 'room-full' });
      await b.leave('room', first.id, { promote: true });
      await joinOk(a, 'room', member(), { capacity: 2 });
      expect(await a.members('room')).toHaveLength(2);
    });

    it('admits exactly capacity of 20 simultaneous joins spread over two handles', async () => {
      await stores();
      const records = Array.from({ length: 20 }, () => member());
      const results = await Promise.all(records.map((record, i) => (i % 2 ? a : b).join('busy', record, options({ capacity: 5 }))));
      const admitted = results.filter((result) => result.ok);
      expect(admitted).toHaveLength(5);
      expect(results.filter((result) => !result.ok && result.reason === 'room-full')).toHaveLength(15);
      expect(admitted.filter((result) => result.created)).toHaveLength(1);
      expect(admitted.filter((result) => result.member.role === 'moderator')).toHaveLength(1);
      expect((await a.members('busy')).map((m) => m.id).sort()).toEqual(admitted.map((result) => result.member.id).sort());
    });
  });

  describe('leave', () => {
    it('promotes the oldest participant, never a recorder, when the last moderator leaves', async () => {
      await stores();
      const moderator = member({ joinedAt: 1 });
      const recorder = member({ joinedAt: 2, role: 'recorder' });
      const late = member({ joinedAt: 9 });
      const early = member({ joinedAt: 5 });
      for (const record of [moderator, recorder, late, early]) await joinOk(a, 'room', record);

      const departure = await b.leave('room', moderator.id, { promote: true });
      expect(departure).toEqual({ room: 'room', member: { ...moderator, role: 'moderator' }, promoted: { ...early, role: 'moderator' } });
      expect((await a.member('room', early.id))?.role).toBe('moderator');
      expect(await a.leave('room', moderator.id, { promote: true })).toBeNull();
      expect(await a.leave('nowhere', moderator.id, { promote: true })).toBeNull();

      // Without promote nobody is raised; with only a recorder left nobody can be.
      expect(await a.leave('room', early.id, { promote: false })).toMatchObject({ promoted: null });
      expect((await a.members('room')).map((m) => m.role)).toEqual(['recorder', 'participant']);
      expect(await a.leave('room', late.id, { promote: true })).toMatchObject({ promoted: null });
      expect((await a.member('room', recorder.id))?.role).toBe('recorder');
    });

    it('promotes nobody while another moderator remains', async () => {
      await stores();
      const first = member();
      const other = member({ role: 'moderator' });
      await joinOk(a, 'room', first);
      await joinOk(a, 'room', other);
      await joinOk(a, 'room', member());
      expect(await b.leave('room', first.id, { promote: true })).toMatchObject({ promoted: null });
    });

    it('breaks joinedAt ties by join order, as for listing', async () => {
      await stores();
      const opener = member({ joinedAt: 1 });
      const x = member({ id: 'zz-first', joinedAt: 5 });
      const y = member({ id: 'aa-second', joinedAt: 5 });
      for (const record of [opener, x, y]) await joinOk(a, 'room', record);
      expect(ids(await b.members('room'))).toEqual([opener.id, x.id, y.id]);
      expect((await b.leave('room', opener.id, { promote: true }))?.promoted?.id).toBe(x.id);
    });

    it('deletes the room with its last member: the next join opens it afresh', async () => {
      await stores();
      const only = member();
      await joinOk(a, 'room', only);
      await a.updateSettings('room', { locked: true, passwordHash: 'old' });
      await b.leave('room', only.id, { promote: true });
      expect(await a.settings('room')).toBeNull();
      expect(await a.members('room')).toEqual([]);
      const again = await joinOk(b, 'room', member(), { initial: { locked: false, passwordHash: 'new' } });
      expect(again.created).toBe(true);
      expect(again.settings).toEqual({ locked: false, passwordHash: 'new' });
    });
  });

  describe('settings', () => {
    it('reads and patches the settings of a room with members only', async () => {
      await stores();
      expect(await a.settings('room')).toBeNull();
      expect(await a.updateSettings('room', { locked: true })).toBeNull();
      await joinOk(a, 'room', member());
      expect(await b.settings('room')).toEqual(OPEN);
      expect(await b.updateSettings('room', { passwordHash: 'scrypt$abc' })).toEqual({ locked: false, passwordHash: 'scrypt$abc' });
      expect(await a.updateSettings('room', { locked: true })).toEqual({ locked: true, passwordHash: 'scrypt$abc' });
      expect(await a.updateSettings('room', { passwordHash: null })).toEqual({ locked: true, passwordHash: null });
      expect(await a.updateSettings('room', {})).toEqual({ locked: true, passwordHash: null });

      const copy = (await b.settings('room'))!;
      copy.locked = false;
      expect(await b.settings('room')).toEqual({ locked: true, passwordHash: null });
    });

    it('keeps the compliance flag the room was created with, through lock and password changes', async () => {
      await stores();
      await joinOk(a, 'room', member(), { initial: { ...OPEN, compliance: true } });
      const later = await joinOk(b, 'room', member(), { initial: { ...OPEN, compliance: false } });
      expect(later.settings.compliance).toBe(true);
      expect(await a.updateSettings('room', { locked: true })).toEqual({ locked: true, passwordHash: null, compliance: true });
      expect(await b.settings('room')).toEqual({ locked: true, passwordHash: null, compliance: true });
    });
  });

  it('returns copies and round-trips records exactly', async () => {
    await stores();
    const odd = member({ name: 'Zoë 🎥 "quoted" \\ back\u2028slash \ud800', joinedAt: 1_712_345_678_901.125, socketId: null });
    const result = await joinOk(a, 'room', odd, { initial: { locked: true, passwordHash: '$scrypt$N=16384$' } });
    expect(result.member).toEqual({ ...odd, role: 'moderator' });
    expect(result.settings).toEqual({ locked: true, passwordHash: '$scrypt$N=16384$' });
    const stored = (await b.member('room', odd.id))!;
    expect(stored).toEqual({ ...odd, role: 'moderator' });

    stored.name = 'changed';
    (await b.members('room'))[0]!.role = 'recorder';
    expect(await b.member('room', odd.id)).toEqual({ ...odd, role: 'moderator' });

    const entry = lobbyEntry({ name: odd.name, knockedAt: 0.5 });
    await a.lobbyAdd('room', entry);
    entry.name = 'changed after adding';
    expect(await b.lobbyGet('room', entry.id)).toEqual({ ...entry, name: odd.name });
  });

  describe('grace', () => {
    it('keeps a detached seat until its deadline (inclusive); attach resumes it', async () => {
      await stores();
      const record = member();
      await joinOk(a, 'room', record);
      expect(await a.detach('room', 'nobody', 5000)).toBe(false);
      expect(await a.attach('room', 'nobody', 'socket-x')).toBeNull();

      expect(await a.detach('room', record.id, 5000)).toBe(true);
      expect((await b.member('room', record.id))?.socketId).toBeNull();
      expect(await b.sweep(4999, { promote: true })).toEqual([]);
      expect(await b.attach('room', record.id, 'socket-new')).toEqual({ ...record, role: 'moderator', socketId: 'socket-new' });
      expect(await a.sweep(10_000, { promote: true })).toEqual([]);

      await b.detach('room', record.id, 6000);
      const departures = await a.sweep(6000, { promote: true });
      expect(departures).toEqual([{ room: 'room', member: { ...record, role: 'moderator', socketId: null }, promoted: null }]);
      expect(await a.member('room', record.id)).toBeNull();
      expect(await a.settings('room')).toBeNull();
    });

    it('detaches only the connection named, not one the member resumed on meanwhile', async () => {
      await stores();
      const record = member({ socketId: 'socket-old' });
      await joinOk(a, 'room', record);
      expect(await b.attach('room', record.id, 'socket-new')).not.toBeNull();
      // The old connection's disconnect arrives late, on the other node.
      expect(await a.detach('room', record.id, 5000, 'socket-old')).toBe(false);
      expect((await a.member('room', record.id))?.socketId).toBe('socket-new');
      expect(await a.sweep(10_000, { promote: true })).toEqual([]);
      expect(await a.detach('room', record.id, 5000, 'socket-new')).toBe(true);
      expect((await b.member('room', record.id))?.socketId).toBeNull();
    });

    it('returns each departure to one of two racing sweepers, with promotion', async () => {
      await stores();
      const moderator = member({ joinedAt: 1 });
      const stays = member({ joinedAt: 50 });
      const leaving = Array.from({ length: 6 }, (_, i) => member({ joinedAt: 10 + i }));
      for (const record of [moderator, ...leaving, stays]) await joinOk(a, 'room', record);
      for (const record of [moderator, ...leaving]) await (record.joinedAt % 2 ? a : b).detach('room', record.id, 100);
      await joinOk(a, 'other', member());

      const [fromA, fromB] = await Promise.all([a.sweep(200, { promote: true }), b.sweep(200, { promote: true })]);
      const all: Departure[] = [...fromA, ...fromB];
      expect(ids(all.map((departure) => departure.member)).sort()).toEqual(ids([moderator, ...leaving]).sort());
      expect(await a.members('room')).toEqual([{ ...stays, role: 'moderator' }]);
      expect(all.filter((departure) => departure.promoted).length).toBeGreaterThan(0);
      expect(await a.sweep(300, { promote: true })).toEqual([]);
      expect(await a.members('other')).toHaveLength(1);
    });

    it('forgets the deadline and queued signals of a member who leaves', async () => {
      await stores();
      const record = member();
      await joinOk(a, 'room', record);
      await joinOk(a, 'room', member());
      await a.detach('room', record.id, 100);
      await a.queueSignal(record.id, signal(1), 60_000);
      await b.leave('room', record.id, { promote: true });
      expect(await b.drainSignals(record.id)).toEqual([]);
      expect(await a.sweep(200, { promote: true })).toEqual([]);
    });
  });

  describe('lobby', () => {
    it('adds, reads, admits, lists by knock time and takes entries', async () => {
      await stores();
      const ignored = lobbyEntry();
      await a.lobbyAdd('room', ignored);
      expect(await a.lobbyGet('room', ignored.id)).toBeNull();
      expect(await a.lobbyList('room')).toEqual([]);

      await joinOk(a, 'room', member());
      const late = lobbyEntry({ knockedAt: 30 });
      const early = lobbyEntry({ knockedAt: 10 });
      const tie = lobbyEntry({ knockedAt: 30 });
      for (const entry of [late, early, tie]) await a.lobbyAdd('room', entry);
      expect(await b.lobbyGet('room', late.id)).toEqual(late);
      expect(await b.lobbyList('room')).toEqual([early, late, tie]);

      expect(await b.lobbyAdmit('room', late.id)).toBe(true);
      expect(await b.lobbyAdmit('room', 'nobody')).toBe(false);
      expect(await a.lobbyGet('room', late.id)).toEqual({ ...late, admitted: true });
      expect(await a.lobbyTake('room', late.id)).toEqual({ ...late, admitted: true });
      expect(await a.lobbyTake('room', late.id)).toBeNull();
      expect(await a.lobbyGet('room', late.id)).toBeNull();
      expect(await a.lobbyList('room')).toEqual([early, tie]);
    });

    it('keeps a room with only a lobby; the next join resets its settings; the last take deletes it', async () => {
      await stores();
      const only = member();
      await joinOk(a, 'room', only);
      await a.updateSettings('room', { locked: true });
      const waiting = lobbyEntry();
      await a.lobbyAdd('room', waiting);
      await a.leave('room', only.id, { promote: true });

      expect(await b.settings('room')).toBeNull();
      expect(await b.lobbyList('room')).toEqual([waiting]);
      const second = lobbyEntry();
      await b.lobbyAdd('room', second);
      expect(await b.lobbyList('room')).toEqual([waiting, second]);

      const reopened = await joinOk(b, 'room', member());
      expect(reopened).toMatchObject({ created: true, settings: OPEN });
      expect(reopened.member.role).toBe('moderator');
      await b.leave('room', reopened.member.id, { promote: true });

      await a.lobbyTake('room', waiting.id);
      await a.lobbyTake('room', second.id);
      const after = lobbyEntry();
      await a.lobbyAdd('room', after);
      expect(await a.lobbyGet('room', after.id)).toBeNull();
    });
  });

  describe('signal queue', () => {
    it(`keeps the newest ${MAX_QUEUED_SIGNALS} signals and drains them once`, async () => {
      await stores();
      for (let n = 0; n < MAX_QUEUED_SIGNALS + 5; n += 1) await a.queueSignal('someone', signal(n), 60_000);
      await b.queueSignal('another', signal(-1), 60_000);
      const drained = await b.drainSignals('someone');
      expect(drained).toHaveLength(MAX_QUEUED_SIGNALS);
      expect(drained[0]).toEqual(signal(5));
      expect(drained.at(-1)).toEqual(signal(MAX_QUEUED_SIGNALS + 4));
      expect(await a.drainSignals('someone')).toEqual([]);
      expect(await a.drainSignals('another')).toEqual([signal(-1)]);
    });

    it('drops a queue after its ttl', async () => {
      await stores();
      await a.queueSignal('short', signal(1), 20);
      await a.queueSignal('long', signal(2), 60_000);
      await sleep(60);
      await b.sweep(Date.now(), { promote: true });
      expect(await b.drainSignals('short')).toEqual([]);
      expect(await b.drainSignals('long')).toEqual([signal(2)]);
    });
  });

  it('answers ping', async () => {
    await stores();
    await expect(a.ping()).resolves.toBeUndefined();
  });
});

describe('RedisRoomStore only', () => {
  beforeAll(() => redisEnv.setup(), 15_000);
  afterAll(() => redisEnv.teardown());
  afterEach(() => redisEnv.cleanup());

  async function until<T>(probe: () => Promise<T | null>, ms = 2000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== null) return value;
      if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
      await sleep(10);
    }
  }

  it("detaches a crashed node's members on another node's sweep, then removes them after the grace", async () => {
    await redisEnv.open();
    const live = await redis.backend({ nodeId: 'live', resumeGraceMs: 150 });
    const peer = await redis.backend({ nodeId: 'peer', resumeGraceMs: 150 });
    const doomed = await redis.backend({ nodeId: 'doomed', nodeTtlMs: 60 });
    const first = member({ joinedAt: 1 });
    const resumes = member({ joinedAt: 2 });
    const kept = member({ joinedAt: 3 });
    await joinOk(doomed.store, 'room', first);
    await joinOk(doomed.store, 'room', resumes);
    await joinOk(live.store, 'room', kept);

    await doomed.close(); // stops refreshing its liveness, detaches nothing
    const takenOver = await until(async () => {
      const departures = await live.store.sweep(Date.now(), { promote: true });
      expect(departures).toEqual([]); // the grace starts now
      const record = await live.store.member('room', first.id);
      return record?.socketId === null ? record : null;
    });
    expect(takenOver).toEqual({ ...first, role: 'moderator', socketId: null });
    expect((await live.store.member('room', resumes.id))?.socketId).toBeNull();
    expect((await live.store.member('room', kept.id))?.socketId).toBe(kept.socketId);

    // One resumes on another node within the grace; the other does not.
    expect(await peer.store.attach('room', resumes.id, 'socket-on-peer')).toMatchObject({ socketId: 'socket-on-peer' });
    await sleep(200);
    const now = Date.now();
    const [x, y] = await Promise.all([live.store.sweep(now, { promote: true }), peer.store.sweep(now, { promote: true })]);
    expect([...x, ...y]).toEqual([
      { room: 'room', member: { ...first, role: 'moderator', socketId: null }, promoted: { ...resumes, role: 'moderator', socketId: 'socket-on-peer' } },
    ]);
    expect(ids(await live.store.members('room'))).toEqual([resumes.id, kept.id]);
  });

  it('leaves the members of a live node alone: its liveness is refreshed', async () => {
    await redisEnv.open();
    const sweeper = await redis.backend({ nodeId: 'sweeper', resumeGraceMs: 0 });
    const busy = await redis.backend({ nodeId: 'busy', nodeTtlMs: 150 });
    const record = member();
    await joinOk(busy.store, 'room', record);
    // Twice the node TTL: only the refresh keeps it alive.
    for (let i = 0; i < 15; i += 1) {
      expect(await sweeper.store.sweep(Date.now(), { promote: true })).toEqual([]);
      await sleep(20);
    }
    expect((await sweeper.store.member('room', record.id))?.socketId).toBe(record.socketId);
  });

  it('moves ownership with attach: a resumed member survives its old node and goes with its new one', async () => {
    await redisEnv.open();
    const old = await redis.backend({ nodeId: 'old', nodeTtlMs: 60 });
    const fresh = await redis.backend({ nodeId: 'fresh', nodeTtlMs: 200 });
    const sweeper = await redis.backend({ nodeId: 'sweeper', resumeGraceMs: 0 });
    const record = member();
    await joinOk(old.store, 'room', record);
    await joinOk(sweeper.store, 'room', member());
    await old.store.detach('room', record.id, Date.now() + 60_000);
    await fresh.store.attach('room', record.id, 'socket-fresh');

    await old.close();
    await sleep(120);
    expect(await sweeper.store.sweep(Date.now(), { promote: true })).toEqual([]);
    expect((await sweeper.store.member('room', record.id))?.socketId).toBe('socket-fresh');

    // With no grace, the sweep that takes the dead node over also removes its member.
    await fresh.close();
    await sleep(250);
    const departures = await sweeper.store.sweep(Date.now(), { promote: true });
    expect(departures.map((departure) => departure.member)).toEqual([{ ...record, role: 'moderator', socketId: null }]);
  });

  it('fails fast, naming the URL without its password, when Redis is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    const refused = createRedisBackend({ url: `redis://user:hunter2@127.0.0.1:${port}`, nodeId: 'x', resumeGraceMs: 100 });
    await expect(refused).rejects.toThrow(`Cannot connect to Redis at redis://user:***@127.0.0.1:${port}: connect ECONNREFUSED`);
    await expect(refused).rejects.not.toThrow(/hunter2/);
    expect(Date.now() - started).toBeLessThan(3000);

    // Something listens but never answers: the connect timeout.
    const silent: NetServer = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      await expect(createRedisBackend({ url: `redis://127.0.0.1:${silentPort}`, nodeId: 'x', resumeGraceMs: 100, connectTimeoutMs: 200 })).rejects.toThrow(
        /^Cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+\/?: no answer within 200 ms$/,
      );
    } finally {
      silent.close();
    }
  });

  it('rejects ping once closed', async () => {
    await redisEnv.open();
    const backend = await redis.backend();
    await backend.store.ping();
    await backend.close();
    await expect(backend.store.ping()).rejects.toThrow('Redis connection is end');
  });

  it('gives an adapter that relays between Socket.IO servers', async () => {
    await redisEnv.open();
    const listening = async () => {
      const http = createHttpServer();
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      return new Server(http);
    };
    const [one, two] = [await listening(), await listening()];
    try {
      one.adapter((await redis.backend({ nodeId: 'one' })).adapter);
      two.adapter((await redis.backend({ nodeId: 'two' })).adapter);
      const heard: unknown[] = [];
      two.on('hello', (value: unknown) => heard.push(value));
      // The subscriptions settle asynchronously: say it until heard.
      await until(async () => {
        one.serverSideEmit('hello', 42);
        await sleep(20);
        return heard.length > 0 ? heard : null;
      });
      expect(heard[0]).toBe(42);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
