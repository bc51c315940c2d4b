import { createHash } from 'node:crypto';
import type { RelayedSignal } from '@conclave/protocol';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import {
  MAX_QUEUED_SIGNALS,
  type Departure,
  type JoinOptions,
  type JoinResult,
  type LobbyEntry,
  type MemberRecord,
  type RoomSettings,
  type RoomStore,
  type SettingsPatch,
} from './room-store.js';

/*
 * Layout (P = key prefix). Per room R, under `P room:R:`:
 *   settings        hash  field → JSON of that RoomSettings field
 *   members         hash  id → JSON of the MemberRecord without role, socketId and joinedAt
 *   roles           hash  id → role
 *   sockets         hash  id → socketId (no field while detached)
 *   joined          hash  id → joinedAt
 *   order           list  ids in join order (breaks joinedAt ties as the memory store's Map order does)
 *   lobby           hash  id → JSON of the LobbyEntry without admitted
 *   lobby-admitted  set   admitted lobby ids
 *   lobby-order     list  lobby ids in knock order
 * Shared:
 *   deadlines       zset  entry → deadline of a detached member
 *   owners          hash  entry → node id of the process holding the member's connection
 *   nodes           set   node ids that may own members
 *   node:N:alive    string with a TTL, refreshed by node N while it lives
 *   node:N:members  set   entries owned by node N
 *   queue:ID        list  JSON signals kept for detached member ID
 * An entry names a member across rooms: "<byte length of room>:<room><id>", built and parsed in Lua only.
 *
 * Lua never decodes or writes the JSON above: Redis's cjson re-encodes numbers with 14 significant
 * digits and mangles lone surrogates. What the scripts decide on (role, socket, joinedAt, order,
 * locked) is kept as plain strings beside the JSON, which is written and read by this file only.
 *
 * Scripts derive key names from the prefix (sweep only learns its rooms inside Redis), so they
 * need one Redis server, not Redis Cluster.
 */

/** Helpers prepended to every script. ARGV[1] is always the key prefix. */
const LUA_LIB = `
local P = ARGV[1]
local function roomKey(room, part) return P .. 'room:' .. room .. ':' .. part end
local ROOM_PARTS = { 'settings', 'members', 'roles', 'sockets', 'joined', 'order', 'lobby', 'lobby-admitted', 'lobby-order' }

local function entryOf(room, id) return #room .. ':' .. room .. id end
local function parseEntry(entry)
  local length, rest = string.match(entry, '^(%d+):(.*)$')
  length = tonumber(length)
  return string.sub(rest, 1, length), string.sub(rest, length + 1)
end

-- {json, role, socketId or false, joinedAt}; decoded by decodeMember().
local function readMember(room, id)
  return {
    redis.call('HGET', roomKey(room, 'members'), id),
    redis.call('HGET', roomKey(room, 'roles'), id),
    redis.call('HGET', roomKey(room, 'sockets'), id),
    redis.call('HGET', roomKey(room, 'joined'), id),
  }
end

local function readMembers(room)
  local out = {}
  for _, id in ipairs(redis.call('LRANGE', roomKey(room, 'order'), 0, -1)) do table.insert(out, readMember(room, id)) end
  return out
end

local function disown(entry)
  local owner = redis.call('HGET', P .. 'owners', entry)
  if owner then
    redis.call('SREM', P .. 'node:' .. owner .. ':members', entry)
    redis.call('HDEL', P .. 'owners', entry)
  end
end

local function own(entry, node)
  disown(entry)
  redis.call('HSET', P .. 'owners', entry, node)
  redis.call('SADD', P .. 'node:' .. node .. ':members', entry)
end

local function dropRoomIfEmpty(room)
  if redis.call('HLEN', roomKey(room, 'members')) == 0 and redis.call('HLEN', roomKey(room, 'lobby')) == 0 then
    for _, part in ipairs(ROOM_PARTS) do redis.call('DEL', roomKey(room, part)) end
  end
end

-- Same rule as nextModerator(): none while a moderator remains; else the participant with the
-- smallest joinedAt, the earliest joiner on a tie; never a recorder.
local function nextModerator(room)
  local best, bestAt = nil, nil
  for _, id in ipairs(redis.call('LRANGE', roomKey(room, 'order'), 0, -1)) do
    local role = redis.call('HGET', roomKey(room, 'roles'), id)
    if role == 'moderator' then return nil end
    if role == 'participant' then
      local at = tonumber(redis.call('HGET', roomKey(room, 'joined'), id))
      if best == nil or at < bestAt then best, bestAt = id, at end
    end
  end
  return best
end

-- {room, member, promoted member or false}, or nil when the member is not there.
local function removeMember(room, id, promote)
  if redis.call('HEXISTS', roomKey(room, 'members'), id) == 0 then return nil end
  local member = readMember(room, id)
  for _, part in ipairs({ 'members', 'roles', 'sockets', 'joined' }) do redis.call('HDEL', roomKey(room, part), id) end
  redis.call('LREM', roomKey(room, 'order'), 0, id)
  local entry = entryOf(room, id)
  redis.call('ZREM', P .. 'deadlines', entry)
  disown(entry)
  redis.call('DEL', P .. 'queue:' .. id)
  local promoted = false
  if promote then
    local heir = nextModerator(room)
    if heir then
      redis.call('HSET', roomKey(room, 'roles'), heir, 'moderator')
      promoted = readMember(room, heir)
    end
  end
  dropRoomIfEmpty(room)
  return { room, member, promoted }
end
`;

