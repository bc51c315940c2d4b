/**
 * Test fixtures: real recordings, sealed and signed by the recorder's own code. For tests only.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateRecorderKey, sealRecording, type RecorderKey } from '@conclave/recorder/manifest';

export type { RecorderKey };

export function newRecorderKey(): Promise<RecorderKey> {
  return loadOrCreateRecorderKey(mkdtempSync(join(tmpdir(), 'archive-test-key-')));
}

export interface FixtureOptions {
  room?: string;
  startedAt?: string;
  minutes?: number;
  participants?: { id: string; name: string }[];
}

export interface Fixture {
  dir: string;
  recordingId: string;
  manifestSha256: string;
}

/** Seals `recordingId` under `root` (chained to the recording sealed before it in `root`): a segment, a timeline, a manifest. */
export async function makeRecording(root: string, recordingId: string, key: RecorderKey, options: FixtureOptions = {}): Promise<Fixture> {
  const dir = join(root, recordingId);
  mkdirSync(join(dir, 'segments'), { recursive: true });
  mkdirSync(join(dir, 'timelines'), { recursive: true });
  writeFileSync(join(dir, 'segments/segment-0001.mkv'), Buffer.from(`media of ${recordingId} `.repeat(2000)));
  writeFileSync(join(dir, 'timelines/speaking.vtt'), 'WEBVTT\n');
  const startedAt = options.startedAt ?? '2025-01-01T10:00:00.000Z';
  const minutes = options.minutes ?? 60;
  const participants = options.participants ?? [{ id: 'p1', name: 'Alice' }];
  const written = await sealRecording(
    root,
    dir,
    {
      version: 1,
      recordingId,
      room: options.room ?? 'board',
      startedAt,
      endedAt: new Date(Date.parse(startedAt) + minutes * 60_000).toISOString(),
      participants: participants.map((p) => ({ ...p, notices: [{ event: 'consented', notice: 'notice-v1', at: startedAt }] })),
      segments: [{ index: 1, file: 'segments/segment-0001.mkv', startOffsetMs: 0, endOffsetMs: minutes * 60_000, reason: 'start', tracks: [], chapters: [] }],
    },
    key,
  );
  return { dir, recordingId, manifestSha256: written.manifestSha256 };
}
