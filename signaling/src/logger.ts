import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Signal payloads, passwords, tokens and secrets are never logged;
 * the redact list is a second line of defence should one slip into a log call.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'signaling' },
    redact: {
      paths: ['data', '*.data', 'sdp', '*.sdp', 'candidate', '*.candidate', 'password', '*.password', 'token', '*.token', 'secret', '*.secret', 'ticket', '*.ticket'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
