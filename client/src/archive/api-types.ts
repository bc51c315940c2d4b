/**
 * The archive API's JSON, as docs/archive.md describes it. The archive service sends it;
 * the portal only reads it, so these are plain types, not schemas.
 */

export type Role = 'archivist' | 'auditor' | 'admin';

export interface Account {
  username: string;
  role: Role;
}

/** POST and GET /api/session. */
export interface SessionResponse {
  account: Account;
  /** Sent back as `x-csrf-token` on every request that changes something. */
  csrf: string;
}

export type RecordingStatus = 'active' | 'deleting' | 'deleted';

/**
 * The catalog's hold is `{ reason }` or null; the contract only names the field, so a
 * plain boolean is accepted too (see `holdOf`).
 */
export type LegalHold = { reason: string } | boolean | null;

/** One row of GET /api/recordings. */
export interface RecordingSummary {
  id: string;
  room: string;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Participants' names. */
  participants: string[];
  tags: string[];
  status: RecordingStatus;
  legalHold: LegalHold;
}

export interface SearchResponse {
  recordings: RecordingSummary[];
  /** Matches across all pages. */
  total: number;
  /** For the next page; null on the last. */
  nextCursor: string | null;
}

export type NoticeEvent = 'shown' | 'consented' | 'declined' | 'revoked' | 'joined' | 'left';

export interface NoticeRecord {
  event: NoticeEvent;
  /** The version id of the notice text shown. */
  notice: string;
  /** ISO 8601. */
  at: string;
}

export interface RecordingParticipant {
  id: string;
  name: string;
  notices: NoticeRecord[];
}

export type TrackKind = 'audio' | 'video' | 'screen';

export interface SegmentTrack {
  /** A participant id. */
  participant: string;
  kind: TrackKind;
  codec: string;
  startOffsetMs: number;
}

export interface Chapter {
  /** Milliseconds from the recording start. */
  startMs: number;
  endMs: number;
  title: string;
}

/** One participant's playable copy of a segment. */
export interface AccessFile {
  /** A participant id. */
  participant: string;
  /** A path under /api/recordings/:id/files/. */
  file: string;
}

export interface Segment {
  index: number;
  /** The segment's archival file (a files[].path). */
  file: string;
  /** Milliseconds from the recording start. */
  startOffsetMs: number;
  endOffsetMs: number;
  tracks: SegmentTrack[];
  chapters: Chapter[];
  access: AccessFile[];
}

export type FileKind = 'manifest' | 'segment' | 'timeline' | 'other' | (string & {});

export interface RecordingFile {
  path: string;
  /** Bytes. */
  size: number;
  /** Lowercase hex. */
  sha256: string;
  kind: FileKind;
}

export type IntegrityOutcome = 'pass' | 'fail' | 'never';

export interface Integrity {
  /** ISO 8601; null when never checked. */
  checkedAt: string | null;
  outcome: IntegrityOutcome;
  problems: string[];
}

/** GET /api/recordings/:id. */
export interface RecordingDetail {
  /** The names are in `participants`; the retention date (ISO 8601) or null to keep it until told otherwise. */
  recording: Omit<RecordingSummary, 'participants'> & { retentionUntil: string | null };
  participants: RecordingParticipant[];
  segments: Segment[];
  /** Paths (under files/) of the speaking timeline, or null when the recording has none. */
  timelines: { json: string | null; vtt: string | null } | null;
  files: RecordingFile[];
  integrity: Integrity;
}

/** The speaking timeline file (recorder/src/timeline/speaking.ts, speakingToJson). */
export interface SpeakingInterval {
  startMs: number;
  endMs: number;
}

export interface ParticipantSpeaking {
  participant: string;
  name: string;
  intervals: SpeakingInterval[];
}

/** Every error response: `{ error: { code, message } }`, plus fields some codes add. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    retryAfterSeconds?: number;
  };
  retryAfterSeconds?: number;
}

/** The hold's reason, '' for a hold without one, or null when there is none. */
export function holdOf(hold: LegalHold | undefined): string | null {
  if (hold === null || hold === undefined || hold === false) return null;
  if (hold === true) return '';
  return hold.reason;
}
