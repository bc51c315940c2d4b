import { randomUUID } from 'node:crypto';
import { expect, joinAs, screenshotPath, test } from '../support/fixtures.js';
import { expectVideoFlowing } from '../support/media.js';

test('the landing page offers a new meeting and joining by link', async ({ browser, server }) => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.screenshot({ path: screenshotPath('landing') });
  await page.getByRole('button', { name: 'New meeting' }).click();
  await expect(page).toHaveURL(/\/r\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{32}$/);
  await expect(page.getByLabel('Your name')).toBeVisible();
  await page.screenshot({ path: screenshotPath('pre-join') });
  await page.close();
});

test('two people in separate browser contexts see and keep seeing each other', async ({ browser, server }) => {
  const roomId = randomUUID();
  const alice = await joinAs(browser, server, { name: 'Alice', roomId });
  const bob = await joinAs(browser, server, { name: 'Bob', roomId });

  for (const [page, other] of [
    [alice, 'Bob'],
    [bob, 'Alice'],
  ] as const) {
    const tile = page.getByTestId('remote-tile');
    await expect(tile).toHaveCount(1);
    await expect(tile).toContainText(other);
    await expect
      .poll(() => tile.locator('video').evaluate((video: HTMLVideoElement) => video.videoWidth))
      .toBeGreaterThan(0);
    await expectVideoFlowing(page, { connections: 1 });
  }

  await alice.screenshot({ path: screenshotPath('two-person-call') });

  // When Bob leaves, Alice's tile for him goes away.
  await bob.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(alice.getByTestId('remote-tile')).toHaveCount(0);
  await bob.context().close();
  await alice.context().close();
});

test('the flow check fails when the sender stops sending video', async ({ browser, server }) => {
  const roomId = randomUUID();
  const alice = await joinAs(browser, server, { name: 'Alice', roomId });
  const bob = await joinAs(browser, server, { name: 'Bob', roomId });
  await expectVideoFlowing(bob, { connections: 1 });

  // Alice's camera stops: Bob's decoder starves, and the same check must now fail.
  await alice.getByTestId('self-tile').locator('video').evaluate((video: HTMLVideoElement) => {
    for (const track of (video.srcObject as MediaStream).getVideoTracks()) track.stop();
  });
  await bob.waitForTimeout(500);
  await expect(expectVideoFlowing(bob, { connections: 1, timeoutMs: 4_000 })).rejects.toThrow(/fewest frames decoded/);
  await bob.context().close();
  await alice.context().close();
});
