/**
 * The catalog's schema, one migration per version (PRAGMA user_version counts those
 * applied). Migrations are only ever appended: a database is years old by the time it
 * meets a new release. Times are milliseconds since the epoch (UTC), so ranges compare as numbers.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE recordings (
    id TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    manifest_sha256 TEXT NOT NULL,
    previous_manifest_sha256 TEXT,
    recorder_key_id TEXT NOT NULL,
    chain_status TEXT NOT NULL CHECK (chain_status IN ('first', 'linked', 'missing-previous', 'forked')),
    chain_previous_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'deleting', 'deleted')),
    retention_until INTEGER,
    legal_hold INTEGER NOT NULL DEFAULT 0 CHECK (legal_hold IN (0, 1)),
    legal_hold_reason TEXT,
    ingested_at INTEGER NOT NULL,
    CHECK (legal_hold = 0 OR legal_hold_reason IS NOT NULL)
  ) STRICT;
  -- The default listing (active, newest first) and every date range read this index in order.
  CREATE INDEX recordings_by_status_start ON recordings (status, started_at, id);
  CREATE INDEX recordings_by_room ON recordings (room, status, started_at, id);
  CREATE INDEX recordings_by_duration ON recordings (status, duration_ms);
  CREATE INDEX recordings_by_retention ON recordings (status, retention_until) WHERE retention_until IS NOT NULL;
  CREATE INDEX recordings_by_manifest ON recordings (manifest_sha256);
  CREATE INDEX recordings_by_previous ON recordings (previous_manifest_sha256);

  CREATE TABLE participants (
    recording_id TEXT NOT NULL REFERENCES recordings (id),
    participant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (recording_id, participant_id)
  ) STRICT;
  -- Substring search on names: trigrams of the folded name (lower case, no accents).
  CREATE VIRTUAL TABLE participant_names USING fts5 (name_key, recording_id UNINDEXED, tokenize = 'trigram');

  CREATE TABLE tags (
    recording_id TEXT NOT NULL REFERENCES recordings (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (recording_id, tag)
  ) STRICT;
  CREATE INDEX tags_by_tag ON tags (tag, recording_id);

  CREATE TABLE files (
    recording_id TEXT NOT NULL REFERENCES recordings (id),
    path TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('manifest', 'segment', 'timeline', 'other')),
    PRIMARY KEY (recording_id, path)
  ) STRICT;

  -- PREMIS fixity check events: one per file checked.
  CREATE TABLE fixity_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_id TEXT NOT NULL REFERENCES recordings (id),
    path TEXT NOT NULL,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pass', 'fail', 'missing')),
    expected TEXT NOT NULL,
    actual TEXT,
    agent TEXT NOT NULL
  ) STRICT;
  CREATE INDEX fixity_by_file ON fixity_events (recording_id, path, at);

  -- What remains of a deleted recording besides its catalog row: when, by whom, why.
  CREATE TABLE tombstones (
    recording_id TEXT PRIMARY KEY REFERENCES recordings (id),
    deleted_at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    total_bytes INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    recording_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_by_recording ON audit_log (recording_id, seq) WHERE recording_id IS NOT NULL;
  -- Append-only: changing an entry takes editing the file itself, which verify() detects.
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;
  `,
  /* 2 */ `
  -- Archivist accounts: scrypt password hashes, lockout after repeated failures.
  CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('archivist', 'auditor', 'admin')),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at INTEGER NOT NULL
  ) STRICT;
  -- Sessions by the SHA-256 of their cookie: a stolen database holds no usable cookie.
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX sessions_by_user ON sessions (username);
  `,
];
