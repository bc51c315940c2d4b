import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RESUME_GRACE_SECONDS, DEFAULT_ROOM_CAPACITY, iceServerSchema } from '@conclave/protocol';
import { z } from 'zod';
import { loadTlsFiles, TlsError } from './tls.js';

const defaultClientDir = fileURLToPath(new URL('../../client/dist', import.meta.url));

/** A value given as JSON text in the environment, or as JSON itself in the config file. */
function jsonOrValue<T extends z.ZodType>(schema: T, what: string) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${what} (JSON)` });
      return z.NEVER;
    }
  }, schema);
}

/** "a,b,c" in the environment, or an array in the config file. */
function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean)
        : value,
    z.array(item),
  );
}

const boolean = z.preprocess((value) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value), z.boolean());
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An ICE_SERVERS entry naming a TURN server (with `relay`, a STUN server alone gives no candidate). */
function isTurnServer(server: { urls: string | string[] }): boolean {
  return (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => /^turns?:/.test(url));
}

/** Every setting; each is documented in the README's configuration table. */
const configSchema = z
  .object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: count(0, 65535).default(3000),
    CLIENT_DIR: z.string().min(1).default(defaultClientDir),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    ROOM_CAPACITY: count(2, 64).default(DEFAULT_ROOM_CAPACITY),
    RESUME_GRACE_SECONDS: count(1, 600).default(DEFAULT_RESUME_GRACE_SECONDS),
    ACCESS: z.enum(['open', 'token']).default('open'),
    TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),

    ICE_SERVERS: jsonOrValue(z.array(iceServerSchema), 'an array of RTCIceServer objects').default([]),
    TURN_URLS: listOf(z.string().regex(/^turns?:/, 'must start with turn: or turns:')).default([]),
    TURN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    TURN_TTL_SECONDS: count(60, 7 * 24 * 3600).default(12 * 3600),
    /** `relay`: browsers use only TURN relay candidates (every call through the TURN server). */
    ICE_TRANSPORT_POLICY: z.enum(['all', 'relay']).default('all'),

    ALLOWED_ORIGINS: listOf(z.url({ message: 'must be an origin such as https://meet.example.org' })).default([]),
    TRUST_PROXY: boolean.default(false),
    /**
     * Browsers reach this server over HTTPS (directly or through a TLS proxy): send
     * Strict-Transport-Security. Defaults to true when this server serves TLS itself.
     */
    SERVED_OVER_HTTPS: boolean.optional(),
    /** Serve HTTPS directly: the certificate (then its issuers, an internal CA's chain) and its key, PEM. */
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    MAX_CONNECTIONS: count(1, 1_000_000).default(10_000),
    MAX_CONNECTIONS_PER_IP: count(1, 1_000_000).default(100),
    EVENTS_PER_SECOND: count(1, 1_000_000).default(50),
    EVENT_BURST: count(1, 1_000_000).default(200),
    JOINS_PER_MINUTE_PER_IP: count(1, 10_000_000).default(60),

    RECORDER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    RECORDER_URL: z.url({ message: 'must be the recording service URL, such as https://rec.example.org' }).optional(),
    RECORDING_POLICY: z.enum(['moderators', 'anyone']).default('moderators'),
    COMPLIANCE_ROOMS: listOf(z.string().min(1).max(128)).default([]),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  })
  .superRefine((config, ctx) => {
    if (config.ACCESS === 'token' && !config.TOKEN_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TOKEN_SECRET'], message: 'is required when ACCESS=token' });
    }
    if (config.TURN_URLS.length > 0 && !config.TURN_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TURN_SECRET'], message: 'is required when TURN_URLS is set' });
    }
    if (config.RECORDER_URL && !config.RECORDER_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['RECORDER_SECRET'], message: 'is required when RECORDER_URL is set' });
    }
    if (config.COMPLIANCE_ROOMS.length > 0 && !config.RECORDER_URL) {
      ctx.addIssue({ code: 'custom', path: ['RECORDER_URL'], message: 'is required when COMPLIANCE_ROOMS is set (they are always recorded)' });
    }
    if (config.ICE_TRANSPORT_POLICY === 'relay' && config.TURN_URLS.length === 0 && !config.ICE_SERVERS.some(isTurnServer)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ICE_TRANSPORT_POLICY'],
        message: 'relay needs a TURN server: set TURN_URLS and TURN_SECRET (or a turn: entry with credentials in ICE_SERVERS)',
      });
    }
    if (config.TLS_CERT_FILE && !config.TLS_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['TLS_KEY_FILE'], message: 'is required when TLS_CERT_FILE is set' });
    }
    if (config.TLS_KEY_FILE && !config.TLS_CERT_FILE) {
      ctx.addIssue({ code: 'custom', path: ['TLS_CERT_FILE'], message: 'is required when TLS_KEY_FILE is set' });
    }
    if (config.TURN_SECRET && config.TURN_URLS.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['TURN_URLS'], message: 'is required when TURN_SECRET is set' });
    }
  });

export type Config = Omit<z.output<typeof configSchema>, 'SERVED_OVER_HTTPS'> & { SERVED_OVER_HTTPS: boolean };
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read CONFIG_FILE ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`CONFIG_FILE ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`CONFIG_FILE ${path} must hold one JSON object of settings`);
  }
  const unknown = Object.keys(value).filter((key) => !(CONFIG_KEYS as string[]).includes(key));
  if (unknown.length) throw new ConfigError(`CONFIG_FILE ${path}: unknown setting(s) ${unknown.join(', ')}`);
  return value as Record<string, unknown>;
}

/**
 * Reads the settings from CONFIG_FILE (a JSON object, optional) overlaid by the
 * environment, and validates them; throws a ConfigError naming every bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const fromEnv = Object.fromEntries(CONFIG_KEYS.filter((key) => env[key] !== undefined).map((key) => [key, env[key]]));
  const parsed = configSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.TLS_CERT_FILE && config.TLS_KEY_FILE) {
    // Checked now, so a bad certificate stops the start with a message rather than failing handshakes later.
    try {
      loadTlsFiles(config.TLS_CERT_FILE, config.TLS_KEY_FILE);
    } catch (error) {
      if (error instanceof TlsError) throw new ConfigError(`invalid configuration:\n  ${error.message}`);
      throw error;
    }
  }
  return { ...config, SERVED_OVER_HTTPS: config.SERVED_OVER_HTTPS ?? Boolean(config.TLS_CERT_FILE) };
}
