import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHAIN_HEAD_FILE, currentChainHead, readChainHead, sealRecording } from './chain.js';
import { type Manifest, type RecordingDraft } from './schema.js';
import { loadOrCreateRecorderKey, signManifest, type RecorderKey } from './signing.js';
import { checkRecording, verifyArchive, verifyRecording } from './verify.js';
import { manifestSha256, writeRecording } from './write.js';

let key: RecorderKey;
beforeAll(async () => {
  key = await loadOrCreateRecorderKey(mkdtempSync(join(tmpdir(), 'recorder-key-')));
});

const SEGMENT = 'segments/segment-0001.mkv';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function draft(id: string, startedAt: string): Omit<RecordingDraft, 'previousManifestSha256'> {
  const start = Date.parse(startedAt);
  return {
    version: 1,
    recordingId: id,
    room: 'board',
    startedAt,
    endedAt: new Date(start + 60_000).toISOString(),
    participants: [{ id: 'p1', name: 'Alice', notices: [{ event: 'consented', notice: 'notice-v3', at: startedAt }] }],
    segments: [
      {
        index: 1,
        file: SEGMENT,
        startOffsetMs: 0,
        endOffsetMs: 60_000,
        reason: 'start',
        tracks: [{ participant: 'p1', kind: 'audio', codec: 'opus', startOffsetMs: 0, gaps: [] }],
        chapters: [],
      },
    ],
  };
}

/** A recording directory with a segment and a caption file, not sealed yet. */
function stage(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'segments'), { recursive: true });
  mkdirSync(join(dir, 'captions'), { recursive: true });
  writeFileSync(join(dir, SEGMENT), Buffer.from(`media of ${name} `.repeat(1000)));
  writeFileSync(join(dir, 'captions/speaking.vtt'), 'WEBVTT\n');
  return dir;
}

async function sealed(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'recording-'));
  const dir = stage(root, 'rec');
  await writeRecording(dir, { ...draft('rec-1', '2025-01-01T10:00:00.000Z'), previousManifestSha256: null }, key);
  return dir;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
const writeManifest = (dir: string, manifest: Manifest) => writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));

describe('writeRecording', () => {
  it('lists every file but the manifest, sorted, with its size and SHA-256, and signs', async () => {
    const dir = await sealed();
    const manifest = readManifest(dir);
    const media = readFileSync(join(dir, SEGMENT));
    expect(manifest.files).toEqual([
      { path: 'captions/speaking.vtt', sha256: sha256(Buffer.from('WEBVTT\n')), bytes: 7 },
      { path: SEGMENT, sha256: sha256(media), bytes: media.length },
    ]);
    expect(manifest.recorder).toEqual({ publicKey: key.publicKeyBase64, keyId: key.keyId });
    expect(readdirSync(dir).sort()).toEqual(['captions', 'manifest.json', 'segments']);
    expect(await verifyRecording(dir)).toEqual([]);
  });

  it('refuses a directory that would make an invalid manifest, and writes nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'recording-'));
    const dir = stage(root, 'rec');
    rmSync(join(dir, SEGMENT));
    await expect(writeRecording(dir, { ...draft('rec-1', '2025-01-01T10:00:00.000Z'), previousManifestSha256: null }, key)).rejects.toThrow(
      /segments\[0\]\.file: "segments\/segment-0001.mkv" is not in files/,
    );
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
    symlinkSync('/etc/hostname', join(dir, 'link'));
    await expect(writeRecording(dir, { ...draft('rec-1', '2025-01-01T10:00:00.000Z'), previousManifestSha256: null }, key)).rejects.toThrow(/not regular files: link/);
  });
});

