import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const defaultClientDir = fileURLToPath(new URL('../../../client/dist', import.meta.url));
const boolean = z.preprocess((value) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value), z.boolean());

/** The recording service's configuration, from the environment; validated at start. */
export const recorderConfigSchema = z
  .strictObject({
    RECORDER_HOST: z.string().min(1).default('127.0.0.1'),
    RECORDER_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
    /** Where recordings are kept (chunks while recording, then the finished files). */
    RECORDER_DATA_DIR: z.string().min(1).default('recordings'),
    /** Shared with the signaling server: grants and recorder tokens are signed with it. */
    RECORDER_SECRET: z.string().min(32, 'must be at least 32 characters (the same as the signaling server’s)'),
    /** Where the recorder's browser reaches the signaling server. */
    SIGNALING_URL: z.url({ message: 'must be the signaling server URL, such as http://127.0.0.1:3000' }),
    /** How browsers reach this service (default: http://RECORDER_HOST:RECORDER_PORT). */
    RECORDER_PUBLIC_URL: z.url().optional(),
    /** Meeting pages allowed to call the service (CORS); default: SIGNALING_URL's origin. */
    MEETING_ORIGINS: z.string().optional(),
    CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
    /** The built client (it holds the recorder page). */
    CLIENT_DIR: z.string().min(1).default(defaultClientDir),
    SEGMENT_SECONDS: z.coerce.number().int().min(1).max(3600).default(600),
    /**
     * Also feed decrypted frames to the recorder browser's decoders. On by default: a
     * receiver whose decoder gets nothing asks its sender for key frames without end
     * (about 3 PLIs a second), which costs every sender more than decoding costs the
     * recorder (measured in docs/benchmarks.md, bench:recorder).
     */
    FEED_DECODERS: boolean.default(true),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  });

export type RecorderServiceConfig = z.output<typeof recorderConfigSchema> & { publicUrl: string; meetingOrigins: string[] };

export class RecorderConfigError extends Error {
  override name = 'RecorderConfigError';
}

const KEYS = Object.keys(recorderConfigSchema.shape);

export function loadRecorderConfig(env: NodeJS.ProcessEnv = process.env): RecorderServiceConfig {
  const picked = Object.fromEntries(KEYS.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]));
  const parsed = recorderConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new RecorderConfigError(`invalid recorder configuration:\n  ${lines.join('\n  ')}`);
  }
  const config = parsed.data;
  const publicUrl = (config.RECORDER_PUBLIC_URL ?? `http://${config.RECORDER_HOST}:${config.RECORDER_PORT}`).replace(/\/$/, '');
  const meetingOrigins = config.MEETING_ORIGINS ? config.MEETING_ORIGINS.split(',').map((origin) => origin.trim()) : [new URL(config.SIGNALING_URL).origin];
  return { ...config, SIGNALING_URL: config.SIGNALING_URL.replace(/\/$/, ''), publicUrl, meetingOrigins };
}
