/**
 * Muxes a segment's tracks into Matroska (or one participant's into a WebM access copy)
 * with ffmpeg.wasm, in a browser page (ffmpeg.wasm runs in browsers only; production
 * never runs a system ffmpeg). The page is on an
 * origin we serve ourselves (static-server.ts); inputs and the result travel as HTTP
 * bodies, fetched and uploaded by ffmpeg's worker. Jobs run one at a time, each in a
 * fresh worker that is terminated afterwards (mux-page/mux.js). A watchdog terminates a
 * job that overruns, reloads ffmpeg.wasm and tries once more, then fails with MuxError
 * 'timeout'.
 *
 * Memory: ffmpeg's wasm memory stays at its initial 32 MiB (inputs are read from blobs
 * as ffmpeg goes); the output sits in the in-memory file system, then in chunks on the
 * way out, and the browser process holds the input and output blobs, all returned when
 * the worker ends. Summed over the muxer's Chromium processes, bench:recorder measured
 * a peak PSS of about 450 MiB plus 3.7 times the input (529 MiB for 20 MiB, 1054 MiB
 * for 161 MiB), so jobs over 128 MiB of input are refused (about 930 MiB) and the
 * recorder page rotates segments at 96 MiB. Longer recordings are muxed segment by segment.
 */
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { MuxError } from './errors.js';
import { ffmetadata, ffmpegArgs } from './ffmpeg-args.js';
import { type MuxJob, muxJobSchema } from './job.js';
import { resolveMuxAssets } from './assets.js';
import { type JobEndpoints, MuxServer } from './static-server.js';

export interface WasmMuxerOptions {
  /** Runs jobs in this page, which the muxer navigates to its own origin; else it launches Chromium. */
  page?: Page;
  /** Chromium to launch when no page is given, with its arguments (none are added). */
  launch?: { executablePath: string; args: readonly string[] };
  /** Watchdog: a job may run this long (default 5 min) plus `timeoutMsPerMiB` per MiB of input. */
  timeoutMs?: number;
  /** Default 1000: 1 s per MiB, far above what a copy needs. */
  timeoutMsPerMiB?: number;
  /** Refuses jobs with more input than this (default 128 MiB), to stay under 1 GB per job. */
  maxInputBytes?: number;
  /** Loading (or reloading) ffmpeg.wasm in the page may take this long (default 60 s). */
  loadTimeoutMs?: number;
  /** Test-only: sees the browser context it launched before the mux page opens (BrowserObserver). */
  observe?: (context: BrowserContext) => Promise<void>;
  /** Called after each successful job with its figures. */
  onReport?: (report: MuxReport) => void;
}

export interface MuxReport {
  inputBytes: number;
  outputBytes: number;
  /** 1, or 2 if the first attempt was killed by the watchdog. */
  attempts: number;
  totalMs: number;
  fetchMs: number;
  execMs: number;
  uploadMs: number;
  /** Size of ffmpeg's wasm memory after the job (wasm memory only grows: its peak so far). */
  wasmMemoryBytes: number;
  /** The page's JS heap after the job (Chromium's own figure), if it could be read. */
  pageHeapBytes?: number;
}

/** What the job looks like to the page (see mux-page/mux.js). */
interface PageJob {
  inputs: { url: string; name: string }[];
  metadata: string;
  args: string[];
  paths: { dir: string; metadata: string; output: string };
  outputUrl: string;
}

interface PageResult {
  exitCode: number;
  log: string[];
  wasmBytes: number;
  outputBytes?: number;
  timings: { fetchMs: number; execMs: number; uploadMs?: number };
}

interface MuxPageApi {
  load(): Promise<void>;
  restart(): Promise<void>;
  run(job: PageJob): Promise<PageResult>;
  state(): Promise<{ loaded: boolean; wasmBytes: number; files: string[] }>;
}

/** The page's window; page.evaluate sends its callbacks as source, so each names it inline. */
type MuxWindow = Window & { conclaveMux: MuxPageApi };

