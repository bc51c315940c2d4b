/**
 * The recording manifest (version 1): what a recording holds, who was recorded and under
 * which notice, and the SHA-256 of every file, signed by the recorder's Ed25519 key and
 * chained to the previous recording's manifest. Each segment has one Matroska file with
 * every track and, per recorded participant, a WebM access copy of their tracks alone
 * (`access`). Times in segments, tracks, gaps and
 * chapters are milliseconds from the recording start, so players can line up audio and
 * video across segments.
 */
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';

const HEX_SHA256 = /^[0-9a-f]{64}$/;
// Ed25519: a raw public key is 32 bytes (44 base64 characters), a signature 64 (88).
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const BASE64_64_BYTES = /^[A-Za-z0-9+/]{85}[AQgw]==$/;
// A path segment: no separators, no control characters, never "." or "..".
const SAFE_SEGMENT = /^[A-Za-z0-9._-]{1,255}$/;

/**
 * Why a manifest path could leave the recording or mean different files on different
 * systems, or null if it is safe: relative, forward slashes, no empty, "." or ".."
 * segment, and only the characters the recorder itself writes.
 */
export function unsafePathReason(path: string): string | null {
  if (path.length === 0) return 'empty path';
  if (path.length > 1024) return 'path longer than 1024 characters';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  if (path.includes('\\')) return 'backslash in path (use forward slashes)';
  const segments = path.split('/');
  if (segments.includes('..')) return "path traversal: a '..' segment leaves the recording directory";
  if (segments.some((segment) => segment === '' || segment === '.')) return "empty or '.' segment in path";
  if (!segments.every((segment) => SAFE_SEGMENT.test(segment))) return "character not allowed in path (letters, digits, '.', '_', '-')";
  return null;
}

export function isSafeRelativePath(path: string): boolean {
  return unsafePathReason(path) === null;
}

const text = (max: number) => z.string().min(1).max(max);
const isoDate = z.iso.datetime({ offset: true });
const ms = z.int().nonnegative();
const safePath = z.string().superRefine((path, ctx) => {
  const reason = unsafePathReason(path);
  if (reason) ctx.addIssue({ code: 'custom', message: reason });
});

export const NOTICE_EVENTS = ['shown', 'consented', 'declined', 'revoked', 'joined', 'left'] as const;
export const SEGMENT_REASONS = ['start', 'rotation', 'track-change', 'recovery'] as const;
export const TRACK_KINDS = ['audio', 'video', 'screen'] as const;
export const GAP_REASONS = ['link-dropped', 'recorder-restart', 'unknown'] as const;

const noticeSchema = z.strictObject({
  event: z.enum(NOTICE_EVENTS),
  /** The version id of the notice text shown (the text itself lives with the deployment). */
  notice: text(128),
  at: isoDate,
});

const participantSchema = z.strictObject({
  id: text(128),
  name: text(256),
  notices: z.array(noticeSchema).max(10_000),
});

const gapSchema = z
  .strictObject({ fromMs: ms, toMs: ms, reason: z.enum(GAP_REASONS) })
  .refine((gap) => gap.toMs >= gap.fromMs, { message: 'toMs is before fromMs', path: ['toMs'] });

const trackSchema = z.strictObject({
  /** A participants[].id. */
  participant: text(128),
  kind: z.enum(TRACK_KINDS),
  codec: text(64),
  startOffsetMs: ms,
  gaps: z.array(gapSchema).max(100_000),
});

const chapterSchema = z
  .strictObject({ startMs: ms, endMs: ms, title: text(256) })
  .refine((chapter) => chapter.endMs >= chapter.startMs, { message: 'endMs is before startMs', path: ['endMs'] });

/** A per-participant access copy of a segment: WebM, that participant's tracks only, on the segment's timeline. */
const accessSchema = z.strictObject({
  /** A participants[].id, with tracks in this segment. */
  participant: text(128),
  /** A files[].path. */
  file: safePath,
});

const segmentSchema = z
  .strictObject({
    index: z.int().nonnegative(),
    /** A files[].path. */
    file: safePath,
    startOffsetMs: ms,
    endOffsetMs: ms,
    reason: z.enum(SEGMENT_REASONS),
    tracks: z.array(trackSchema).max(256),
    chapters: z.array(chapterSchema).max(10_000),
    /**
     * One WebM file per recorded participant (a browser's <video> plays only the first
     * video track of a file). Absent in recordings sealed before access copies existed.
     */
    access: z.array(accessSchema).max(256).optional(),
  })
  .refine((segment) => segment.endOffsetMs >= segment.startOffsetMs, {
    message: 'endOffsetMs is before startOffsetMs',
    path: ['endOffsetMs'],
  });

const fileSchema = z.strictObject({
  path: safePath,
  sha256: z.string().regex(HEX_SHA256, 'not a lowercase hex SHA-256'),
  bytes: z.int().nonnegative(),
});

