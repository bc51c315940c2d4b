import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../src/access/tokens.js';
import { parseDuration } from '../src/cli/duration.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../src/cli/token.ts', import.meta.url));
const SECRET = 'cli-test-secret-that-is-long-enough-!!';

async function token(args: string[], env: Record<string, string> = { TOKEN_SECRET: SECRET }) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run token', () => {
  it('mints a token the server accepts', async () => {
    const { code, stdout } = await token(['--room', 'board-meeting', '--role', 'moderator', '--ttl', '1h', '--name', 'Chair']);
    expect(code).toBe(0);
    const claims = await verifyToken(SECRET, stdout.trim(), 'board-meeting');
    expect(claims).toMatchObject({ room: 'board-meeting', role: 'moderator', name: 'Chair' });
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(3590);
    expect(claims.compliance).toBeUndefined();
    const compliance = await token(['--room', 'board-meeting', '--compliance']);
    expect(await verifyToken(SECRET, compliance.stdout.trim(), 'board-meeting')).toMatchObject({ role: 'participant', compliance: true });
  }, 20_000);

  it('explains bad flags and a missing secret, and prints no token', async () => {
    const cases = [
      [['--role', 'moderator'], /--room is required/],
      [['--room', 'r', '--ttl', '1h'], /not a room id/],
      [['--room', 'board', '--role', 'admin'], /--role must be one of participant, moderator/],
      [['--room', 'board', '--ttl', 'soon'], /not a duration/],
      [['--room', 'board', '--bogus'], /Unknown option '--bogus'/],
    ] as const;
    for (const [args, message] of cases) {
      const result = await token([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    const noSecret = await token(['--room', 'board'], { TOKEN_SECRET: '' });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/TOKEN_SECRET/);
  }, 30_000);

  it('reads durations', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('0s')).toBeNull();
    expect(parseDuration('1w')).toBeNull();
  });
});
