import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { OBJECTS_DIR } from '../archive.js';
import { startS3Server } from '../store/testing.js';
import { makeRecording, newRecorderKey, type RecorderKey } from '../testing/recordings.js';

const run = promisify(execFile);

async function cli(name: 'ingest' | 'fixity', args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', file, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let key: RecorderKey;
beforeAll(async () => {
  key = await newRecorderKey();
});

describe('archive CLIs', () => {
  it('ingest then fixity: exit 0, then 1 naming the damaged file, 2 on bad usage', async () => {
    const data = mkdtempSync(join(tmpdir(), 'archive-cli-'));
    const root = mkdtempSync(join(tmpdir(), 'recordings-'));
    const one = await makeRecording(root, 'rec-1', key);
    const two = await makeRecording(root, 'rec-2', key);
    const env = { ARCHIVE_TRUSTED_RECORDER_KEYS: key.publicKeyBase64 };

    const ingested = await cli('ingest', ['--data', data, one.dir, two.dir], env);
    expect(ingested.stdout).toMatch(/^ingested rec-1 \(3 files, \d+ bytes, chain: first\)\ningested rec-2 \(3 files, \d+ bytes, chain: linked\)\n$/);
    expect(ingested.code).toBe(0);
    expect(await cli('ingest', ['--data', data, one.dir], env)).toMatchObject({ code: 0, stdout: 'already rec-1\n' });
    const notARecording = await cli('ingest', ['--data', data, mkdtempSync(join(tmpdir(), 'empty-'))], env);
    expect(notARecording.code).toBe(1);
    expect(notARecording.stdout).toMatch(/^REFUSED .*\n {2}.*manifest\.json: missing: not a recording, or not sealed\n$/);

    expect(await cli('fixity', ['--data', data])).toEqual({ code: 0, stdout: '6 files checked in 2 recordings, 0 problems\n', stderr: '' });
    const segment = join(data, OBJECTS_DIR, 'rec-2', 'segments/segment-0001.mkv');
    const bytes = readFileSync(segment);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(segment, bytes);
    const damaged = await cli('fixity', [], { ARCHIVE_DATA_DIR: data });
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(/^FAIL rec-2\/segments\/segment-0001\.mkv: SHA-256 is [0-9a-f]{64}, [0-9a-f]{64} was ingested: the content changed\n6 files checked in 2 recordings, 1 problem\n$/);

    expect(await cli('fixity', ['--data'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--data needs a directory') });
    expect(await cli('fixity', ['--data', join(data, 'nothing-here')])).toMatchObject({ code: 2, stderr: expect.stringContaining('is not an archive') });
    expect(await cli('ingest', ['--data', data])).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run archive:ingest') });
  }, 60_000);

  it('with ARCHIVE_STORE=s3 the CLIs use the bucket, as the service does, and say so when it cannot be reached', async () => {
    const s3 = await startS3Server();
    try {
      const data = mkdtempSync(join(tmpdir(), 'archive-cli-s3-'));
      const root = mkdtempSync(join(tmpdir(), 'recordings-'));
      const one = await makeRecording(root, 'rec-s3', key);
      const env = {
        ARCHIVE_TRUSTED_RECORDER_KEYS: key.publicKeyBase64,
        ARCHIVE_STORE: 's3',
        ARCHIVE_S3_ENDPOINT: s3.config.endpoint ?? '',
        ARCHIVE_S3_BUCKET: s3.config.bucket,
        ARCHIVE_S3_ACCESS_KEY_ID: 'S3RVER',
        ARCHIVE_S3_SECRET_ACCESS_KEY: 'S3RVER',
      };
      expect(await cli('ingest', ['--data', data, one.dir], env)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ingested rec-s3 /) });
      // The files went to the bucket, not to the data directory.
      expect(readdirSync(join(s3.directory, s3.config.bucket)).length).toBeGreaterThan(0);
      expect(existsSync(join(data, OBJECTS_DIR, 'rec-s3'))).toBe(false);
      expect(await cli('fixity', ['--data', data], env)).toMatchObject({ code: 0, stdout: '3 files checked in 1 recording, 0 problems\n' });
      const unreachable = await cli('fixity', ['--data', data], { ...env, ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:9' });
      expect(unreachable.code).toBe(2);
      expect(unreachable.stderr).toMatch(/cannot be reached/);
    } finally {
      await s3.stop();
    }
  }, 60_000);

  it('archive:account at a terminal does not show the password as it is typed', async () => {
    const data = mkdtempSync(join(tmpdir(), 'archive-cli-tty-'));
    const file = fileURLToPath(new URL('./account.ts', import.meta.url));
    // script(1) gives the command a real terminal; the password is typed once the prompt shows.
    const child = spawn('script', ['-qc', `${process.execPath} --import tsx ${file} --data ${data} grace archivist`, '/dev/null'], { env: { PATH: process.env.PATH ?? '' } });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const before = screen;
      screen += chunk.toString('utf8');
      if (!before.includes('password (not shown)') && screen.includes('password (not shown)')) child.stdin.write('Hidden-Typing-Secret-42\r');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(screen).toContain('created archivist account grace');
    expect(screen).not.toContain('Hidden-Typing-Secret-42');
    expect(code).toBe(0);
  }, 60_000);
});
