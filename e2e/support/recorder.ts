import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from '@playwright/test';
import { pino } from 'pino';
import type { RunningServer } from '@conclave/signaling';
import { createFinalizer, loadRecorderConfig, startRecorder, type BrowserObserver, type RunningRecorder } from '@conclave/recorder';
import { startTestServer } from './server.js';
import { freePort } from './ports.js';

export const RECORDER_SECRET = 'e2e-recorder-secret-0123456789abcdefgh';

export interface RecordingSetup {
  signaling: RunningServer;
  /** Where browsers reach the recording service. */
  recorderUrl: string;
  /** The running recording service (a new one after restartRecorder()). */
  readonly recorder: RunningRecorder;
  dataDir: string;
  /** Stops the recording service as a shutdown would (recordings left running) and starts it again on the same data. */
  restartRecorder(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A signaling server and a recording service that trust each other, the recorder's data in
 * a fresh folder. `observeBrowser` gets the recorder's browsers (the recorder page's and
 * the muxer's) before any page opens in them.
 */
export async function startWithRecorder(env: Record<string, string> = {}, options: { observeBrowser?: BrowserObserver } = {}): Promise<RecordingSetup> {
  const port = await freePort();
  const recorderUrl = `http://127.0.0.1:${port}`;
  const signaling = await startTestServer({ RECORDER_SECRET, RECORDER_URL: recorderUrl, ALLOWED_ORIGINS: recorderUrl, ...env });
  const dataDir = await mkdtemp(join(tmpdir(), 'conclave-recordings-'));
  const config = loadRecorderConfig({
    RECORDER_PORT: String(port),
    RECORDER_DATA_DIR: dataDir,
    RECORDER_SECRET,
    SIGNALING_URL: signaling.url,
    CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    LOG_LEVEL: 'warn',
  });
  const log = pino({ level: 'warn' });
  const observed = options.observeBrowser ? { observeBrowser: options.observeBrowser } : {};
  const start = () => startRecorder(config, log, createFinalizer(config, log, observed), observed);
  let recorder = await start();
  return {
    signaling,
    recorderUrl,
    get recorder() {
      return recorder;
    },
    dataDir,
    restartRecorder: async () => {
      await recorder.close();
      recorder = await start();
    },
    close: async () => {
      await recorder.close();
      await signaling.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ProbedStream {
  index: number;
  codec_name: string;
  codec_type: string;
  tags?: Record<string, string>;
}

/** Debian's ffprobe: an independent reading of what the recorder wrote. */
export async function ffprobe(path: string): Promise<{ streams: ProbedStream[]; format: { duration: string }; chapters: { tags?: { title?: string } }[] }> {
  const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-show_chapters', '-of', 'json', path]);
  return JSON.parse(stdout) as Awaited<ReturnType<typeof ffprobe>>;
}

/** The id of the recording the service is making (the first under its work/), once there is one. */
export async function recordingId(setup: RecordingSetup): Promise<string> {
  let id = '';
  await expect
    .poll(async () => {
      id = (await readdir(join(setup.dataDir, 'work')).catch(() => [] as string[]))[0] ?? '';
      return id;
    })
    .not.toBe('');
  return id;
}

/** Sequence numbers of the chunks the service holds for a recording. */
export async function storedSeqs(setup: RecordingSetup, id: string): Promise<number[]> {
  const names = await readdir(join(setup.dataDir, 'work', id, 'chunks')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.json')).map((name) => Number(name.replace('.json', ''))).sort((a, b) => a - b);
}
