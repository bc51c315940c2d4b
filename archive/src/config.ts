/** The archive's configuration, from the environment; validated at start, every bad setting named. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ArchiveError } from './errors.js';
import { type RetentionPolicy } from './retention/policy.js';
import { type S3StoreConfig } from './store/s3-store.js';

// Ed25519 raw public key: 32 bytes, 44 base64 characters (as in manifest.recorder.publicKey).
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
// Days, or null for 'forever'; from the environment (a string) or the room JSON (a number or a string).
const days = z.unknown().transform((value, ctx): number | null => {
  if (value === 'forever') return null;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 100 * 366) return number;
  ctx.addIssue({ code: 'custom', message: `a whole number of days (1 to 36600), or 'forever', not ${JSON.stringify(value)}` });
  return z.NEVER;
});

const defaultClientDir = fileURLToPath(new URL('../../client/dist', import.meta.url));
const boolean = z.preprocess((value) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value), z.boolean());

export const archiveConfigSchema = z.strictObject({
  /** catalog.sqlite and objects/ live here. */
  ARCHIVE_DATA_DIR: z.string().min(1).default('archive-data'),
  /** postgres://user:password@host:port/database: the catalog, audit log and accounts in PostgreSQL instead of catalog.sqlite. */
  ARCHIVE_DATABASE_URL: z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.pathname.length > 1;
      } catch {
        return false;
      }
    }, 'a PostgreSQL URL with a database name, such as postgres://archive:secret@db.example:5432/archive')
    .optional(),
  /** Comma- or space-separated base64 Ed25519 public keys of the recorders whose recordings are accepted. */
  ARCHIVE_TRUSTED_RECORDER_KEYS: z
    .string()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.string().regex(BASE64_32_BYTES, 'each key is the base64 of a raw 32-byte Ed25519 public key, as in a manifest’s recorder.publicKey'))),
  /** Days a recording is kept after it ends, unless its room says otherwise. */
  ARCHIVE_RETENTION_DAYS: days.default(null),
  /** JSON object, room -> days or "forever": {"legal": 3650, "standup": 30}. */
  ARCHIVE_ROOM_RETENTION: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON: expected an object such as {"legal": 3650, "standup": "forever"}' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), days)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ARCHIVE_HOST: z.string().min(1).default('127.0.0.1'),
  ARCHIVE_PORT: z.coerce.number().int().min(0).max(65535).default(3200),
  /** The origin browsers use to reach the portal (behind a proxy: the proxy's); default http://HOST:PORT. */
  ARCHIVE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Browsers reach the portal over HTTPS (directly or through a TLS proxy): Secure cookies and HSTS. */
  ARCHIVE_TLS: boolean.default(false),
  /** Behind a reverse proxy: a client's address (in the audit log) is the last X-Forwarded-For entry, the one the proxy appended. */
  ARCHIVE_TRUST_PROXY: boolean.default(false),
  /** A directory of sealed recordings to ingest (the recording service's recordings/), scanned every ARCHIVE_INBOX_SECONDS. */
  ARCHIVE_INBOX: z.string().min(1).optional(),
  ARCHIVE_INBOX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(10),
  /** bag-info.txt Source-Organization of exported packages. */
  ARCHIVE_ORGANIZATION: z.string().min(1).max(200).default('Conclave archive'),
  /** The built client (it holds the portal page, archive.html). */
  CLIENT_DIR: z.string().min(1).default(defaultClientDir),
  /** Hours between fixity passes over every stored file, and minutes between retention sweeps. */
  ARCHIVE_FIXITY_HOURS: z.coerce.number().min(0.01).max(24 * 365).default(24),
  ARCHIVE_SWEEP_MINUTES: z.coerce.number().min(1).max(7 * 24 * 60).default(60),
  /** Where the files are: `local` (ARCHIVE_DATA_DIR/objects) or `s3` (an S3-compatible service). */
  ARCHIVE_STORE: z.enum(['local', 's3']).default('local'),
  ARCHIVE_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  ARCHIVE_S3_REGION: z.string().min(1).default('us-east-1'),
  ARCHIVE_S3_BUCKET: z.string().min(3).max(63).optional(),
  ARCHIVE_S3_PREFIX: z.string().max(200).default(''),
  ARCHIVE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  ARCHIVE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  ARCHIVE_S3_PATH_STYLE: boolean.optional(),
  ARCHIVE_S3_OBJECT_LOCK_MODE: z.enum(['COMPLIANCE', 'GOVERNANCE']).optional(),
  ARCHIVE_S3_OBJECT_LOCK_DAYS: z.coerce.number().int().min(1).max(100 * 366).optional(),
  ARCHIVE_S3_CONDITIONAL_WRITES: boolean.default(true),
}).superRefine((config, ctx) => {
  if (config.ARCHIVE_STORE === 's3') {
    for (const key of ['ARCHIVE_S3_BUCKET', 'ARCHIVE_S3_ACCESS_KEY_ID', 'ARCHIVE_S3_SECRET_ACCESS_KEY'] as const) {
      if (!config[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required with ARCHIVE_STORE=s3' });
    }
  }
  if ((config.ARCHIVE_S3_OBJECT_LOCK_MODE === undefined) !== (config.ARCHIVE_S3_OBJECT_LOCK_DAYS === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['ARCHIVE_S3_OBJECT_LOCK_MODE'], message: 'set both ARCHIVE_S3_OBJECT_LOCK_MODE and ARCHIVE_S3_OBJECT_LOCK_DAYS, or neither' });
  }
});

export interface ArchiveConfig {
  dataDir: string;
  /** PostgreSQL instead of SQLite for the catalog, audit log and accounts; null: SQLite. */
  databaseUrl: string | null;
  trustedRecorderKeys: string[];
  retention: RetentionPolicy;
  logLevel: z.output<typeof archiveConfigSchema>['LOG_LEVEL'];
  host: string;
  port: number;
  publicUrl: string | null;
  tls: boolean;
  trustProxy: boolean;
  inbox: string | null;
  inboxSeconds: number;
  organization: string;
  clientDir: string;
  fixityEveryMs: number;
  sweepEveryMs: number;
  /** The S3-compatible store, or null for files under dataDir/objects. */
  s3: S3StoreConfig | null;
}

const KEYS = Object.keys(archiveConfigSchema.shape);

export function loadArchiveConfig(env: NodeJS.ProcessEnv = process.env): ArchiveConfig {
  const picked = Object.fromEntries(KEYS.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]));
  const parsed = archiveConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new ArchiveError('config', `invalid archive configuration:\n  ${lines.join('\n  ')}`);
  }
  const config = parsed.data;
  return {
    dataDir: config.ARCHIVE_DATA_DIR,
    databaseUrl: config.ARCHIVE_DATABASE_URL ?? null,
    trustedRecorderKeys: config.ARCHIVE_TRUSTED_RECORDER_KEYS,
    retention: {
      defaultDays: config.ARCHIVE_RETENTION_DAYS,
      rooms: config.ARCHIVE_ROOM_RETENTION,
    },
    logLevel: config.LOG_LEVEL,
    host: config.ARCHIVE_HOST,
    port: config.ARCHIVE_PORT,
    publicUrl: config.ARCHIVE_PUBLIC_URL ? new URL(config.ARCHIVE_PUBLIC_URL).origin : null,
    tls: config.ARCHIVE_TLS,
    trustProxy: config.ARCHIVE_TRUST_PROXY,
    inbox: config.ARCHIVE_INBOX ?? null,
    inboxSeconds: config.ARCHIVE_INBOX_SECONDS,
    organization: config.ARCHIVE_ORGANIZATION,
    fixityEveryMs: config.ARCHIVE_FIXITY_HOURS * 3_600_000,
    sweepEveryMs: config.ARCHIVE_SWEEP_MINUTES * 60_000,
    s3:
      config.ARCHIVE_STORE === 's3'
        ? {
            ...(config.ARCHIVE_S3_ENDPOINT ? { endpoint: config.ARCHIVE_S3_ENDPOINT } : {}),
            ...(config.ARCHIVE_S3_PATH_STYLE !== undefined ? { forcePathStyle: config.ARCHIVE_S3_PATH_STYLE } : {}),
            region: config.ARCHIVE_S3_REGION,
            bucket: config.ARCHIVE_S3_BUCKET ?? '',
            prefix: config.ARCHIVE_S3_PREFIX,
            credentials: { accessKeyId: config.ARCHIVE_S3_ACCESS_KEY_ID ?? '', secretAccessKey: config.ARCHIVE_S3_SECRET_ACCESS_KEY ?? '' },
            objectLock: config.ARCHIVE_S3_OBJECT_LOCK_MODE && config.ARCHIVE_S3_OBJECT_LOCK_DAYS ? { mode: config.ARCHIVE_S3_OBJECT_LOCK_MODE, days: config.ARCHIVE_S3_OBJECT_LOCK_DAYS } : null,
            conditionalWrites: config.ARCHIVE_S3_CONDITIONAL_WRITES,
          }
        : null,
    clientDir: config.CLIENT_DIR,
  };
}
