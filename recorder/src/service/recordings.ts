import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Logger } from 'pino';
import { z } from 'zod';
import { mintRecorderToken } from '@conclave/signaling/recording-tokens';
import type { RecorderBrowser } from './browser.js';
import { writeFileAtomic } from '../manifest/fsync.js';
import { ChunkFiles } from './chunk-files.js';
import type { RecorderServiceConfig } from './config.js';
import type { RecorderMetrics } from './metrics.js';

const encryptionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('e2ee'), secret: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/) }),
  z.strictObject({ kind: z.literal('transport') }),
]);
export type RecordingEncryption = z.infer<typeof encryptionSchema>;

const stateSchema = z.strictObject({
  id: z.string(),
  room: z.string(),
  startedAt: z.number(),
  stoppedAt: z.number().nullable(),
  status: z.enum(['recording', 'finalizing', 'done', 'failed']),
  /** Kept only while recording: the recorder page needs it to decrypt; erased once stopped. */
  encryption: encryptionSchema.nullable(),
  uploadKey: z.string(),
  /** Times the recorder page was opened again (after a browser crash or a service restart). */
  restarts: z.array(z.number()),
  error: z.string().nullable(),
});
export type RecordingState = z.infer<typeof stateSchema>;

export { encryptionSchema };

/** How long a stopping recorder page may take to upload its last chunks. */
const STOP_TIMEOUT_MS = 120_000;

export type Finalizer = (state: RecordingState, chunks: ChunkFiles) => Promise<void>;

/**
 * Active and finished recordings. Each has a work directory (`<data>/work/<id>`: its
 * state and chunks) that survives a service restart: recordings still marked
 * `recording` are reopened at start.
 */
export class Recordings {
  readonly #states = new Map<string, RecordingState>();
  readonly #pages = new Map<string, Page>();

  constructor(
    readonly config: RecorderServiceConfig,
    readonly browser: RecorderBrowser,
    readonly finalize: Finalizer,
    readonly metrics: RecorderMetrics,
    readonly log: Logger,
  ) {}

  workDir(id: string): string {
    return join(this.config.RECORDER_DATA_DIR, 'work', id);
  }

  get(id: string): RecordingState | undefined {
    return this.#states.get(id);
  }

  chunks(id: string): ChunkFiles {
    return new ChunkFiles(this.workDir(id), this.writeChunkFile);
  }

  /** How chunk files are written (tests replace it to fill the disk). */
  writeChunkFile: ChunkFiles['write'] = writeFileAtomic;

  /** Loads what the disk holds and reopens the recordings that were running. */
  async resume(): Promise<void> {
    const root = join(this.config.RECORDER_DATA_DIR, 'work');
    for (const id of await readdir(root).catch(() => [] as string[])) {
      const state = await readFile(join(root, id, 'recording.json'), 'utf8').then((text) => stateSchema.parse(JSON.parse(text)), () => null);
      if (!state) continue;
      this.#states.set(id, state);
      if (state.status === 'recording') await this.#openPage(state, 'service restart');
      else if (state.status === 'finalizing') this.#track(this.#finalize(state));
    }
  }

