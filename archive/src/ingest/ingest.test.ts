import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openArchive, type Archive } from '../archive.js';
import { IngestRefusedError } from '../errors.js';
import { type ObjectStore } from '../store/object-store.js';
import { makeRecording, newRecorderKey, type RecorderKey } from '../testing/recordings.js';
import { ingestRecording, type IngestDeps } from './ingest.js';

let key: RecorderKey;
let otherKey: RecorderKey;
beforeAll(async () => {
  key = await newRecorderKey();
  otherKey = await newRecorderKey();
});

const NOW = new Date('2025-02-01T00:00:00.000Z');
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

async function setup(overrides: Partial<IngestDeps> = {}): Promise<{ archive: Archive; deps: IngestDeps }> {
  const archive = await openArchive(tmp('archive-ingest-'));
  const deps: IngestDeps = {
    catalog: archive.catalog,
    store: archive.store,
    audit: archive.audit,
    trustedRecorderKeys: [key.publicKeyBase64],
    actor: 'test:ingest',
    retention: { defaultDays: 365, rooms: { legal: null } },
    now: () => NOW,
    ...overrides,
  };
  return { archive, deps };
}

async function refusal(promise: Promise<unknown>): Promise<IngestRefusedError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IngestRefusedError);
  return error as IngestRefusedError;
}

