import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Signal payloads are never logged (they carry SDP and candidates);
 * the redact list is a second line of defence should one slip into a log call.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'signaling' },
    redact: { paths: ['data', '*.data', 'sdp', '*.sdp', 'candidate', '*.candidate'], censor: '[redacted]' },
  });
}
