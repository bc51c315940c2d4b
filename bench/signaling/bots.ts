/**
 * A group of bot participants in one process: they open rooms, join, negotiate as the
 * Conclave client does (the newcomer offers, the others answer, both trickle candidates),
 * then keep relaying candidates at a paced rate. Every relayed message carries a tag, so
 * the receiving bot (same process, same clock) knows when it was sent.
 */
import type { ClientToServerEvents, ErrorAck, JoinOk, RelayedSignal, ServerToClientEvents, SignalData } from '@conclave/protocol';
import { io, type Socket } from 'socket.io-client';
import { makeCandidate, makeDescription, newIdentity, tagOf, type Identity } from './sdp.js';
import { Samples } from './stats.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface GroupConfig {
  url: string;
  /** Makes room ids unique to this run. */
  runId: string;
  /** Which rooms of the run this group plays (indices into 0..rooms-1). */
  roomIndices: number[];
  participantsPerRoom: number;
  /** Candidates each side sends to each of its peers during negotiation. */
  candidatesPerPeer: number;
  /** Rooms of this group being set up at the same time. */
  concurrency: number;
  /** A room whose joins and negotiation take longer than this fails the run. */
  roomTimeoutMs: number;
}

export interface JoinPhaseResult {
  sockets: number;
  rooms: number;
  connectMs: Float64Array;
  joinAckMs: Float64Array;
  /** Emit-to-receipt latency of the offers, answers and candidates of the negotiations. */
  relayMs: Float64Array;
  relayed: number;
  sdpBytes: number;
  /** Wall-clock times (ms since the epoch), comparable across processes. */
  startedAt: number;
  firstJoinAt: number;
  lastJoinAckAt: number;
  endedAt: number;
}

export interface RelayOptions {
  seconds: number;
  /** Candidate signals per second this group offers, spread over all its bots. */
  rate: number;
  /** Most signals one bot may have awaiting their ack; beyond it the pacer skips that bot. */
  window: number;
  /** How long to wait after the last send for the messages still in flight. */
  drainMs: number;
}

export interface RelayPhaseResult {
  sent: number;
  received: number;
  /** Sends the pacer could not make because every bot's window was full (overload). */
  skipped: number;
  /** Sent but never received, after the drain. */
  lost: number;
  /** Connections that closed during the phase (an overloaded server's heartbeats come late), by reason. */
  dropped: Record<string, number>;
  latencyMs: Float64Array;
  startedAt: number;
  sendEndedAt: number;
  lastReceiptAt: number;
}

/** One participant: a socket, its identity in SDPs and candidates, its peers. */
class Bot {
  id = '';
  peerIds: string[] = [];
  nextPeer = 0;
  inFlight = 0;
  dropped = false;
  readonly identity: Identity = newIdentity();

  constructor(
    readonly socket: ClientSocket,
    readonly room: Room,
  ) {}
}

interface Room {
  id: string;
  bots: Bot[];
  /** Signals the room's bots must receive for every pair to have negotiated. */
  expected: number;
  received: number;
  negotiated: () => void;
}

const wallClock = (): number => performance.timeOrigin + performance.now();

function errorText(reply: ErrorAck): string {
  return `${reply.error.code}: ${reply.error.message}`;
}

export class BotGroup {
  readonly #config: GroupConfig;
  readonly #bots: Bot[] = [];
  /** Tag of each message in flight → performance.now() when it was emitted. */
  readonly #sentAt = new Map<number, number>();
  #nextTag = 1;
  #latency = new Samples();
  #received = 0;
  #lastReceiptAt = 0;
  #sdpBytes = 0;
  #closing = false;
  /** In the sustained relay phase a closed connection is counted, not fatal: overload is what is measured. */
  #tolerateDrops = false;
  #dropped = new Map<string, number>();
  #fail: (error: Error) => void = () => undefined;
  /** Rejects on the first fatal event (refused ack, lost connection); every phase races it. */
  readonly #failure: Promise<never>;

  constructor(config: GroupConfig) {
    this.#config = config;
    this.#failure = new Promise<never>((_, reject) => (this.#fail = reject));
    this.#failure.catch(() => undefined);
  }

