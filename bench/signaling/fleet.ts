/**
 * Where the bots run: in the benchmark's own process, or split across child processes
 * (each one a BotGroup with whole rooms, so sender and receiver always share a clock).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BotGroup, type GroupConfig, type JoinPhaseResult, type RelayOptions, type RelayPhaseResult } from './bots.js';
import type { BotCommand, BotReply } from './bot-process.js';

export interface Fleet {
  /** The process whose CPU these bots use. */
  readonly pid: number;
  /** Resolves once the bots can be driven (a child process has loaded). */
  ready(): Promise<void>;
  join(): Promise<JoinPhaseResult>;
  relay(options: RelayOptions): Promise<RelayPhaseResult>;
  close(): Promise<void>;
}

class LocalFleet implements Fleet {
  readonly pid = process.pid;
  readonly #group: BotGroup;

  constructor(config: GroupConfig) {
    this.#group = new BotGroup(config);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  join(): Promise<JoinPhaseResult> {
    return this.#group.join();
  }

  relay(options: RelayOptions): Promise<RelayPhaseResult> {
    return this.#group.relay(options);
  }

  close(): Promise<void> {
    return this.#group.close();
  }
}

const botProcessEntry = fileURLToPath(new URL('./bot-process.ts', import.meta.url));

/** A BotGroup in a child process (started with this process's tsx loader), driven over IPC. */
class ChildFleet implements Fleet {
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;
  #waiting: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  #exitError: Error | undefined;

  constructor(config: GroupConfig, label: string) {
    this.#child = fork(botProcessEntry, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    if (this.#child.pid === undefined) throw new Error(`could not start ${label}`);
    this.pid = this.#child.pid;
    this.#child.on('message', (reply: BotReply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (reply.type === 'error') waiting?.reject(new Error(`${label}: ${reply.message}`));
      else waiting?.resolve(reply.value);
    });
    this.#child.on('exit', (code, signal) => {
      this.#exitError = new Error(`${label} exited (code ${code}, signal ${signal})`);
      this.#waiting?.reject(this.#exitError);
      this.#waiting = undefined;
    });
    this.#ready = this.#request<unknown>({ type: 'init', config }).then(() => undefined);
    this.#ready.catch(() => undefined);
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  #request<T>(command: BotCommand): Promise<T> {
    if (this.#exitError) return Promise.reject(this.#exitError);
    return new Promise<T>((resolve, reject) => {
      this.#waiting = { resolve: resolve as (value: unknown) => void, reject };
      this.#child.send(command);
    });
  }

  join(): Promise<JoinPhaseResult> {
    return this.#request<JoinPhaseResult>({ type: 'join' });
  }

  relay(options: RelayOptions): Promise<RelayPhaseResult> {
    return this.#request<RelayPhaseResult>({ type: 'relay', options });
  }

  async close(): Promise<void> {
    if (this.#exitError || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await Promise.race([this.#request<unknown>({ type: 'close' }).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000))]);
    this.#child.kill('SIGTERM');
    await exited;
  }
}

/**
 * Splits the rooms over `processes` child processes, or keeps them all here when 0.
 * Rooms are dealt round robin, and the room concurrency is shared out the same way.
 */
export function createFleets(base: Omit<GroupConfig, 'roomIndices' | 'concurrency'>, rooms: number, concurrency: number, processes: number): Fleet[] {
  const indices = Array.from({ length: rooms }, (_, i) => i);
  if (processes === 0) return [new LocalFleet({ ...base, roomIndices: indices, concurrency })];
  return Array.from({ length: processes }, (_, p) => {
    const roomIndices = indices.filter((i) => i % processes === p);
    const share = Math.max(1, Math.round(concurrency / processes));
    return new ChildFleet({ ...base, roomIndices, concurrency: share }, `bot process ${p + 1}`);
  });
}
