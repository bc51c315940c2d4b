/**
 * The catalog: what the archive knows about each recording, searchable. An interface, so
 * that a PostgreSQL catalog can replace SQLite when one machine is not enough.
 */
import { type AuditInput } from '../audit/audit-log.js';

export const RECORDING_STATUSES = ['active', 'deleting', 'deleted'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** How a recording's manifest links to the recordings ingested before it. */
export type ChainStatus = 'first' | 'linked' | 'missing-previous' | 'forked';
export type FileKind = 'manifest' | 'segment' | 'timeline' | 'other';

export interface CatalogFile {
  path: string;
  size: number;
  sha256: string;
  kind: FileKind;
}

export interface NewRecording {
  id: string;
  room: string;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  manifestSha256: string;
  previousManifestSha256: string | null;
  recorderKeyId: string;
  chainStatus: ChainStatus;
  /** The recording this one links to, when it is in the catalog. */
  chainPreviousId: string | null;
  /** ISO 8601, or null to keep until told otherwise. */
  retentionUntil: string | null;
  ingestedAt: string;
  participants: { id: string; name: string }[];
  tags: string[];
  files: CatalogFile[];
}

export interface RecordingRecord {
  id: string;
  room: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  manifestSha256: string;
  previousManifestSha256: string | null;
  recorderKeyId: string;
  chainStatus: ChainStatus;
  chainPreviousId: string | null;
  /** Anything but 'active' must not be viewed or exported: it is being, or was, deleted. */
  status: RecordingStatus;
  retentionUntil: string | null;
  legalHold: { reason: string } | null;
  ingestedAt: string;
}

export interface SearchQuery {
  room?: string;
  /** started_at >= from (ISO 8601). */
  startedFrom?: string;
  /** started_at < to (ISO 8601). */
  startedTo?: string;
  /** Case- and accent-insensitive substring of a participant's name. */
  participant?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Recordings carrying every one of these tags. */
  tags?: string[];
  /** Default 'active'. */
  status?: RecordingStatus | 'any';
  /** 1 to 500, default 50. */
  limit?: number;
  /** From a previous page's nextCursor. */
  cursor?: string;
}

export interface SearchPage {
  /** Newest first (started_at descending, then id descending): a stable order for paging. */
  recordings: RecordingRecord[];
  /** How many recordings match, across all pages. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface FixityEvent {
  recordingId: string;
  path: string;
  at: string;
  outcome: 'pass' | 'fail' | 'missing';
  expected: string;
  actual: string | null;
  agent: string;
}

export interface Tombstone {
  deletedAt: string;
  actor: string;
  reason: string;
  fileCount: number;
  totalBytes: number;
}

export interface ArchiveCatalog {
  getRecording(id: string): Promise<RecordingRecord | null>;
  findByManifestSha256(sha256: string): Promise<RecordingRecord[]>;
  /** The recordings whose manifest names `sha256` as the previous one. */
  findFollowers(sha256: string): Promise<RecordingRecord[]>;
  /** Catalogs a recording and appends `audit`, all in one transaction; throws ArchiveError 'conflict' if the id is taken. */
  insertRecording(recording: NewRecording, audit: AuditInput): Promise<void>;
  /** Many at once, in one transaction, unaudited: imports and tests. */
  insertRecordings(recordings: NewRecording[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchPage>;
  participants(id: string): Promise<{ id: string; name: string }[]>;
  tags(id: string): Promise<string[]>;
  setTags(id: string, tags: string[]): Promise<void>;
  files(id: string): Promise<CatalogFile[]>;
  /** Ids of the recordings with this status, oldest first. */
  listIds(status: RecordingStatus): Promise<string[]>;
  /** Active recordings past their retention date and not on hold. */
  listExpired(now: string): Promise<string[]>;
  setRetention(id: string, until: string | null, audit: AuditInput): Promise<void>;
  /** Sets (reason) or releases (null) a legal hold; only on an active recording. */
  setLegalHold(id: string, reason: string | null, audit: AuditInput): Promise<void>;
  /**
   * active -> deleting, only if retention has expired at `now` and there is no hold; returns
   * false (changing nothing) otherwise. 'deleting' again returns true: a deletion resumed.
   */
  beginDeletion(id: string, now: string, audit: AuditInput): Promise<boolean>;
  /** deleting -> deleted, with the tombstone. */
  finishDeletion(id: string, tombstone: Tombstone, audit: AuditInput): Promise<void>;
  tombstone(id: string): Promise<Tombstone | null>;
  recordFixity(events: FixityEvent[]): Promise<void>;
  fixityEvents(id: string): Promise<FixityEvent[]>;
  close(): Promise<void>;
}