const MIB = 2 ** 20;
const DEFAULTS = {
  timeoutMs: 5 * 60_000,
  timeoutMsPerMiB: 1000,
  maxInputBytes: 128 * MIB,
  loadTimeoutMs: 60_000,
};
const ATTEMPTS = 2;
const TIMED_OUT = Symbol('timed out');

export class WasmMuxer {
  readonly #server: MuxServer;
  readonly #page: Page;
  readonly #browser: Browser | undefined;
  readonly #options: typeof DEFAULTS & Pick<WasmMuxerOptions, 'onReport'>;
  readonly #pageErrors: string[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(server: MuxServer, page: Page, browser: Browser | undefined, options: WasmMuxerOptions) {
    this.#server = server;
    this.#page = page;
    this.#browser = browser;
    this.#options = { ...DEFAULTS, ...withoutUndefined(options) };
    page.on('pageerror', this.#onPageError);
  }

  readonly #onPageError = (error: Error): void => {
    this.#pageErrors.push(error.message);
    this.#pageErrors.splice(0, this.#pageErrors.length - 20);
  };

  /** Serves the mux page, opens it (in `page` or a new browser) and loads ffmpeg.wasm. */
  static async start(options: WasmMuxerOptions): Promise<WasmMuxer> {
    const maxInputBytes = options.maxInputBytes ?? DEFAULTS.maxInputBytes;
    // Matroska adds little to its inputs; leave room for it.
    const server = await MuxServer.start(resolveMuxAssets(), { maxUploadBytes: maxInputBytes + 64 * MIB });
    let page = options.page;
    let browser: Browser | undefined;
    if (!page) {
      try {
        if (!options.launch) throw new Error('WasmMuxer needs a page or a Chromium to launch');
        browser = await chromium.launch({ executablePath: options.launch.executablePath, args: [...options.launch.args] });
        const context = await browser.newContext();
        await options.observe?.(context);
        page = await context.newPage();
      } catch (error) {
        await browser?.close();
        await server.close();
        throw error;
      }
    }
    const muxer = new WasmMuxer(server, page, browser, options);
    try {
      await muxer.#inPage(muxer.#open(), 'loading the mux page and ffmpeg.wasm');
      return muxer;
    } catch (error) {
      await muxer.close();
      throw error;
    }
  }

  async #open(): Promise<void> {
    await this.#page.goto(this.#server.pageUrl);
    await this.#page.waitForFunction(() => 'conclaveMux' in window);
    await this.#page.evaluate(() => (window as unknown as MuxWindow).conclaveMux.load());
  }

  /** Muxes one segment (or some of its tracks) into Matroska or WebM; jobs queue behind each other. */
  mux(job: MuxJob): Promise<Uint8Array> {
    const parsed = muxJobSchema.safeParse(job);
    if (!parsed.success) {
      return Promise.reject(new MuxError('invalid-job', `invalid mux job: ${parsed.error.message}`));
    }
    const inputBytes = parsed.data.inputs.reduce((sum, input) => sum + input.data.byteLength, 0);
    if (inputBytes > this.#options.maxInputBytes) {
      return Promise.reject(
        new MuxError('too-large', `mux job has ${inputBytes} bytes of input, over the ${this.#options.maxInputBytes} limit: use shorter segments`),
      );
    }
    const result = this.#queue.then(() => this.#run(parsed.data, inputBytes));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** The spare ffmpeg.wasm worker that will take the next job: loaded, its wasm memory, any job files in it. */
  async state(): Promise<{ loaded: boolean; wasmMemoryBytes: number; jobFiles: string[] }> {
    const state = await this.#page.evaluate(() => (window as unknown as MuxWindow).conclaveMux.state());
    return { loaded: state.loaded, wasmMemoryBytes: state.wasmBytes, jobFiles: state.files.filter((name) => name.startsWith('job-')) };
  }

  /**
   * Stops serving and fails queued jobs. Closes the browser if the muxer launched it;
   * a page it was given is left on about:blank, which ends ffmpeg's workers.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#page.off('pageerror', this.#onPageError);
    if (this.#browser) await this.#browser.close();
    else await this.#page.goto('about:blank').catch(() => undefined);
    await this.#server.close();
  }

  async #run(job: MuxJob, inputBytes: number): Promise<Uint8Array> {
    const started = performance.now();
    const scaled = this.#options.timeoutMs + (this.#options.timeoutMsPerMiB * inputBytes) / MIB;
    const timeoutMs = Math.min(Math.round(scaled), 2 ** 31 - 1);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (this.#closed) throw new MuxError('closed', 'the muxer is closed');
      const endpoints = this.#server.addJob(job.inputs.map((input) => input.data));
      try {
        const outcome = await this.#attempt(job, endpoints, timeoutMs);
        if (outcome === TIMED_OUT) {
          await this.#restart();
          continue;
        }
        if (outcome.exitCode !== 0) throw MuxError.ffmpegFailed(outcome.exitCode, outcome.log);
        const output = endpoints.output();
        if (!output) throw new MuxError('page-failed', 'the mux page reported success but uploaded nothing');
        this.#options.onReport?.({
          inputBytes,
          outputBytes: output.byteLength,
          attempts: attempt,
          totalMs: performance.now() - started,
          fetchMs: outcome.timings.fetchMs,
          execMs: outcome.timings.execMs,
          uploadMs: outcome.timings.uploadMs ?? 0,
          wasmMemoryBytes: outcome.wasmBytes,
          pageHeapBytes: await this.#pageHeapBytes(),
        });
        return output;
      } catch (error) {
        // A fresh ffmpeg.wasm for the next job, whatever state this one left.
        if (error instanceof MuxError && error.code === 'page-failed') await this.#restart().catch(() => undefined);
        throw error;
      } finally {
        endpoints.dispose();
      }
    }
    throw MuxError.timeout(timeoutMs, ATTEMPTS, inputBytes);
  }

  #restart(): Promise<void> {
    return this.#inPage(this.#page.evaluate(() => (window as unknown as MuxWindow).conclaveMux.restart()), 'reloading ffmpeg.wasm');
  }

  /** One run in the page, raced against the watchdog. */
  async #attempt(job: MuxJob, endpoints: JobEndpoints, timeoutMs: number): Promise<PageResult | typeof TIMED_OUT> {
    const dir = `/job-${endpoints.id}`;
    const paths = { dir, metadata: `${dir}.ffmeta`, output: `${dir}.${job.format === 'webm' ? 'webm' : 'mkv'}` };
    const pageJob: PageJob = {
      inputs: job.inputs.map((input, index) => ({ url: endpoints.inputUrl(index), name: input.name })),
      metadata: ffmetadata(job),
      args: ffmpegArgs(job, paths),
      paths,
      outputUrl: endpoints.outputUrl,
    };
    const run = this.#page.evaluate((pageJob) => (window as unknown as MuxWindow).conclaveMux.run(pageJob), pageJob);
    // After a timeout the restart makes this run fail; that failure is expected.
    run.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    try {
      // The watchdog answers first when the job overruns, so no second deadline.
      return await this.#inPage(Promise.race([run, watchdog]), 'running the mux job', Infinity);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Awaits work in the page, at most `timeoutMs`; a failure there becomes MuxError
   * 'page-failed' with the page's own errors.
   */
  async #inPage<T>(work: Promise<T>, doing: string, timeoutMs = this.#options.loadTimeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      // (setTimeout fires at once for delays past 2^31 - 1 ms, Infinity included.)
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      if (this.#closed) throw new MuxError('closed', 'the muxer is closed', { cause: error });
      const pageErrors = this.#pageErrors.splice(0).map((message) => `\npage error: ${message}`);
      const reason = error instanceof Error ? error.message : String(error);
      throw new MuxError('page-failed', `mux page failed while ${doing}: ${reason}${pageErrors.join('')}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Chromium's figure for the page's JS heap, through the DevTools protocol; undefined elsewhere. */
  async #pageHeapBytes(): Promise<number | undefined> {
    try {
      const session = await this.#page.context().newCDPSession(this.#page);
      const { usedSize } = await session.send('Runtime.getHeapUsage');
      await session.detach();
      return usedSize;
    } catch {
      return undefined;
    }
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
