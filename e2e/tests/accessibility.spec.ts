import { randomUUID } from 'node:crypto';
import { expectAccessible } from '../support/accessibility.js';
import { expect, joinAs, openRoom, screenshotPath, test } from '../support/fixtures.js';

test('landing, pre-join and meeting pass axe-core', async ({ browser, server }) => {
  const context = await browser.newContext();
  const landing = await context.newPage();
  await landing.goto(server.url);
  await expectAccessible(landing, 'the landing page');
  await context.close();

  const roomId = randomUUID();
  const prejoin = await openRoom(browser, server, { roomId });
  await expect(prejoin.getByTestId('preview')).toHaveJSProperty('readyState', 4);
  await prejoin.getByLabel('Your name').fill('Ada');
  await prejoin.screenshot({ path: screenshotPath('pre-join'), fullPage: true });
  await expectAccessible(prejoin, 'the pre-join page');
  await prejoin.getByRole('button', { name: 'Join now' }).click();
  await joinAs(browser, server, { name: 'Grace', roomId });
  await expect(prejoin.getByTestId('remote-tile')).toHaveCount(1);
  await expectAccessible(prejoin, 'the meeting');
  for (const panel of ['Chat', 'Participants', 'Settings']) {
    await prejoin.getByRole('button', { name: new RegExp(`^${panel}`) }).click();
    await expectAccessible(prejoin, `the meeting with ${panel} open`);
  }
});

test('the whole flow works from the keyboard, with focus managed', async ({ browser, server }) => {
  const page = await openRoom(browser, server, { roomId: randomUUID() });
  // The name field has focus on arrival.
  await expect(page.getByLabel('Your name')).toBeFocused();
  await page.keyboard.type('Keyboard User');
  await expect(page.getByTestId('preview')).toHaveJSProperty('readyState', 4);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('self-tile')).toBeVisible();

  // Shortcuts: M mutes, C opens the chat with the input focused, Escape closes it.
  await page.keyboard.press('m');
  await expect(page.getByRole('button', { name: 'Turn on microphone' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('c');
  await expect(page.getByLabel('Message everyone')).toBeFocused();
  await page.keyboard.type('typed, not a shortcut: m');
  await expect(page.getByRole('button', { name: 'Turn on microphone' })).toBeVisible();
  await page.getByLabel('Message everyone').press('Enter');
  await page.getByRole('button', { name: 'Close chat' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Message everyone')).toHaveCount(0);

  // Every control can be reached with Tab.
  const reached = new Set<string>();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => (document.activeElement?.textContent ?? '').trim() || (document.activeElement?.getAttribute('title') ?? '')));
  }
  for (const control of ['Turn on microphone', 'Turn off camera', 'Share screen', 'Raise hand', 'Chat', 'Participants', 'Settings', 'Leave']) {
    expect([...reached].some((text) => text.includes(control)), `${control} reachable by Tab`).toBe(true);
  }
});

test('French speakers get the whole interface in French, and can switch', async ({ browser, server }) => {
  const page = await openRoom(browser, server, { roomId: randomUUID(), locale: 'fr-FR' });
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rejoindre la réunion\u202f?');
  await page.getByLabel('Votre nom').fill('Marianne');
  await page.getByRole('button', { name: 'Rejoindre maintenant' }).click();
  await expect(page.getByTestId('self-tile')).toBeVisible();
  await page.getByRole('button', { name: 'Paramètres' }).click();
  await page.getByLabel('Langue').selectOption('en');
  await expect(page.getByRole('button', { name: 'Settings', exact: true })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
