import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { createSelfSignedCertificate, type RunningServer } from '@conclave/signaling';
import { expect, joinFromPreJoin, TEST_ROOM_SECRET, test } from '../support/fixtures.js';
import { expectVideoFlowing, recordPeerConnections } from '../support/media.js';
import { startTestServer } from '../support/server.js';

/**
 * The signaling server serving HTTPS itself (TLS_CERT_FILE, TLS_KEY_FILE) with a
 * certificate from `npm run cert`: browsers open the camera only in a secure context,
 * which a LAN address gets only over HTTPS.
 */

/** A participant whose browser accepted the self-signed certificate (what a person does once on the warning page). */
async function participant(browser: Browser, server: RunningServer, roomId: string, name: string): Promise<{ page: Page; hsts: string | undefined }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], locale: 'en-US' });
  const page = await context.newPage();
  await page.addInitScript(recordPeerConnections);
  await page.addInitScript(() => localStorage.setItem('conclave.captureProfile', 'low'));
  const response = await page.goto(`${server.url}/r/${roomId}#${TEST_ROOM_SECRET}`);
  expect(response?.status()).toBe(200);
  const hsts = (await response?.allHeaders())?.['strict-transport-security'];
  await joinFromPreJoin(page, name);
  return { page, hsts };
}

test('over HTTPS with a self-signed certificate the meeting page loads, the camera works and a call goes through', async ({ browser }) => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-https-e2e-'));
  const { certFile, keyFile } = createSelfSignedCertificate({ hosts: ['127.0.0.1', 'localhost'], days: 60, outDir: join(dir, 'tls') });
  const server = await startTestServer({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
  try {
    expect(server.url).toMatch(/^https:/);

    // A browser that has not accepted the certificate is stopped at the door.
    const untrusting = await browser.newContext();
    await expect(untrusting.newPage().then((page) => page.goto(server.url))).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    await untrusting.close();

    const roomId = randomUUID();
    const ada = await participant(browser, server, roomId, 'Ada');
    expect(await ada.page.evaluate(() => ({ secure: window.isSecureContext, protocol: location.protocol }))).toEqual({ secure: true, protocol: 'https:' });
    // SERVED_OVER_HTTPS defaults to true with TLS: the page carries HSTS.
    expect(ada.hsts).toMatch(/max-age=\d+/);
    const grace = await participant(browser, server, roomId, 'Grace');
    // The camera works (joinFromPreJoin waited for the preview) and media flows both ways, signaled over wss.
    await expectVideoFlowing(ada.page, { connections: 1 });
    await expectVideoFlowing(grace.page, { connections: 1 });
    await ada.page.context().close();
    await grace.page.context().close();
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** A non-loopback IPv4 address of this machine (a LAN address), if it has one. */
function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
}

test('over plain HTTP on a LAN address there is no secure context, so no camera (why HTTPS is needed)', async ({ browser }) => {
  const address = lanAddress();
  test.skip(!address, 'this machine has no LAN address');
  const server = await startTestServer({ HOST: address ?? '' });
  try {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    await page.goto(`${server.url}/r/${randomUUID()}#${TEST_ROOM_SECRET}`);
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, mediaDevices: typeof navigator.mediaDevices }))).toEqual({
      secure: false,
      mediaDevices: 'undefined',
    });
    await context.close();
  } finally {
    await server.close();
  }
});
