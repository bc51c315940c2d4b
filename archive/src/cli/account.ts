/**
 * npm run archive:account -- [--data DIR] USERNAME ROLE [--replace]
 * Creates an archivist account (ROLE: archivist, auditor or admin), or with --replace
 * sets its password and role (ending its sessions). The password comes from
 * ARCHIVE_ACCOUNT_PASSWORD or, else, the first line of standard input: never a flag,
 * which would show in the process list and the shell history.
 * Exit 0 on success, 1 if refused (weak password, name taken), 2 on bad usage.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { ROLES, type Role } from '../accounts/accounts.js';
import { openConfiguredArchive } from '../archive.js';
import { loadArchiveConfig } from '../config.js';
import { ArchiveError } from '../errors.js';
import { parseArgs, runCli, UsageError } from './args.js';

const USAGE = `usage: npm run archive:account -- [--data DIR] USERNAME ${ROLES.join('|')} [--replace]   (password from ARCHIVE_ACCOUNT_PASSWORD or standard input)\n`;

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ARCHIVE_ACCOUNT_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) return readHidden(process.stdin);
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) return line;
  return '';
}

/** One line typed at a terminal, not echoed (raw mode: the terminal shows nothing; backspace and Ctrl-C work). */
function readHidden(input: NodeJS.ReadStream): Promise<string> {
  // Raw mode before the prompt: anything typed once the prompt shows must not be echoed.
  input.setRawMode(true);
  input.resume();
  process.stderr.write('password (not shown): ');
  return new Promise((resolve) => {
    let typed = '';
    const done = (value: string) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(typed);
        if (char === '\u0003') {
          process.stderr.write('\n');
          process.exit(130);
        }
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
      }
    };
    input.on('data', onData);
  });
}

async function main(args: string[]): Promise<number> {
  const replace = args.includes('--replace');
  const parsed = parseArgs(args.filter((arg) => arg !== '--replace'));
  const [username, role, ...extra] = parsed.positional;
  if (!username || !role || extra.length > 0) throw new UsageError('give a username and a role');
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`the role must be one of ${ROLES.join(', ')}`);
  const password = await readPassword();
  const config = loadArchiveConfig();
  const archive = await openConfiguredArchive(config, parsed.dataDir ?? config.dataDir);
  try {
    await archive.accounts.create(username, password, role as Role, { actor: `cli:${userInfo().username}`, replace });
    process.stdout.write(`${replace ? 'updated' : 'created'} ${role} account ${username}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    process.stderr.write(`archive:account: ${error.message}\n`);
    return 1;
  } finally {
    await archive.close();
  }
}

runCli('archive:account', USAGE, main);
