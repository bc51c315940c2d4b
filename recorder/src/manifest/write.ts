/**
 * Seals a finished recording: hashes every file in its directory, signs the manifest and
 * writes manifest.json last, atomically, so a directory with a manifest is complete.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile, listDirectory, sha256Hex } from './files.js';
import { writeFileAtomic } from './fsync.js';
import { describeIssues, MANIFEST_FILE, manifestSchema, type FileEntry, type Manifest, type RecordingDraft } from './schema.js';
import { signManifest, type RecorderKey } from './signing.js';

export interface WrittenRecording {
  manifest: Manifest;
  /** Hex SHA-256 of the manifest.json bytes written: the next recording's previousManifestSha256. */
  manifestSha256: string;
}

/**
 * Writes `dir/manifest.json` for the files now in `dir`. Throws, writing nothing, if the
 * directory holds something that is not a regular file, a name the manifest cannot carry,
 * or if the result would not pass the schema (a segment file missing, say).
 */
export async function writeRecording(dir: string, draft: RecordingDraft, key: RecorderKey): Promise<WrittenRecording> {
  const listing = await listDirectory(dir);
  if (listing.others.length > 0) throw new Error(`${dir}: not regular files: ${listing.others.join(', ')}`);
  const files: FileEntry[] = [];
  for (const path of listing.files) {
    if (path === MANIFEST_FILE) continue;
    files.push({ path, ...(await hashFile(join(dir, path))) });
  }
  // Fields in the documented order, for whoever reads manifest.json (the signature does not depend on it).
  const { version, recordingId, room, startedAt, endedAt, previousManifestSha256, participants, segments } = draft;
  const recorder = { publicKey: key.publicKeyBase64, keyId: key.keyId };
  const unsigned = { version, recordingId, room, startedAt, endedAt, recorder, previousManifestSha256, participants, segments, files };
  const manifest = signManifest(unsigned, key);
  const checked = manifestSchema.safeParse(manifest);
  if (!checked.success) throw new Error(`${dir}: the manifest would be invalid: ${describeIssues(checked.error).join('; ')}`);

  // Indented for people reading it; the signature covers the canonical form, not these bytes.
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await writeFileAtomic(join(dir, MANIFEST_FILE), bytes);
  return { manifest, manifestSha256: sha256Hex(bytes) };
}

/** Hex SHA-256 of a recording's manifest.json as stored. */
export async function manifestSha256(dir: string): Promise<string> {
  return sha256Hex(await readFile(join(dir, MANIFEST_FILE)));
}
