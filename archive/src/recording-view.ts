/**
 * What the portal shows of one recording: the catalog's record joined with its signed
 * manifest (participants and their notice log, segments with tracks and chapters, the
 * per-participant access copies) and the latest fixity results.
 */
import { type Readable } from 'node:stream';
import { manifestSchema, MANIFEST_FILE, type Manifest } from '@conclave/recorder/manifest';
import { type ArchiveCatalog, type CatalogFile, type FixityEvent, type RecordingRecord } from './catalog/types.js';
import { ArchiveError } from './errors.js';
import { type ObjectStore } from './store/object-store.js';

/** A manifest lists files, not media: a bound on what is read into memory. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export interface Integrity {
  /** The latest check of any file, or null if none ran yet. */
  checkedAt: string | null;
  /** 'fail' if the latest check of any file failed or found it missing. */
  outcome: 'pass' | 'fail' | 'never';
  problems: { path: string; outcome: 'fail' | 'missing'; at: string }[];
}

export interface RecordingView {
  recording: RecordingRecord & { tags: string[] };
  participants: { id: string; name: string; notices: { event: string; notice: string; at: string }[] }[];
  segments: {
    index: number;
    file: string;
    startOffsetMs: number;
    endOffsetMs: number;
    tracks: { participant: string; kind: string; codec: string; startOffsetMs: number }[];
    chapters: { startMs: number; endMs: number; title: string }[];
    access: { participant: string; file: string }[];
  }[];
  timelines: { json: string | null; vtt: string | null };
  files: CatalogFile[];
  integrity: Integrity;
}

export async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) {
      stream.destroy();
      throw new ArchiveError('invalid', `more than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The stored manifest, raw and parsed (it was verified at ingest; fixity covers it since). */
export async function storedManifest(store: ObjectStore, id: string): Promise<{ raw: Buffer; parsed: Manifest }> {
  const raw = await readAll(await store.get(id, MANIFEST_FILE), MAX_MANIFEST_BYTES);
  const parsed = manifestSchema.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) throw new ArchiveError('database', `the stored manifest of ${id} no longer parses: run the fixity check`);
  return { raw, parsed: parsed.data };
}

/** The latest fixity result of each file, folded into one status. */
export function integrityOf(events: readonly FixityEvent[]): Integrity {
  const latest = new Map<string, FixityEvent>();
  for (const event of events) {
    const seen = latest.get(event.path);
    if (!seen || seen.at <= event.at) latest.set(event.path, event);
  }
  if (latest.size === 0) return { checkedAt: null, outcome: 'never', problems: [] };
  const problems = [...latest.values()]
    .filter((event): event is FixityEvent & { outcome: 'fail' | 'missing' } => event.outcome !== 'pass')
    .map(({ path, outcome, at }) => ({ path, outcome, at }));
  const checkedAt = [...latest.values()].map((event) => event.at).sort().at(-1) ?? null;
  return { checkedAt, outcome: problems.length ? 'fail' : 'pass', problems };
}

export async function recordingView(deps: { catalog: ArchiveCatalog; store: ObjectStore }, record: RecordingRecord): Promise<RecordingView> {
  const { catalog, store } = deps;
  const [{ parsed }, tags, files, fixity] = await Promise.all([storedManifest(store, record.id), catalog.tags(record.id), catalog.files(record.id), catalog.fixityEvents(record.id)]);
  const has = (path: string) => files.some((file) => file.path === path);
  return {
    recording: { ...record, tags },
    participants: parsed.participants.map((participant) => ({
      id: participant.id,
      name: participant.name,
      notices: participant.notices.map(({ event, notice, at }) => ({ event, notice, at })),
    })),
    segments: parsed.segments.map((segment) => ({
      index: segment.index,
      file: segment.file,
      startOffsetMs: segment.startOffsetMs,
      endOffsetMs: segment.endOffsetMs,
      tracks: segment.tracks.map(({ participant, kind, codec, startOffsetMs }) => ({ participant, kind, codec, startOffsetMs })),
      chapters: segment.chapters,
      // Absent in recordings sealed before per-participant access copies existed.
      access: (segment.access ?? []).map(({ participant, file }) => ({ participant, file })),
    })),
    timelines: { json: has('timelines/speaking.json') ? 'timelines/speaking.json' : null, vtt: has('timelines/speaking.vtt') ? 'timelines/speaking.vtt' : null },
    files,
    integrity: integrityOf(fixity),
  };
}
