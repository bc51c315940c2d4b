import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openArchive } from './archive.js';
import { ingestRecording } from './ingest/ingest.js';
import { Maintenance } from './maintenance.js';
import { makeRecording, newRecorderKey } from './testing/recordings.js';

describe('Maintenance', () => {
  it('records a fixity pass, raises an alert for a changed file, and sweeps what retention allows', async () => {
    const key = await newRecorderKey();
    const inbox = mkdtempSync(join(tmpdir(), 'archive-maint-in-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'archive-maint-'));
    const archive = await openArchive(dataDir);
    for (const id of ['kept', 'expired']) {
      const made = await makeRecording(inbox, id, key, { startedAt: '2020-01-01T10:00:00.000Z' });
      await ingestRecording(made.dir, { catalog: archive.catalog, store: archive.store, trustedRecorderKeys: [key.publicKeyBase64], actor: 'test' });
    }
    const lines: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const maintenance = new Maintenance(archive, { fixityEveryMs: 3_600_000, sweepEveryMs: 3_600_000, log });

    expect((await maintenance.fixity())?.problems).toEqual([]);
    // Someone changes a stored file behind the archive's back.
    writeFileSync(join(dataDir, 'objects', 'kept', 'segments', 'segment-0001.mkv'), 'not the media any more');
    const report = await maintenance.fixity();
    expect(report?.problems.map((problem) => [problem.recordingId, problem.outcome])).toEqual([['kept', 'fail']]);
    expect(lines.some((line) => line.includes('"alert":"fixity"') && line.includes('segment-0001.mkv'))).toBe(true);
    expect((await archive.catalog.fixityEvents('kept')).filter((event) => event.outcome === 'fail')).toHaveLength(1);

    await archive.catalog.setRetention('expired', '2021-01-01T00:00:00.000Z', { actor: 'test', action: 'retention', recordingId: 'expired' });
    expect(await maintenance.sweep()).toMatchObject({ deleted: 1, failed: [] });
    expect((await archive.catalog.getRecording('expired'))?.status).toBe('deleted');
    expect((await archive.catalog.getRecording('kept'))?.status).toBe('active');
    await maintenance.stop();
    await archive.close();
  });
});
