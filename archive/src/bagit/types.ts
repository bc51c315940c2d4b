/** What a BagIt export of one recording is made from: the catalog's view of the recording. */
import type { Readable } from 'node:stream';
import type { Manifest } from '@conclave/recorder/manifest';

export type NoticeEventName = Manifest['participants'][number]['notices'][number]['event'];

export interface BagNotice {
  event: NoticeEventName;
  /** The version id of the notice text shown. */
  notice: string;
  at: string;
}

export interface BagParticipant {
  id: string;
  name: string;
  notices: BagNotice[];
}

/** One file of the recording, as the catalog knows it. */
export interface BagPayloadFile {
  /** Relative to the recording directory, forward slashes ("segments/segment-0001.mkv"). */
  path: string;
  /** Expected size in bytes. */
  bytes: number;
  /** Expected SHA-256, lowercase hex: the copy is hashed and must match. */
  sha256: string;
  /** A fresh stream of the file's bytes (called once). */
  open(): Readable | Promise<Readable>;
}

/** A PREMIS-style fixity check the archive ran earlier on one file of the recording. */
export interface BagFixityEvent {
  /** ISO 8601 date-time. */
  at: string;
  /** A BagPayloadFile path. */
  path: string;
  outcome: 'pass' | 'fail' | 'missing';
  expected: string;
  /** What was found, or null when the file could not be read. */
  actual: string | null;
  /** Who ran it ("conclave-archive fixity scheduler"). */
  agent: string;
}

export interface BagHold {
  reason: string;
  /** The hold's id and since when it applies, when the catalog keeps them. */
  id?: string;
  since?: string;
}

export interface BagRetention {
  /** ISO 8601 date-time after which the recording may be deleted, or null to keep it. */
  retainUntil: string | null;
  /** Legal holds in force: while any is, the recording is never deleted. */
  holds: BagHold[];
}

export interface RecordingBagInput {
  recordingId: string;
  room: string;
  /** ISO 8601 date-times. */
  startedAt: string;
  endedAt: string;
  participants: BagParticipant[];
  tags: string[];
  retention: BagRetention;
  /** When the archive catalogued the recording (the PREMIS ingestion event), if known. */
  ingestedAt?: string;
  /**
   * The signed manifest: `raw` is copied byte for byte to data/manifest.json; with
   * `sha256` (the catalog's), the raw bytes must hash to it.
   */
  manifest: { parsed: Manifest; raw: Uint8Array; sha256?: string };
  /**
   * Every file of the recording except manifest.json: segments, speaking timelines, and
   * optionally a notice-log.json (otherwise one is written from `participants`).
   */
  files: BagPayloadFile[];
  fixityEvents: BagFixityEvent[];
}

export interface BagOptions {
  /** bag-info.txt Source-Organization. */
  sourceOrganization: string;
  /** bag-info.txt Internal-Sender-Identifier; default "conclave-recording:<id>". */
  internalSenderIdentifier?: string;
  /** bag-info.txt Bag-Software-Agent and the PREMIS export agent; default BAG_SOFTWARE_AGENT. */
  softwareAgent?: string;
  /** Who asked for the export (an archivist's id), recorded as the PREMIS packing event's agent. */
  requestedBy?: string;
  /** The clock (tests). */
  now?: () => Date;
}

export interface BagSummary {
  /** The finished bag directory. */
  dir: string;
  /** Payload octets and file count, as in Payload-Oxum. */
  payloadBytes: number;
  payloadFiles: number;
  /** SHA-256 of each payload file, keyed by its path inside the bag ("data/..."). */
  sha256: Map<string, string>;
}
