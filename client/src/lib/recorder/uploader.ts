import type { ChunkMeta, ChunkStore, StoredChunk } from './chunk-store.js';

const RETRY_MS = [500, 1000, 2000, 5000, 10_000];

export type UploadProblem = 'disk-full' | 'upload-failing' | null;

/**
 * Sends stored chunks to the recording service, oldest first, with an idempotent PUT
 * (sequence number + SHA-256): a chunk is deleted locally only once the service echoed
 * its hash. Failures are retried forever, with a growing pause.
 */
export class Uploader {
  #queue: StoredChunk[] = [];
  #running = false;
  #failures = 0;
  #problem: UploadProblem = null;

  constructor(
    readonly store: ChunkStore,
    readonly endpoint: (chunk: ChunkMeta) => string,
    readonly key: string,
    readonly onProblem: (problem: UploadProblem) => void,
  ) {}

  get idle(): boolean {
    return !this.#running && this.#queue.length === 0;
  }

  enqueue(chunk: StoredChunk): void {
    this.#queue.push(chunk);
    void this.#run();
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    while (this.#queue.length > 0) {
      const chunk = this.#queue[0] as StoredChunk;
      const outcome = await this.#send(chunk);
      if (outcome === 'stored') {
        await this.store.remove(chunk.recording, chunk.seq);
        this.#queue.shift();
        this.#failures = 0;
        this.#report(null);
      } else {
        this.#report(outcome);
        const pause = RETRY_MS[Math.min(this.#failures, RETRY_MS.length - 1)] as number;
        this.#failures += 1;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
    this.#running = false;
  }

  async #send(chunk: StoredChunk): Promise<'stored' | 'disk-full' | 'upload-failing'> {
    const { data, ...meta } = chunk;
    try {
      const response = await fetch(this.endpoint(meta), {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${this.key}`,
          'content-type': 'application/octet-stream',
          // Names may hold any character; headers take Latin-1 only.
          'x-chunk-meta': encodeURIComponent(JSON.stringify(meta)),
        },
        body: data,
      });
      if (response.status === 507) return 'disk-full';
      if (!response.ok) return 'upload-failing';
      const echoed = (await response.json()) as { sha256?: string };
      return echoed.sha256 === chunk.sha256 ? 'stored' : 'upload-failing';
    } catch {
      return 'upload-failing';
    }
  }

  #report(problem: UploadProblem): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.onProblem(problem);
  }
}