describe('access copies', () => {
  const ACCESS = 'segments/segment-0001/p1.webm';
  async function sealedWithAccess(): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'recording-'));
    const dir = stage(root, 'rec');
    mkdirSync(join(dir, 'segments/segment-0001'));
    writeFileSync(join(dir, ACCESS), Buffer.from('webm of p1 '.repeat(500)));
    const base = draft('rec-1', '2025-01-01T10:00:00.000Z');
    const segments = base.segments.map((segment) => ({ ...segment, access: [{ participant: 'p1', file: ACCESS }] }));
    await writeRecording(dir, { ...base, segments, previousManifestSha256: null }, key);
    return dir;
  }

  it('are listed and hashed like every file, and covered by the signature', async () => {
    const dir = await sealedWithAccess();
    const manifest = readManifest(dir);
    expect(manifest.segments[0]!.access).toEqual([{ participant: 'p1', file: ACCESS }]);
    expect(manifest.files.map((file) => file.path)).toEqual(['captions/speaking.vtt', SEGMENT, ACCESS]);
    expect(await verifyRecording(dir)).toEqual([]);

    const media = readFileSync(join(dir, ACCESS));
    media[100] = media[100]! ^ 0x01;
    writeFileSync(join(dir, ACCESS), media);
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, ACCESS), message: expect.stringMatching(/the content changed$/) }]);

    // Pointing the access copy at another participant after signing breaks the signature.
    const edited = readManifest(dir);
    edited.segments[0]!.access = [];
    writeManifest(dir, edited);
    expect((await verifyRecording(dir)).map((problem) => problem.message)).toEqual([expect.stringMatching(/^bad signature/), expect.stringMatching(/the content changed$/)]);
  });

  it('reports an access copy of an unknown participant or of a file not listed, even when signed', async () => {
    const dir = await sealedWithAccess();
    const { signature: _signature, ...unsigned } = readManifest(dir);
    const segments = unsigned.segments.map((segment) => ({ ...segment, access: [{ participant: 'ghost', file: 'segments/segment-0001/ghost.webm' }] }));
    writeManifest(dir, signManifest({ ...unsigned, segments }, key));
    expect(await verifyRecording(dir)).toEqual([
      { path: join(dir, 'manifest.json'), message: 'segments[0].access[0].participant: "ghost" is not a participant id' },
      { path: join(dir, 'manifest.json'), message: 'segments[0].access[0].file: "segments/segment-0001/ghost.webm" is not in files' },
    ]);
  });
});

describe('verifyRecording', () => {
  it('names a media file with one byte flipped', async () => {
    const dir = await sealed();
    const media = readFileSync(join(dir, SEGMENT));
    media[500] = media[500]! ^ 0x01;
    writeFileSync(join(dir, SEGMENT), media);
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, SEGMENT), message: expect.stringMatching(/^SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}: the content changed$/) }]);
  });

  it('names a file whose size changed', async () => {
    const dir = await sealed();
    writeFileSync(join(dir, 'captions/speaking.vtt'), 'WEBVTT\n\n');
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, 'captions/speaking.vtt'), message: 'size is 8 bytes, the manifest says 7: the file changed' }]);
  });

  it('reports a bad signature when the manifest is edited', async () => {
    const dir = await sealed();
    writeManifest(dir, { ...readManifest(dir), room: 'somewhere-else' });
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, 'manifest.json'), message: expect.stringMatching(/^bad signature/) }]);
  });

  it('does not mind the manifest being re-indented or its keys reordered', async () => {
    const dir = await sealed();
    const manifest = readManifest(dir);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(Object.fromEntries(Object.entries(manifest).reverse())));
    expect(await verifyRecording(dir)).toEqual([]);
  });

  it('reports a missing file and an extra one, by name', async () => {
    const dir = await sealed();
    rmSync(join(dir, 'captions/speaking.vtt'));
    writeFileSync(join(dir, 'segments/segment-0002.mkv'), 'smuggled');
    expect(await verifyRecording(dir)).toEqual([
      { path: join(dir, 'captions/speaking.vtt'), message: 'listed in the manifest but missing' },
      { path: join(dir, 'segments/segment-0002.mkv'), message: 'present but not listed in the manifest' },
    ]);
  });

  it('reports a symbolic link in place of a file', async () => {
    const dir = await sealed();
    rmSync(join(dir, 'captions/speaking.vtt'));
    symlinkSync('/etc/hostname', join(dir, 'captions/speaking.vtt'));
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, 'captions/speaking.vtt'), message: expect.stringMatching(/not a regular file/) }]);
  });

  it('rejects path traversal even in a validly signed manifest, and reads nothing outside', async () => {
    const root = mkdtempSync(join(tmpdir(), 'recording-'));
    writeFileSync(join(root, 'outside.txt'), 'secret');
    const dir = await sealed();
    const manifest = readManifest(dir);
    const { signature: _signature, ...unsigned } = manifest;
    const evil = signManifest({ ...unsigned, files: [...unsigned.files, { path: '../outside.txt', sha256: sha256(Buffer.from('secret')), bytes: 6 }] }, key);
    writeManifest(dir, evil);
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, 'manifest.json'), message: "files[2].path: path traversal: a '..' segment leaves the recording directory" }]);
  });

  it('reports a missing, unparseable or invalid manifest', async () => {
    const dir = await sealed();
    writeFileSync(join(dir, 'manifest.json'), '{"version": 1,');
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, 'manifest.json'), message: expect.stringMatching(/^not JSON: /) }]);
    writeManifest(dir, { version: 1 } as Manifest);
    const problems = await verifyRecording(dir);
    expect(problems.map((p) => p.message.split(':')[0])).toEqual(expect.arrayContaining(['recordingId', 'files', 'signature']));
    rmSync(join(dir, 'manifest.json'));
    expect(await verifyRecording(dir)).toEqual([{ path: join(dir, 'manifest.json'), message: expect.stringMatching(/^missing/) }]);
  });

  it('reports a key id that does not belong to the public key', async () => {
    const dir = await sealed();
    const manifest = readManifest(dir);
    writeManifest(dir, { ...manifest, recorder: { ...manifest.recorder, keyId: '0000000000000000' } });
    const problems = await verifyRecording(dir);
    expect(problems.map((p) => p.message)).toEqual(['recorder.keyId is not the id of recorder.publicKey', expect.stringMatching(/^bad signature/)]);
  });
});

