/**
 * Ingest: takes a sealed recording directory into the archive. It must verify (schema,
 * signature, every file's hash), be signed by a trusted recorder key, and not clash with
 * what the catalog holds. Files are copied first, each one's hash checked against the
 * manifest as it is written (the directory may change after the check); the catalog row,
 * its files and the audit entry then go in one transaction. On any failure the copies are
 * removed: a recording is in the archive whole, or not at all.
 */
import { join } from 'node:path';
import { checkRecording, MANIFEST_FILE, type Manifest } from '@conclave/recorder/manifest';
import { type AuditTrail } from '../audit/audit-log.js';
import { type ArchiveCatalog, type CatalogFile, type FileKind, type NewRecording } from '../catalog/types.js';
import { ArchiveError, IngestRefusedError } from '../errors.js';
import { recordingIdProblem } from '../paths.js';
import { KEEP_FOREVER, retentionUntil, type RetentionPolicy } from '../retention/policy.js';
import { type ObjectStore } from '../store/object-store.js';
import { chainLink, type ChainLink } from './chain.js';

export interface IngestDeps {
  catalog: ArchiveCatalog;
  store: ObjectStore;
  /** Base64 raw Ed25519 public keys (as in manifest.recorder.publicKey) whose recordings are accepted. */
  trustedRecorderKeys: readonly string[];
  /** Who ingests, for the audit log ("cli:alice", "service:recorder"). */
  actor: string;
  /** Refused ingests are audited too when given (accepted ones always are, with the catalog). */
  audit?: Pick<AuditTrail, 'append'>;
  retention?: RetentionPolicy;
  tags?: string[];
  now?: () => Date;
  logger?: { info(object: object, message: string): void; warn(object: object, message: string): void };
}

export interface IngestResult {
  status: 'ingested' | 'already';
  recordingId: string;
  manifestSha256: string;
  files: number;
  bytes: number;
  chain: ChainLink;
}

// One ingest per recording id at a time in this process; the store refuses overwrites across processes.
const inFlight = new Map<string, Promise<unknown>>();

export async function ingestRecording(dir: string, deps: IngestDeps): Promise<IngestResult> {
  const check = await checkRecording(dir);
  const problems = check.problems.map((finding) => `${finding.path}: ${finding.message}`);
  const { manifest, manifestSha256 } = check;
  if (manifest && !deps.trustedRecorderKeys.includes(manifest.recorder.publicKey)) {
    problems.push(`signed by recorder key ${manifest.recorder.keyId} (${manifest.recorder.publicKey}), which is not a trusted recorder key (ARCHIVE_TRUSTED_RECORDER_KEYS)`);
  }
  const idProblem = manifest ? recordingIdProblem(manifest.recordingId) : null;
  if (idProblem) problems.push(`recordingId ${JSON.stringify(manifest?.recordingId)}: ${idProblem}`);
  if (!manifest || !manifestSha256 || problems.length > 0) {
    throw await refuse(dir, problems.length > 0 ? problems : ['the recording could not be read'], deps, manifest?.recordingId ?? null);
  }

  const id = manifest.recordingId;
  const previous = inFlight.get(id) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => ingestChecked(dir, manifest, manifestSha256, deps));
  inFlight.set(id, run);
  try {
    return await run;
  } finally {
    if (inFlight.get(id) === run) inFlight.delete(id);
  }
}

