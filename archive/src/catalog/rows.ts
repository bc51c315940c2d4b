/** Rows of the recordings table as both catalogs read them, and the checks both apply. */
import { ArchiveError } from '../errors.js';
import { type ChainStatus, type RecordingRecord, type RecordingStatus } from './types.js';

export interface RecordingRow {
  id: string;
  room: string;
  started_at: number;
  ended_at: number;
  duration_ms: number;
  manifest_sha256: string;
  previous_manifest_sha256: string | null;
  recorder_key_id: string;
  chain_status: ChainStatus;
  chain_previous_id: string | null;
  status: RecordingStatus;
  retention_until: number | null;
  legal_hold: number;
  legal_hold_reason: string | null;
  ingested_at: number;
}

export const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toRecord(row: RecordingRow): RecordingRecord {
  return {
    id: row.id,
    room: row.room,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    durationMs: row.duration_ms,
    manifestSha256: row.manifest_sha256,
    previousManifestSha256: row.previous_manifest_sha256,
    recorderKeyId: row.recorder_key_id,
    chainStatus: row.chain_status,
    chainPreviousId: row.chain_previous_id,
    status: row.status,
    retentionUntil: isoOrNull(row.retention_until),
    legalHold: row.legal_hold ? { reason: row.legal_hold_reason ?? '' } : null,
    ingestedAt: iso(row.ingested_at),
  };
}

export function ms(value: string, field: string): number {
  const parsed = Date.parse(value);
  if (!Number.isFinite(parsed)) throw new ArchiveError('invalid-query', `${field}: not a date (${JSON.stringify(value)})`);
  return parsed;
}

export function checkTag(tag: string): string {
  if (tag.length === 0 || tag.length > 128 || tag.trim() !== tag) throw new ArchiveError('invalid-query', `tag ${JSON.stringify(tag)}: 1 to 128 characters, no surrounding spaces`);
  return tag;
}