/**
 * Lock check, capacity check, settings of a new room, first-is-moderator and the insert, in one step.
 * ARGV: prefix, room, id, json, role, hasSocket, socketId, joinedAt, capacity, ignoreLock, firstIsModerator,
 * node, then settings field/value pairs. Returns {'locked'}, {'room-full'} or {'ok', created, role, settings, others}.
 */
const JOIN = `
local room, id = ARGV[2], ARGV[3]
local members, settings = roomKey(room, 'members'), roomKey(room, 'settings')
local count = redis.call('HLEN', members)
local created = count == 0
if not created and ARGV[10] ~= '1' and redis.call('HGET', settings, 'locked') == 'true' then return { 'locked' } end
if count >= tonumber(ARGV[9]) then return { 'room-full' } end
if created then
  -- A room left with only a lobby keeps old settings: a new first member starts afresh.
  redis.call('DEL', settings)
  if #ARGV >= 14 then redis.call('HSET', settings, unpack(ARGV, 13)) end
end
local others = readMembers(room)
local role = ARGV[5]
if created and ARGV[11] == '1' and role == 'participant' then role = 'moderator' end
if redis.call('HEXISTS', members, id) == 0 then redis.call('RPUSH', roomKey(room, 'order'), id) end
redis.call('HSET', members, id, ARGV[4])
redis.call('HSET', roomKey(room, 'roles'), id, role)
if ARGV[6] == '1' then redis.call('HSET', roomKey(room, 'sockets'), id, ARGV[7]) else redis.call('HDEL', roomKey(room, 'sockets'), id) end
redis.call('HSET', roomKey(room, 'joined'), id, ARGV[8])
own(entryOf(room, id), ARGV[12])
return { 'ok', created and 1 or 0, role, redis.call('HGETALL', settings), others }
`;

/** Removes a member and maybe promotes the next moderator. ARGV: prefix, room, id, promote. */
const LEAVE = `
return removeMember(ARGV[2], ARGV[3], ARGV[4] == '1') or false
`;

/** Patches the settings of a room with members. ARGV: prefix, room, then field/value pairs. */
const UPDATE_SETTINGS = `
local room = ARGV[2]
if redis.call('HLEN', roomKey(room, 'members')) == 0 then return false end
if #ARGV >= 4 then redis.call('HSET', roomKey(room, 'settings'), unpack(ARGV, 3)) end
return redis.call('HGETALL', roomKey(room, 'settings'))
`;

