import type { Page } from '@playwright/test';
import { expect, joinFromPreJoin, test } from '../support/fixtures.js';
import { recordPeerConnections } from '../support/media.js';

/** Everything a page sends to any server: request URLs, headers and bodies, and WebSocket frames. */
function recordOutgoing(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    sent.push(request.url(), JSON.stringify(request.headers()), request.postData() ?? '');
    void request.allHeaders().then((headers) => sent.push(JSON.stringify(headers)), () => undefined);
  });
  page.on('websocket', (socket) => {
    sent.push(socket.url());
    socket.on('framesent', (frame) => sent.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('latin1')));
  });
  return sent;
}

test('the room secret in the link never reaches the server', async ({ browser, server }) => {
  const contexts = await Promise.all([0, 1].map(() => browser.newContext({ permissions: ['camera', 'microphone'] })));
  const [creator, guest] = await Promise.all(contexts.map((context) => context.newPage()));
  if (!creator || !guest) throw new Error('no pages');
  const outgoing = [...[creator, guest].map(recordOutgoing)];
  for (const page of [creator, guest]) {
    await page.addInitScript(recordPeerConnections);
    await page.addInitScript(() => localStorage.setItem('conclave.captureProfile', 'low'));
  }

  await creator.goto(server.url);
  await creator.getByRole('button', { name: 'New meeting' }).click();
  await expect(creator).toHaveURL(/#[A-Za-z0-9_-]{32}$/);
  const link = creator.url();
  const secret = new URL(link).hash.slice(1);
  await joinFromPreJoin(creator, 'Creator');

  // The guest opens the link as it was shared, fragment included.
  await guest.goto(link);
  await joinFromPreJoin(guest, 'Guest');
  await expect(guest.getByTestId('remote-tile')).toHaveCount(1);
  await guest.getByRole('button', { name: /^Chat/ }).click();
  await guest.getByLabel('Message everyone').fill(`the link was ${link}`);
  await guest.getByLabel('Message everyone').press('Enter');
  await expect(creator.getByTestId('remote-tile')).toHaveCount(1);

  const everything = outgoing.flat();
  expect(everything.length).toBeGreaterThan(20); // the recording did see the traffic
  expect(everything.some((item) => item.includes('/socket.io/'))).toBe(true);
  expect(everything.filter((item) => item.includes(secret))).toEqual([]);
  await Promise.all(contexts.map((context) => context.close()));
});
