import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, joinFromPreJoin, TEST_ROOM_SECRET, test } from '../support/fixtures.js';
import { expectVideoFlowing, recordPeerConnections } from '../support/media.js';
import { NetworkWatch } from '../support/offline.js';
import { startWithRecorder, type RecordingSetup } from '../support/recorder.js';

/**
 * Air-gapped networks: the meeting, the recorder page and the mux page reach nothing but
 * the app's own origins, and no page breaks its Content Security Policy. Every browser
 * context is watched from before its first page: the participants', the recording
 * service's and its muxer's.
 */

/** A participant's browser, watched, on the room's pre-join page, then in the meeting. */
async function participant(browser: Browser, watch: NetworkWatch, setup: RecordingSetup, roomId: string, name: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'en-US' });
  await watch.watch(context, name, [setup.signaling.url, setup.recorderUrl]);
  const page = await context.newPage();
  await page.addInitScript(recordPeerConnections);
  // Small video, as the other tests: two meetings' worth of encoders on two cores.
  await page.addInitScript(() => localStorage.setItem('conclave.captureProfile', 'low'));
  await page.goto(`${setup.signaling.url}/r/${roomId}#${TEST_ROOM_SECRET}`);
  await joinFromPreJoin(page, name);
  return page;
}

async function consent(page: Page): Promise<void> {
  await expect(page.getByTestId('recording-consent')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('recording-consent').getByRole('button', { name: 'Record me', exact: true }).click();
}

test('nothing reaches another host and no page breaks its CSP: meeting, chat, recorder page, mux page', async ({ browser }) => {
  test.setTimeout(240_000);
  const watch = new NetworkWatch();
  const setup = await startWithRecorder({}, { observeBrowser: (context, role) => watch.watch(context, role, role === 'recorder' ? [setup.recorderUrl, setup.signaling.url] : []) });
  const pages: Page[] = [];
  try {
    const roomId = randomUUID();
    const ada = await participant(browser, watch, setup, roomId, 'Ada');
    pages.push(ada);
    const grace = await participant(browser, watch, setup, roomId, 'Grace');
    pages.push(grace);

    // The meeting works: video both ways, a chat message across.
    await expectVideoFlowing(ada, { connections: 1 });
    await expectVideoFlowing(grace, { connections: 1 });
    await grace.getByRole('button', { name: /^Chat/ }).click();
    await grace.getByLabel('Message everyone').fill('nothing leaves this network');
    await grace.getByLabel('Message everyone').press('Enter');
    await ada.getByRole('button', { name: /^Chat/ }).click();
    await expect(ada.getByTestId('chat-messages')).toContainText('nothing leaves this network');

    // A real recording: the recorder page joins and uploads, the mux page makes the file.
    await ada.getByRole('button', { name: 'Start recording' }).click();
    await Promise.all([consent(ada), consent(grace)]);
    const work = join(setup.dataDir, 'work');
    let id = '';
    await expect.poll(async () => (id = (await readdir(work).catch(() => [] as string[]))[0] ?? '')).not.toBe('');
    // Some chunks uploaded from both participants' tracks before stopping.
    await expect
      .poll(async () => (await readdir(join(work, id, 'chunks')).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).length, {
        message: 'chunks uploaded',
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(8);
    await ada.getByRole('button', { name: 'Stop recording', exact: true }).click();
    await expect(ada.getByTestId('recording-indicator')).toHaveCount(0, { timeout: 30_000 });
    await expect
      .poll(() => existsSync(join(setup.dataDir, 'recordings', id, 'manifest.json')), { message: 'recording muxed and sealed', timeout: 120_000 })
      .toBe(true);

    // Every context was watched, and did its work through what was watched.
    const urls = (context: string) => watch.requests.filter((request) => request.context === context).map((request) => request.url);
    for (const name of ['Ada', 'Grace']) {
      expect(urls(name).some((url) => url.includes('/socket.io/'))).toBe(true);
      expect(urls(name).some((url) => /\/assets\/media-worker-[\w-]+\.js$/.test(url))).toBe(true);
    }
    expect(urls('Ada').some((url) => url.startsWith(`${setup.recorderUrl}/api/recordings`))).toBe(true);
    expect(urls('recorder').some((url) => url.startsWith(`${setup.recorderUrl}/recorder.html`))).toBe(true);
    expect(urls('recorder').some((url) => url.includes('/chunks/'))).toBe(true);
    expect(urls('recorder').some((url) => url.startsWith(setup.signaling.url.replace(/^http/, 'ws')))).toBe(true);
    expect(urls('muxer').some((url) => url.endsWith('/mux/index.html'))).toBe(true);
    expect(urls('muxer').some((url) => url.endsWith('/core/ffmpeg-core.wasm'))).toBe(true);
    expect(urls('muxer').some((url) => url.includes('/jobs/'))).toBe(true);
    expect(watch.allowed().muxer).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)]);

    // Both lists at once, so a failure shows everything that went wrong.
    expect({ outside: watch.outside(), violations: watch.violations }, `allowed: ${JSON.stringify(watch.allowed())}`).toEqual({ outside: [], violations: [] });
  } finally {
    await Promise.all(pages.map((page) => page.context().close()));
    await setup.close();
  }
});
