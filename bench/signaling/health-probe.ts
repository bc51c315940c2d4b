/**
 * Polls the server's GET /healthz a few times a second. Its round trip shows how late the
 * server's event loop answers anything besides the sockets it is busy with: timers, such
 * as Socket.IO's heartbeats, wait just as long.
 */
import { Samples } from './stats.js';

export class HealthProbe {
  readonly #url: string;
  readonly #intervalMs: number;
  #samples = new Samples();
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(baseUrl: string, intervalMs = 250) {
    this.#url = `${baseUrl}/healthz`;
    this.#intervalMs = intervalMs;
  }

  /** Starts a new series of round trips (one request at a time, so a stall is one long sample). */
  start(): void {
    this.#samples = new Samples();
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops polling (after the request in flight, if any) and returns the round trips of the series, in ms. */
  async stop(): Promise<Float64Array> {
    this.#running = false;
    await this.#loop;
    return this.#samples.toArray();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      try {
        const response = await fetch(this.#url, { signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
      } catch {
        // a timeout counts as the time it took
      }
      this.#samples.push(performance.now() - started);
      const wait = this.#intervalMs - (performance.now() - started);
      if (wait > 0 && this.#running) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