/** Keeps a member's seat until its deadline; its node no longer owns it. ARGV: prefix, room, id, deadline. */
const DETACH = `
local room, id = ARGV[2], ARGV[3]
if redis.call('HEXISTS', roomKey(room, 'members'), id) == 0 then return 0 end
-- Only the connection that dropped may detach: not one the member has since resumed on.
if ARGV[5] ~= '' and redis.call('HGET', roomKey(room, 'sockets'), id) ~= ARGV[5] then return 0 end
redis.call('HDEL', roomKey(room, 'sockets'), id)
local entry = entryOf(room, id)
redis.call('ZADD', P .. 'deadlines', ARGV[4], entry)
disown(entry)
return 1
`;

/** A member resumed on this node. ARGV: prefix, room, id, socketId, node. */
const ATTACH = `
local room, id = ARGV[2], ARGV[3]
if redis.call('HEXISTS', roomKey(room, 'members'), id) == 0 then return false end
redis.call('HSET', roomKey(room, 'sockets'), id, ARGV[4])
local entry = entryOf(room, id)
redis.call('ZREM', P .. 'deadlines', entry)
own(entry, ARGV[5])
return readMember(room, id)
`;

/**
 * First detaches the members of nodes whose liveness key expired (deadline = takeover deadline),
 * then removes every member whose deadline is at or before now. Being one script, each dead node
 * is taken over, and each departure returned, by exactly one caller.
 * ARGV: prefix, now, takeover deadline, promote.
 */
const SWEEP = `
for _, node in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
  if redis.call('EXISTS', P .. 'node:' .. node .. ':alive') == 0 then
    local owned = P .. 'node:' .. node .. ':members'
    for _, entry in ipairs(redis.call('SMEMBERS', owned)) do
      local room, id = parseEntry(entry)
      if redis.call('HEXISTS', roomKey(room, 'members'), id) == 1 then
        redis.call('HDEL', roomKey(room, 'sockets'), id)
        redis.call('ZADD', P .. 'deadlines', ARGV[3], entry)
      end
      redis.call('HDEL', P .. 'owners', entry)
    end
    redis.call('DEL', owned)
    redis.call('SREM', P .. 'nodes', node)
  end
end
local departures = {}
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', P .. 'deadlines', '-inf', ARGV[2])) do
  redis.call('ZREM', P .. 'deadlines', entry)
  local room, id = parseEntry(entry)
  local departure = removeMember(room, id, ARGV[4] == '1')
  if departure then table.insert(departures, departure) end
end
return departures
`;

/** Adds or replaces a lobby entry of an existing room. ARGV: prefix, room, id, json, admitted. */
const LOBBY_ADD = `
local room, id = ARGV[2], ARGV[3]
if redis.call('EXISTS', roomKey(room, 'settings')) == 0 then return 0 end
if redis.call('HEXISTS', roomKey(room, 'lobby'), id) == 0 then redis.call('RPUSH', roomKey(room, 'lobby-order'), id) end
redis.call('HSET', roomKey(room, 'lobby'), id, ARGV[4])
if ARGV[5] == '1' then redis.call('SADD', roomKey(room, 'lobby-admitted'), id) else redis.call('SREM', roomKey(room, 'lobby-admitted'), id) end
return 1
`;

/** Marks a lobby entry admitted if it is still there. ARGV: prefix, room, id. */
const LOBBY_ADMIT = `
local room, id = ARGV[2], ARGV[3]
if redis.call('HEXISTS', roomKey(room, 'lobby'), id) == 0 then return 0 end
redis.call('SADD', roomKey(room, 'lobby-admitted'), id)
return 1
`;

