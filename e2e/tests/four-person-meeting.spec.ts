import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, joinAs, remoteIds, screenshotPath, test } from '../support/fixtures.js';
import { expectVideoFlowing, expectVideoShown, peerConnectionCount } from '../support/media.js';

/**
 * One meeting of four, driven through the features people use: everyone sees everyone,
 * a screen share, chat (kept across a reload), a camera switch, a network drop, a leave.
 */
test('four people meet, share a screen, chat, switch cameras, survive a network drop and leave', async ({ browser, server }) => {
  test.setTimeout(480_000); // slow on a busy two-core machine, never stuck: each step has its own limit
  const roomId = randomUUID();
  const names = ['Ada', 'Grace', 'Linus', 'Margaret'];
  const pages: Page[] = [];
  for (const name of names) pages.push(await joinAs(browser, server, { name, roomId }));
  const [ada, grace, linus, margaret] = pages as [Page, Page, Page, Page];

  await test.step('each sees three live remote videos', async () => {
    for (const page of pages) {
      await expect(page.getByTestId('remote-tile')).toHaveCount(3);
      for (let i = 0; i < 3; i++) await expectVideoShown(page, 'remote-tile', i);
    }
    for (const page of pages) await expectVideoFlowing(page, { connections: 3 });
    await ada.screenshot({ path: screenshotPath('four-person-meeting') });
  });

  await test.step('a screen share is seen by the others', async () => {
    await grace.getByRole('button', { name: 'Share screen' }).click();
    for (const page of [ada, linus, margaret]) {
      await expect(page.getByTestId('screen-stage')).toBeVisible();
      await expectVideoShown(page, 'screen-tile');
    }
    await ada.screenshot({ path: screenshotPath('screen-share') });
    await grace.getByRole('button', { name: 'Stop sharing' }).click();
    for (const page of [ada, linus, margaret]) await expect(page.getByTestId('screen-stage')).toHaveCount(0);
  });

  await test.step('a chat message reaches everyone and stays after the sender reloads', async () => {
    await linus.getByRole('button', { name: 'Chat' }).click();
    await linus.getByLabel('Message everyone').fill('Minutes are in the shared folder.');
    await linus.getByLabel('Message everyone').press('Enter');
    for (const page of [ada, grace, margaret]) {
      await page.getByRole('button', { name: /^Chat/ }).click();
      await expect(page.getByTestId('chat-messages')).toContainText('Minutes are in the shared folder.');
    }
    await ada.screenshot({ path: screenshotPath('chat') });

    await linus.reload();
    await linus.getByRole('button', { name: 'Join now' }).click(); // the name is remembered
    await expect(linus.getByTestId('remote-tile')).toHaveCount(3);
    await linus.getByRole('button', { name: 'Chat' }).click();
    await expect(linus.getByTestId('chat-messages')).toContainText('Minutes are in the shared folder.');
    // The reloaded page says goodbye as it unloads; if that is lost (a saturated machine),
    // the old Linus goes when his connections fail or his resume grace (30 s) ends.
    for (const page of pages) await expect(page.getByTestId('remote-tile')).toHaveCount(3, { timeout: 45_000 });
  });

  await test.step('switching camera keeps the call, without a new connection', async () => {
    const connectionsBefore = await peerConnectionCount(margaret);
    await margaret.getByRole('button', { name: 'Settings' }).click();
    const camera = margaret.getByLabel('Camera');
    await expect(camera.locator('option')).toHaveCount(3); // Chromium's fake cameras
    const current = await camera.inputValue();
    await camera.selectOption({ label: 'fake_device_2' });
    await expect(camera).not.toHaveValue(current);
    expect(await peerConnectionCount(margaret)).toBe(connectionsBefore);
    for (const page of [ada, grace, linus]) await expectVideoFlowing(page, { connections: 3 });
  });

  await test.step('a participant whose network drops for 5 s recovers without anyone rejoining', async () => {
    const before = await Promise.all(pages.map(remoteIds));
    await grace.context().setOffline(true);
    const offlineAt = Date.now();
    // The signaling connection drops at once: the page says so, and the calls go on meanwhile.
    await expect(grace.getByText('Connection to the server lost')).toBeVisible({ timeout: 5_000 });
    await grace.waitForTimeout(5_000 - (Date.now() - offlineAt));
    await grace.context().setOffline(false);
    await expect(grace.getByRole('status').filter({ hasText: 'Reconnecting' })).toHaveCount(0, { timeout: 30_000 });
    for (const [index, page] of pages.entries()) {
      await expect.poll(() => remoteIds(page), { timeout: 30_000 }).toEqual(before[index]);
      await expectVideoFlowing(page, { connections: 3 });
    }
  });

  await test.step('when one leaves, the others update within 2 s', async () => {
    await margaret.getByRole('button', { name: 'Leave', exact: true }).click();
    await expect(margaret.getByText('You left the meeting')).toBeVisible();
    for (const page of [ada, grace, linus]) await expect(page.getByTestId('remote-tile')).toHaveCount(2, { timeout: 2_000 });
  });

  for (const page of pages) await page.context().close();
});
