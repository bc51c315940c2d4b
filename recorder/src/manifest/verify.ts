/**
 * Checks recordings as an auditor would, trusting nothing but the manifest's signature:
 * every listed file present with its size and SHA-256, nothing unlisted, and across an
 * archive an unbroken chain of manifests. Reports every problem found rather than the
 * first, each naming the file concerned.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHAIN_HEAD_FILE, readChainHead, type ChainHead } from './chain.js';
import { findRecordingDirs, hashFile, listDirectory, sha256Hex } from './files.js';
import { describeIssues, MANIFEST_FILE, manifestSchema, type Manifest } from './schema.js';
import { keyIdOf, verifyManifestSignature } from './signing.js';

/** Something wrong (a FAIL) or worth knowing (a note), about `path`: the file or directory concerned, under the directory checked. */
export interface Finding {
  path: string;
  message: string;
}

export interface RecordingCheck {
  dir: string;
  problems: Finding[];
  /** The manifest, when it passed the schema (its signature may still be bad: see problems). */
  manifest: Manifest | null;
  /** Hex SHA-256 of manifest.json as stored, when it could be read. */
  manifestSha256: string | null;
}

// A manifest lists files, not media: anything this large is not one.
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** All problems of the recording in `dir`; an empty list means it is intact and signed. */
export async function verifyRecording(dir: string): Promise<Finding[]> {
  return (await checkRecording(dir)).problems;
}

export async function checkRecording(dir: string): Promise<RecordingCheck> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const check: RecordingCheck = { dir, problems: [], manifest: null, manifestSha256: null };
  const fail = (path: string, message: string) => check.problems.push({ path, message });

  const bytes = await readManifestBytes(manifestPath).catch((error: unknown) => {
    fail(manifestPath, (error as Error).message);
    return null;
  });
  if (!bytes) return check;
  check.manifestSha256 = sha256Hex(bytes);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    fail(manifestPath, `not JSON: ${(error as Error).message}`);
    return check;
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    // Without a valid manifest there is nothing trustworthy to check the files against.
    for (const issue of describeIssues(parsed.error)) fail(manifestPath, issue);
    return check;
  }
  const manifest = parsed.data;
  check.manifest = manifest;

  if (keyIdOf(Buffer.from(manifest.recorder.publicKey, 'base64')) !== manifest.recorder.keyId) {
    fail(manifestPath, 'recorder.keyId is not the id of recorder.publicKey');
  }
  if (!verifyManifestSignature(manifest)) {
    fail(manifestPath, 'bad signature: the manifest was changed after it was signed, or signed by another key');
  }

  let listing;
  try {
    listing = await listDirectory(dir);
  } catch (error) {
    fail(dir, `cannot list the recording: ${(error as Error).message}`);
    return check;
  }
  const present = new Set(listing.files);
  for (const other of listing.others) fail(join(dir, other), 'not a regular file (a symbolic link?): a recording holds only files');
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const path = join(dir, entry.path);
    if (!present.has(entry.path)) {
      if (!listing.others.includes(entry.path)) fail(path, 'listed in the manifest but missing');
      continue;
    }
    try {
      const actual = await hashFile(path);
      if (actual.bytes !== entry.bytes) fail(path, `size is ${actual.bytes} bytes, the manifest says ${entry.bytes}: the file changed`);
      else if (actual.sha256 !== entry.sha256) fail(path, `SHA-256 is ${actual.sha256}, the manifest says ${entry.sha256}: the content changed`);
    } catch (error) {
      fail(path, `cannot read: ${(error as Error).message}`);
    }
  }
  for (const file of listing.files) {
    if (file !== MANIFEST_FILE && !listed.has(file)) fail(join(dir, file), 'present but not listed in the manifest');
  }
  return check;
}

async function readManifestBytes(path: string): Promise<Buffer> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('missing: not a recording, or not sealed', { cause: error });
    throw new Error(`cannot read: ${(error as Error).message}`, { cause: error });
  }
  if (!info.isFile()) throw new Error('not a regular file');
  if (info.size > MAX_MANIFEST_BYTES) throw new Error(`${info.size} bytes: too large for a manifest`);
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`cannot read: ${(error as Error).message}`, { cause: error });
  }
}

export interface ArchiveReport {
  /** How many recording directories were checked. */
  recordings: number;
  problems: Finding[];
  notes: Finding[];
}

/**
 * Checks every recording under `root` (or `root` itself if it is one), then the chain
 * linking their manifests. The links are followed by hash rather than by start time, so
 * recordings that overlapped in time (sealed in the order they ended) still chain.
 */
