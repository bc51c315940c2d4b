/** npm run archive: the archive service (portal, API, inbox), configured from the environment (docs/archive.md). */
import { pino } from 'pino';
import { loadArchiveConfig } from './config.js';
import { ArchiveError } from './errors.js';
import { startArchive } from './http/server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadArchiveConfig();
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const log = pino({ level: config.logLevel });
  const running = await startArchive(config, log);
  process.stdout.write(`Conclave archive: ${running.url}\n`);
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// A start that fails after the configuration (a bucket that cannot be reached, a database
// refusing the login, a port in use) ends with its message, not a stack trace.
main().catch((error: unknown) => {
  console.error(`archive: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
