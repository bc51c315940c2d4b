import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { OBJECTS_DIR } from '../archive.js';
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
});