  /** Connects, joins and negotiates every room, a bounded number of rooms at a time. */
  async join(): Promise<JoinPhaseResult> {
    const { roomIndices, concurrency } = this.#config;
    const connectMs = new Samples();
    const joinAckMs = new Samples();
    const times = { first: Number.POSITIVE_INFINITY, last: 0 };
    this.#resetPhase();
    const startedAt = wallClock();

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < roomIndices.length) {
        const index = roomIndices[next] ?? 0;
        next += 1;
        await this.#runRoom(index, connectMs, joinAckMs, times);
      }
    };
    const workers = Array.from({ length: Math.min(concurrency, roomIndices.length) }, worker);
    await Promise.race([Promise.all(workers), this.#failure]);

    return {
      sockets: this.#bots.length,
      rooms: roomIndices.length,
      connectMs: connectMs.toArray(),
      joinAckMs: joinAckMs.toArray(),
      relayMs: this.#latency.toArray(),
      relayed: this.#received,
      sdpBytes: this.#sdpBytes,
      startedAt,
      firstJoinAt: times.first,
      lastJoinAckAt: times.last,
      endedAt: wallClock(),
    };
  }

  async #runRoom(index: number, connectMs: Samples, joinAckMs: Samples, times: { first: number; last: number }): Promise<void> {
    const { participantsPerRoom: n, candidatesPerPeer, roomTimeoutMs, runId } = this.#config;
    const pairs = (n * (n - 1)) / 2;
    const room: Room = { id: `bench-${runId}-${index}`, bots: [], expected: pairs * 2 * (1 + candidatesPerPeer), received: 0, negotiated: () => undefined };
    const negotiated = new Promise<void>((resolve) => (room.negotiated = resolve));

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`room ${room.id} did not finish joining and negotiating within ${roomTimeoutMs / 1000} s (${room.bots.length}/${n} joined, ${room.received}/${room.expected} signals received)`)),
        roomTimeoutMs,
      );
    });
    const setUp = async (): Promise<void> => {
      // The participants arrive one after the other; each newcomer offers to those present.
      for (let k = 0; k < n; k += 1) {
        const bot = await this.#connect(room, connectMs);
        const joinedAt = wallClock();
        times.first = Math.min(times.first, joinedAt);
        const ack = await this.#joinRoom(bot, `Bot ${index}.${k + 1}`, joinAckMs);
        times.last = Math.max(times.last, wallClock());
        for (const peer of ack.peers) this.#offer(bot, peer.id);
      }
      await negotiated;
    };
    try {
      await Promise.race([setUp(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    for (const bot of room.bots) bot.peerIds = room.bots.filter((other) => other !== bot).map((other) => other.id);
  }

  async #connect(room: Room, connectMs: Samples): Promise<Bot> {
    const started = performance.now();
    const socket: ClientSocket = io(this.#config.url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20_000 });
    const bot = new Bot(socket, room);
    this.#bots.push(bot);
    room.bots.push(bot);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(new Error(`a bot could not connect to ${this.#config.url}: ${error.message}`)));
    });
    connectMs.push(performance.now() - started);
    socket.on('signal', (message) => this.#onSignal(bot, message));
    socket.on('disconnect', (reason) => {
      if (this.#closing) return;
      bot.dropped = true;
      if (this.#tolerateDrops) {
        this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1);
        return;
      }
      const hint = reason === 'ping timeout' ? ': no heartbeat from the server within pingInterval + pingTimeout (its event loop was stalled)' : '';
      this.#fail(new Error(`a bot's connection closed (${reason})${hint}`));
    });
    return bot;
  }

  #joinRoom(bot: Bot, name: string, joinAckMs: Samples): Promise<JoinOk> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      bot.socket.emit('join', { room: bot.room.id, name }, (reply) => {
        joinAckMs.push(performance.now() - started);
        if (!reply.ok) return reject(new Error(`join refused: ${errorText(reply)}`));
        bot.id = reply.id;
        resolve(reply);
      });
    });
  }

  /** The newcomer's side of a negotiation: an offer, then its candidates (trickle ICE). */
  #offer(bot: Bot, to: string): void {
    const tag = this.#tag();
    const offer = makeDescription('offer', bot.identity, tag);
    if ('sdp' in offer) this.#sdpBytes = Math.max(this.#sdpBytes, offer.sdp.length);
    this.#send(bot, to, offer, tag);
    this.#sendCandidates(bot, to);
  }

  #sendCandidates(bot: Bot, to: string): void {
    for (let n = 0; n < this.#config.candidatesPerPeer; n += 1) {
      const tag = this.#tag();
      this.#send(bot, to, makeCandidate(bot.identity, tag, n), tag);
    }
  }

  #tag(): number {
    const tag = this.#nextTag;
    this.#nextTag += 1;
    return tag;
  }

  #send(bot: Bot, to: string, data: SignalData, tag: number): void {
    this.#sentAt.set(tag, performance.now());
    bot.inFlight += 1;
    bot.socket.emit('signal', { to, data }, (reply) => {
      bot.inFlight -= 1;
      if (!reply.ok) this.#fail(new Error(`signal refused: ${errorText(reply)}`));
    });
  }

  #onSignal(bot: Bot, message: RelayedSignal): void {
    const now = performance.now();
    const tag = tagOf(message.data);
    const sentAt = tag === undefined ? undefined : this.#sentAt.get(tag);
    if (tag === undefined || sentAt === undefined) {
      this.#fail(new Error(`a bot received a signal it cannot match to a send (type ${message.data.type})`));
      return;
    }
    this.#sentAt.delete(tag);
    this.#latency.push(now - sentAt);
    this.#received += 1;
    this.#lastReceiptAt = now;

    if (message.data.type === 'offer') {
      const answerTag = this.#tag();
      this.#send(bot, message.from, makeDescription('answer', bot.identity, answerTag), answerTag);
      this.#sendCandidates(bot, message.from);
    }
    const room = bot.room;
    room.received += 1;
    if (room.received === room.expected) room.negotiated();
  }

  #resetPhase(): void {
    this.#latency = new Samples();
    this.#received = 0;
  }

  /**
   * Everyone keeps sending candidates to their peers (round robin over bots and peers) at
   * the given rate for the given time. A bot whose window of unacknowledged signals is full
   * is passed over, so an overloaded server meets a bounded queue, not an ever-growing one.
   */
  async relay(options: RelayOptions): Promise<RelayPhaseResult> {
    const { seconds, rate, window, drainMs } = options;
    const bots = this.#bots.filter((bot) => bot.peerIds.length > 0);
    if (bots.length === 0) throw new Error('no joined bots to relay between');
    this.#resetPhase();
    this.#tolerateDrops = true;
    this.#dropped.clear();
    const start = performance.now();
    const startedAt = wallClock();
    const endAt = start + seconds * 1000;
    let attempted = 0;
    let sent = 0;
    let skipped = 0;
    let cursor = 0;

    const tick = (): void => {
      const now = Math.min(performance.now(), endAt);
      let budget = Math.floor(((now - start) / 1000) * rate) - attempted;
      attempted += budget;
      let passedOver = 0;
      while (budget > 0 && passedOver < bots.length) {
        const bot = bots[cursor % bots.length] as Bot;
        cursor += 1;
        if (bot.inFlight >= window || bot.dropped) {
          passedOver += 1;
          continue;
        }
        passedOver = 0;
        const to = bot.peerIds[bot.nextPeer % bot.peerIds.length] as string;
        bot.nextPeer += 1;
        const tag = this.#tag();
        this.#send(bot, to, makeCandidate(bot.identity, tag, tag), tag);
        sent += 1;
        budget -= 1;
      }
      skipped += budget;
    };

    let pacer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          pacer = setInterval(() => {
            tick();
            if (performance.now() >= endAt) resolve();
          }, 2);
        }),
        this.#failure,
      ]);
    } finally {
      clearInterval(pacer);
    }
    const sendEndedAt = wallClock();

    // Wait for what is still in flight; stop early once nothing has arrived for a second
    // (messages to a dropped connection never will).
    const drainUntil = performance.now() + drainMs;
    while (this.#sentAt.size > 0 && performance.now() < drainUntil && performance.now() - this.#lastReceiptAt < 1000) {
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 10)), this.#failure]);
    }
    this.#tolerateDrops = false;
    return {
      sent,
      received: this.#received,
      skipped,
      lost: this.#sentAt.size,
      dropped: Object.fromEntries(this.#dropped),
      latencyMs: this.#latency.toArray(),
      startedAt,
      sendEndedAt,
      lastReceiptAt: this.#received ? performance.timeOrigin + this.#lastReceiptAt : sendEndedAt,
    };
  }

  /** Disconnects every bot and waits (briefly) for the sockets to close. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const bot of this.#bots) bot.socket.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
