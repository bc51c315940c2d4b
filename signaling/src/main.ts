import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`conclave: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.LOG_LEVEL);
  const server = await startServer(config, log);
  log.info({ url: server.url, access: config.ACCESS, redis: Boolean(config.REDIS_URL) }, 'conclave is listening');
  // The one line a person running `npm start` looks for.
  process.stdout.write(`\nConclave is running: open ${server.url}/ in a browser (Ctrl+C to stop)\n\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: clients are told to reconnect');
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    server.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('conclave: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
