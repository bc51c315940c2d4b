import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { sealRecording } from '../manifest/chain.js';
import { loadOrCreateRecorderKey, type RecorderKey } from '../manifest/signing.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('./verify.ts', import.meta.url));

async function verify(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let key: RecorderKey;
beforeAll(async () => {
  key = await loadOrCreateRecorderKey(mkdtempSync(join(tmpdir(), 'recorder-key-')));
});

async function archive(): Promise<{ root: string; dirs: string[] }> {
  const root = mkdtempSync(join(tmpdir(), 'archive-'));
  const dirs: string[] = [];
  for (const day of [1, 2]) {
    const dir = join(root, `rec-${day}`);
    mkdirSync(join(dir, 'segments'), { recursive: true });
    writeFileSync(join(dir, 'segments/segment-0001.mkv'), Buffer.alloc(4096, day));
    const startedAt = `2025-01-0${day}T10:00:00.000Z`;
    await sealRecording(
      root,
      dir,
      {
        version: 1,
        recordingId: `rec-${day}`,
        room: 'board',
        startedAt,
        endedAt: `2025-01-0${day}T11:00:00.000Z`,
        participants: [{ id: 'p1', name: 'Alice', notices: [{ event: 'consented', notice: 'v1', at: startedAt }] }],
        segments: [{ index: 1, file: 'segments/segment-0001.mkv', startOffsetMs: 0, endOffsetMs: 3_600_000, reason: 'start', tracks: [], chapters: [] }],
      },
      key,
    );
    dirs.push(dir);
  }
  return { root, dirs };
}

describe('npm run recording:verify', () => {
  it('passes an intact archive and one recording alone', async () => {
    const { root, dirs } = await archive();
    expect(await verify(root)).toEqual({ code: 0, stdout: '2 recordings checked, 0 problems\n', stderr: '' });
    const one = await verify(dirs[0]!);
    expect(one).toEqual({ code: 0, stdout: '1 recording checked, 0 problems\n', stderr: '' });
  }, 30_000);

  it('names the damaged file and the broken link, and exits 1', async () => {
    const { root, dirs } = await archive();
    const media = join(dirs[1]!, 'segments/segment-0001.mkv');
    const bytes = readFileSync(media);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(media, bytes);
    writeFileSync(join(dirs[1]!, 'notes.txt'), 'added later');
    const manifest = JSON.parse(readFileSync(join(dirs[0]!, 'manifest.json'), 'utf8')) as { room: string };
    writeFileSync(join(dirs[0]!, 'manifest.json'), JSON.stringify({ ...manifest, room: 'elsewhere' }));

    const result = await verify(root);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      `FAIL ${join(dirs[0]!, 'manifest.json')}: bad signature: the manifest was changed after it was signed, or signed by another key`,
      expect.stringMatching(new RegExp(`^FAIL ${media}: SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}: the content changed$`)),
      `FAIL ${join(dirs[1]!, 'notes.txt')}: present but not listed in the manifest`,
      expect.stringMatching(new RegExp(`^FAIL ${join(dirs[1]!, 'manifest.json')}: chain broken: `)),
      '2 recordings checked, 4 problems',
    ]);
  }, 30_000);

  it('prints notes without failing', async () => {
    const { dirs } = await archive();
    const result = await verify(dirs[1]!);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NOTE .*manifest\.json: the chain starts at a manifest not in this directory/m);
  }, 30_000);

  it('explains bad usage with exit code 2', async () => {
    const { root, dirs } = await archive();
    expect(await verify()).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^usage: npm run recording:verify -- DIR/) });
    expect(await verify(root, root)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage:/) });
    expect(await verify('/no/such/dir')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^recording:verify: \/no\/such\/dir does not exist\n/) });
    const file = join(dirs[0]!, 'manifest.json');
    expect(await verify(file)).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/is not a directory/) });
  }, 30_000);

  it('fails a directory with no recording in it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    expect(await verify(empty)).toEqual({ code: 1, stdout: `FAIL ${empty}: no recording here (no manifest.json in it or below it)\n0 recordings checked, 1 problem\n`, stderr: '' });
  }, 30_000);
});