/** Removes a lobby entry, returning {json, admitted}; drops the room if nothing is left. ARGV: prefix, room, id. */
const LOBBY_TAKE = `
local room, id = ARGV[2], ARGV[3]
local json = redis.call('HGET', roomKey(room, 'lobby'), id)
if not json then return false end
local admitted = redis.call('SISMEMBER', roomKey(room, 'lobby-admitted'), id)
redis.call('HDEL', roomKey(room, 'lobby'), id)
redis.call('SREM', roomKey(room, 'lobby-admitted'), id)
redis.call('LREM', roomKey(room, 'lobby-order'), 0, id)
dropRoomIfEmpty(room)
return { json, admitted }
`;

/** A Lua script run by EVALSHA, loaded with EVAL when the server does not know it (yet). */
class Script {
  readonly #source: string;
  readonly #sha: string;

  constructor(body: string) {
    this.#source = LUA_LIB + body;
    this.#sha = createHash('sha1').update(this.#source).digest('hex');
  }

  async run(client: Redis, args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, 0, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#source, 0, ...args);
    }
  }
}

const SCRIPTS = {
  join: new Script(JOIN),
  leave: new Script(LEAVE),
  updateSettings: new Script(UPDATE_SETTINGS),
  detach: new Script(DETACH),
  attach: new Script(ATTACH),
  sweep: new Script(SWEEP),
  lobbyAdd: new Script(LOBBY_ADD),
  lobbyAdmit: new Script(LOBBY_ADMIT),
  lobbyTake: new Script(LOBBY_TAKE),
};

// ---- encoding: what JS writes, and decoding what Lua and MULTI return ----

type Reply = unknown;

