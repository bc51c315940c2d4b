import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, joinAs, TEST_ROOM_SECRET, test } from '../support/fixtures.js';
import { expectVideoFlowing, framesDecodedPerConnection } from '../support/media.js';
import { manInTheMiddle } from '../support/mitm.js';
import { startTestServer } from '../support/server.js';

/** What the media worker keeps of a frame when a test asks (client/src/lib/e2ee/worker-protocol.ts). */
interface CapturedFrame {
  kind: 'audio' | 'video';
  plaintext: number[];
  ciphertext: number[];
  plaintextLength: number;
  ciphertextLength: number;
  prefixLength: number;
}

/** The security state each remote tile of a page shows, by peer id. */
async function tileStates(page: Page): Promise<string[]> {
  return page.getByTestId('tile-security').evaluateAll((badges) => badges.map((badge) => badge.getAttribute('data-state') ?? ''));
}

/** Inbound RTP packets (audio and video) over every peer connection of the page. */
function packetsReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let packets = 0;
    for (const pc of window.__e2ePeerConnections ?? []) {
      (await pc.getStats()).forEach((stat: { type: string; packetsReceived?: number }) => {
        if (stat.type === 'inbound-rtp') packets += stat.packetsReceived ?? 0;
      });
    }
    return packets;
  });
}

/** Asserts that no frame was ever decoded on the page and its remote video stays hidden. */
async function expectNothingShown(page: Page): Promise<void> {
  expect((await framesDecodedPerConnection(page)).every((frames) => frames === 0)).toBe(true);
  await expect(page.getByTestId('remote-tile').locator('video')).toHaveClass(/hidden/);
}

