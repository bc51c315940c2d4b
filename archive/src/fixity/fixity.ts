/**
 * Fixity: re-reads every stored file of every active recording, streamed through SHA-256,
 * and compares it with the hash recorded at ingest. Each file gets a PREMIS-style event
 * (pass, fail or missing) in the catalog; the run itself is audited.
 */
import { createHash } from 'node:crypto';
import { type AuditTrail } from '../audit/audit-log.js';
import { type ArchiveCatalog, type FixityEvent } from '../catalog/types.js';
import { type ObjectStore } from '../store/object-store.js';

export const FIXITY_AGENT = 'conclave-archive fixity (SHA-256)';

export interface FixityDeps {
  catalog: ArchiveCatalog;
  store: ObjectStore;
  audit?: Pick<AuditTrail, 'append'>;
  actor?: string;
  agent?: string;
  now?: () => Date;
}

export interface FixityProblem {
  recordingId: string;
  path: string;
  outcome: 'fail' | 'missing';
  expected: string;
  actual: string | null;
  message: string;
}

export interface FixityReport {
  recordings: number;
  files: number;
  problems: FixityProblem[];
}

async function hashObject(store: ObjectStore, recordingId: string, path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await store.get(recordingId, path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export async function checkRecordingFixity(deps: FixityDeps, recordingId: string): Promise<FixityEvent[]> {
  const agent = deps.agent ?? FIXITY_AGENT;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const events: FixityEvent[] = [];
  for (const file of await deps.catalog.files(recordingId)) {
    const base = { recordingId, path: file.path, expected: file.sha256, agent };
    if ((await deps.store.stat(recordingId, file.path)) === null) {
      events.push({ ...base, at: now(), outcome: 'missing', actual: null });
      continue;
    }
    const actual = await hashObject(deps.store, recordingId, file.path);
    const intact = actual.sha256 === file.sha256 && actual.size === file.size;
    events.push({ ...base, at: now(), outcome: intact ? 'pass' : 'fail', actual: actual.sha256 });
  }
  await deps.catalog.recordFixity(events);
  return events;
}

export async function runFixity(deps: FixityDeps): Promise<FixityReport> {
  const report: FixityReport = { recordings: 0, files: 0, problems: [] };
  for (const recordingId of await deps.catalog.listIds('active')) {
    const events = await checkRecordingFixity(deps, recordingId);
    report.recordings++;
    report.files += events.length;
    for (const event of events) {
      if (event.outcome === 'pass') continue;
      const message = event.outcome === 'missing' ? 'missing from the store' : `SHA-256 is ${event.actual ?? '?'}, ${event.expected} was ingested: the content changed`;
      report.problems.push({ recordingId, path: event.path, outcome: event.outcome, expected: event.expected, actual: event.actual, message });
    }
  }
  await deps.audit?.append({
    actor: deps.actor ?? 'fixity',
    action: 'fixity',
    detail: { recordings: report.recordings, files: report.files, problems: report.problems.map(({ recordingId, path, outcome }) => ({ recordingId, path, outcome })).slice(0, 1000) },
  });
  return report;
}
