import { randomUUID } from 'node:crypto';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../support/browser.js';
import { expect, joinAs, joinFromPreJoin, openRoom, TEST_ROOM_SECRET, test } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

/** Every failure has a clear state, never a blank page. */

test('camera and microphone refused: the page says why and still lets you join', async ({ server }) => {
  const found = findChromium();
  if ('error' in found) throw new Error(found.error);
  // A browser without the fake permission prompt: headless Chromium denies the request.
  const strict = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream') });
  try {
    const page = await strict.newPage();
    await page.goto(`${server.url}/r/${randomUUID()}#${TEST_ROOM_SECRET}`);
    await expect(page.getByRole('alert')).toContainText('access was refused');
    await expect(page.getByRole('alert')).toContainText('without camera and microphone');
    await page.getByLabel('Your name').fill('Listener');
    await page.getByRole('button', { name: 'Join now' }).click();
    await expect(page.getByTestId('self-tile')).toBeVisible();
    await expect(page.getByRole('button', { name: /microphone/ })).toBeDisabled();
    await expect(page.getByRole('button', { name: /camera/ })).toBeDisabled();
  } finally {
    await strict.close();
  }
});

test('a full room says so', async ({ browser }) => {
  const small = await startTestServer({ ROOM_CAPACITY: '2' });
  try {
    const roomId = randomUUID();
    await joinAs(browser, small, { name: 'One', roomId });
    await joinAs(browser, small, { name: 'Two', roomId });
    const third = await openRoom(browser, small, { roomId });
    await third.getByLabel('Your name').fill('Three');
    await third.getByRole('button', { name: 'Join now' }).click();
    await expect(third.getByRole('alert').filter({ hasText: 'This meeting is full' })).toBeVisible();
  } finally {
    await small.close();
  }
});

test('a locked room: the newcomer asks to join and waits; the moderator admits', async ({ browser, server }) => {
  const roomId = randomUUID();
  const host = await joinAs(browser, server, { name: 'Host', roomId });
  await host.getByRole('button', { name: 'Participants' }).click();
  await host.getByRole('button', { name: 'Lock meeting' }).click();
  await expect(host.getByRole('button', { name: 'Unlock meeting' })).toBeVisible();

  const guest = await openRoom(browser, server, { roomId });
  await guest.getByLabel('Your name').fill('Guest');
  await guest.getByRole('button', { name: 'Join now' }).click();
  await expect(guest.getByRole('alert').filter({ hasText: 'This meeting is locked' })).toBeVisible();
  await guest.getByRole('button', { name: 'Ask to join' }).click();
  await expect(guest.getByTestId('lobby-waiting')).toBeVisible();

  await expect(host.getByTestId('lobby-entry')).toContainText('Guest');
  await host.getByRole('button', { name: 'Admit' }).click();
  await expect(guest.getByTestId('remote-tile')).toHaveCount(1);
  await expect(host.getByTestId('remote-tile')).toHaveCount(1);
});

test('a moderator sets a password; a newcomer is asked for it and a wrong one is refused', async ({ browser, server }) => {
  const roomId = randomUUID();
  const host = await joinAs(browser, server, { name: 'Host', roomId });
  await host.getByRole('button', { name: 'Participants' }).click();
  await host.getByLabel('Require a password to join').fill('blue heron');
  await host.getByRole('button', { name: 'Save' }).click();
  await expect(host.getByLabel('Change the meeting password')).toBeVisible();

  const guest = await openRoom(browser, server, { roomId });
  await guest.getByLabel('Your name').fill('Guest');
  await guest.getByRole('button', { name: 'Join now' }).click();
  await expect(guest.getByRole('alert').filter({ hasText: 'needs its password' })).toBeVisible();
  await guest.getByLabel('Meeting password').fill('red heron');
  await guest.getByRole('button', { name: 'Join now' }).click();
  await expect(guest.getByRole('alert').filter({ hasText: 'needs its password' })).toBeVisible();
  await expect(guest.getByTestId('self-tile')).toHaveCount(0);
  await guest.getByLabel('Meeting password').fill('blue heron');
  await guest.getByRole('button', { name: 'Join now' }).click();
  await expect(guest.getByTestId('remote-tile')).toHaveCount(1);
});

test('when the signaling server goes away, the meeting says it is reconnecting', async ({ browser }) => {
  const doomed = await startTestServer();
  const roomId = randomUUID();
  const page = await openRoom(browser, doomed, { roomId });
  await joinFromPreJoin(page, 'Ada');
  await doomed.close();
  await expect(page.getByText('Connection to the server lost')).toBeVisible();
  await expect(page.getByTestId('self-tile')).toBeVisible();
});
