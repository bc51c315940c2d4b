/**
 * BagIt export of one archived recording: the catalog's view and the stored files become
 * a bag in a scratch directory, which is streamed as tar and then removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Writable } from 'node:stream';
import { MANIFEST_FILE } from '@conclave/recorder/manifest';
import { writeBag, writeTar, type RecordingBagInput } from './bagit/index.js';
import { type ArchiveCatalog } from './catalog/types.js';
import { assertAvailable } from './retention/retention.js';
import { storedManifest } from './recording-view.js';
import { type ObjectStore } from './store/object-store.js';

export interface ExportDeps {
  catalog: ArchiveCatalog;
  store: ObjectStore;
  /** Where bags are built before they are streamed (on the archive's disk, never /tmp of another host). */
  scratchDir: string;
  sourceOrganization: string;
}

/** The bag's input, from the catalog and the store; refuses a recording that is not active. */
export async function bagInput(deps: Pick<ExportDeps, 'catalog' | 'store'>, id: string): Promise<RecordingBagInput> {
  const { catalog, store } = deps;
  const record = await catalog.getRecording(id);
  assertAvailable(record, id);
  const [manifest, tags, files, fixity] = await Promise.all([storedManifest(store, id), catalog.tags(id), catalog.files(id), catalog.fixityEvents(id)]);
  return {
    recordingId: id,
    room: record.room,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    participants: manifest.parsed.participants.map(({ id: participant, name, notices }) => ({ id: participant, name, notices })),
    tags,
    retention: { retainUntil: record.retentionUntil, holds: record.legalHold ? [{ reason: record.legalHold.reason }] : [] },
    ingestedAt: record.ingestedAt,
    manifest: { parsed: manifest.parsed, raw: manifest.raw, sha256: record.manifestSha256 },
    files: files
      .filter((file) => file.path !== MANIFEST_FILE)
      .map((file) => ({ path: file.path, bytes: file.size, sha256: file.sha256, open: () => store.get(id, file.path) })),
    fixityEvents: fixity,
  };
}

export interface PreparedExport {
  /** Streams the bag as tar to `out` (the bag was built and checked before: nothing can fail half-way but the disk or the socket). */
  send(out: Writable): Promise<void>;
  /** Removes the bag; call it whatever happened. */
  discard(): Promise<void>;
}

/** Builds the recording's bag in the scratch directory, every file's hash checked on the way. */
export async function prepareExport(deps: ExportDeps, id: string, requestedBy: string): Promise<PreparedExport> {
  const input = await bagInput(deps, id);
  const work = join(deps.scratchDir, `export-${randomBytes(8).toString('hex')}`);
  await mkdir(work, { recursive: true });
  const discard = () => rm(work, { recursive: true, force: true });
  try {
    const bag = await writeBag(input, join(work, `${id}.bag`), { sourceOrganization: deps.sourceOrganization, requestedBy });
    return { send: (out) => writeTar(bag.dir, out, { root: `${id}.bag` }), discard };
  } catch (error) {
    await discard();
    throw error;
  }
}
