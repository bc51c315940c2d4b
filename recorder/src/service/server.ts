import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RecorderBrowser, type BrowserObserver } from './browser.js';
import type { RecorderServiceConfig } from './config.js';
import { createRecorderHandler } from './http.js';
import { RecorderMetrics } from './metrics.js';
import { Recordings, type Finalizer } from './recordings.js';

export interface RunningRecorder {
  http: Server;
  recordings: Recordings;
  metrics: RecorderMetrics;
  browser: RecorderBrowser;
  url: string;
  close(): Promise<void>;
}

/** Starts the recording service: HTTP routes, the recorder browser, and the recordings the disk still holds. */
export async function startRecorder(
  config: RecorderServiceConfig,
  log: Logger,
  finalize: Finalizer,
  testing: { observeBrowser?: BrowserObserver } = {},
): Promise<RunningRecorder> {
  await mkdir(join(config.RECORDER_DATA_DIR, 'work'), { recursive: true });
  const metrics = new RecorderMetrics();
  let recordings: Recordings | null = null;
  const browser = new RecorderBrowser({
    chromiumPath: config.CHROMIUM_PATH,
    profileDir: join(config.RECORDER_DATA_DIR, 'browser-profile'),
    log,
    observe: testing.observeBrowser,
    onRestart: () => {
      metrics.browserRestarts.inc();
      void recordings?.reopenAll().catch((error: unknown) => log.error({ err: String(error) }, 'could not reopen the recorder pages'));
    },
  });
  recordings = new Recordings(config, browser, finalize, metrics, log);
  const http = createServer(createRecorderHandler({ config, recordings, metrics, log }));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.RECORDER_PORT, config.RECORDER_HOST, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  // Port 0 picks a free one: browsers must use the real one.
  if (config.RECORDER_PORT === 0) config.publicUrl = `http://${config.RECORDER_HOST}:${port}`;
  await recordings.resume();
  const url = config.publicUrl;
  log.info({ url }, 'recording service listening');
  return {
    http,
    recordings,
    metrics,
    browser,
    url,
    close: async () => {
      await recordings?.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