describe('ingestRecording', () => {
  it('copies every file and the manifest byte for byte and catalogs the recording, audited', async () => {
    const { archive, deps } = await setup({ tags: ['q1'] });
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', key, { participants: [{ id: 'p1', name: 'Alice' }, { id: 'p2', name: 'Élodie' }] });
    const result = await ingestRecording(fixture.dir, deps);
    expect(result).toMatchObject({ status: 'ingested', recordingId: 'rec-1', manifestSha256: fixture.manifestSha256, files: 3, chain: { status: 'first', previousId: null } });

    expect(await archive.store.list('rec-1')).toEqual(['manifest.json', 'segments/segment-0001.mkv', 'timelines/speaking.vtt']);
    for (const path of ['manifest.json', 'segments/segment-0001.mkv', 'timelines/speaking.vtt']) {
      expect(await buffer(await archive.store.get('rec-1', path))).toEqual(readFileSync(join(fixture.dir, path)));
    }
    const record = await archive.catalog.getRecording('rec-1');
    expect(record).toMatchObject({ room: 'board', status: 'active', durationMs: 3_600_000, manifestSha256: fixture.manifestSha256, recorderKeyId: key.keyId, retentionUntil: '2026-01-01T11:00:00.000Z', ingestedAt: NOW.toISOString() });
    expect((await archive.catalog.files('rec-1')).map((file) => [file.path, file.kind])).toEqual([
      ['manifest.json', 'manifest'],
      ['segments/segment-0001.mkv', 'segment'],
      ['timelines/speaking.vtt', 'timeline'],
    ]);
    expect(await archive.catalog.participants('rec-1')).toEqual([{ id: 'p1', name: 'Alice' }, { id: 'p2', name: 'Élodie' }]);
    expect(await archive.catalog.tags('rec-1')).toEqual(['q1']);
    expect((await archive.audit.entries())).toMatchObject([{ action: 'ingest', actor: 'test:ingest', recordingId: 'rec-1', detail: { outcome: 'ingested', files: 3 } }]);
  });

  it('is idempotent: the same recording again is a no-op', async () => {
    const { archive, deps } = await setup();
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', key);
    await ingestRecording(fixture.dir, deps);
    expect(await ingestRecording(fixture.dir, deps)).toMatchObject({ status: 'already', recordingId: 'rec-1', files: 3 });
    expect((await archive.audit.entries())).toHaveLength(1);
  });

  it('refuses the same recording id with another manifest, keeping the first', async () => {
    const { archive, deps } = await setup();
    const first = await makeRecording(tmp('recordings-'), 'rec-1', key);
    const second = await makeRecording(tmp('recordings-'), 'rec-1', key, { room: 'elsewhere' });
    await ingestRecording(first.dir, deps);
    const error = await refusal(ingestRecording(second.dir, deps));
    expect(error.problems).toEqual([expect.stringMatching(/^recording rec-1 is already archived with another manifest/)]);
    expect((await archive.catalog.getRecording('rec-1'))?.room).toBe('board');
    expect(await buffer(await archive.store.get('rec-1', 'manifest.json'))).toEqual(readFileSync(join(first.dir, 'manifest.json')));
  });

  it('refuses a damaged recording, listing every problem, and keeps nothing (the refusal is audited)', async () => {
    const { archive, deps } = await setup();
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', key);
    appendFileSync(join(fixture.dir, 'segments/segment-0001.mkv'), 'x');
    writeFileSync(join(fixture.dir, 'extra.txt'), 'not listed');
    const error = await refusal(ingestRecording(fixture.dir, deps));
    expect(error.problems).toEqual([expect.stringContaining('segment-0001.mkv: size is'), expect.stringContaining('extra.txt: present but not listed')]);
    expect(error.message).toContain('not ingested');
    expect(await archive.catalog.getRecording('rec-1')).toBeNull();
    expect(await archive.store.list('rec-1')).toEqual([]);
    expect((await archive.audit.entries())).toMatchObject([{ action: 'ingest', recordingId: 'rec-1', detail: { outcome: 'refused' } }]);
  });

  it('refuses a recording signed by a key that is not trusted', async () => {
    const { archive, deps } = await setup();
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', otherKey);
    const error = await refusal(ingestRecording(fixture.dir, deps));
    expect(error.problems).toEqual([`signed by recorder key ${otherKey.keyId} (${otherKey.publicKeyBase64}), which is not a trusted recorder key (ARCHIVE_TRUSTED_RECORDER_KEYS)`]);
    expect(await archive.store.list('rec-1')).toEqual([]);
  });

  it('checks the chain: linked to the recording before it, or missing it', async () => {
    const root = tmp('recordings-');
    const one = await makeRecording(root, 'rec-1', key);
    const two = await makeRecording(root, 'rec-2', key, { startedAt: '2025-01-02T10:00:00.000Z' });
    const alone = await setup();
    expect((await ingestRecording(two.dir, alone.deps)).chain).toEqual({ status: 'missing-previous', previousId: null, siblings: [] });

    const { archive, deps } = await setup();
    await ingestRecording(one.dir, deps);
    expect((await ingestRecording(two.dir, deps)).chain).toEqual({ status: 'linked', previousId: 'rec-1', siblings: [] });
    expect(await archive.catalog.getRecording('rec-2')).toMatchObject({ chainStatus: 'linked', chainPreviousId: 'rec-1', previousManifestSha256: one.manifestSha256 });
    expect((await archive.audit.entries({ recordingId: 'rec-2' }))[0]?.detail).toMatchObject({ chain: { status: 'linked', previousId: 'rec-1' } });
  });

  it('reports a fork: two recordings after the same one', async () => {
    const root = tmp('recordings-');
    const one = await makeRecording(root, 'rec-1', key);
    const two = await makeRecording(root, 'rec-2', key);
    // A second root whose head is rec-1 too: rec-3 also follows rec-1.
    const forkRoot = tmp('recordings-');
    writeFileSync(join(forkRoot, 'chain-head.json'), JSON.stringify({ version: 1, recordingId: 'rec-1', manifestSha256: one.manifestSha256 }));
    const three = await makeRecording(forkRoot, 'rec-3', key);
    const { deps } = await setup();
    for (const fixture of [one, two]) await ingestRecording(fixture.dir, deps);
    expect((await ingestRecording(three.dir, deps)).chain).toEqual({ status: 'forked', previousId: 'rec-1', siblings: ['rec-2'] });
  });

  it('removes what it copied when the store fails part-way', async () => {
    const { archive, deps } = await setup();
    let puts = 0;
    const failing: ObjectStore = {
      ...bind(archive.store),
      put: async (id, path, source) => {
        if (++puts === 2) throw new Error('disk full');
        return archive.store.put(id, path, source);
      },
    };
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', key);
    await expect(ingestRecording(fixture.dir, { ...deps, store: failing })).rejects.toThrow('disk full');
    expect(await archive.store.list('rec-1')).toEqual([]);
    expect(await archive.catalog.getRecording('rec-1')).toBeNull();
  });

  it('removes what it copied when the catalog transaction fails', async () => {
    // A tag the catalog refuses fails the transaction after the recording's row was written.
    const { archive, deps } = await setup({ tags: ['q1', ' padded '] });
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', key);
    await expect(ingestRecording(fixture.dir, deps)).rejects.toMatchObject({ code: 'invalid-query' });
    expect(await archive.store.list('rec-1')).toEqual([]);
    expect(await archive.catalog.getRecording('rec-1')).toBeNull();
    expect((await archive.audit.entries())).toEqual([]);
  });

  it('refuses a file that changed after it was verified, and keeps nothing', async () => {
    const { archive, deps } = await setup();
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', key);
    const swapping: ObjectStore = {
      ...bind(archive.store),
      put: async (id, path, source) => {
        // Same size, other bytes: only the hash can tell.
        if (path === 'segments/segment-0001.mkv' && typeof source === 'string') writeFileSync(source, readFileSync(source).fill(0x55, 0, 16));
        return archive.store.put(id, path, source);
      },
    };
    const error = await refusal(ingestRecording(fixture.dir, { ...deps, store: swapping }));
    expect(error.problems).toEqual([expect.stringContaining('changed while it was being ingested')]);
    expect(await archive.store.list('rec-1')).toEqual([]);
    expect(await archive.catalog.getRecording('rec-1')).toBeNull();
  });

  it('clears what an interrupted ingest left in the store before copying', async () => {
    const { archive, deps } = await setup();
    await archive.store.put('rec-1', 'segments/segment-0001.mkv', Readable.from([Buffer.from('half')]));
    const fixture = await makeRecording(tmp('recordings-'), 'rec-1', key);
    expect((await ingestRecording(fixture.dir, deps)).status).toBe('ingested');
    expect(await buffer(await archive.store.get('rec-1', 'segments/segment-0001.mkv'))).toEqual(readFileSync(join(fixture.dir, 'segments/segment-0001.mkv')));
  });
});

function bind(store: ObjectStore): ObjectStore {
  return {
    put: store.put.bind(store),
    get: store.get.bind(store),
    stat: store.stat.bind(store),
    list: store.list.bind(store),
    delete: store.delete.bind(store),
  };
}
