import { appendFileSync, mkdtempSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OBJECTS_DIR, openArchive } from '../archive.js';
import { ingestRecording } from '../ingest/ingest.js';
import { makeRecording, newRecorderKey, type RecorderKey } from '../testing/recordings.js';
import { runFixity } from './fixity.js';

let key: RecorderKey;
beforeAll(async () => {
  key = await newRecorderKey();
});

async function archiveWithTwo() {
  const data = mkdtempSync(join(tmpdir(), 'archive-fixity-'));
  const archive = await openArchive(data, { now: () => new Date('2025-03-01T00:00:00.000Z') });
  const root = mkdtempSync(join(tmpdir(), 'recordings-'));
  for (const id of ['rec-1', 'rec-2']) {
    const fixture = await makeRecording(root, id, key);
    await ingestRecording(fixture.dir, { catalog: archive.catalog, store: archive.store, trustedRecorderKeys: [key.publicKeyBase64], actor: 'test' });
  }
  return { archive, objects: join(data, OBJECTS_DIR) };
}

describe('runFixity', () => {
  it('passes intact files and records a pass event for each', async () => {
    const { archive } = await archiveWithTwo();
    const deps = { catalog: archive.catalog, store: archive.store, audit: archive.audit, now: () => new Date('2025-03-01T00:00:00.000Z') };
    expect(await runFixity(deps)).toEqual({ recordings: 2, files: 6, problems: [] });
    const events = await archive.catalog.fixityEvents('rec-1');
    expect(events.map((event) => [event.path, event.outcome])).toEqual([
      ['manifest.json', 'pass'],
      ['segments/segment-0001.mkv', 'pass'],
      ['timelines/speaking.vtt', 'pass'],
    ]);
    expect(events[0]).toMatchObject({ at: '2025-03-01T00:00:00.000Z', agent: 'conclave-archive fixity (SHA-256)' });
    expect((await archive.audit.entries({})).at(-1)).toMatchObject({ action: 'fixity', detail: { recordings: 2, files: 6, problems: [] } });
  });

  it('reports a changed file (same size) and a missing one, and records fail and missing events', async () => {
    const { archive, objects } = await archiveWithTwo();
    const segment = join(objects, 'rec-1', 'segments/segment-0001.mkv');
    const bytes = readFileSync(segment);
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(segment, bytes);
    unlinkSync(join(objects, 'rec-2', 'timelines/speaking.vtt'));
    const report = await runFixity({ catalog: archive.catalog, store: archive.store });
    expect(report.problems).toEqual([
      { recordingId: 'rec-1', path: 'segments/segment-0001.mkv', outcome: 'fail', expected: expect.stringMatching(/^[0-9a-f]{64}$/), actual: expect.stringMatching(/^[0-9a-f]{64}$/), message: expect.stringContaining('the content changed') },
      { recordingId: 'rec-2', path: 'timelines/speaking.vtt', outcome: 'missing', expected: expect.any(String), actual: null, message: 'missing from the store' },
    ]);
    expect((await archive.catalog.fixityEvents('rec-2')).map((event) => event.outcome)).toEqual(['pass', 'pass', 'missing']);
  });

  it('catches a file that grew', async () => {
    const { archive, objects } = await archiveWithTwo();
    appendFileSync(join(objects, 'rec-2', 'manifest.json'), ' ');
    const report = await runFixity({ catalog: archive.catalog, store: archive.store });
    expect(report.problems.map((problem) => [problem.recordingId, problem.path, problem.outcome])).toEqual([['rec-2', 'manifest.json', 'fail']]);
  });
});