export async function verifyArchive(root: string): Promise<ArchiveReport> {
  const report: ArchiveReport = { recordings: 0, problems: [], notes: [] };
  const dirs = await findRecordingDirs(root, MANIFEST_FILE);
  report.recordings = dirs.length;
  if (dirs.length === 0) {
    report.problems.push({ path: root, message: `no recording here (no ${MANIFEST_FILE} in it or below it)` });
    return report;
  }
  const checks: RecordingCheck[] = [];
  for (const dir of dirs) {
    const check = await checkRecording(dir ? join(root, dir) : root);
    report.problems.push(...check.problems);
    checks.push(check);
  }
  checkChain(checks, report);
  if (!dirs.includes('')) await checkChainHead(root, checks, report);
  return report;
}

type Sealed = RecordingCheck & { manifest: Manifest; manifestSha256: string };

function checkChain(checks: RecordingCheck[], report: ArchiveReport): void {
  const bySha = new Map<string, RecordingCheck>();
  for (const check of checks) if (check.manifestSha256) bySha.set(check.manifestSha256, check);
  const sealed = checks
    .filter((check): check is Sealed => check.manifest !== null && check.manifestSha256 !== null)
    .sort((a, b) => Date.parse(a.manifest.startedAt) - Date.parse(b.manifest.startedAt) || a.dir.localeCompare(b.dir));
  const where = (check: RecordingCheck) => join(check.dir, MANIFEST_FILE);
  const name = (check: RecordingCheck) => (check.manifest ? `${check.manifest.recordingId} (${check.dir})` : check.dir);

  // Where the chain starts: a null link, or one to a manifest outside this directory.
  // Only one recording may do so, the earliest; a link to a manifest outside is only
  // excused when every manifest here could be read (else the damaged one may be it).
  const unreadable = checks.some((check) => check.manifest === null);
  const isStart = (check: Sealed) => check.manifest.previousManifestSha256 === null || !bySha.has(check.manifest.previousManifestSha256);
  const start = sealed.find(isStart);
  const follower = new Map<string, Sealed>();

  sealed.forEach((check, i) => {
    const previous = check.manifest.previousManifestSha256;
    if (previous === null) {
      if (check !== start) {
        report.problems.push({ path: where(check), message: 'chain broken: starts a new chain (previousManifestSha256 is null) after other recordings: the chain head was lost or reset' });
      }
    } else if (!bySha.has(previous)) {
      if (check === start && !unreadable) {
        report.notes.push({ path: where(check), message: `the chain starts at a manifest not in this directory (previousManifestSha256 ${previous}): an earlier part of the archive` });
      } else {
        report.problems.push({ path: where(check), message: `chain broken: previousManifestSha256 ${previous} matches no manifest here: a recording was removed, or its manifest.json changed` });
      }
    } else {
      // Two recordings after the same one: the chain forked.
      const first = follower.get(previous);
      const before = bySha.get(previous);
      if (first && before) report.problems.push({ path: where(check), message: `chain broken: ${name(first)} already follows ${name(before)}` });
      else follower.set(previous, check);
    }

    const before = sealed[i - 1];
    if (before && before.manifest.recorder.keyId !== check.manifest.recorder.keyId) {
      report.notes.push({ path: where(check), message: `signed by recorder key ${check.manifest.recorder.keyId}, the recording before (${name(before)}) by ${before.manifest.recorder.keyId}: the recorder key changed` });
    }
  });
}

// The head file is not signed, but it is what reveals that the latest recording was removed.
async function checkChainHead(root: string, checks: RecordingCheck[], report: ArchiveReport): Promise<void> {
  const path = join(root, CHAIN_HEAD_FILE);
  let head: ChainHead | null;
  try {
    head = await readChainHead(root);
  } catch (error) {
    report.problems.push({ path, message: (error as Error).message });
    return;
  }
  if (!head) return;
  const last = checks.find((check) => check.manifestSha256 === head.manifestSha256);
  if (!last) {
    report.problems.push({ path, message: `names recording ${head.recordingId} (manifest SHA-256 ${head.manifestSha256}), which is not here: the latest recording was removed or its manifest.json changed` });
    return;
  }
  const after = checks.find((check) => check.manifest?.previousManifestSha256 === head.manifestSha256);
  if (after) {
    report.notes.push({ path, message: `behind: ${after.manifest?.recordingId ?? after.dir} follows ${head.recordingId} (the recorder stopped before updating it; it catches up at its next recording)` });
  }
}