  /** Starts recording a room, or returns the recording already running there. */
  async start(room: string, encryption: RecordingEncryption): Promise<RecordingState> {
    const running = [...this.#states.values()].find((state) => state.room === room && state.status === 'recording');
    if (running) return running;
    const state: RecordingState = {
      id: randomBytes(12).toString('base64url'),
      room,
      startedAt: Date.now(),
      stoppedAt: null,
      status: 'recording',
      encryption,
      uploadKey: randomBytes(24).toString('base64url'),
      restarts: [],
      error: null,
    };
    await mkdir(this.workDir(state.id), { recursive: true });
    await this.#save(state);
    this.#states.set(state.id, state);
    await this.#openPage(state, null);
    this.metrics.active.inc();
    this.log.info({ recording: state.id, room }, 'recording started');
    return state;
  }

  /** Stops the room's recording: the page uploads what it still holds, then the files are made. */
  async stop(room: string): Promise<RecordingState | null> {
    const state = [...this.#states.values()].find((candidate) => candidate.room === room && candidate.status === 'recording');
    if (!state) return null;
    const page = this.#pages.get(state.id);
    state.status = 'finalizing';
    state.stoppedAt = Date.now();
    state.encryption = null;
    await this.#save(state);
    this.metrics.active.dec();
    try {
      // The page uploads what it still holds; a service that cannot take it must not hang the stop forever.
      const stopped = page?.evaluate(() => (window as unknown as { conclaveRecorder: { stop(): Promise<void> } }).conclaveRecorder.stop());
      await Promise.race([stopped, new Promise((_, reject) => setTimeout(() => reject(new Error('the recorder page did not finish uploading in time')), STOP_TIMEOUT_MS))]);
    } catch (error) {
      // The page is gone: its profile may still hold chunks, drained at the next open. Finalize with what is stored.
      this.log.warn({ recording: state.id, err: String(error) }, 'the recorder page could not stop cleanly');
    }
    await page?.close().catch(() => undefined);
    this.#pages.delete(state.id);
    this.#track(this.#finalize(state));
    return state;
  }

  /** The browser restarted: every running recording's page opens again and drains its chunks. */
  async reopenAll(): Promise<void> {
    for (const state of this.#states.values()) if (state.status === 'recording') await this.#openPage(state, 'browser restart');
  }

  /** Stops every running recording and waits until each is sealed (or failed). */
  async stopAll(): Promise<void> {
    const rooms = [...this.#states.values()].filter((state) => state.status === 'recording').map((state) => state.room);
    await Promise.all(rooms.map((room) => this.stop(room)));
    await Promise.all([...this.#finalizing]);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#finalizing]);
    await this.browser.close();
  }

  async #openPage(state: RecordingState, restartReason: string | null): Promise<void> {
    if (restartReason) {
      state.restarts.push(Date.now());
      await this.#save(state);
      this.log.warn({ recording: state.id, reason: restartReason }, 'recorder page reopened');
    }
    const token = await mintRecorderToken(this.config.RECORDER_SECRET, { room: state.room, recording: state.id, ttlSeconds: 3600 });
    const fragment = Buffer.from(
      JSON.stringify({
        recording: state.id,
        room: state.room,
        secret: state.encryption?.kind === 'e2ee' ? state.encryption.secret : null,
        token,
        signalingUrl: this.config.SIGNALING_URL,
        serviceUrl: this.config.publicUrl,
        uploadKey: state.uploadKey,
        segmentMs: this.config.SEGMENT_SECONDS * 1000,
        feedDecoders: this.config.FEED_DECODERS,
      }),
    ).toString('base64url');
    const page = await this.browser.open(`${this.config.publicUrl}/recorder.html#${fragment}`);
    this.#pages.set(state.id, page);
  }

  readonly #finalizing = new Set<Promise<void>>();

  #track(job: Promise<void>): void {
    this.#finalizing.add(job);
    void job.finally(() => this.#finalizing.delete(job));
  }

  async #finalize(state: RecordingState): Promise<void> {
    try {
      await this.finalize(state, this.chunks(state.id));
      state.status = 'done';
      this.log.info({ recording: state.id }, 'recording finished');
    } catch (error) {
      state.status = 'failed';
      state.error = error instanceof Error ? error.message : String(error);
      this.metrics.failures.inc();
      this.log.error({ recording: state.id, err: state.error }, 'recording could not be finished');
    }
    await this.#save(state);
  }

  async #save(state: RecordingState): Promise<void> {
    // It holds the room secret while recording: readable by this service's user only.
    await writeFileAtomic(join(this.workDir(state.id), 'recording.json'), JSON.stringify(state), 0o600);
  }
}
