/**
 * Batches a recorder's tapped frames into chunks of about CHUNK_MS per participant and
 * track (no DOM). A chunk never spans two segments: rotate() closes every open batch.
 */
import type { ChunkFrame } from '@conclave/protocol';

export const CHUNK_MS = 1000;

export interface TrackKey {
  participant: string;
  /** The receiving track's id; `events` for the notice log. */
  track: string;
  kind: 'audio' | 'video' | 'events';
  codec: string;
}

export interface Batch extends TrackKey {
  segment: number;
  frames: ChunkFrame[];
}

export class Chunker {
  readonly #open = new Map<string, Batch>();
  #segment: number;

  constructor(
    segment: number,
    readonly emit: (batch: Batch) => void,
  ) {
    this.#segment = segment;
  }

  get segment(): number {
    return this.#segment;
  }

  add(key: TrackKey, frame: ChunkFrame): void {
    const id = `${key.participant}/${key.track}`;
    let batch = this.#open.get(id);
    if (!batch) {
      batch = { ...key, segment: this.#segment, frames: [] };
      this.#open.set(id, batch);
    }
    batch.frames.push(frame);
    const first = batch.frames[0] as ChunkFrame;
    if (frame.receivedAt - first.receivedAt >= CHUNK_MS) this.#close(id, batch);
  }

  /** Closes batches that have not grown for CHUNK_MS (a track that went quiet). */
  flushIdle(now: number): void {
    for (const [id, batch] of [...this.#open]) {
      const last = batch.frames.at(-1);
      if (last && now - last.receivedAt >= CHUNK_MS) this.#close(id, batch);
    }
  }

  /** Closes everything and starts the next segment. */
  rotate(): number {
    this.flushAll();
    this.#segment += 1;
    return this.#segment;
  }

  flushAll(): void {
    for (const [id, batch] of [...this.#open]) this.#close(id, batch);
  }

  #close(id: string, batch: Batch): void {
    this.#open.delete(id);
    if (batch.frames.length > 0) this.emit(batch);
  }
}
