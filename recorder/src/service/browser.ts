import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Logger } from 'pino';

/**
 * Flags for a headless Chromium that reaches nothing but our own hosts (no update,
 * sync or background requests), plays media without a gesture and runs as root. The
 * recorder, its muxer and the browser tests all start from these.
 */
export const OFFLINE_CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
];

/**
 * Test-only: called with each browser context the service opens (the recorder page's,
 * the muxer's) before any page opens in it, so a test can watch every request and every
 * page of it (e2e/tests/offline.spec.ts). Production passes none.
 */
export type BrowserObserver = (context: BrowserContext, role: 'recorder' | 'muxer') => Promise<void>;

export const RECORDER_CHROMIUM_ARGS = [
  ...OFFLINE_CHROMIUM_ARGS,
  // The recorder page must keep its timers at full speed even though nobody looks at it.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * The recorder's Chromium, with a persistent profile so that IndexedDB (the chunks not
 * yet uploaded) survives a crash. When Chromium dies without being asked to, it is
 * launched again and `onRestart` reopens the recordings' pages, which drain what the
 * profile still holds.
 */
export class RecorderBrowser {
  #context: Promise<BrowserContext> | null = null;
  #closing = false;
  restarts = 0;

  constructor(
    readonly options: {
      chromiumPath: string;
      profileDir: string;
      log: Logger;
      onRestart: () => void;
      /** Test-only: sees each browser context before any page opens in it (see BrowserObserver). */
      observe?: BrowserObserver | undefined;
    },
  ) {}

  async open(url: string): Promise<Page> {
    const context = await this.#ensure();
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') this.options.log.warn({ page: 'recorder', text: message.text() }, 'recorder page');
    });
    await page.goto(url);
    return page;
  }

  /** The running browser context (operations and tests), if any. */
  async context(): Promise<BrowserContext | null> {
    return (await this.#context?.catch(() => null)) ?? null;
  }

  async close(): Promise<void> {
    this.#closing = true;
    const context = this.#context;
    this.#context = null;
    await (await context?.catch(() => null))?.close().catch(() => undefined);
  }

  #ensure(): Promise<BrowserContext> {
    this.#context ??= this.#launch();
    return this.#context;
  }

  async #launch(): Promise<BrowserContext> {
    const { chromiumPath, profileDir, log } = this.options;
    const context = await chromium.launchPersistentContext(profileDir, { executablePath: chromiumPath, headless: true, args: RECORDER_CHROMIUM_ARGS });
    await this.options.observe?.(context, 'recorder');
    context.on('close', () => {
      if (this.#closing) return;
      this.#context = null;
      this.restarts += 1;
      log.error({ restarts: this.restarts }, 'the recorder browser stopped unexpectedly; restarting it');
      setTimeout(() => this.options.onRestart(), 500);
    });
    return context;
  }
}
