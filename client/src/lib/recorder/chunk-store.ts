import Dexie, { type EntityTable } from 'dexie';

/** What the recording service needs to file a chunk; sent with it and kept with it. */
export interface ChunkMeta {
  recording: string;
  seq: number;
  participant: string;
  name: string;
  track: string;
  kind: 'audio' | 'video' | 'events';
  codec: string;
  segment: number;
  firstAt: number;
  lastAt: number;
  frames: number;
  bytes: number;
  sha256: string;
}

export interface StoredChunk extends ChunkMeta {
  data: Uint8Array<ArrayBuffer>;
}

interface Counter {
  recording: string;
  nextSeq: number;
  nextSegment: number;
}

/**
 * The recorder page's local store: every chunk lands here before anything else, and
 * leaves only once the service echoed its hash. A persistent browser profile keeps it
 * across Chromium crashes; the page drains it when it starts again.
 */
export class ChunkStore extends Dexie {
  chunks!: EntityTable<StoredChunk, 'seq'>;
  counters!: EntityTable<Counter, 'recording'>;

  constructor(name = 'conclave-recorder') {
    // Strict: a chunk counts as kept once it is on disk, not in a cache (survives a power cut too).
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({ chunks: '[recording+seq], recording', counters: 'recording' });
  }

  /**
   * Stores a chunk under the next sequence number of its recording, in one transaction
   * with the counter: numbers never repeat, even across crashes.
   */
  async put(chunk: Omit<StoredChunk, 'seq'>): Promise<StoredChunk> {
    return this.transaction('rw', this.chunks, this.counters, async () => {
      const counter = (await this.counters.get(chunk.recording)) ?? { recording: chunk.recording, nextSeq: 0, nextSegment: 0 };
      const stored = { ...chunk, seq: counter.nextSeq };
      await this.chunks.add(stored);
      await this.counters.put({ ...counter, nextSeq: counter.nextSeq + 1 });
      return stored;
    });
  }

  /** A segment number never used before for this recording (segments restart after a crash). */
  async nextSegment(recording: string): Promise<number> {
    return this.transaction('rw', this.counters, async () => {
      const counter = (await this.counters.get(recording)) ?? { recording, nextSeq: 0, nextSegment: 0 };
      await this.counters.put({ ...counter, nextSegment: counter.nextSegment + 1 });
      return counter.nextSegment;
    });
  }

  pending(recording: string): Promise<StoredChunk[]> {
    return this.chunks.where('recording').equals(recording).sortBy('seq');
  }

  async remove(recording: string, seq: number): Promise<void> {
    await this.chunks.delete([recording, seq] as unknown as number);
  }
}
