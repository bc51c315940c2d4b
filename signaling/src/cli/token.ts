/**
 * Mints a join token: npm run token -- --room R --role moderator --ttl 1h [--name N] [--compliance]
 * Reads TOKEN_SECRET from the environment or CONFIG_FILE, like the server.
 */
import { parseArgs } from 'node:util';
import { displayNameSchema, roomIdSchema } from '@conclave/protocol';
import { loadConfig } from '../config.js';
import { mintToken, TOKEN_ROLES, type TokenRole } from '../access/tokens.js';
import { parseDuration } from './duration.js';

const USAGE = 'usage: npm run token -- --room <room id or *> [--role participant|moderator] [--ttl 1h] [--name "Display Name"] [--compliance]';

function fail(message: string): never {
  console.error(`token: ${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        room: { type: 'string' },
        role: { type: 'string', default: 'participant' },
        ttl: { type: 'string', default: '1h' },
        name: { type: 'string' },
        compliance: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.error(USAGE);
    return;
  }
  if (!values.room) fail('--room is required');
  if (values.room !== '*' && !roomIdSchema.safeParse(values.room).success) fail(`--room: "${values.room}" is not a room id (4-64 of A-Z a-z 0-9 _ -)`);
  if (!(TOKEN_ROLES as readonly string[]).includes(values.role)) fail(`--role must be one of ${TOKEN_ROLES.join(', ')}`);
  const ttlSeconds = parseDuration(values.ttl);
  if (!ttlSeconds) fail(`--ttl: "${values.ttl}" is not a duration such as 90s, 30m, 1h or 7d`);
  if (values.name !== undefined && !displayNameSchema.safeParse(values.name).success) fail('--name must be 1-64 printable characters');

  let secret: string | undefined;
  try {
    secret = loadConfig().TOKEN_SECRET;
  } catch (error) {
    fail((error as Error).message);
  }
  if (!secret) fail('TOKEN_SECRET is not set (environment or CONFIG_FILE); the server must share it');

  const token = await mintToken(secret, {
    room: values.room,
    role: values.role as TokenRole,
    ttlSeconds,
    ...(values.name ? { name: values.name } : {}),
    ...(values.compliance ? { compliance: true } : {}),
  });
  process.stdout.write(`${token}\n`);
}

void main();
