import { appendFile, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBag } from './bag.js';
import { decodeManifestPath, encodeManifestPath } from './encoding.js';
import { makeSyntheticRecording } from './testing.js';
import { parseBagInfo, validateBag } from './validate.js';

let root: string;
let bag: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'conclave-bagcheck-'));
  const recording = await makeSyntheticRecording(join(root, 'recording'));
  bag = join(root, 'bag');
  await writeBag(recording.input, bag, { sourceOrganization: 'Example' });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const codes = async (options?: { fast?: boolean }) => (await validateBag(bag, options)).problems.map((problem) => `${problem.code} ${problem.path ?? ''}`.trim());

describe('validateBag', () => {
  it('accepts the bag writeBag made and counts its payload', async () => {
    const result = await validateBag(bag);
    expect(result).toMatchObject({ valid: true, problems: [], payloadFiles: 6 });
    expect(result.payloadBytes).toBeGreaterThan(70_000);
  });

  it('finds an extra payload file (unlisted, and Payload-Oxum off)', async () => {
    await writeFile(join(bag, 'data', 'smuggled.bin'), 'x');
    expect(await codes()).toEqual(['unlisted-payload-file data/smuggled.bin', 'payload-oxum bag-info.txt']);
  });

  it('finds a missing payload file', async () => {
    await unlink(join(bag, 'data/timelines/speaking.vtt'));
    expect(await codes()).toEqual(['missing-file data/timelines/speaking.vtt', 'payload-oxum bag-info.txt']);
  });

  it('finds a changed tag file through the tag manifest', async () => {
    await appendFile(join(bag, 'bag-info.txt'), 'Contact-Name: someone\n');
    expect(await codes()).toEqual(['checksum-mismatch bag-info.txt']);
  });

  it('finds a tag file the tag manifest does not list', async () => {
    await writeFile(join(bag, 'metadata', 'extra.xml'), '<x/>\n');
    expect(await codes()).toEqual(['unlisted-tag-file metadata/extra.xml']);
  });

  it('finds a changed payload manifest (its line and the tag manifest disagree)', async () => {
    const manifest = join(bag, 'manifest-sha256.txt');
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text.replace(/^[0-9a-f]{64}(?= {2}data\/manifest\.json$)/m, '0'.repeat(64)));
    expect(await codes()).toEqual(['checksum-mismatch data/manifest.json', 'checksum-mismatch manifest-sha256.txt']);
  });

  it('refuses paths that leave the bag, and lines that are not "checksum path"', async () => {
    await appendFile(join(bag, 'manifest-sha256.txt'), `${'0'.repeat(64)}  data/../../etc/passwd\nnot a line\n${'0'.repeat(10)}  data/x\n`);
    const problems = (await validateBag(bag)).problems;
    expect(problems.map((problem) => problem.code)).toEqual(['unsafe-path', 'manifest-syntax', 'manifest-syntax', 'checksum-mismatch']);
    expect(problems[0]!.message).toContain("a '..' segment");
  });

  it('checks bagit.txt', async () => {
    await writeFile(join(bag, 'bagit.txt'), 'BagIt-Version: 0.97\nTag-File-Character-Encoding: ISO-8859-1\n');
    const problems = (await validateBag(bag)).problems;
    expect(problems.filter((problem) => problem.code === 'bagit-txt').map((problem) => problem.message)).toEqual([
      'BagIt-Version 0.97: only 1.0 is supported',
      'bagit.txt line 2 is "Tag-File-Character-Encoding: ISO-8859-1", not "Tag-File-Character-Encoding: UTF-8"',
    ]);
    await unlink(join(bag, 'bagit.txt'));
    expect(await codes()).toContain('bagit-txt bagit.txt');
  });

  it('refuses symbolic links, fetch.txt and a bag with no payload manifest', async () => {
    await symlink('/etc/hostname', join(bag, 'data', 'link'));
    await writeFile(join(bag, 'fetch.txt'), '');
    await unlink(join(bag, 'manifest-sha256.txt'));
    const found = await codes();
    expect(found).toEqual(expect.arrayContaining(['not-a-regular-file data/link', 'fetch-not-supported fetch.txt', 'no-payload-manifest', 'missing-file manifest-sha256.txt']));
  });

  it('reads no content in fast mode: a flipped byte goes unseen, a missing file does not', async () => {
    const segment = join(bag, 'data/segments/segment-0002.mkv');
    const bytes = await readFile(segment);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(segment, bytes);
    expect(await codes({ fast: true })).toEqual([]);
    expect(await codes()).toEqual(['checksum-mismatch data/segments/segment-0002.mkv']);
    await unlink(segment);
    expect(await codes({ fast: true })).toEqual(['missing-file data/segments/segment-0002.mkv', 'payload-oxum bag-info.txt']);
  });

  it('reports a directory that is not there', async () => {
    const result = await validateBag(join(root, 'nothing'));
    expect(result.valid).toBe(false);
    expect(result.problems[0]!.code).toBe('unreadable');
  });
});

describe('manifest paths and bag-info', () => {
  it('percent-encodes only %, CR and LF, and decodes back', () => {
    for (const path of ['data/a b.txt', 'data/100%.txt', 'data/line\nbreak\r.txt', 'data/%0A literal.txt']) {
      expect(decodeManifestPath(encodeManifestPath(path))).toBe(path);
    }
    expect(encodeManifestPath('data/%0A literal\n.txt')).toBe('data/%250A literal%0A.txt');
    expect(encodeManifestPath('data/a b.txt')).toBe('data/a b.txt');
  });

  it('parses labels with continuation lines', () => {
    expect(parseBagInfo('Payload-Oxum: 10.2\nExternal-Description: one\n  two\nbroken\n')).toEqual({
      fields: [
        ['Payload-Oxum', '10.2'],
        ['External-Description', 'one two'],
      ],
      errors: ['line 4: no "Label: value"'],
    });
  });
});
