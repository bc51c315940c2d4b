import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBag } from './bag.js';
import { coreutilsCheck } from './independent.js';
import { entryHeaders, paxRecord, tarBag, writeTar } from './tar.js';
import { makeSyntheticRecording } from './testing.js';
import { validateBag } from './validate.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'conclave-bagtar-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const LONG_DIR = `${'deeply-nested-folder-'.repeat(6)}x`; // 127 characters
const LONG_PATHS = {
  // Fits ustar only split into prefix and name.
  [`notes/${LONG_DIR}/short.txt`]: 'split\n',
  // A name over 100 bytes: needs pax.
  [`notes/${'n'.repeat(120)}.txt`]: 'long name\n',
  // Over 255 bytes in all: needs pax.
  [`notes/${LONG_DIR}/${LONG_DIR}/end.txt`]: 'very long path\n',
  'notes/café ünïcode.txt': 'utf-8 name\n',
  'notes/empty.txt': '',
};

async function bagWithLongNames(): Promise<string> {
  const recording = await makeSyntheticRecording(join(root, 'recording'), { extraFiles: LONG_PATHS });
  const bagDir = join(root, 'bag-rec-1');
  await writeBag(recording.input, bagDir, { sourceOrganization: 'Example' });
  return bagDir;
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(dir.length + 1), await readFile(path));
    }
  }
  return files;
}

describe('writeTar', () => {
  it('writes a tar that GNU tar extracts to the same bytes, long and non-ASCII names included', async () => {
    const bagDir = await bagWithLongNames();
    const tarFile = join(root, 'bag.tar');
    await writeTar(bagDir, createWriteStream(tarFile));

    const archive = await readFile(tarFile);
    expect(archive.length % 512).toBe(0);
    expect(archive.subarray(-1024).every((byte) => byte === 0)).toBe(true);

    // --warning=all: any header GNU tar finds odd (a bad checksum, an unknown keyword) is said on stderr.
    const list = spawnSync('tar', ['--warning=all', '-tvf', tarFile], { encoding: 'utf8' });
    expect(list.stderr).toBe('');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^drwxr-xr-x 0\/0 +0 .+ bag-rec-1\/$/m);
    expect(list.stdout).toMatch(/^-rw-r--r-- 0\/0 +\d+ .+ bag-rec-1\/bagit\.txt$/m);

    const out = join(root, 'extracted');
    await mkdir(out);
    const extract = spawnSync('tar', ['--warning=all', '-xf', tarFile, '-C', out], { encoding: 'utf8' });
    expect(extract.stderr).toBe('');
    expect(extract.status).toBe(0);
    expect(await readdir(out)).toEqual(['bag-rec-1']);

    const original = await filesUnder(bagDir);
    const extracted = await filesUnder(join(out, 'bag-rec-1'));
    expect([...extracted.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [path, bytes] of original) expect(extracted.get(path)?.equals(bytes), path).toBe(true);
    for (const path of Object.keys(LONG_PATHS)) expect(extracted.has(`data/${path}`), path).toBe(true);

    expect(await validateBag(join(out, 'bag-rec-1'))).toMatchObject({ valid: true, problems: [] });
    expect(coreutilsCheck(join(out, 'bag-rec-1')).ok).toBe(true);
  });

  it('names the top directory as asked and can leave the output open', async () => {
    const bagDir = await bagWithLongNames();
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    await writeTar(bagDir, sink, { root: 'export-42', end: false, mtime: new Date('2024-01-02T03:04:05Z') });
    expect(sink.writableEnded).toBe(false);
    sink.end();
    const tarFile = join(root, 'named.tar');
    await writeFile(tarFile, Buffer.concat(chunks));
    const list = spawnSync('tar', ['--full-time', '--utc', '-tvf', tarFile], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(list.status).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines.every((line) => line.includes(' 2024-01-02 03:04:05 export-42/'))).toBe(true);
  });

  it('is the same stream twice for the same bag and time', async () => {
    const bagDir = await bagWithLongNames();
    const read = async (): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      for await (const chunk of tarBag(bagDir, { mtime: new Date(0) })) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    expect((await read()).equals(await read())).toBe(true);
  });

  it('refuses symbolic links inside the bag', async () => {
    const bagDir = await bagWithLongNames();
    await symlink('/etc/passwd', join(bagDir, 'data', 'link'));
    await expect(writeTar(bagDir, new PassThrough().resume())).rejects.toThrow('neither a file nor a directory');
  });
});

describe('tar headers', () => {
  it('counts the length digits in a pax record', () => {
    expect(paxRecord('path', 'abc')).toBe('12 path=abc\n');
    // 98 bytes of body: 2 digits would make 100, which needs 3 digits: 101.
    const record = paxRecord('path', 'x'.repeat(91));
    expect(record.startsWith('101 ')).toBe(true);
    expect(Buffer.byteLength(record)).toBe(101);
    expect(Buffer.byteLength(paxRecord('path', 'é'.repeat(40)))).toBe(Number.parseInt(paxRecord('path', 'é'.repeat(40)), 10));
  });

  it('writes ustar headers with a valid checksum, and a pax header only when needed', () => {
    const [header] = entryHeaders({ path: 'bag/bagit.txt', type: 'file', size: 55, mtime: 1_700_000_000 });
    expect(header!.length).toBe(512);
    expect(header!.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
    const stored = Number.parseInt(header!.subarray(148, 154).toString('latin1'), 8);
    const copy = Buffer.from(header!);
    copy.fill(0x20, 148, 156);
    expect(stored).toBe(copy.reduce((sum, byte) => sum + byte, 0));
    expect(header!.subarray(124, 136).toString('latin1')).toBe('00000000067\0');

    expect(entryHeaders({ path: `bag/${'a'.repeat(150)}/b.txt`, type: 'file', size: 1, mtime: 0 })).toHaveLength(1);
    const pax = entryHeaders({ path: `bag/${'a'.repeat(120)}.txt`, type: 'file', size: 1, mtime: 0 });
    expect(pax).toHaveLength(4); // pax header, its data, its padding, the entry
    expect(pax[0]![156]).toBe('x'.charCodeAt(0));
    const big = entryHeaders({ path: 'bag/data/big.mkv', type: 'file', size: 9 * 1024 ** 3, mtime: 0 });
    expect(big[1]!.toString('utf8')).toContain(` size=${9 * 1024 ** 3}\n`);
  });
});
