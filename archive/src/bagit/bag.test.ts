import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BAGIT_TXT, writeBag } from './bag.js';
import { BagExportError } from './errors.js';
import { coreutilsCheck, hasPythonBagit, pythonBagit, xmllint } from './independent.js';
import { makeSyntheticRecording, TRICKY_NAME, type SyntheticOptions } from './testing.js';
import { validateBag } from './validate.js';

const OPTIONS = { sourceOrganization: 'Example & Co <Archives>', requestedBy: 'archivist-1', now: () => new Date('2024-07-02T12:00:00.000Z') };

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'conclave-bagit-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function exported(options: SyntheticOptions = {}) {
  const recording = await makeSyntheticRecording(join(root, 'recording'), options);
  const bagDir = join(root, 'out', 'bag-1');
  const summary = await writeBag(recording.input, bagDir, OPTIONS);
  return { recording, bagDir, summary };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

async function flipByte(path: string, at: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(path, bytes);
}

describe('writeBag', () => {
  it('writes a complete bag: the recording under data/, tag files, manifests, nothing left beside it', async () => {
    const { recording, bagDir, summary } = await exported();
    expect(await listFiles(bagDir)).toEqual([
      'bag-info.txt',
      'bagit.txt',
      'data/manifest.json',
      'data/notice-log.json',
      'data/segments/segment-0001.mkv',
      'data/segments/segment-0002.mkv',
      'data/timelines/speaking.json',
      'data/timelines/speaking.vtt',
      'manifest-sha256.txt',
      'metadata/dublin-core.xml',
      'metadata/premis.xml',
      'tagmanifest-sha256.txt',
    ]);
    expect(await readdir(join(root, 'out'))).toEqual(['bag-1']);
    expect(await readFile(join(bagDir, 'bagit.txt'), 'utf8')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    expect(BAGIT_TXT).toBe(await readFile(join(bagDir, 'bagit.txt'), 'utf8'));
    for (const [path, bytes] of recording.contents) {
      expect((await readFile(join(bagDir, 'data', path))).equals(bytes), path).toBe(true);
    }

    const info = await readFile(join(bagDir, 'bag-info.txt'), 'utf8');
    const octets = [...recording.contents.values()].reduce((sum, bytes) => sum + bytes.length, 0) + (await stat(join(bagDir, 'data/notice-log.json'))).size;
    expect(info).toContain(`Payload-Oxum: ${octets}.6\n`);
    expect(summary).toMatchObject({ dir: bagDir, payloadBytes: octets, payloadFiles: 6 });
    expect(info).toContain('Bagging-Date: 2024-07-02\n');
    expect(info).toContain('Source-Organization: Example & Co <Archives>\n');
    expect(info).toContain('External-Identifier: rec-2024-05-01-0001\n');
    expect(info).toContain('Internal-Sender-Identifier: conclave-recording:rec-2024-05-01-0001\n');
    expect(info).toMatch(/^Bag-Size: \d+(\.\d)? KB$/m);
    expect(info).toMatch(/^External-Description: Recording of the Conclave meeting room .+: 1 recorded participant, /m);
    expect(info).toMatch(/^Bag-Software-Agent: Conclave archive/m);
    expect(info).toContain('Conclave-Legal-Hold: legal hold hold-7 since 2024-06-01T00:00:00.000Z: litigation "Acme v. Us"\n');

    const manifest = await readFile(join(bagDir, 'manifest-sha256.txt'), 'utf8');
    const segment = recording.contents.get('segments/segment-0001.mkv')!;
    expect(manifest).toContain(`${createHash('sha256').update(segment).digest('hex')}  data/segments/segment-0001.mkv\n`);
    expect(manifest.split('\n').filter(Boolean)).toHaveLength(6);
    const tags = (await readFile(join(bagDir, 'tagmanifest-sha256.txt'), 'utf8')).split('\n').filter(Boolean);
    expect(tags.map((line) => line.slice(66))).toEqual(['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt', 'metadata/dublin-core.xml', 'metadata/premis.xml']);

    // Tag files: UTF-8 with LF line endings only.
    for (const path of ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'tagmanifest-sha256.txt', 'metadata/dublin-core.xml', 'metadata/premis.xml']) {
      expect(await readFile(join(bagDir, path), 'utf8'), path).not.toContain('\r');
    }

    const log = JSON.parse(await readFile(join(bagDir, 'data/notice-log.json'), 'utf8')) as { events: Array<{ at: string; event: string; name: string }> };
    expect(log.events.map((event) => event.event)).toEqual(['shown', 'shown', 'consented', 'declined', 'left']);
    expect(log.events[0]!.name).toBe(TRICKY_NAME);
  });

  it('passes our validator and an independent check with GNU coreutils', async () => {
    const { bagDir } = await exported();
    expect(await validateBag(bagDir)).toMatchObject({ valid: true, problems: [] });
    const independent = coreutilsCheck(bagDir);
    expect(independent.output).toContain('bag is valid');
    expect(independent.ok).toBe(true);
  });

  // Runs only where the library is installed (Debian's python3-bagit is not in bookworm).
  // The bag has no "%" in its names: bagit-python does not decode %25 in manifests.
  it.skipIf(!hasPythonBagit())('passes the Library of Congress bagit library (python3-bagit)', async () => {
    const { bagDir } = await exported();
    const result = pythonBagit(bagDir);
    expect(result.output).toContain('valid');
    expect(result.ok).toBe(true);
    await flipByte(join(bagDir, 'data/segments/segment-0002.mkv'), 10);
    expect(pythonBagit(bagDir).ok).toBe(false);
  });

  it('fails validation, ours and the independent one, when one payload byte is flipped', async () => {
    const { bagDir } = await exported();
    await flipByte(join(bagDir, 'data/segments/segment-0001.mkv'), 40_000);
    const result = await validateBag(bagDir);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ code: 'checksum-mismatch', path: 'data/segments/segment-0001.mkv' })]);
    const independent = coreutilsCheck(bagDir);
    expect(independent.ok).toBe(false);
    expect(independent.output).toContain('payload checksum failed');
  });

  it('encodes "%" in manifest paths (RFC 8493 2.1.3) and keeps spaces as they are', async () => {
    const { bagDir } = await exported({ extraFiles: { 'notes/odd name 100%.txt': 'a note\n', 'notes/already%25encoded.txt': 'x' } });
    const manifest = await readFile(join(bagDir, 'manifest-sha256.txt'), 'utf8');
    expect(manifest).toMatch(/^[0-9a-f]{64} {2}data\/notes\/odd name 100%25\.txt$/m);
    expect(manifest).toMatch(/^[0-9a-f]{64} {2}data\/notes\/already%2525encoded\.txt$/m);
    expect(await readFile(join(bagDir, 'data/notes/odd name 100%.txt'), 'utf8')).toBe('a note\n');
    expect(await validateBag(bagDir)).toMatchObject({ valid: true, problems: [] });
    expect(coreutilsCheck(bagDir).ok).toBe(true);
  });

  it('aborts on a catalog SHA-256 mismatch and leaves no directory behind', async () => {
    const wrong = 'f'.repeat(64);
    const recording = await makeSyntheticRecording(join(root, 'recording'), { extraFiles: { 'notes/z.txt': 'zzz' }, expect: { 'notes/z.txt': { sha256: wrong } } });
    const bagDir = join(root, 'out', 'bag-1');
    const error = await writeBag(recording.input, bagDir, OPTIONS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BagExportError);
    expect(error).toMatchObject({ code: 'fixity-mismatch', path: 'notes/z.txt' });
    expect((error as Error).message).toMatch(/"notes\/z\.txt": the copy has SHA-256 [0-9a-f]{64} \(3 bytes\) but the catalog expects f{64} \(3 bytes\); export aborted/);
    expect(await readdir(join(root, 'out'))).toEqual([]);
  });

  it('aborts when a source holds more bytes than the catalog says, without reading it all', async () => {
    const recording = await makeSyntheticRecording(join(root, 'recording'), { expect: { 'segments/segment-0001.mkv': { bytes: 100 } } });
    // The signed manifest says otherwise too, so take the file out of it to reach the copy.
    recording.input.manifest.parsed.files = recording.input.manifest.parsed.files.filter((file) => file.path !== 'segments/segment-0001.mkv');
    const error = await writeBag(recording.input, join(root, 'out', 'bag'), OPTIONS).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'fixity-mismatch', path: 'segments/segment-0001.mkv' });
    expect((error as Error).message).toContain('more than the 100 bytes');
    expect(await readdir(join(root, 'out'))).toEqual([]);
  });

  it('checks the raw manifest against the catalog SHA-256 when given one', async () => {
    const recording = await makeSyntheticRecording(join(root, 'recording'));
    recording.input.manifest.sha256 = createHash('sha256').update(recording.input.manifest.raw).digest('hex');
    await writeBag(recording.input, join(root, 'out', 'good'), OPTIONS);
    recording.input.manifest.sha256 = '1'.repeat(64);
    await expect(writeBag(recording.input, join(root, 'out', 'bad'), OPTIONS)).rejects.toMatchObject({ code: 'fixity-mismatch', path: 'manifest.json' });
    expect(await readdir(join(root, 'out'))).toEqual(['good']);
  });

  it('refuses a catalog that disagrees with the signed manifest, before writing anything', async () => {
    const recording = await makeSyntheticRecording(join(root, 'recording'), { expect: { 'timelines/speaking.vtt': { sha256: '0'.repeat(64) } } });
    const error = await writeBag(recording.input, join(root, 'out', 'bag'), OPTIONS).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid-input', path: 'timelines/speaking.vtt' });
    expect((error as Error).message).toContain('the signed manifest says');
    await expect(stat(join(root, 'out'))).rejects.toThrow();
  });

  it.each([
    ['../escape.txt', "a '..' segment"],
    ['/etc/passwd', 'absolute path'],
    ['manifest.json', 'comes from manifest.raw'],
  ])('refuses the payload path %s', async (path, reason) => {
    const recording = await makeSyntheticRecording(join(root, 'recording'));
    recording.input.files.push({ path, bytes: 1, sha256: '0'.repeat(64), open: () => Readable.from([Buffer.from('x')]) });
    await expect(writeBag(recording.input, join(root, 'out', 'bag'), OPTIONS)).rejects.toThrow(reason);
  });

  it('removes the partial bag when a source cannot be read', async () => {
    const recording = await makeSyntheticRecording(join(root, 'recording'), { extraFiles: { 'notes/broken.txt': 'x' } });
    const broken = recording.input.files.find((file) => file.path === 'notes/broken.txt')!;
    broken.open = () =>
      new Readable({
        read() {
          this.destroy(new Error('disk on fire'));
        },
      });
    const error = await writeBag(recording.input, join(root, 'out', 'bag'), OPTIONS).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'io', path: 'notes/broken.txt' });
    expect((error as Error).message).toContain('disk on fire');
    expect(await readdir(join(root, 'out'))).toEqual([]);
  });

  it('refuses to write over an existing directory', async () => {
    const recording = await makeSyntheticRecording(join(root, 'recording'));
    const bagDir = join(root, 'out', 'bag');
    await writeBag(recording.input, bagDir, OPTIONS);
    await expect(writeBag(recording.input, bagDir, OPTIONS)).rejects.toMatchObject({ code: 'exists' });
    expect(await readdir(join(root, 'out'))).toEqual(['bag']);
  });
});

