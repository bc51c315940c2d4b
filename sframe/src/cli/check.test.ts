import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('./check.ts', import.meta.url));
const vectors = fileURLToPath(new URL('../../test-vectors/test-vectors.json', import.meta.url));

async function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run sframe:check', () => {
  it('passes the RFC file and names each broken vector in a tampered copy', async () => {
    const good = await check(vectors);
    expect(good.code).toBe(0);
    expect(good.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);

    const bad = join(mkdtempSync(join(tmpdir(), 'sframe-')), 'bad.json');
    const text = readFileSync(vectors, 'utf8').replace('"encoded": "08ff"', '"encoded": "08fe"');
    writeFileSync(bad, text.replace(/("ct": "[0-9a-f]*)([0-9a-f])"/, (_, head: string, last: string) => `${head}${last === '0' ? '1' : '0'}"`));
    const result = await check(bad);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL header\[2\] kid 0 ctr 255: encoded: got 08ff, expected 08fe/m);
    expect(result.stdout).toMatch(/^FAIL aes_ctr_hmac\[0\] suite 1: encrypt\(pt\)/m);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 2 failed$/);
  }, 30_000);

  it('explains a missing or unreadable file', async () => {
    expect(await check()).toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: npm run sframe:check -- FILE/) });
    expect(await check('/no/such/file.json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read/) });
  }, 30_000);
});
