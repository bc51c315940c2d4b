import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './support/browser.js';

const chromium = findChromium();
if ('error' in chromium) {
  console.error(`e2e: ${chromium.error}`);
  process.exit(1);
}

export default defineConfig({
  testDir: './tests',
  outputDir: './artifacts/results',
  // Two cores: meetings in parallel would starve each other's encoders.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    launchOptions: { executablePath: chromium.path, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