test('three people with end-to-end encryption see each other, over both transform paths', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const roomId = randomUUID();
  const ada = await joinAs(browser, server, { name: 'Ada', roomId, storage: { 'conclave.e2eeCapture': '1' } });
  // Grace's browser takes the createEncodedStreams path: both paths must interoperate.
  const grace = await joinAs(browser, server, { name: 'Grace', roomId, storage: { 'conclave.e2eePath': 'encoded-streams' } });
  // Linus ratchets his keys every 1.5 s (the default is 60 s).
  const linus = await joinAs(browser, server, { name: 'Linus', roomId, storage: { 'conclave.ratchetIntervalMs': '1500', 'conclave.e2eeCapture': '1' } });
  const pages = [ada, grace, linus];

  await test.step('video decodes for all, and every tile says encrypted', async () => {
    for (const page of pages) {
      await expect(page.getByTestId('security-badge')).toHaveText(/End-to-end encrypted/);
      await expect.poll(() => tileStates(page)).toEqual(['encrypted', 'encrypted']);
      await expectVideoFlowing(page, { connections: 2 });
    }
  });

  await test.step('keys ratchet forward and the others follow, video still flowing', async () => {
    type Counters = Record<string, { sendStep: number; receiveStep: number }>;
    const counters = (page: Page) => page.evaluate(() => (window as unknown as { __conclaveCounters(): Counters }).__conclaveCounters());
    await expect.poll(async () => Math.min(...Object.values(await counters(linus)).map((link) => link.sendStep)), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    // Ada's link with Linus receives at his new step; her own keys have not moved.
    await expect.poll(async () => Math.max(...Object.values(await counters(ada)).map((link) => link.receiveStep)), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    for (const page of [ada, grace]) await expectVideoFlowing(page, { connections: 2 });
  });

  await test.step('frames after the sender’s transform differ from the plaintext frames', async () => {
    const frames = await ada.evaluate(() => (window as unknown as { __conclaveCaptured(): Promise<CapturedFrame[]> }).__conclaveCaptured());
    const video = frames.filter((frame) => frame.kind === 'video');
    expect(video.length).toBeGreaterThan(5);
    // At least one VP8 key frame (start code 9d 01 2a) went through the transform.
    expect(video.some((frame) => frame.plaintext[3] === 0x9d && frame.plaintext[4] === 0x01 && frame.plaintext[5] === 0x2a)).toBe(true);
    for (const frame of video) {
      const prefix = frame.prefixLength;
      // The codec prefix stays in clear for the packetizer; all the rest is SFrame.
      expect(frame.ciphertext.slice(0, prefix)).toEqual(frame.plaintext.slice(0, prefix));
      expect(frame.ciphertext.slice(prefix)).not.toEqual(frame.plaintext.slice(prefix, frame.ciphertext.length));
      // SFrame header (1 to 17 bytes) and a 16-byte tag on top of the payload.
      expect(frame.ciphertextLength - frame.plaintextLength).toBeGreaterThanOrEqual(17);
      expect(frame.ciphertextLength - frame.plaintextLength).toBeLessThanOrEqual(33);
    }
  });

  await test.step('both sides show the same short authentication string; a match is remembered', async () => {
    const sasOf = async (page: Page, name: string) => {
      await page.getByRole('button', { name: 'Participants' }).click();
      const person = page.getByTestId('person').filter({ hasText: name });
      await expect(person.getByTestId('sas-emoji')).toBeVisible();
      return { emoji: await person.getByTestId('sas-emoji').textContent(), digits: await person.getByTestId('sas-digits').textContent(), person };
    };
    const adaSeesGrace = await sasOf(ada, 'Grace');
    const graceSeesAda = await sasOf(grace, 'Ada');
    expect(adaSeesGrace.emoji).toBe(graceSeesAda.emoji);
    expect(adaSeesGrace.digits).toBe(graceSeesAda.digits);
    const adaSeesLinus = await ada.getByTestId('person').filter({ hasText: 'Linus' }).getByTestId('sas-emoji').textContent();
    expect(adaSeesLinus).not.toBe(adaSeesGrace.emoji); // one string per link

    await adaSeesGrace.person.getByRole('button', { name: 'It matches' }).click();
    await expect(adaSeesGrace.person.getByTestId('sas-verified')).toBeVisible();
    const graceTile = ada.getByTestId('remote-tile').filter({ hasText: 'Grace' }).getByTestId('tile-security');
    await expect(graceTile).toHaveAttribute('data-verified', 'true');

    // Grace comes back in a later meeting: Ada's browser still knows her key.
    await grace.reload();
    await grace.getByRole('button', { name: 'Join now' }).click();
    await expect(ada.getByTestId('remote-tile').filter({ hasText: 'Grace' }).getByTestId('tile-security')).toHaveAttribute('data-verified', 'true');

    // Someone else calling themselves Grace, with another key, is flagged.
    const impostor = await joinAs(browser, server, { name: 'Grace', roomId });
    const flagged = ada.getByTestId('person').filter({ has: ada.getByTestId('sas-new-key') });
    await expect(flagged).toHaveCount(1);
    await expect(flagged).toContainText('was verified before with another key');
    await impostor.context().close();
  });
});

test('a participant with the wrong room secret sees no media and a clear error', async ({ browser, server }) => {
  const roomId = randomUUID();
  const ada = await joinAs(browser, server, { name: 'Ada', roomId });
  const eve = await joinAs(browser, server, { name: 'Eve', roomId, fragment: 'a-different-secret-0123456789abcdef' });
  for (const page of [ada, eve]) {
    await expect(page.getByTestId('security-failure')).toContainText('Key confirmation failed');
    await expect.poll(() => tileStates(page)).toEqual(['failed']);
  }
  // The connection itself works (the chat-free data channel carried the handshake), but
  // without keys no frame leaves either side, let alone gets decoded.
  await ada.waitForTimeout(2000);
  await expectNothingShown(eve);
  await expectNothingShown(ada);
});

test('a signaling server in the middle of DTLS is caught: key confirmation fails and no media is shown', async ({ browser, server }) => {
  // The middle's page only needs a secure origin for its camera: the regular test server's.
  const middlePage = await (await browser.newContext({ permissions: ['camera', 'microphone'] })).newPage();
  await middlePage.goto(server.url);
  const middle = await manInTheMiddle(middlePage);
  const malicious = await startTestServer({}, { interceptSignal: middle.interceptSignal });
  try {
    const roomId = randomUUID();
    const first = await joinAs(browser, malicious, { name: 'Ada', roomId });
    const newcomer = await joinAs(browser, malicious, { name: 'Bob', roomId });
    // The attack itself worked: both clients' data channels end at the middle.
    await expect.poll(() => middle.connectedChannels()).toBe(2);
    for (const page of [first, newcomer]) {
      await expect(page.getByTestId('security-failure')).toContainText('Key confirmation failed');
      await expect.poll(() => tileStates(page)).toEqual(['failed']);
    }
    // The middle sends its own camera to Ada as if it were Bob: it arrives, and never shows.
    const before = await packetsReceived(first);
    await expect.poll(() => packetsReceived(first), { message: 'injected media arriving' }).toBeGreaterThan(before + 50);
    await expectNothingShown(first);
    await expectNothingShown(newcomer);
    // Chat goes only over links whose keys the room secret confirmed: the middle never gets it.
    await first.getByRole('button', { name: 'Chat' }).click();
    await first.getByLabel('Message everyone').fill('the budget is 4 million');
    await first.getByLabel('Message everyone').press('Enter');
    await expect(first.getByTestId('chat-messages')).toContainText('the budget is 4 million');
    await first.waitForTimeout(500);
    const relayed = await middle.relayedTypes();
    expect(relayed).toContain('e2ee-hello'); // the middle did relay the data channel
    expect(relayed).not.toContain('chat');
  } finally {
    await middlePage.context().close();
    await malicious.close();
  }
});

test('a browser without encoded transforms is refused, unless the room is transport-encryption only', async ({ browser, server }) => {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  // This browser has no RTCRtpScriptTransform and no createEncodedStreams.
  await context.addInitScript(`
    delete window.RTCRtpScriptTransform;
    delete RTCRtpSender.prototype.createEncodedStreams;
    delete RTCRtpReceiver.prototype.createEncodedStreams;
  `);
  const page = await context.newPage();
  await page.goto(`${server.url}/r/${randomUUID()}#${TEST_ROOM_SECRET}`);
  await expect(page.getByTestId('security-refusal')).toContainText('cannot join an end-to-end encrypted meeting');
  await expect(page.getByRole('button', { name: 'Join now' })).toHaveCount(0);

  // A link without its secret is refused too, with its own explanation.
  await page.goto(`${server.url}/r/${randomUUID()}`);
  await expect(page.getByTestId('security-refusal')).toContainText('This link is incomplete');

  // A meeting created as transport-encryption only works there, and says what it is.
  await page.goto(server.url);
  await page.getByLabel(/Transport encryption only/).check();
  await page.getByRole('button', { name: 'New meeting' }).click();
  await expect(page).toHaveURL(/#transport-only$/);
  await page.getByLabel('Your name').fill('Old browser');
  await page.getByRole('button', { name: 'Join now' }).click();
  await expect(page.getByTestId('security-badge')).toHaveText('Transport encryption only');
  await context.close();
});
