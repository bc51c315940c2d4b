/**
 * Retention and legal holds. A recording is deleted only once its retention date has
 * passed and no hold is on it: status active -> deleting (audited), its files removed from
 * the store, then deleted with a tombstone (audited). The catalog row stays, so the
 * archive can always say what it held and when it let it go. A deletion interrupted half-way
 * stays 'deleting' (never viewable or exportable) and the next sweep finishes it.
 */
import { type ArchiveCatalog, type RecordingRecord } from '../catalog/types.js';
import { ArchiveError } from '../errors.js';
import { type ObjectStore } from '../store/object-store.js';

export interface RetentionDeps {
  catalog: ArchiveCatalog;
  store: ObjectStore;
  now?: () => Date;
}

const nowOf = (deps: RetentionDeps) => (deps.now ?? (() => new Date()))();

export async function setLegalHold(deps: RetentionDeps, id: string, reason: string, actor: string): Promise<void> {
  await deps.catalog.setLegalHold(id, reason, { actor, action: 'hold', recordingId: id, detail: { reason } });
}

export async function releaseLegalHold(deps: RetentionDeps, id: string, reason: string, actor: string): Promise<void> {
  const before = await deps.catalog.getRecording(id);
  await deps.catalog.setLegalHold(id, null, { actor, action: 'release', recordingId: id, detail: { reason, heldFor: before?.legalHold?.reason ?? null } });
}

/** Sets when the recording may be deleted (null: keep it until told otherwise). */
export async function setRetention(deps: RetentionDeps, id: string, until: string | null, reason: string, actor: string): Promise<void> {
  const before = await deps.catalog.getRecording(id);
  await deps.catalog.setRetention(id, until, { actor, action: 'retention', recordingId: id, detail: { from: before?.retentionUntil ?? null, to: until, reason } });
}

/** Throws unless the recording may be viewed or exported now (it exists and is not being deleted). */
export function assertAvailable(recording: RecordingRecord | null, id: string): asserts recording is RecordingRecord {
  if (!recording) throw new ArchiveError('not-found', `no recording ${id} in the archive`);
  if (recording.status !== 'active') throw new ArchiveError('not-active', `recording ${id} is ${recording.status}: it can no longer be viewed or exported`);
}

function whyNot(recording: RecordingRecord, now: Date): ArchiveError {
  if (recording.status === 'deleted') return new ArchiveError('not-active', `recording ${recording.id} is already deleted`);
  if (recording.legalHold) return new ArchiveError('legal-hold', `recording ${recording.id} is under legal hold (${recording.legalHold.reason}): release the hold first`);
  if (recording.retentionUntil === null) return new ArchiveError('retention-active', `recording ${recording.id} has no retention date: it is kept until one is set`);
  return new ArchiveError('retention-active', `recording ${recording.id} is retained until ${recording.retentionUntil} (now ${now.toISOString()})`);
}

export interface Deleted {
  recordingId: string;
  files: number;
  bytes: number;
}

export async function deleteRecording(deps: RetentionDeps, id: string, actor: string, reason = 'retention expired'): Promise<Deleted> {
  const now = nowOf(deps);
  const recording = await deps.catalog.getRecording(id);
  if (!recording) throw new ArchiveError('not-found', `no recording ${id} in the archive`);
  const started = await deps.catalog.beginDeletion(id, now.toISOString(), { actor, action: 'delete', recordingId: id, detail: { phase: 'started', reason } });
  if (!started) {
    // Re-read: the guard may have lost to a hold placed in the meantime.
    throw whyNot((await deps.catalog.getRecording(id)) ?? recording, now);
  }
  const files = await deps.catalog.files(id);
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  await deps.store.delete(id);
  const left = await deps.store.list(id);
  if (left.length > 0) throw new ArchiveError('conflict', `recording ${id}: ${left.length} files are still in the store after deletion; it stays 'deleting' and the next sweep retries`);
  await deps.catalog.finishDeletion(
    id,
    { deletedAt: nowOf(deps).toISOString(), actor, reason, fileCount: files.length, totalBytes: bytes },
    { actor, action: 'delete', recordingId: id, detail: { phase: 'finished', reason, files: files.length, bytes, manifestSha256: recording.manifestSha256 } },
  );
  return { recordingId: id, files: files.length, bytes };
}

export interface SweepReport {
  deleted: Deleted[];
  failed: { recordingId: string; error: string }[];
}

/** Deletes every recording whose retention has expired (and finishes interrupted deletions). */
export async function sweepExpired(deps: RetentionDeps, actor: string): Promise<SweepReport> {
  const report: SweepReport = { deleted: [], failed: [] };
  const ids = [...(await deps.catalog.listIds('deleting')), ...(await deps.catalog.listExpired(nowOf(deps).toISOString()))];
  for (const id of ids) {
    try {
      report.deleted.push(await deleteRecording(deps, id, actor));
    } catch (error) {
      // One failure must not stop the rest of the sweep; it is reported and retried next time.
      report.failed.push({ recordingId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}
