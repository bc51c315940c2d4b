import { createLogger, loadConfig, startServer, type RunningServer, type SignalInterceptor } from '@conclave/signaling';

/** Starts the real server (built client included) on a free loopback port. */
export async function startTestServer(env: Record<string, string> = {}, testing: { interceptSignal?: SignalInterceptor } = {}): Promise<RunningServer> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env });
  return startServer(config, createLogger(config.LOG_LEVEL), testing);
}
