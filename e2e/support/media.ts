import { expect, type Page } from '@playwright/test';

declare global {
  interface Window {
    __e2ePeerConnections?: RTCPeerConnection[];
  }
}

/**
 * Runs in the page before the app: keeps a reference to every RTCPeerConnection so the
 * test can read getStats() the way the app's own engine does.
 */
export function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const connections: RTCPeerConnection[] = [];
  window.__e2ePeerConnections = connections;
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      connections.push(this);
    }
  };
}

/** framesDecoded of the inbound video of each open peer connection of the page (all video tracks summed). */
export async function framesDecodedPerConnection(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const open = (window.__e2ePeerConnections ?? []).filter((pc) => pc.connectionState !== 'closed');
    return Promise.all(
      open.map(async (pc) => {
        let frames = 0;
        (await pc.getStats()).forEach((stat: { type: string; kind?: string; framesDecoded?: number }) => {
          if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0;
        });
        return frames;
      }),
    );
  });
}

/** How many peer connections the page ever made (a rebuilt link makes a new one). */
export function peerConnectionCount(page: Page): Promise<number> {
  return page.evaluate(() => window.__e2ePeerConnections?.length ?? 0);
}

/**
 * Asserts that each of the page's `connections` peer connections keeps decoding video:
 * from now on, framesDecoded grows by at least `minFrames` on every one of them within
 * `timeoutMs`. A stalled stream never gets there; a busy machine only takes longer.
 */
export async function expectVideoFlowing(
  page: Page,
  { connections, minFrames = 10, timeoutMs = 20_000 }: { connections: number; minFrames?: number; timeoutMs?: number },
): Promise<void> {
  await expect
    .poll(async () => (await framesDecodedPerConnection(page)).filter((frames) => frames > 0).length, {
      message: `${connections} connection(s) decoding video`,
    })
    .toBe(connections);
  const before = await framesDecodedPerConnection(page);
  await expect
    .poll(
      async () => {
        const after = await framesDecodedPerConnection(page);
        if (after.length !== connections) return `${after.length} open connections`;
        return Math.min(...after.map((frames, index) => frames - (before[index] ?? 0)));
      },
      { message: `fewest frames decoded on one of ${connections} connection(s) within ${timeoutMs} ms`, timeout: timeoutMs, intervals: [250] },
    )
    .toBeGreaterThanOrEqual(minFrames);
}

/**
 * Resolves once the page's video element at `selector` shows frames (videoWidth > 0).
 * A four-person mesh in one Chromium starts 12 encoders and 12 decoders (and the E2EE
 * handshakes) at once: on a saturated two-core machine the first frame of the last
 * stream took more than 15 s, hence the 45 s default.
 */
export async function expectVideoShown(page: Page, testId: string, index = 0, timeoutMs = 45_000): Promise<void> {
  await expect
    .poll(() => page.getByTestId(testId).nth(index).locator('video').evaluate((video: HTMLVideoElement) => video.videoWidth), { timeout: timeoutMs })
    .toBeGreaterThan(0);
}
