// What other workspaces (tests, benchmarks, the all-in-one process) import to run the server.
export { loadConfig, ConfigError, type Config } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { turnCredentials } from './access/turn.js';
export { createSelfSignedCertificate } from './certificate.js';
export { startServer, type RunningServer } from './server.js';
export type { SignalInterceptor } from './handlers/context.js';
