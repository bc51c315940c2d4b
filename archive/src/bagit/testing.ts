/** For tests: a small synthetic recording on disk and the export input describing it. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Manifest } from '@conclave/recorder/manifest';
import type { BagParticipant, BagPayloadFile, RecordingBagInput } from './types.js';

export const TRICKY_NAME = 'Ada & "Bob" <x>';

export interface SyntheticRecording {
  /** The recording directory. */
  dir: string;
  input: RecordingBagInput;
  /** Every source file's bytes by recording path (manifest.json included). */
  contents: Map<string, Buffer>;
}

export interface SyntheticOptions {
  /** More files, not in the signed manifest (odd names for encoding tests). */
  extraFiles?: Record<string, Buffer | string>;
  /** Overrides of the catalog's expected values, by path. */
  expect?: Record<string, { sha256?: string; bytes?: number }>;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function makeSyntheticRecording(dir: string, options: SyntheticOptions = {}): Promise<SyntheticRecording> {
  const recordingId = 'rec-2024-05-01-0001';
  const startedAt = '2024-05-01T09:00:00.000Z';
  const endedAt = '2024-05-01T10:02:03.500Z';
  const participants: BagParticipant[] = [
    {
      id: 'p-ada',
      name: TRICKY_NAME,
      notices: [
        { event: 'shown', notice: 'notice-v3', at: '2024-05-01T09:00:01.000Z' },
        { event: 'consented', notice: 'notice-v3', at: '2024-05-01T09:00:04.000Z' },
        { event: 'left', notice: 'notice-v3', at: '2024-05-01T10:02:00.000Z' },
      ],
    },
    {
      id: 'p-zoe',
      name: "Zoé O'Neil",
      notices: [
        { event: 'shown', notice: 'notice-v3', at: '2024-05-01T09:00:02.000Z' },
        { event: 'declined', notice: 'notice-v3', at: '2024-05-01T09:00:05.000Z' },
      ],
    },
  ];
  const recorded: Record<string, Buffer | string> = {
    'segments/segment-0001.mkv': randomBytes(70_001),
    'segments/segment-0002.mkv': randomBytes(1_536),
    'timelines/speaking.vtt': 'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v p-ada>speaking\n',
    'timelines/speaking.json': `${JSON.stringify({ version: 1, speakers: [{ participant: 'p-ada', fromMs: 0, toMs: 2000 }] })}\n`,
  };
  const all = { ...recorded, ...(options.extraFiles ?? {}) };
  const contents = new Map<string, Buffer>();
  for (const [path, data] of Object.entries(all)) {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
    contents.set(path, bytes);
  }
  const manifest: Manifest = {
    version: 1,
    recordingId,
    room: 'board & <strategy>',
    startedAt,
    endedAt,
    recorder: { publicKey: `${'A'.repeat(43)}=`, keyId: '0123456789abcdef' },
    previousManifestSha256: null,
    participants,
    segments: [
      { index: 0, file: 'segments/segment-0001.mkv', startOffsetMs: 0, endOffsetMs: 600_000, reason: 'start', tracks: [], chapters: [] },
      { index: 1, file: 'segments/segment-0002.mkv', startOffsetMs: 600_000, endOffsetMs: 3_723_500, reason: 'rotation', tracks: [], chapters: [] },
    ],
    files: Object.keys(recorded)
      .sort()
      .map((path) => {
        const bytes = contents.get(path) ?? Buffer.alloc(0);
        return { path, sha256: sha256(bytes), bytes: bytes.length };
      }),
    signature: `${'A'.repeat(86)}==`,
  };
  const raw = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await writeFile(join(dir, 'manifest.json'), raw);
  contents.set('manifest.json', raw);

  const files: BagPayloadFile[] = [...contents.keys()]
    .filter((path) => path !== 'manifest.json')
    .map((path) => {
      const bytes = contents.get(path) ?? Buffer.alloc(0);
      return {
        path,
        bytes: options.expect?.[path]?.bytes ?? bytes.length,
        sha256: options.expect?.[path]?.sha256 ?? sha256(bytes),
        open: () => createReadStream(join(dir, path), { highWaterMark: 16 * 1024 }),
      };
    });
  const input: RecordingBagInput = {
    recordingId,
    room: manifest.room,
    startedAt,
    endedAt,
    participants,
    tags: ['board', 'Q2 <budget> & plans'],
    retention: { retainUntil: '2031-05-01T00:00:00.000Z', holds: [{ id: 'hold-7', reason: 'litigation "Acme v. Us"', since: '2024-06-01T00:00:00.000Z' }] },
    ingestedAt: '2024-05-01T10:05:00.000Z',
    manifest: { parsed: manifest, raw },
    files,
    fixityEvents: [
      {
        at: '2024-05-08T03:00:00.000Z',
        path: 'segments/segment-0001.mkv',
        outcome: 'pass',
        expected: sha256(contents.get('segments/segment-0001.mkv') ?? Buffer.alloc(0)),
        actual: sha256(contents.get('segments/segment-0001.mkv') ?? Buffer.alloc(0)),
        agent: 'conclave-archive fixity <scheduler>',
      },
    ],
  };
  return { dir, input, contents };
}
