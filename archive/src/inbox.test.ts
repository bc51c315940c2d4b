import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive, type Archive } from './archive.js';
import { Inbox } from './inbox.js';
import { KEEP_FOREVER } from './retention/policy.js';
import { makeRecording, newRecorderKey } from './testing/recordings.js';

/** A logger whose lines the test reads. */
function capturedLog() {
  const lines: { level: number; msg: string; path?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const opened: Archive[] = [];
afterEach(async () => {
  for (const archive of opened.splice(0)) await archive.close();
});

describe('inbox', () => {
  it('says once that it cannot read its directory, warns while it does not exist, and says when it can again, then ingests', async () => {
    const archive = await openArchive(mkdtempSync(join(tmpdir(), 'archive-inbox-data-')));
    opened.push(archive);
    const parent = mkdtempSync(join(tmpdir(), 'archive-inbox-'));
    const dir = join(parent, 'recordings');
    const key = await newRecorderKey();
    const { log, lines } = capturedLog();
    const inbox = new Inbox(archive, { dir, everyMs: 60_000, trustedRecorderKeys: [key.publicKeyBase64], retention: KEEP_FOREVER, log });
    const logged = (level: number) => lines.filter((line) => line.level === level);
    try {
      writeFileSync(dir, 'not a directory'); // unreadable as a directory, even for root
      await inbox.scan();
      await inbox.scan();
      expect(logged(50)).toHaveLength(1);
      expect(logged(50)[0]).toMatchObject({ path: dir, msg: expect.stringContaining('cannot read this path') });
      rmSync(dir);
      await inbox.scan();
      await inbox.scan();
      expect(logged(40)).toHaveLength(1);
      expect(logged(40)[0]).toMatchObject({ path: dir, msg: expect.stringContaining('does not exist (yet)') });
      mkdirSync(dir);
      await makeRecording(dir, 'rec-inbox', key);
      await inbox.scan();
      expect(lines.map((line) => line.msg)).toContain('inbox: readable again');
      expect(lines.map((line) => line.msg)).toContain('recording ingested');
      expect(logged(50).map((line) => line.msg)).toEqual([expect.stringContaining('cannot read this path')]);
    } finally {
      await inbox.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
