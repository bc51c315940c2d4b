import { fileURLToPath } from 'node:url';
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import type { RunningServer } from '@conclave/signaling';
import { recordPeerConnections } from './media.js';
import { startTestServer } from './server.js';

export interface JoinOptions {
  name: string;
  roomId: string;
}

/** Opens a fresh browser context (its own storage, like another person's browser) and joins a room. */
export async function joinAs(browser: Browser, server: RunningServer, { name, roomId }: JoinOptions): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.addInitScript(recordPeerConnections);
  // Small video keeps a mesh of several participants within two cores.
  await page.addInitScript(() => localStorage.setItem('conclave.captureProfile', 'low'));
  await page.goto(`${server.url}/r/${roomId}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  await expect(page.getByTestId('self-tile')).toBeVisible();
  return page;
}

export const test = base.extend<object, { server: RunningServer }>({
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