const fields = {
  version: z.literal(1),
  recordingId: text(128),
  room: text(256),
  startedAt: isoDate,
  endedAt: isoDate,
  recorder: z.strictObject({
    /** Ed25519 public key, base64 of the raw 32 bytes. */
    publicKey: z.string().regex(BASE64_32_BYTES, 'not a base64 Ed25519 public key (32 bytes)'),
    /** The first 16 hex digits of the SHA-256 of the raw key (checked by verifyRecording). */
    keyId: z.string().regex(/^[0-9a-f]{16}$/, 'not 16 lowercase hex digits'),
  }),
  /** Hex SHA-256 of the previous recording's manifest.json bytes; null for the first. */
  previousManifestSha256: z.string().regex(HEX_SHA256, 'not a lowercase hex SHA-256').nullable(),
  participants: z.array(participantSchema).max(10_000),
  segments: z.array(segmentSchema).max(100_000),
  /** Every file of the recording except manifest.json, sorted by path. */
  files: z.array(fileSchema).max(100_000),
};

type Shape = z.infer<z.ZodObject<typeof fields>>;

// Rules across fields, which the per-field schemas cannot see.
function checkConsistency(manifest: Shape, ctx: z.RefinementCtx): void {
  if (Date.parse(manifest.endedAt) < Date.parse(manifest.startedAt)) {
    ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'endedAt is before startedAt' });
  }
  const ids = new Set<string>();
  manifest.participants.forEach((participant, i) => {
    if (ids.has(participant.id)) ctx.addIssue({ code: 'custom', path: ['participants', i, 'id'], message: `duplicate participant id "${participant.id}"` });
    ids.add(participant.id);
  });
  const paths = new Set<string>();
  manifest.files.forEach((file, i) => {
    if (paths.has(file.path)) ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `duplicate path "${file.path}"` });
    if (file.path === MANIFEST_FILE) ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: 'manifest.json cannot list itself' });
    paths.add(file.path);
  });
  const indexes = new Set<number>();
  // Each media file has one role: a segment file, or one participant's access copy.
  const mediaFiles = new Set(manifest.segments.map((segment) => segment.file));
  manifest.segments.forEach((segment, i) => {
    if (indexes.has(segment.index)) ctx.addIssue({ code: 'custom', path: ['segments', i, 'index'], message: `duplicate segment index ${segment.index}` });
    indexes.add(segment.index);
    if (!paths.has(segment.file)) ctx.addIssue({ code: 'custom', path: ['segments', i, 'file'], message: `"${segment.file}" is not in files` });
    segment.tracks.forEach((track, j) => {
      if (!ids.has(track.participant)) {
        ctx.addIssue({ code: 'custom', path: ['segments', i, 'tracks', j, 'participant'], message: `"${track.participant}" is not a participant id` });
      }
    });
    const recorded = new Set(segment.tracks.map((track) => track.participant));
    const copied = new Set<string>();
    segment.access?.forEach((copy, j) => {
      const at = (field: string) => ['segments', i, 'access', j, field];
      if (!ids.has(copy.participant)) ctx.addIssue({ code: 'custom', path: at('participant'), message: `"${copy.participant}" is not a participant id` });
      else if (!recorded.has(copy.participant)) ctx.addIssue({ code: 'custom', path: at('participant'), message: `"${copy.participant}" has no track in this segment` });
      if (copied.has(copy.participant)) ctx.addIssue({ code: 'custom', path: at('participant'), message: `a second access copy for "${copy.participant}"` });
      copied.add(copy.participant);
      if (!paths.has(copy.file)) ctx.addIssue({ code: 'custom', path: at('file'), message: `"${copy.file}" is not in files` });
      if (mediaFiles.has(copy.file)) ctx.addIssue({ code: 'custom', path: at('file'), message: `"${copy.file}" is already a segment file or another access copy` });
      mediaFiles.add(copy.file);
    });
  });
}

export const unsignedManifestSchema = z.strictObject(fields).superRefine(checkConsistency);

export const manifestSchema = z
  .strictObject({
    ...fields,
    /** Base64 Ed25519 signature over the canonical JSON of the manifest without this field. */
    signature: z.string().regex(BASE64_64_BYTES, 'not a base64 Ed25519 signature (64 bytes)'),
  })
  .superRefine(checkConsistency);

export type Manifest = z.infer<typeof manifestSchema>;
export type UnsignedManifest = Omit<Manifest, 'signature'>;
/** What the recorder knows when a recording ends; the writer adds recorder, files and signature. */
export type RecordingDraft = Omit<Manifest, 'recorder' | 'files' | 'signature'>;
export type Participant = Manifest['participants'][number];
export type NoticeRecord = Participant['notices'][number];
export type Segment = Manifest['segments'][number];
export type Track = Segment['tracks'][number];
export type Gap = Track['gaps'][number];
export type Chapter = Segment['chapters'][number];
export type AccessCopy = NonNullable<Segment['access']>[number];
export type FileEntry = Manifest['files'][number];

/** "segments[0].tracks[1].kind" from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

/** One line per schema problem, each naming where it is: "files[2].sha256: not a lowercase hex SHA-256". */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}
