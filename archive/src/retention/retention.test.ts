import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type NewRecording } from '../catalog/types.js';
import { archiveBackends, type ArchiveBackend } from '../testing/backends.js';
import { retentionUntil } from './policy.js';
import { assertAvailable, deleteRecording, releaseLegalHold, setLegalHold, setRetention, sweepExpired, type RetentionDeps } from './retention.js';

function recording(id: string, retention: string | null): NewRecording {
  return {
    id,
    room: 'board',
    startedAt: '2025-01-01T10:00:00.000Z',
    endedAt: '2025-01-01T11:00:00.000Z',
    manifestSha256: id.padEnd(64, '0'),
    previousManifestSha256: null,
    recorderKeyId: '0123456789abcdef',
    chainStatus: 'first',
    chainPreviousId: null,
    retentionUntil: retention,
    ingestedAt: '2025-01-02T00:00:00.000Z',
    participants: [],
    tags: [],
    files: [{ path: 'segments/a.mkv', size: 5, sha256: 'b'.repeat(64), kind: 'segment' }],
  };
}

async function setup(backend: ArchiveBackend) {
  let now = new Date('2025-06-01T00:00:00.000Z');
  const { archive } = await backend.open();
  await archive.catalog.insertRecordings([recording('expired', '2025-05-01T00:00:00.000Z'), recording('kept', '2026-01-01T00:00:00.000Z'), recording('forever', null)]);
  for (const id of ['expired', 'kept', 'forever']) await archive.store.put(id, 'segments/a.mkv', Readable.from([Buffer.from('media')]));
  const deps: RetentionDeps = { catalog: archive.catalog, store: archive.store, now: () => now };
  return { archive, deps, setNow: (iso: string) => (now = new Date(iso)) };
}

describe('retention policy', () => {
  it('computes retention dates per room, by default, or never', () => {
    const policy = { defaultDays: 30, rooms: { legal: 3650, chat: null } };
    expect(retentionUntil(policy, 'board', '2025-01-01T00:00:00.000Z')).toBe('2025-01-31T00:00:00.000Z');
    expect(retentionUntil(policy, 'legal', '2025-01-01T00:00:00.000Z')).toBe('2034-12-30T00:00:00.000Z');
    expect(retentionUntil(policy, 'chat', '2025-01-01T00:00:00.000Z')).toBeNull();
  });
});

describe.each(archiveBackends('retention'))('retention on $name', (backend) => {
  it('deletes an expired recording: files gone, row and tombstone kept, both steps audited', async () => {
    const { archive, deps } = await setup(backend);
    expect(await deleteRecording(deps, 'expired', 'archivist:claire')).toEqual({ recordingId: 'expired', files: 1, bytes: 5 });
    expect(await archive.store.list('expired')).toEqual([]);
    expect((await archive.catalog.getRecording('expired'))?.status).toBe('deleted');
    expect(await archive.catalog.tombstone('expired')).toEqual({ deletedAt: '2025-06-01T00:00:00.000Z', actor: 'archivist:claire', reason: 'retention expired', fileCount: 1, totalBytes: 5 });
    expect((await archive.audit.entries({ recordingId: 'expired' })).map((entry) => [entry.action, entry.detail.phase])).toEqual([
      ['delete', 'started'],
      ['delete', 'finished'],
    ]);
    expect(() => assertAvailable(null, 'x')).toThrow(/no recording x/);
    await expect(deleteRecording(deps, 'expired', 'a')).rejects.toMatchObject({ code: 'not-active' });
    expect((await archive.audit.verify()).ok).toBe(true);
  });

  it('refuses to delete before the retention date, without one, or under legal hold, with the reason', async () => {
    const { archive, deps } = await setup(backend);
    await expect(deleteRecording(deps, 'kept', 'a')).rejects.toMatchObject({ code: 'retention-active', message: expect.stringContaining('retained until 2026-01-01T00:00:00.000Z') });
    await expect(deleteRecording(deps, 'forever', 'a')).rejects.toMatchObject({ code: 'retention-active', message: expect.stringContaining('no retention date') });
    await setLegalHold(deps, 'expired', 'litigation 2025-17', 'legal:marc');
    await expect(deleteRecording(deps, 'expired', 'a')).rejects.toMatchObject({ code: 'legal-hold', message: expect.stringContaining('litigation 2025-17') });
    expect(await archive.store.list('expired')).toEqual(['segments/a.mkv']);
    expect((await archive.catalog.getRecording('expired'))?.status).toBe('active');

    await releaseLegalHold(deps, 'expired', 'case closed', 'legal:marc');
    await deleteRecording(deps, 'expired', 'a');
    expect((await archive.audit.entries({ recordingId: 'expired' })).map((entry) => entry.action)).toEqual(['hold', 'release', 'delete', 'delete']);
    expect((await archive.audit.entries({ recordingId: 'expired' }))[1]?.detail).toEqual({ reason: 'case closed', heldFor: 'litigation 2025-17' });
  });

  it('sweeps every expired recording, and nothing else, as time passes; retention changes are audited', async () => {
    const { archive, deps, setNow } = await setup(backend);
    expect((await sweepExpired(deps, 'sweeper')).deleted.map((d) => d.recordingId)).toEqual(['expired']);
    await setRetention(deps, 'forever', '2025-09-01T00:00:00.000Z', 'policy change', 'archivist:claire');
    expect((await archive.audit.entries({ recordingId: 'forever' }))[0]).toMatchObject({ action: 'retention', detail: { from: null, to: '2025-09-01T00:00:00.000Z' } });
    setNow('2026-02-01T00:00:00.000Z');
    const report = await sweepExpired(deps, 'sweeper');
    expect(report).toEqual({ deleted: [expect.objectContaining({ recordingId: 'forever' }), expect.objectContaining({ recordingId: 'kept' })], failed: [] });
    expect(await archive.catalog.listIds('deleted')).toEqual(['expired', 'forever', 'kept']);
  });

  it('finishes an interrupted deletion at the next sweep; meanwhile the recording is not available', async () => {
    const { archive, deps } = await setup(backend);
    const broken: RetentionDeps = { ...deps, store: { ...archive.store, list: archive.store.list.bind(archive.store), delete: () => Promise.reject(new Error('I/O error')) } };
    await expect(deleteRecording(broken, 'expired', 'sweeper')).rejects.toThrow('I/O error');
    const record = await archive.catalog.getRecording('expired');
    expect(record?.status).toBe('deleting');
    expect(() => assertAvailable(record, 'expired')).toThrow(/deleting: it can no longer be viewed or exported/);
    await expect(setLegalHold(deps, 'expired', 'too late', 'legal')).rejects.toMatchObject({ code: 'not-active' });

    expect((await sweepExpired(deps, 'sweeper')).deleted.map((d) => d.recordingId)).toEqual(['expired']);
    expect((await archive.catalog.getRecording('expired'))?.status).toBe('deleted');
    expect(await archive.store.list('expired')).toEqual([]);
  });
});
