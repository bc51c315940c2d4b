/** The catalog's contract: the same tests against SQLite and a real PostgreSQL server. */
import { describe, expect, it } from 'vitest';
import { archiveBackends } from '../testing/backends.js';
import { type NewRecording } from './types.js';

const BACKENDS = archiveBackends('catalog');
const AUDIT = { actor: 'test', action: 'ingest' } as const;

function recording(id: string, overrides: Partial<NewRecording> = {}): NewRecording {
  return {
    id,
    room: 'board',
    startedAt: '2025-01-01T10:00:00.000Z',
    endedAt: '2025-01-01T11:00:00.000Z',
    manifestSha256: 'a'.repeat(64),
    previousManifestSha256: null,
    recorderKeyId: '0123456789abcdef',
    chainStatus: 'first',
    chainPreviousId: null,
    retentionUntil: null,
    ingestedAt: '2025-01-02T00:00:00.000Z',
    participants: [{ id: 'p1', name: 'Alice' }],
    tags: [],
    files: [{ path: 'manifest.json', size: 10, sha256: 'b'.repeat(64), kind: 'manifest' }],
    ...overrides,
  };
}

describe.each(BACKENDS)('catalog on $name', (backend) => {
  const fresh = async () => (await backend.open()).archive;

  it('stores a recording with its participants, tags and files, and audits the insert in the same transaction', async () => {
    const archive = await fresh();
    await archive.catalog.insertRecording(recording('rec-1', { tags: ['board', 'q1'], participants: [{ id: 'p1', name: 'Alice' }, { id: 'p2', name: 'Élodie Martin' }] }), { ...AUDIT, recordingId: 'rec-1' });
    expect(await archive.catalog.getRecording('rec-1')).toEqual({
      id: 'rec-1',
      room: 'board',
      startedAt: '2025-01-01T10:00:00.000Z',
      endedAt: '2025-01-01T11:00:00.000Z',
      durationMs: 3_600_000,
      manifestSha256: 'a'.repeat(64),
      previousManifestSha256: null,
      recorderKeyId: '0123456789abcdef',
      chainStatus: 'first',
      chainPreviousId: null,
      status: 'active',
      retentionUntil: null,
      legalHold: null,
      ingestedAt: '2025-01-02T00:00:00.000Z',
    });
    expect(await archive.catalog.participants('rec-1')).toEqual([{ id: 'p1', name: 'Alice' }, { id: 'p2', name: 'Élodie Martin' }]);
    expect(await archive.catalog.tags('rec-1')).toEqual(['board', 'q1']);
    expect(await archive.catalog.files('rec-1')).toEqual([{ path: 'manifest.json', size: 10, sha256: 'b'.repeat(64), kind: 'manifest' }]);
    expect((await archive.audit.entries()).map((entry) => [entry.action, entry.recordingId])).toEqual([['ingest', 'rec-1']]);
    expect(await archive.catalog.getRecording('none')).toBeNull();
  });

  it('refuses a second recording with the same id, and keeps nothing of it (nor its audit entry)', async () => {
    const archive = await fresh();
    await archive.catalog.insertRecording(recording('rec-1'), AUDIT);
    await expect(archive.catalog.insertRecording(recording('rec-1', { room: 'other' }), AUDIT)).rejects.toMatchObject({ code: 'conflict' });
    expect((await archive.catalog.getRecording('rec-1'))?.room).toBe('board');
    expect(await archive.audit.entries()).toHaveLength(1);
  });

  it('rolls back a half-inserted recording (a duplicate file path fails after the row was written)', async () => {
    const archive = await fresh();
    const file = { path: 'a.mkv', size: 1, sha256: 'c'.repeat(64), kind: 'segment' } as const;
    await expect(archive.catalog.insertRecording(recording('rec-1', { files: [file, file] }), AUDIT)).rejects.toThrow(/unique/i);
    expect(await archive.catalog.getRecording('rec-1')).toBeNull();
    expect(await archive.catalog.participants('rec-1')).toEqual([]);
    expect(await archive.audit.entries()).toEqual([]);
  });

  it('searches by room, dates, participant (any case, any accent, substring), duration and all of the tags', async () => {
    const archive = await fresh();
    const at = (day: number, minutes: number) => ({ startedAt: `2025-01-${String(day).padStart(2, '0')}T10:00:00.000Z`, endedAt: new Date(Date.parse(`2025-01-${String(day).padStart(2, '0')}T10:00:00.000Z`) + minutes * 60_000).toISOString() });
    await archive.catalog.insertRecordings([
      recording('r1', { ...at(1, 30), room: 'board', participants: [{ id: 'p', name: 'Élodie Martin' }], tags: ['legal', 'q1'] }),
      recording('r2', { ...at(2, 60), room: 'sales', participants: [{ id: 'p', name: 'Bob' }], tags: ['q1'] }),
      recording('r3', { ...at(3, 90), room: 'board', participants: [{ id: 'p', name: 'ELODIE Durand' }, { id: 'q', name: 'Bo' }], tags: ['legal'] }),
      recording('r4', { ...at(4, 5), room: 'board', participants: [{ id: 'p', name: 'Zoé' }], tags: ['legal', 'q1', 'x'] }),
    ]);
    const ids = async (query: Parameters<typeof archive.catalog.search>[0]) => (await archive.catalog.search(query)).recordings.map((r) => r.id);
    expect(await ids({})).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect(await ids({ room: 'board' })).toEqual(['r4', 'r3', 'r1']);
    expect(await ids({ startedFrom: '2025-01-02T00:00:00Z', startedTo: '2025-01-04T00:00:00Z' })).toEqual(['r3', 'r2']);
    expect(await ids({ participant: 'elodie' })).toEqual(['r3', 'r1']);
    expect(await ids({ participant: 'LODIE MAR' })).toEqual(['r1']);
    expect(await ids({ participant: 'zoe' })).toEqual(['r4']);
    expect(await ids({ participant: 'bo' })).toEqual(['r3', 'r2']);
    expect(await ids({ participant: '"; DROP' })).toEqual([]);
    expect(await ids({ minDurationMs: 30 * 60_000, maxDurationMs: 60 * 60_000 })).toEqual(['r2', 'r1']);
    expect(await ids({ tags: ['legal', 'q1'] })).toEqual(['r4', 'r1']);
    expect(await ids({ tags: ['legal', 'legal'] })).toEqual(['r4', 'r3', 'r1']);
    expect(await ids({ room: 'board', tags: ['q1'], participant: 'é' })).toEqual(['r4', 'r1']);
    await expect(archive.catalog.search({ startedFrom: 'yesterday' })).rejects.toMatchObject({ code: 'invalid-query' });
    await expect(archive.catalog.search({ limit: 0 })).rejects.toMatchObject({ code: 'invalid-query' });
    await expect(archive.catalog.search({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'invalid-query' });
  });

  it('matches a name fragment within one name only, and tags as whole tags, whatever their characters', async () => {
    const archive = await fresh();
    await archive.catalog.insertRecordings([
      recording('r1', { participants: [{ id: 'p', name: 'Ann' }, { id: 'q', name: 'Bob' }], tags: ['q1 2025', 'été'] }),
      recording('r2', { participants: [{ id: 'p', name: 'Annbob' }], tags: ['q1', 'a "quoted" tag'] }),
      recording('r3', { participants: [{ id: 'p', name: 'Zoë O\'Brien' }], tags: ['Q1'] }),
    ]);
    const search = async (query: Parameters<typeof archive.catalog.search>[0]) => {
      const page = await archive.catalog.search(query);
      return { ids: page.recordings.map((r) => r.id), total: page.total };
    };
    expect(await search({ participant: 'nnbo' })).toEqual({ ids: ['r2'], total: 1 });
    expect(await search({ participant: 'n b' })).toEqual({ ids: [], total: 0 });
    expect(await search({ participant: 'ann' })).toEqual({ ids: ['r2', 'r1'], total: 2 });
    expect(await search({ participant: 'zoe o\'b' })).toEqual({ ids: ['r3'], total: 1 });
    expect(await search({ participant: '"' })).toEqual({ ids: [], total: 0 });
    expect(await search({ tags: ['q1'] })).toEqual({ ids: ['r2'], total: 1 });
    expect(await search({ tags: ['q'] })).toEqual({ ids: [], total: 0 });
    expect(await search({ tags: ['q1 2025', 'été'] })).toEqual({ ids: ['r1'], total: 1 });
    expect(await search({ tags: ['ete'] })).toEqual({ ids: [], total: 0 });
    expect(await search({ tags: ['a "quoted" tag'] })).toEqual({ ids: ['r2'], total: 1 });
    expect(await search({ tags: ['Q1', 'q1'] })).toEqual({ ids: [], total: 0 });
    await archive.catalog.setTags('r3', ['q1']);
    expect(await search({ tags: ['q1'] })).toEqual({ ids: ['r3', 'r2'], total: 2 });
    expect(await search({ tags: ['Q1'] })).toEqual({ ids: [], total: 0 });
    await archive.catalog.setTags('r3', []);
    expect(await search({ tags: ['q1'] })).toEqual({ ids: ['r2'], total: 1 });
  });

  it('pages in a stable order with a total, even when two recordings start at the same time', async () => {
    const archive = await fresh();
    await archive.catalog.insertRecordings(['a', 'b', 'c', 'd', 'e'].map((id) => recording(id)));
    const first = await archive.catalog.search({ limit: 2 });
    expect(first.recordings.map((r) => r.id)).toEqual(['e', 'd']);
    expect(first.total).toBe(5);
    // A recording added between pages does not shift the next page.
    await archive.catalog.insertRecordings([recording('f', { startedAt: '2025-01-01T12:00:00.000Z', endedAt: '2025-01-01T13:00:00.000Z' })]);
    const second = await archive.catalog.search({ limit: 2, cursor: first.nextCursor! });
    expect(second.recordings.map((r) => r.id)).toEqual(['c', 'b']);
    const third = await archive.catalog.search({ limit: 2, cursor: second.nextCursor! });
    expect(third.recordings.map((r) => r.id)).toEqual(['a']);
    expect(third.nextCursor).toBeNull();
  });

  it('keeps legal holds and retention on active recordings only, with a reason', async () => {
    const archive = await fresh();
    await archive.catalog.insertRecordings([recording('rec-1')]);
    await expect(archive.catalog.setLegalHold('rec-1', '  ', { actor: 'a', action: 'hold' })).rejects.toMatchObject({ code: 'invalid-query' });
    await expect(archive.catalog.setLegalHold('rec-1', null, { actor: 'a', action: 'release' })).rejects.toMatchObject({ code: 'conflict' });
    await archive.catalog.setLegalHold('rec-1', 'case 42', { actor: 'a', action: 'hold', recordingId: 'rec-1' });
    expect((await archive.catalog.getRecording('rec-1'))?.legalHold).toEqual({ reason: 'case 42' });
    await expect(archive.catalog.setLegalHold('missing', 'x', { actor: 'a', action: 'hold' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('finds by manifest and follower, sets tags, lists by status and expiry, keeps fixity events in order', async () => {
    const archive = await fresh();
    await archive.catalog.insertRecordings([
      recording('a', { manifestSha256: '1'.repeat(64), retentionUntil: '2025-03-01T00:00:00.000Z' }),
      recording('b', { manifestSha256: '2'.repeat(64), previousManifestSha256: '1'.repeat(64), startedAt: '2025-01-02T10:00:00.000Z', endedAt: '2025-01-02T11:00:00.000Z', retentionUntil: '2025-02-01T00:00:00.000Z' }),
      recording('c', { manifestSha256: '2'.repeat(64), startedAt: '2025-01-03T10:00:00.000Z', endedAt: '2025-01-03T11:00:00.000Z', retentionUntil: '2030-01-01T00:00:00.000Z' }),
    ]);
    expect((await archive.catalog.findByManifestSha256('2'.repeat(64))).map((r) => r.id)).toEqual(['b', 'c']);
    expect((await archive.catalog.findFollowers('1'.repeat(64))).map((r) => r.id)).toEqual(['b']);
    await archive.catalog.setTags('a', ['z', 'y', 'z']);
    expect(await archive.catalog.tags('a')).toEqual(['y', 'z']);
    await expect(archive.catalog.setTags('a', [' padded'])).rejects.toMatchObject({ code: 'invalid-query' });
    await expect(archive.catalog.setTags('none', ['x'])).rejects.toMatchObject({ code: 'not-found' });
    expect(await archive.catalog.listIds('active')).toEqual(['a', 'b', 'c']);
    expect(await archive.catalog.listExpired('2025-06-01T00:00:00.000Z')).toEqual(['b', 'a']);
    await archive.catalog.recordFixity([
      { recordingId: 'a', path: 'manifest.json', at: '2025-03-01T00:00:00.000Z', outcome: 'pass', expected: 'b'.repeat(64), actual: 'b'.repeat(64), agent: 'test' },
      { recordingId: 'a', path: 'manifest.json', at: '2025-02-01T00:00:00.000Z', outcome: 'missing', expected: 'b'.repeat(64), actual: null, agent: 'test' },
    ]);
    expect((await archive.catalog.fixityEvents('a')).map((event) => [event.at, event.outcome, event.actual])).toEqual([
      ['2025-03-01T00:00:00.000Z', 'pass', 'b'.repeat(64)],
      ['2025-02-01T00:00:00.000Z', 'missing', null],
    ]);
  });

  it('deletes in two guarded steps: only expired and unheld, then a tombstone, each audited', async () => {
    const archive = await fresh();
    await archive.catalog.insertRecordings([recording('old', { retentionUntil: '2025-02-01T00:00:00.000Z' }), recording('new', { retentionUntil: '2030-01-01T00:00:00.000Z' })]);
    const now = '2025-06-01T00:00:00.000Z';
    const audit = (recordingId: string) => ({ actor: 'admin', action: 'delete', recordingId }) as const;
    const tombstone = { deletedAt: now, actor: 'admin', reason: 'expired', fileCount: 1, totalBytes: 10 };
    expect(await archive.catalog.beginDeletion('new', now, audit('new'))).toBe(false);
    await archive.catalog.setLegalHold('old', 'case 7', { actor: 'a', action: 'hold', recordingId: 'old' });
    expect(await archive.catalog.beginDeletion('old', now, audit('old'))).toBe(false);
    await expect(archive.catalog.finishDeletion('old', tombstone, audit('old'))).rejects.toMatchObject({ code: 'conflict' });
    await archive.catalog.setLegalHold('old', null, { actor: 'a', action: 'release', recordingId: 'old' });
    expect(await archive.catalog.beginDeletion('old', now, audit('old'))).toBe(true);
    // Resumed after a crash: still true, nothing changed, not audited twice.
    expect(await archive.catalog.beginDeletion('old', now, audit('old'))).toBe(true);
    expect((await archive.catalog.getRecording('old'))?.status).toBe('deleting');
    expect((await archive.catalog.search({})).recordings.map((r) => r.id)).toEqual(['new']);
    await expect(archive.catalog.setRetention('old', null, { actor: 'a', action: 'retention' })).rejects.toMatchObject({ code: 'not-active' });
    expect(await archive.catalog.tombstone('old')).toBeNull();
    await archive.catalog.finishDeletion('old', tombstone, audit('old'));
    expect(await archive.catalog.tombstone('old')).toEqual(tombstone);
    expect((await archive.catalog.search({ status: 'deleted' })).recordings.map((r) => r.id)).toEqual(['old']);
    // Found by name and tag under its new status only, and by any status.
    await archive.catalog.setTags('new', ['kept']);
    expect((await archive.catalog.search({ participant: 'alice' })).recordings.map((r) => r.id)).toEqual(['new']);
    expect((await archive.catalog.search({ participant: 'alice', status: 'deleted' })).recordings.map((r) => r.id)).toEqual(['old']);
    expect((await archive.catalog.search({ participant: 'lic', status: 'any' })).total).toBe(2);
    expect((await archive.catalog.search({ tags: ['kept'], status: 'deleted' })).total).toBe(0);
    expect((await archive.catalog.search({ tags: ['kept'], status: 'any' })).recordings.map((r) => r.id)).toEqual(['new']);
    await expect(archive.catalog.finishDeletion('old', tombstone, audit('old'))).rejects.toMatchObject({ code: 'conflict' });
    await expect(archive.catalog.beginDeletion('missing', now, audit('missing'))).rejects.toMatchObject({ code: 'not-found' });
    expect((await archive.audit.entries({ recordingId: 'old' })).map((entry) => entry.action)).toEqual(['hold', 'release', 'delete', 'delete']);
    expect((await archive.audit.verify()).ok).toBe(true);
  });
});
