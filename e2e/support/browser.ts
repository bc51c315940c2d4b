import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { OFFLINE_CHROMIUM_ARGS } from '@conclave/recorder';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Finds the browser the suite runs in: CHROMIUM_PATH if set, else a system Chromium,
 * else Playwright's own download. Returns an error line when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { error: string } {
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) {
    return existsSync(fromEnv) ? { path: fromEnv } : { error: `CHROMIUM_PATH=${fromEnv} does not exist` };
  }
  const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
  if (system) return { path: system };
  const bundled = chromium.executablePath();
  if (bundled && existsSync(bundled)) return { path: bundled };
  return {
    error:
      'no Chromium found: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary',
  };
}

/** Fake camera and microphone, autoplay allowed, and nothing that reaches outside the machine. */
export const CHROMIUM_ARGS = [
  ...OFFLINE_CHROMIUM_ARGS,
  // Three fake cameras, so switching devices can be tested. Chromium's second fake camera
  // is a depth camera (Y16) that WebRTC cannot encode: tests switch to the third.
  '--use-fake-device-for-media-stream=device-count=3',
  '--use-fake-ui-for-media-stream',
];
