import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openArchiveDatabase } from '../db/database.js';
import { AuditLog, GENESIS_HASH } from './audit-log.js';

function fresh() {
  const file = join(mkdtempSync(join(tmpdir(), 'archive-audit-')), 'catalog.sqlite');
  let tick = Date.parse('2025-03-01T09:00:00.000Z');
  const db = openArchiveDatabase(file);
  const log = new AuditLog(db, () => new Date((tick += 1000)));
  for (const action of ['login', 'view', 'download', 'hold', 'export'] as const) {
    log.append({ actor: 'archivist:claire', action, recordingId: action === 'login' ? null : 'rec-1', detail: { ip: '10.0.0.7', n: 1 } });
  }
  return { file, db, log };
}

// What an attacker with the file does: another connection, the triggers dropped.
function tamper(file: string, sql: string): void {
  const raw = new Database(file);
  raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  raw.exec(sql);
  raw.close();
}

describe('AuditLog', () => {
  it('chains entries from the genesis hash and verifies an intact log', () => {
    const { log } = fresh();
    const entries = log.entries();
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(entries[0]).toMatchObject({ at: '2025-03-01T09:00:01.000Z', actor: 'archivist:claire', action: 'login', recordingId: null, detail: { ip: '10.0.0.7', n: 1 } });
    expect(log.entries({ recordingId: 'rec-1' }).map((entry) => entry.action)).toEqual(['view', 'download', 'hold', 'export']);
    expect(log.verify()).toEqual({ ok: true, entries: 5, head: log.head(), problem: null });
    expect(log.verify(log.head()!).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE through SQL', () => {
    const { db } = fresh();
    expect(() => db.prepare("UPDATE audit_log SET actor = 'someone' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 5').run()).toThrow(/append-only/);
  });

  it('refuses an unknown action', () => {
    const { log } = fresh();
    expect(() => log.append({ actor: 'x', action: 'rename' as 'view' })).toThrow(/unknown audit action/);
  });

  it('finds an entry edited in the file', () => {
    const { file, db, log } = fresh();
    tamper(file, `UPDATE audit_log SET detail = '{"ip":"10.0.0.8","n":1}' WHERE seq = 3`);
    expect(log.verify().problem).toEqual({ seq: 3, kind: 'edited', message: 'entry 3 does not match its hash: it was edited after it was written' });
    db.close();
  });

  it('finds an edited entry whose hash was recomputed, at the next link', () => {
    const { file, log } = fresh();
    tamper(file, `UPDATE audit_log SET actor = 'nobody', hash = '${'a'.repeat(64)}' WHERE seq = 2`);
    // Entry 2 no longer matches its (forged) hash either; the first problem is reported.
    expect(log.verify().problem).toMatchObject({ seq: 2, kind: 'edited' });
  });

  it('finds a deleted entry', () => {
    const { file, log } = fresh();
    tamper(file, 'DELETE FROM audit_log WHERE seq = 2');
    expect(log.verify().problem).toMatchObject({ seq: 3, kind: 'missing' });
  });

  it('finds entries reordered (renumbered to hide the gap)', () => {
    const { file, log } = fresh();
    tamper(file, 'DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2;');
    const problem = log.verify().problem;
    expect(problem?.seq).toBe(2);
    expect(['unlinked', 'edited']).toContain(problem?.kind);
  });

  it('finds swapped entries', () => {
    const { file, log } = fresh();
    tamper(file, 'UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -3;');
    expect(log.verify().problem).toMatchObject({ seq: 3, kind: 'unlinked' });
  });

  it('finds the newest entries deleted, given the head recorded earlier', () => {
    const { file, log } = fresh();
    const head = log.head()!;
    tamper(file, 'DELETE FROM audit_log WHERE seq = 5');
    expect(log.verify().ok).toBe(true);
    expect(log.verify(head).problem).toMatchObject({ seq: 5, kind: 'truncated' });
  });

  it('rolls an entry back with the transaction it belongs to', () => {
    const { db, log } = fresh();
    const failing = db.transaction(() => {
      log.append({ actor: 'x', action: 'delete', recordingId: 'rec-1' });
      throw new Error('the deletion failed');
    });
    expect(() => failing()).toThrow('the deletion failed');
    expect(log.head()?.seq).toBe(5);
    expect(log.verify().ok).toBe(true);
  });
});