function list(reply: Reply): Reply[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected Redis reply: ${JSON.stringify(reply)}`);
  return reply;
}

function text(reply: Reply): string {
  if (typeof reply !== 'string') throw new Error(`unexpected Redis reply: ${JSON.stringify(reply)}`);
  return reply;
}

/** Field/value pairs, each value as JSON (undefined values are left out, as JSON would). */
function settingsArgs(settings: Partial<RoomSettings>): string[] {
  const args: string[] = [];
  for (const [field, value] of Object.entries(settings)) if (value !== undefined) args.push(field, JSON.stringify(value));
  return args;
}

function decodeSettings(fields: Record<string, string>): RoomSettings {
  return Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, JSON.parse(value) as unknown])) as unknown as RoomSettings;
}

/** HGETALL as Lua returns it: a flat field, value, field, value list. */
function decodeSettingsList(reply: Reply): RoomSettings {
  const flat = list(reply).map(text);
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return decodeSettings(fields);
}

function memberJson(member: MemberRecord): string {
  const { role: _role, socketId: _socketId, joinedAt: _joinedAt, ...rest } = member;
  return JSON.stringify(rest);
}

function makeMember(json: string, role: string, socketId: string | null, joinedAt: string): MemberRecord {
  const rest = JSON.parse(json) as Omit<MemberRecord, 'role' | 'socketId' | 'joinedAt'>;
  return { ...rest, role: role as MemberRecord['role'], socketId, joinedAt: Number(joinedAt) };
}

/** readMember() of the Lua library. */
function decodeMember(reply: Reply): MemberRecord {
  const [json, role, socketId, joinedAt] = list(reply);
  return makeMember(text(json), text(role), socketId === null ? null : text(socketId), text(joinedAt));
}

/** Oldest first; Array.prototype.sort is stable, so joinedAt ties keep join order as in the memory store. */
function byJoinedAt(members: MemberRecord[]): MemberRecord[] {
  return members.sort((a, b) => a.joinedAt - b.joinedAt);
}

function decodeDeparture(reply: Reply): Departure {
  const [room, member, promoted] = list(reply);
  return { room: text(room), member: decodeMember(member), promoted: promoted === null ? null : decodeMember(promoted) };
}

function lobbyJson(entry: LobbyEntry): string {
  const { admitted: _admitted, ...rest } = entry;
  return JSON.stringify(rest);
}

function makeLobbyEntry(json: string, admitted: boolean): LobbyEntry {
  return { ...(JSON.parse(json) as Omit<LobbyEntry, 'admitted'>), admitted };
}

/** Runs commands in MULTI/EXEC (one atomic step) and returns their results, throwing the first error. */
async function transaction(client: Redis, build: (multi: ReturnType<Redis['multi']>) => void): Promise<Reply[]> {
  const multi = client.multi();
  build(multi);
  const results = await multi.exec();
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

/**
 * RoomStore shared by several signaling processes through one Redis server. Each process passes
 * its own nodeId: members it joins or attaches are recorded as its own, so that when it dies
 * without detaching them another process's sweep() detaches them.
 */
export class RedisRoomStore implements RoomStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #nodeId: string;
  readonly #resumeGraceMs: number;
  readonly #onClose: () => Promise<void>;

  /** `onClose` runs on close(): createRedisBackend() passes its own close, so either closes both. */
  constructor(client: Redis, options: { keyPrefix: string; nodeId: string; resumeGraceMs: number; onClose?: () => Promise<void> }) {
    this.#client = client;
    this.#prefix = options.keyPrefix;
    this.#nodeId = options.nodeId;
    this.#resumeGraceMs = options.resumeGraceMs;
    this.#onClose = options.onClose ?? (async () => {});
  }

  #roomKey(room: string, part: string): string {
    return `${this.#prefix}room:${room}:${part}`;
  }

  #run(script: Script, ...args: (string | number)[]): Promise<Reply> {
    return script.run(this.#client, [this.#prefix, ...args]);
  }

  async settings(room: string): Promise<RoomSettings | null> {
    const [count, fields] = await transaction(this.#client, (multi) => {
      multi.hlen(this.#roomKey(room, 'members'));
      multi.hgetall(this.#roomKey(room, 'settings'));
    });
    return count === 0 ? null : decodeSettings(fields as Record<string, string>);
  }

  async join(room: string, member: MemberRecord, options: JoinOptions): Promise<JoinResult> {
    const reply = list(
      await this.#run(
        SCRIPTS.join,
        room,
        member.id,
        memberJson(member),
        member.role,
        member.socketId === null ? '0' : '1',
        member.socketId ?? '',
        String(member.joinedAt),
        options.capacity,
        options.ignoreLock ? '1' : '0',
        options.firstIsModerator ? '1' : '0',
        this.#nodeId,
        ...settingsArgs(options.initial),
      ),
    );
    const status = text(reply[0]);
    if (status === 'locked' || status === 'room-full') return { ok: false, reason: status };
    const [, created, role, settings, others] = reply;
    return {
      ok: true,
      member: { ...member, role: text(role) as MemberRecord['role'] },
      others: byJoinedAt(list(others).map(decodeMember)),
      settings: decodeSettingsList(settings),
      created: created === 1,
    };
  }

  async leave(room: string, id: string, options: { promote: boolean }): Promise<Departure | null> {
    const reply = await this.#run(SCRIPTS.leave, room, id, options.promote ? '1' : '0');
    return reply === null ? null : decodeDeparture(reply);
  }

  async member(room: string, id: string): Promise<MemberRecord | null> {
    const [json, role, socketId, joinedAt] = await transaction(this.#client, (multi) => {
      for (const part of ['members', 'roles', 'sockets', 'joined']) multi.hget(this.#roomKey(room, part), id);
    });
    if (json === null) return null;
    return makeMember(text(json), text(role), socketId === null ? null : text(socketId), text(joinedAt));
  }

  async members(room: string): Promise<MemberRecord[]> {
    const [order, ...hashes] = await transaction(this.#client, (multi) => {
      multi.lrange(this.#roomKey(room, 'order'), 0, -1);
      for (const part of ['members', 'roles', 'sockets', 'joined']) multi.hgetall(this.#roomKey(room, part));
    });
    const [jsons = {}, roles = {}, sockets = {}, joined = {}] = hashes as Record<string, string>[];
    const members = (order as string[]).map((id) => makeMember(text(jsons[id]), text(roles[id]), sockets[id] ?? null, text(joined[id])));
    return byJoinedAt(members);
  }

  async updateSettings(room: string, patch: SettingsPatch): Promise<RoomSettings | null> {
    const reply = await this.#run(SCRIPTS.updateSettings, room, ...settingsArgs(patch));
    return reply === null ? null : decodeSettingsList(reply);
  }

  async detach(room: string, id: string, deadline: number, expectedSocketId?: string): Promise<boolean> {
    return (await this.#run(SCRIPTS.detach, room, id, String(deadline), expectedSocketId ?? '')) === 1;
  }

  async attach(room: string, id: string, socketId: string): Promise<MemberRecord | null> {
    const reply = await this.#run(SCRIPTS.attach, room, id, socketId, this.#nodeId);
    return reply === null ? null : decodeMember(reply);
  }

  async sweep(now: number, options: { promote: boolean }): Promise<Departure[]> {
    // Members of a crashed node get the same grace as after a dropped connection, from now.
    const reply = await this.#run(SCRIPTS.sweep, String(now), String(now + this.#resumeGraceMs), options.promote ? '1' : '0');
    return list(reply).map(decodeDeparture);
  }

  async lobbyAdd(room: string, entry: LobbyEntry): Promise<void> {
    await this.#run(SCRIPTS.lobbyAdd, room, entry.id, lobbyJson(entry), entry.admitted ? '1' : '0');
  }

  async lobbyGet(room: string, id: string): Promise<LobbyEntry | null> {
    const [json, admitted] = await transaction(this.#client, (multi) => {
      multi.hget(this.#roomKey(room, 'lobby'), id);
      multi.sismember(this.#roomKey(room, 'lobby-admitted'), id);
    });
    return json === null ? null : makeLobbyEntry(text(json), admitted === 1);
  }

  async lobbyAdmit(room: string, id: string): Promise<boolean> {
    return (await this.#run(SCRIPTS.lobbyAdmit, room, id)) === 1;
  }

  async lobbyTake(room: string, id: string): Promise<LobbyEntry | null> {
    const reply = await this.#run(SCRIPTS.lobbyTake, room, id);
    if (reply === null) return null;
    const [json, admitted] = list(reply);
    return makeLobbyEntry(text(json), admitted === 1);
  }

  async lobbyList(room: string): Promise<LobbyEntry[]> {
    const [order, jsons, admitted] = (await transaction(this.#client, (multi) => {
      multi.lrange(this.#roomKey(room, 'lobby-order'), 0, -1);
      multi.hgetall(this.#roomKey(room, 'lobby'));
      multi.smembers(this.#roomKey(room, 'lobby-admitted'));
    })) as [string[], Record<string, string>, string[]];
    const admittedIds = new Set(admitted);
    // Stable sort over knock order: knockedAt ties keep insertion order, as in the memory store.
    return order.map((id) => makeLobbyEntry(text(jsons[id]), admittedIds.has(id))).sort((a, b) => a.knockedAt - b.knockedAt);
  }

  async queueSignal(id: string, message: RelayedSignal, ttlMs: number): Promise<void> {
    const key = `${this.#prefix}queue:${id}`;
    await transaction(this.#client, (multi) => {
      multi.rpush(key, JSON.stringify(message));
      multi.ltrim(key, -MAX_QUEUED_SIGNALS, -1);
      // PEXPIRE takes a positive integer; a TTL under 1 ms is as good as none.
      multi.pexpire(key, Math.max(1, Math.ceil(ttlMs)));
    });
  }

  async drainSignals(id: string): Promise<RelayedSignal[]> {
    const key = `${this.#prefix}queue:${id}`;
    const [messages] = await transaction(this.#client, (multi) => {
      multi.lrange(key, 0, -1);
      multi.del(key);
    });
    return (messages as string[]).map((message) => JSON.parse(message) as RelayedSignal);
  }

  async ping(): Promise<void> {
    // Fail at once while disconnected: commands would wait in the offline queue.
    if (this.#client.status !== 'ready') throw new Error(`Redis connection is ${this.#client.status}`);
    await this.#client.ping();
  }

  async close(): Promise<void> {
    await this.#onClose();
  }
}

// ---- backend: connections, liveness, adapter ----

export interface RedisBackendOptions {
  /** redis:// or rediss:// URL, with the password if any. */
  url: string;
  /** Unique per signaling process (a restarted process should get a new one). */
  nodeId: string;
  /** Prefix of every key and of the adapter's channels; default 'conclave:'. */
  keyPrefix?: string;
  /** This process counts as crashed once it has not refreshed its liveness for this long; default 10 s. */
  nodeTtlMs?: number;
  /** Seats of a crashed node's members are kept this long for them to resume elsewhere. */
  resumeGraceMs: number;
  /** How long start may take before failing; default 3 s. */
  connectTimeoutMs?: number;
  /** Connection errors after start (ioredis reconnects by itself); failed commands also reject. */
  onError?: (error: Error) => void;
}

export interface RedisBackend {
  store: RoomStore;
  /** for io.adapter(...) */
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/** The URL with its password masked, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable Redis URL)';
  }
}

/** Connects or throws a clear Error within timeoutMs (ioredis alone would keep retrying). */
async function connect(client: Redis, url: string, timeoutMs: number): Promise<void> {
  const seen: { error?: Error } = {};
  const remember = (error: Error): void => {
    seen.error = error;
  };
  client.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    // ioredis rejects with "Connection is closed."; its error event says why.
    const reason = seen.error?.message ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`Cannot connect to Redis at ${redact(url)}: ${reason}`, { cause: error });
  } finally {
    clearTimeout(timer);
    client.off('error', remember);
  }
}

export async function createRedisBackend(options: RedisBackendOptions): Promise<RedisBackend> {
  const keyPrefix = options.keyPrefix ?? 'conclave:';
  const nodeTtlMs = options.nodeTtlMs ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const onError = options.onError ?? (() => {});

  const pub = new Redis(options.url, { lazyConnect: true, connectTimeout: connectTimeoutMs });
  const sub = pub.duplicate();
  try {
    await Promise.all([connect(pub, options.url, connectTimeoutMs), connect(sub, options.url, connectTimeoutMs)]);
  } catch (error) {
    pub.disconnect();
    sub.disconnect();
    throw error;
  }
  pub.on('error', onError);
  sub.on('error', onError);

  const alive = `${keyPrefix}node:${options.nodeId}:alive`;
  const heartbeat = async (): Promise<void> => {
    // SADD too: a sweeper may have taken this node for dead (after a long pause) and dropped it.
    await transaction(pub, (multi) => {
      multi.set(alive, '1', 'PX', nodeTtlMs);
      multi.sadd(`${keyPrefix}nodes`, options.nodeId);
    });
  };
  try {
    await heartbeat();
  } catch (error) {
    pub.disconnect();
    sub.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Redis at ${redact(options.url)} refused the first write (a replica, or missing ACL permissions?): ${reason}`, { cause: error });
  }
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  }, Math.max(1, Math.floor(nodeTtlMs / 3)));
  timer.unref();

  // Stops the heartbeat and closes both connections; once, however often it is called.
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(timer);
      await Promise.all(
        [pub, sub].map(async (client) => {
          if (client.status === 'end') return;
          // QUIT's reply comes before the socket closes: wait for 'end' so that close() means closed.
          const ended = new Promise((resolve) => client.once('end', resolve));
          try {
            await client.quit();
          } catch {
            client.disconnect();
          }
          await ended;
        }),
      );
    })();
    return closing;
  };

  const store = new RedisRoomStore(pub, { keyPrefix, nodeId: options.nodeId, resumeGraceMs: options.resumeGraceMs, onClose: close });
  const adapter = createAdapter(pub, sub, { key: `${keyPrefix}socket.io` });
  return { store, adapter, close };
}
