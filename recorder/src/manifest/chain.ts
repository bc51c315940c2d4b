/**
 * The chain of recordings: each manifest names the SHA-256 of the previous one, so
 * removing, replacing or reordering a recording breaks a link that verifyArchive reports.
 * `<root>/chain-head.json` remembers the last link; one recorder process owns a root.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { findRecordingDirs, sha256Hex } from './files.js';
import { writeFileAtomic } from './fsync.js';
import { describeIssues, MANIFEST_FILE, type RecordingDraft } from './schema.js';
import { type RecorderKey } from './signing.js';
import { writeRecording, type WrittenRecording } from './write.js';

export const CHAIN_HEAD_FILE = 'chain-head.json';

export const chainHeadSchema = z.strictObject({
  version: z.literal(1),
  recordingId: z.string().min(1).max(128),
  /** Hex SHA-256 of that recording's manifest.json bytes. */
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ChainHead = z.infer<typeof chainHeadSchema>;

/** The head of the chain in `root`, or null before the first recording. Throws on a damaged file rather than restart the chain. */
export async function readChainHead(root: string): Promise<ChainHead | null> {
  const file = join(root, CHAIN_HEAD_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = chainHeadSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file}: ${describeIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

export async function writeChainHead(root: string, head: ChainHead): Promise<void> {
  await writeFileAtomic(join(root, CHAIN_HEAD_FILE), `${JSON.stringify(head, null, 2)}\n`);
}

/**
 * The real head: the head file, moved forward past any recording sealed after it (a crash
 * between writing a manifest and the head file would otherwise fork the chain).
 */
export async function currentChainHead(root: string): Promise<ChainHead | null> {
  let head = await readChainHead(root);
  const bySha = new Map<string, { previous: unknown; recordingId: unknown }>();
  for (const dir of await findRecordingDirs(root, MANIFEST_FILE)) {
    const bytes = await readFile(join(root, dir, MANIFEST_FILE));
    try {
      const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      bySha.set(sha256Hex(bytes), { previous: json.previousManifestSha256, recordingId: json.recordingId });
    } catch {
      // A damaged manifest is verifyArchive's to report; it cannot be a link of the chain.
    }
  }
  for (let moved = true; moved; ) {
    moved = false;
    for (const [sha, entry] of bySha) {
      if (entry.previous === (head?.manifestSha256 ?? null) && typeof entry.recordingId === 'string' && sha !== head?.manifestSha256) {
        head = { version: 1, recordingId: entry.recordingId, manifestSha256: sha };
        bySha.delete(sha);
        moved = true;
        break;
      }
    }
  }
  return head;
}

// Seals in one root, one at a time: two at once would both link to the same head.
const queues = new Map<string, Promise<unknown>>();

/**
 * Seals the recording in `dir` (a directory under `root`, not sealed yet) as the next link
 * of the chain, then moves the chain head to it.
 */
export function sealRecording(
  root: string,
  dir: string,
  draft: Omit<RecordingDraft, 'previousManifestSha256'>,
  key: RecorderKey,
): Promise<WrittenRecording> {
  const previous = queues.get(root) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    const existing = await readFile(join(dir, MANIFEST_FILE)).catch(() => null);
    if (existing) throw new Error(`${dir} is already sealed`);
    const head = await currentChainHead(root);
    const written = await writeRecording(dir, { ...draft, previousManifestSha256: head?.manifestSha256 ?? null }, key);
    await writeChainHead(root, { version: 1, recordingId: written.manifest.recordingId, manifestSha256: written.manifestSha256 });
    return written;
  });
  queues.set(root, next);
  const forget = () => {
    if (queues.get(root) === next) queues.delete(root);
  };
  next.then(forget, forget);
  return next;
}