describe('the chain of recordings', () => {
  async function archive(count: number): Promise<{ root: string; dirs: string[] }> {
    const root = mkdtempSync(join(tmpdir(), 'archive-'));
    const dirs: string[] = [];
    for (let i = 1; i <= count; i += 1) {
      const dir = stage(root, `2025/01/rec-${i}`);
      await sealRecording(root, dir, draft(`rec-${i}`, `2025-01-0${i}T10:00:00.000Z`), key);
      dirs.push(dir);
    }
    return { root, dirs };
  }

  it('links each manifest to the one before, and the head to the last', async () => {
    const { root, dirs } = await archive(3);
    expect(readManifest(dirs[0]!).previousManifestSha256).toBeNull();
    expect(readManifest(dirs[1]!).previousManifestSha256).toBe(await manifestSha256(dirs[0]!));
    expect(readManifest(dirs[2]!).previousManifestSha256).toBe(await manifestSha256(dirs[1]!));
    expect(await readChainHead(root)).toEqual({ version: 1, recordingId: 'rec-3', manifestSha256: await manifestSha256(dirs[2]!) });
    expect(await verifyArchive(root)).toEqual({ recordings: 3, problems: [], notes: [] });
  });

  it('seals concurrent recordings of one root one after the other, never forking', async () => {
    const root = mkdtempSync(join(tmpdir(), 'archive-'));
    const dirs = [1, 2, 3].map((i) => stage(root, `rec-${i}`));
    await Promise.all(dirs.map((dir, i) => sealRecording(root, dir, draft(`rec-${i + 1}`, '2025-01-01T10:00:00.000Z'), key)));
    expect(await verifyArchive(root)).toEqual({ recordings: 3, problems: [], notes: [] });
    await expect(sealRecording(root, dirs[0]!, draft('again', '2025-01-01T10:00:00.000Z'), key)).rejects.toThrow(/already sealed/);
  });

  it('accepts recordings that overlapped in time, linked in the order they were sealed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'archive-'));
    await sealRecording(root, stage(root, 'short'), draft('short', '2025-01-01T10:30:00.000Z'), key);
    await sealRecording(root, stage(root, 'long'), draft('long', '2025-01-01T10:00:00.000Z'), key);
    expect(await verifyArchive(root)).toEqual({ recordings: 2, problems: [], notes: [] });
  });

  it('detects a recording removed from the middle', async () => {
    const { root, dirs } = await archive(3);
    rmSync(dirs[1]!, { recursive: true });
    const report = await verifyArchive(root);
    expect(report.recordings).toBe(2);
    expect(report.problems).toEqual([{ path: join(dirs[2]!, 'manifest.json'), message: expect.stringMatching(/^chain broken: previousManifestSha256 [0-9a-f]{64} matches no manifest here/) }]);
  });

  it('detects a manifest changed and re-signed by another key (a forged recording)', async () => {
    const { root, dirs } = await archive(3);
    const forger = await loadOrCreateRecorderKey(mkdtempSync(join(tmpdir(), 'forger-')));
    const { signature: _signature, ...unsigned } = readManifest(dirs[1]!);
    writeManifest(dirs[1]!, signManifest({ ...unsigned, room: 'forged', recorder: { publicKey: forger.publicKeyBase64, keyId: forger.keyId } }, forger));
    const report = await verifyArchive(root);
    // The forgery itself verifies; the chain is what catches it, and the key change is noted.
    expect(report.problems).toEqual([{ path: join(dirs[2]!, 'manifest.json'), message: expect.stringMatching(/^chain broken/) }]);
    expect(report.notes.map((n) => n.path)).toEqual([join(dirs[1]!, 'manifest.json'), join(dirs[2]!, 'manifest.json')]);
    expect(report.notes[0]!.message).toMatch(new RegExp(`^signed by recorder key ${forger.keyId}, the recording before \\(rec-1 .*\\) by ${key.keyId}: the recorder key changed$`));
  });

  it('detects the latest recording removed, through the chain head', async () => {
    const { root, dirs } = await archive(2);
    rmSync(dirs[1]!, { recursive: true });
    expect((await verifyArchive(root)).problems).toEqual([{ path: join(root, CHAIN_HEAD_FILE), message: expect.stringMatching(/^names recording rec-2 .*which is not here/) }]);
  });

  it('detects a fork and a second chain start', async () => {
    const { root, dirs } = await archive(2);
    // A copy of rec-2 under another id also follows rec-1.
    const { signature: _s, ...second } = readManifest(dirs[1]!);
    const fork = stage(root, 'fork');
    writeManifest(fork, signManifest({ ...second, recordingId: 'fork', startedAt: '2025-01-05T10:00:00.000Z', endedAt: '2025-01-05T11:00:00.000Z', files: readManifest(dirs[1]!).files.map((f) => ({ ...f })) }, key));
    writeFileSync(join(fork, SEGMENT), readFileSync(join(dirs[1]!, SEGMENT)));
    const restart = stage(root, 'restart');
    await writeRecording(restart, { ...draft('restart', '2025-01-06T10:00:00.000Z'), previousManifestSha256: null }, key);
    const report = await verifyArchive(root);
    expect(report.problems).toEqual([
      { path: join(fork, 'manifest.json'), message: expect.stringMatching(/^chain broken: rec-2 .* already follows rec-1/) },
      { path: join(restart, 'manifest.json'), message: expect.stringMatching(/^chain broken: starts a new chain/) },
    ]);
  });

  it('notes a chain that starts before this directory, rather than failing', async () => {
    const { root, dirs } = await archive(3);
    rmSync(dirs[0]!, { recursive: true });
    const report = await verifyArchive(root);
    expect(report.problems).toEqual([]);
    expect(report.notes).toEqual([{ path: join(dirs[1]!, 'manifest.json'), message: expect.stringMatching(/^the chain starts at a manifest not in this directory/) }]);
    // One recording checked alone: the same note.
    const alone = await verifyArchive(dirs[2]!);
    expect(alone).toEqual({ recordings: 1, problems: [], notes: [{ path: join(dirs[2]!, 'manifest.json'), message: expect.stringMatching(/not in this directory/) }] });
  });

  it('catches up after a crash between sealing and moving the head', async () => {
    const { root, dirs } = await archive(2);
    const head = readFileSync(join(root, CHAIN_HEAD_FILE));
    const dir = stage(root, '2025/01/rec-3');
    await sealRecording(root, dir, draft('rec-3', '2025-01-03T10:00:00.000Z'), key);
    writeFileSync(join(root, CHAIN_HEAD_FILE), head); // as if the head update never happened
    expect((await verifyArchive(root)).notes).toEqual([{ path: join(root, CHAIN_HEAD_FILE), message: expect.stringMatching(/^behind: rec-3 follows rec-2/) }]);
    expect(await currentChainHead(root)).toMatchObject({ recordingId: 'rec-3' });
    await sealRecording(root, stage(root, '2025/01/rec-4'), draft('rec-4', '2025-01-04T10:00:00.000Z'), key);
    expect(await verifyArchive(root)).toEqual({ recordings: 4, problems: [], notes: [] });
    expect(dirs).toHaveLength(2);
  });

  it('reports a directory with no recording, and a damaged chain head', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'archive-'));
    expect(await verifyArchive(empty)).toEqual({ recordings: 0, problems: [{ path: empty, message: expect.stringMatching(/no recording here/) }], notes: [] });
    const { root } = await archive(1);
    writeFileSync(join(root, CHAIN_HEAD_FILE), '{"version":1}');
    expect((await verifyArchive(root)).problems).toEqual([{ path: join(root, CHAIN_HEAD_FILE), message: expect.stringMatching(/recordingId/) }]);
    await expect(sealRecording(root, stage(root, 'next'), draft('next', '2025-02-01T10:00:00.000Z'), key)).rejects.toThrow(/chain-head\.json/);
  });

  it('checks a manifest that fails the schema but still uses its bytes for the chain', async () => {
    const { root, dirs } = await archive(2);
    const manifest = readManifest(dirs[0]!);
    writeManifest(dirs[0]!, { ...manifest, room: '' });
    renameSync(join(root, CHAIN_HEAD_FILE), join(root, 'old-head.json'));
    const check = await checkRecording(dirs[0]!);
    expect(check.manifest).toBeNull();
    expect(check.problems).toEqual([{ path: join(dirs[0]!, 'manifest.json'), message: expect.stringMatching(/^room: /) }]);
    const report = await verifyArchive(root);
    expect(report.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^room: /), expect.stringMatching(/^chain broken/)]);
  });
});