describe('bag metadata', () => {
  const xpath = (file: string, expression: string): string => {
    const result = xmllint('--xpath', expression, file);
    expect(result.ok, result.output).toBe(true);
    return result.output.replace(/\n$/, '');
  };

  it('writes well-formed Dublin Core and PREMIS that keep names like Ada & "Bob" <x> intact', async () => {
    const { bagDir } = await exported();
    const dc = join(bagDir, 'metadata/dublin-core.xml');
    const premis = join(bagDir, 'metadata/premis.xml');
    const wellFormed = xmllint('--noout', dc, premis);
    expect(wellFormed.output).toBe('');
    expect(wellFormed.ok).toBe(true);

    const raw = await readFile(dc, 'utf8');
    expect(raw).toContain('<dcterms:contributor>Ada &amp; &quot;Bob&quot; &lt;x&gt;</dcterms:contributor>');
    const term = (name: string) => `//*[local-name()="${name}" and namespace-uri()="http://purl.org/dc/terms/"]`;
    expect(xpath(dc, `string(${term('contributor')})`)).toBe(TRICKY_NAME);
    // Only those who agreed to be recorded contributed to the recording.
    expect(xpath(dc, `count(${term('contributor')})`)).toBe('1');
    expect(xpath(dc, `string(${term('identifier')})`)).toBe('rec-2024-05-01-0001');
    expect(xpath(dc, `string(${term('created')})`)).toBe('2024-05-01T09:00:00.000Z');
    expect(xpath(dc, `string(${term('extent')})`)).toBe('PT1H2M3.5S');
    expect(xpath(dc, `string(${term('temporal')})`)).toBe('start=2024-05-01T09:00:00.000Z; end=2024-05-01T10:02:03.500Z; scheme=W3C-DTF');
    expect(xpath(dc, `string(${term('subject')}[2])`)).toBe('Q2 <budget> & plans');
    expect(xpath(dc, `string(${term('title')})`)).toBe('Conclave meeting board & <strategy>, 2024-05-01T09:00:00.000Z');
    expect(xpath(dc, `count(${term('format')})`)).toBe('3'); // application/json, text/vtt, video/matroska

    const c = (name: string) => `*[local-name()="${name}" and namespace-uri()="http://www.loc.gov/premis/v3"]`;
    const p = (name: string) => `//${c(name)}`;
    expect(xpath(premis, `count(${p('object')})`)).toBe('7'); // the recording and its 6 payload files
    const segment = `${p('object')}[${c('originalName')}="segments/segment-0001.mkv"]`;
    expect(xpath(premis, `string(${segment}//${c('messageDigest')})`)).toMatch(/^[0-9a-f]{64}$/);
    expect(xpath(premis, `string(${segment}//${c('size')})`)).toBe('70001');
    const eventTypes = xpath(premis, `${p('eventType')}/text()`).trim().split('\n');
    expect(eventTypes).toEqual(['creation', 'ingestion', 'fixity check', 'fixity check', 'fixity check', 'fixity check', 'fixity check', 'packing']);
    expect(xpath(premis, `string(${p('event')}[${c('eventType')}="packing"]//${c('eventOutcome')})`)).toBe('success');
    expect(xpath(premis, `count(${p('event')}[${c('eventType')}="packing"]/${c('linkingObjectIdentifier')})`)).toBe('7');
    expect(xpath(premis, `string(${p('agent')}[${c('agentName')}="conclave-archive fixity <scheduler>"]/${c('agentType')})`)).toBe('software');
    expect(xpath(premis, `string(${p('agent')}[${c('agentName')}="archivist-1"]/${c('agentType')})`)).toBe('person');
    expect(xpath(premis, `string(${p('significantProperties')}[${c('significantPropertiesType')}="retention"]/${c('significantPropertiesValue')})`)).toBe(
      'retained until 2031-05-01T00:00:00.000Z; legal hold hold-7 since 2024-06-01T00:00:00.000Z: litigation "Acme v. Us"',
    );
    expect(xpath(premis, `string(${p('significantProperties')}[${c('significantPropertiesType')}="room"]/${c('significantPropertiesValue')})`)).toBe('board & <strategy>');
  });
});