async function ingestChecked(dir: string, manifest: Manifest, manifestSha256: string, deps: IngestDeps): Promise<IngestResult> {
  const id = manifest.recordingId;
  const existing = await deps.catalog.getRecording(id);
  if (existing) {
    if (existing.manifestSha256 !== manifestSha256) {
      throw await refuse(dir, [`recording ${id} is already archived with another manifest (SHA-256 ${existing.manifestSha256}, this one ${manifestSha256}): a recording is never replaced`], deps, id);
    }
    if (existing.status !== 'active') throw await refuse(dir, [`recording ${id} was archived, then ${existing.status === 'deleted' ? 'deleted' : 'marked for deletion'}: it is not ingested again`], deps, id);
    const files = await deps.catalog.files(id);
    return { status: 'already', recordingId: id, manifestSha256, files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0), chain: { status: existing.chainStatus, previousId: existing.chainPreviousId, siblings: [] } };
  }

  // Objects without a catalog row are what an interrupted ingest left: never part of the archive.
  const leftovers = await deps.store.list(id);
  if (leftovers.length > 0) {
    deps.logger?.warn({ recordingId: id, files: leftovers.length }, 'removing the files an interrupted ingest left in the store');
    await deps.store.delete(id);
  }

  try {
    const files = await copyFiles(dir, manifest, manifestSha256, deps.store);
    const chain = await chainLink(deps.catalog, manifest.previousManifestSha256);
    const now = (deps.now ?? (() => new Date()))().toISOString();
    const recording: NewRecording = {
      id,
      room: manifest.room,
      startedAt: manifest.startedAt,
      endedAt: manifest.endedAt,
      manifestSha256,
      previousManifestSha256: manifest.previousManifestSha256,
      recorderKeyId: manifest.recorder.keyId,
      chainStatus: chain.status,
      chainPreviousId: chain.previousId,
      retentionUntil: retentionUntil(deps.retention ?? KEEP_FOREVER, manifest.room, manifest.endedAt),
      ingestedAt: now,
      participants: manifest.participants.map(({ id: participantId, name }) => ({ id: participantId, name })),
      tags: deps.tags ?? [],
      files,
    };
    const bytes = files.reduce((sum, file) => sum + file.size, 0);
    await deps.catalog.insertRecording(recording, {
      actor: deps.actor,
      action: 'ingest',
      recordingId: id,
      detail: { outcome: 'ingested', source: dir, manifestSha256, files: files.length, bytes, chain: { status: chain.status, previousId: chain.previousId, siblings: chain.siblings } },
    });
    if (chain.status !== 'linked' && chain.status !== 'first') deps.logger?.warn({ recordingId: id, chain }, 'the recording does not follow a recording in the archive');
    deps.logger?.info({ recordingId: id, files: files.length, bytes }, 'recording ingested');
    return { status: 'ingested', recordingId: id, manifestSha256, files: files.length, bytes, chain };
  } catch (error) {
    await deps.store.delete(id).catch((cleanup: unknown) => {
      deps.logger?.warn({ recordingId: id, err: cleanup }, 'could not remove the copies of a failed ingest (they are removed at the next ingest of this recording)');
    });
    if (error instanceof ArchiveError && error.code === 'conflict') throw await refuse(dir, [error.message], deps, id, error);
    if (error instanceof IngestRefusedError) throw await refuse(dir, error.problems, deps, id, error);
    throw error;
  }
}

function kindOf(path: string, manifest: Manifest): FileKind {
  if (path === MANIFEST_FILE) return 'manifest';
  if (manifest.segments.some((segment) => segment.file === path)) return 'segment';
  if (path.startsWith('timelines/')) return 'timeline';
  return 'other';
}

// Copies every listed file and manifest.json, checking each against what was verified.
async function copyFiles(dir: string, manifest: Manifest, manifestSha256: string, store: ObjectStore): Promise<CatalogFile[]> {
  const expected = [...manifest.files.map((file) => ({ path: file.path, sha256: file.sha256, bytes: file.bytes as number | null })), { path: MANIFEST_FILE, sha256: manifestSha256, bytes: null }];
  const files: CatalogFile[] = [];
  for (const entry of expected) {
    const stored = await store.put(manifest.recordingId, entry.path, join(dir, ...entry.path.split('/')));
    if (stored.sha256 !== entry.sha256 || (entry.bytes !== null && stored.size !== entry.bytes)) {
      throw new IngestRefusedError(dir, [`${join(dir, entry.path)}: changed while it was being ingested (SHA-256 now ${stored.sha256}, ${stored.size} bytes; verified ${entry.sha256})`]);
    }
    files.push({ path: entry.path, size: stored.size, sha256: stored.sha256, kind: kindOf(entry.path, manifest) });
  }
  return files;
}

async function refuse(dir: string, problems: string[], deps: IngestDeps, recordingId: string | null, cause?: unknown): Promise<IngestRefusedError> {
  try {
    await deps.audit?.append({ actor: deps.actor, action: 'ingest', recordingId, detail: { outcome: 'refused', source: dir, problems: problems.slice(0, 50) } });
  } catch (error) {
    deps.logger?.warn({ err: error }, 'could not audit a refused ingest');
  }
  return new IngestRefusedError(dir, problems, cause === undefined ? undefined : { cause });
}
