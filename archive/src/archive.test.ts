import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from './archive.js';
import { ingestRecording } from './ingest/ingest.js';
import { startS3Server, type TestS3Server } from './store/testing.js';
import { makeRecording, newRecorderKey } from './testing/recordings.js';

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3Server('conclave-archive');
});
afterAll(() => s3?.stop());

describe('openArchive with an S3-compatible store', () => {
  it('ingests into the bucket, not the data directory, and reads back what it stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'archive-s3-'));
    const archive = await openArchive(dataDir, { s3: { ...s3.config, prefix: 'archive/' } });
    const key = await newRecorderKey();
    const made = await makeRecording(mkdtempSync(join(tmpdir(), 'archive-s3-in-')), 'rec-s3', key);
    const result = await ingestRecording(made.dir, { catalog: archive.catalog, store: archive.store, trustedRecorderKeys: [key.publicKeyBase64], actor: 'test' });
    expect(result.status).toBe('ingested');
    expect(readdirSync(join(dataDir, 'objects'))).toEqual([]);
    expect(await archive.store.list('rec-s3')).toContain('manifest.json');
    expect(await archive.store.stat('rec-s3', 'segments/segment-0001.mkv')).toMatchObject({ size: expect.any(Number) });
    await archive.close();
  });

  it('refuses to start on a bucket that does not exist', async () => {
    await expect(openArchive(mkdtempSync(join(tmpdir(), 'archive-s3-')), { s3: { ...s3.config, bucket: 'no-such-bucket' } })).rejects.toThrow(/bucket/i);
  });
});
