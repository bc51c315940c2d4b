import { iceServerSchema, DEFAULT_ROOM_CAPACITY } from '@conclave/protocol';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const defaultClientDir = fileURLToPath(new URL('../../client/dist', import.meta.url));

const iceServersFromJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of RTCIceServer objects' });
      return z.NEVER;
    }
  })
  .pipe(z.array(iceServerSchema));

/** Environment variables the server reads; each is documented in the README's configuration table. */
const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ROOM_CAPACITY: z.coerce.number().int().min(2).max(64).default(DEFAULT_ROOM_CAPACITY),
  ICE_SERVERS: iceServersFromJson.default([]),
  CLIENT_DIR: z.string().min(1).default(defaultClientDir),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the configuration; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
