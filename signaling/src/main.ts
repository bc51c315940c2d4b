import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`conclave: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  const server = await startServer(config, log);
  log.info({ url: server.url }, 'conclave is listening');
  // The one line a person running `npm start` looks for.
  process.stdout.write(`\nConclave is running: open ${server.url}/ in a browser (Ctrl+C to stop)\n\n`);

  const stop = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('conclave: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
