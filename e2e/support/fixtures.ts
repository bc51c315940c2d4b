import { fileURLToPath } from 'node:url';
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { RunningServer } from '@conclave/signaling';
import { recordPeerConnections } from './media.js';
import { startTestServer } from './server.js';

export interface JoinOptions {
  name: string;
  roomId: string;
  /** Language of the browser (default English). */
  locale?: string;
  /** The link's fragment: a room secret (default: the suite's), or 'transport-only'. */
  fragment?: string;
  /** Extra localStorage entries set before the app starts (test aids such as conclave.e2eeCapture). */
  storage?: Record<string, string>;
}

/** The room secret of every test meeting unless a test says otherwise (192 bits, base64url). */
export const TEST_ROOM_SECRET = 'e2e-room-secret-0123456789ABCDEF';

/** Contexts opened by the current test; closed after it, so no meeting of one test runs on into the next. */
const openContexts = new Set<BrowserContext>();

/** Opens a fresh browser context (its own storage, like another person's browser) on a room's pre-join page. */
export async function openRoom(
  browser: Browser,
  server: RunningServer,
  { roomId, locale = 'en-US', fragment = TEST_ROOM_SECRET, storage = {} }: Omit<JoinOptions, 'name'>,
): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale });
  openContexts.add(context);
  context.once('close', () => openContexts.delete(context));
  const page = await context.newPage();
  await page.addInitScript(recordPeerConnections);
  // Small video keeps a mesh of several participants within two cores.
  await page.addInitScript((entries) => {
    for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
  }, { 'conclave.captureProfile': 'low', ...storage });
  await page.goto(`${server.url}/r/${roomId}#${fragment}`);
  return page;
}

/** Fills the pre-join page and joins; resolves once the meeting view shows. */
export async function joinFromPreJoin(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name').fill(name);
  // Wait for the camera preview so the join carries media.
  await expect(page.getByTestId('preview')).toHaveJSProperty('readyState', 4);
  await page.getByRole('button', { name: 'Join now' }).click();
  await expect(page.getByTestId('self-tile')).toBeVisible();
}

export async function joinAs(browser: Browser, server: RunningServer, options: JoinOptions): Promise<Page> {
  const page = await openRoom(browser, server, options);
  await joinFromPreJoin(page, options.name);
  return page;
}

/** Ids of the remote tiles a page shows, sorted. */
export async function remoteIds(page: Page): Promise<string[]> {
  const ids = await page.getByTestId('remote-tile').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-peer-id') ?? ''));
  return ids.sort();
}

export const test = base.extend<{ closeContexts: undefined }, { server: RunningServer }>({
  closeContexts: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(undefined);
      await Promise.all([...openContexts].map((context) => context.close()));
    },
    { auto: true },
  ],
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startTestServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
});

export { expect };

/** Where a test saves a screenshot that people look at (kept by CI as an artifact). */
export function screenshotPath(name: string): string {
  return fileURLToPath(new URL(`../artifacts/screenshots/${name}.png`, import.meta.url));
}
