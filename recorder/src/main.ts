/**
 * The recording service: `npm run recorder` (see README: RECORDER_SECRET, SIGNALING_URL).
 * SIGTERM stops every running recording cleanly (chunks uploaded, files sealed) and exits.
 */
import { pino } from 'pino';
import { loadRecorderConfig, RecorderConfigError } from './service/config.js';
import { createFinalizer } from './service/finalize.js';
import { startRecorder } from './service/server.js';

let config;
try {
  config = loadRecorderConfig();
} catch (error) {
  if (error instanceof RecorderConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const log = pino({ level: config.LOG_LEVEL, base: { service: 'recorder' }, redact: { paths: ['secret', '*.secret', 'token', '*.token', 'grant', '*.grant'], censor: '[redacted]' } });
const recorder = await startRecorder(config, log, createFinalizer(config, log));
process.stdout.write(`Conclave recorder is running at ${recorder.url} (recordings in ${config.RECORDER_DATA_DIR})\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await recorder.recordings.stopAll();
  await recorder.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
