/** The audit log's contract: the same tests against SQLite and a real PostgreSQL server. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openArchiveDatabase } from '../db/database.js';
import { inTransaction, openPostgres } from '../db/postgres.js';
import { archiveBackends } from '../testing/backends.js';
import { AuditLog, GENESIS_HASH } from './audit-log.js';
import { PostgresAuditLog } from './postgres-audit-log.js';

const BACKENDS = archiveBackends('audit');

describe.each(BACKENDS)('audit log on $name', (backend) => {
  async function fresh() {
    let tick = Date.parse('2025-03-01T09:00:00.000Z');
    const opened = await backend.open({ now: () => new Date((tick += 1000)) });
    const log = opened.archive.audit;
    for (const action of ['login', 'view', 'download', 'hold', 'export'] as const) {
      await log.append({ actor: 'archivist:claire', action, recordingId: action === 'login' ? null : 'rec-1', detail: { ip: '10.0.0.7', n: 1 } });
    }
    return { ...opened, log };
  }

  it('chains entries from the genesis hash and verifies an intact log', async () => {
    const { log } = await fresh();
    const entries = await log.entries();
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(entries[0]).toMatchObject({ at: '2025-03-01T09:00:01.000Z', actor: 'archivist:claire', action: 'login', recordingId: null, detail: { ip: '10.0.0.7', n: 1 } });
    expect((await log.entries({ recordingId: 'rec-1' })).map((entry) => entry.action)).toEqual(['view', 'download', 'hold', 'export']);
    expect((await log.entries({ afterSeq: 3, limit: 1 })).map((entry) => entry.seq)).toEqual([4]);
    expect(await log.verify()).toEqual({ ok: true, entries: 5, head: await log.head(), problem: null });
    expect((await log.verify((await log.head())!)).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    const { sql } = await fresh();
    await expect(sql("UPDATE audit_log SET actor = 'someone' WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(sql('DELETE FROM audit_log WHERE seq = 5')).rejects.toThrow(/append-only/);
  });

  it('refuses an unknown action', async () => {
    const { log } = await fresh();
    await expect(log.append({ actor: 'x', action: 'rename' as 'view' })).rejects.toThrow(/unknown audit action/);
    expect((await log.head())?.seq).toBe(5);
  });

  it('finds an entry edited in the database', async () => {
    const { tamper, log } = await fresh();
    await tamper(`UPDATE audit_log SET detail = '{"ip":"10.0.0.8","n":1}' WHERE seq = 3`);
    expect((await log.verify()).problem).toEqual({ seq: 3, kind: 'edited', message: 'entry 3 does not match its hash: it was edited after it was written' });
  });

  it('finds an edited entry whose hash was recomputed, at the next link', async () => {
    const { tamper, log } = await fresh();
    await tamper(`UPDATE audit_log SET actor = 'nobody', hash = '${'a'.repeat(64)}' WHERE seq = 2`);
    // Entry 2 no longer matches its (forged) hash either; the first problem is reported.
    expect((await log.verify()).problem).toMatchObject({ seq: 2, kind: 'edited' });
  });

  it('finds a deleted entry', async () => {
    const { tamper, log } = await fresh();
    await tamper('DELETE FROM audit_log WHERE seq = 2');
    expect((await log.verify()).problem).toMatchObject({ seq: 3, kind: 'missing' });
  });

  it('finds entries reordered (renumbered to hide the gap)', async () => {
    const { tamper, log } = await fresh();
    await tamper('DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2;');
    const problem = (await log.verify()).problem;
    expect(problem?.seq).toBe(2);
    expect(['unlinked', 'edited']).toContain(problem?.kind);
  });

  it('finds swapped entries', async () => {
    const { tamper, log } = await fresh();
    await tamper('UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -3;');
    expect((await log.verify()).problem).toMatchObject({ seq: 3, kind: 'unlinked' });
  });

  it('finds the newest entries deleted, given the head recorded earlier', async () => {
    const { tamper, log } = await fresh();
    const head = (await log.head())!;
    await tamper('DELETE FROM audit_log WHERE seq = 5');
    expect((await log.verify()).ok).toBe(true);
    expect((await log.verify(head)).problem).toMatchObject({ seq: 5, kind: 'truncated' });
  });

  it('verifies a chain longer than one page of reading', async () => {
    const { log } = await fresh();
    for (let i = 0; i < 5100; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => log.append({ actor: 'bulk', action: 'view', detail: { i: i + j } })));
    const verification = await log.verify();
    expect(verification).toMatchObject({ ok: true, entries: 5105, head: { seq: 5105 } });
  }, 60_000);
});

describe('audit log transactions', () => {
  it('SQLite: rolls an entry back with the transaction it belongs to', () => {
    const db = openArchiveDatabase(join(mkdtempSync(join(tmpdir(), 'archive-audit-')), 'catalog.sqlite'));
    const log = new AuditLog(db);
    log.append({ actor: 'x', action: 'login' });
    const failing = db.transaction(() => {
      log.append({ actor: 'x', action: 'delete', recordingId: 'rec-1' });
      throw new Error('the deletion failed');
    });
    expect(() => failing()).toThrow('the deletion failed');
    expect(log.head()?.seq).toBe(1);
    expect(log.verify().ok).toBe(true);
    db.close();
  });

  it('PostgreSQL: rolls an entry back with the transaction it belongs to', async () => {
    const postgres = BACKENDS.find((backend) => backend.name === 'PostgreSQL')!;
    const { databaseUrl } = await postgres.open();
    const pool = await openPostgres(databaseUrl!);
    const log = new PostgresAuditLog(pool);
    await log.append({ actor: 'x', action: 'login' });
    await expect(
      inTransaction(pool, async (client) => {
        await log.appendWith(client, { actor: 'x', action: 'delete', recordingId: 'rec-1' });
        throw new Error('the deletion failed');
      }),
    ).rejects.toThrow('the deletion failed');
    expect((await log.head())?.seq).toBe(1);
    expect((await log.verify()).ok).toBe(true);
    await pool.end();
  });
});
