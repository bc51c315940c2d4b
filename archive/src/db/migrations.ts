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
  /* 3 */ `
  -- Search reads its own narrow copy of what it filters on, one row per recording, so that
  -- counting thousands of matches reads a few bytes for each (catalog/sqlite-search.ts). rid
  -- keys the two full-text indexes below: an INTEGER PRIMARY KEY, which VACUUM keeps.
  CREATE TABLE search_rows (
    rid INTEGER PRIMARY KEY,
    recording_id TEXT NOT NULL UNIQUE REFERENCES recordings (id),
    status TEXT NOT NULL,
    room TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    -- The participants' folded names (nameKey), joined by U+0300 (NAME_SEPARATOR).
    names TEXT NOT NULL
  ) STRICT;
  -- Whatever a query's status, room, dates and duration, one of these holds them all: counting
  -- those reads an index only. The first two also give pages in their order.
  CREATE INDEX search_rows_by_start ON search_rows (status, started_at, recording_id, duration_ms);
  CREATE INDEX search_rows_by_room ON search_rows (room, status, started_at, recording_id, duration_ms);
  CREATE INDEX search_rows_by_duration ON search_rows (status, duration_ms, started_at, recording_id);
  -- Whatever changes a recording (deletion changes its status), its search row follows.
  CREATE TRIGGER search_rows_follow AFTER UPDATE OF status, room, started_at, duration_ms ON recordings BEGIN
    UPDATE search_rows SET status = NEW.status, room = NEW.room, started_at = NEW.started_at, duration_ms = NEW.duration_ms WHERE recording_id = NEW.id;
  END;
  -- How many recordings have each status: the total of a listing without counting its rows.
  CREATE TABLE search_counts (status TEXT PRIMARY KEY, recordings INTEGER NOT NULL CHECK (recordings >= 0)) STRICT, WITHOUT ROWID;
  INSERT INTO search_counts (status, recordings) VALUES ('active', 0), ('deleting', 0), ('deleted', 0);
  CREATE TRIGGER search_counts_insert AFTER INSERT ON search_rows BEGIN
    UPDATE search_counts SET recordings = recordings + 1 WHERE status = NEW.status;
  END;
  CREATE TRIGGER search_counts_update AFTER UPDATE OF status ON search_rows WHEN OLD.status != NEW.status BEGIN
    UPDATE search_counts SET recordings = recordings - 1 WHERE status = OLD.status;
    UPDATE search_counts SET recordings = recordings + 1 WHERE status = NEW.status;
  END;
  CREATE TRIGGER search_counts_delete AFTER DELETE ON search_rows BEGIN
    UPDATE search_counts SET recordings = recordings - 1 WHERE status = OLD.status;
  END;
  -- The two full-text indexes (rowid = rid) hold the active recordings only, what the portal
  -- searches: counting their matches then needs no look at the rows. Other statuses are
  -- searched row by row.
  -- Trigrams of the names, case-sensitive: they are folded already.
  CREATE VIRTUAL TABLE search_names USING fts5 (names, tokenize = 'trigram case_sensitive 1', content = '', contentless_delete = 1);
  -- The tags, each one word whatever its characters: x and its UTF-8 in hex (tagWord()).
  CREATE VIRTUAL TABLE search_tags USING fts5 (tags, content = '', contentless_delete = 1, detail = none);
  CREATE TRIGGER search_rows_leave_active AFTER UPDATE OF status ON search_rows WHEN OLD.status = 'active' AND NEW.status != 'active' BEGIN
    DELETE FROM search_names WHERE rowid = NEW.rid;
    DELETE FROM search_tags WHERE rowid = NEW.rid;
  END;
  CREATE TRIGGER search_rows_become_active AFTER UPDATE OF status ON search_rows WHEN OLD.status != 'active' AND NEW.status = 'active' BEGIN
    INSERT INTO search_names (rowid, names) VALUES (NEW.rid, NEW.names);
    INSERT INTO search_tags (rowid, tags)
      SELECT NEW.rid, group_concat('x' || lower(hex(tag)), ' ') FROM tags WHERE recording_id = NEW.recording_id HAVING count(*) > 0;
  END;

  INSERT INTO search_rows (recording_id, status, room, started_at, duration_ms, names)
    SELECT r.id, r.status, r.room, r.started_at, r.duration_ms, coalesce(n.names, '')
    FROM recordings r
    LEFT JOIN (SELECT recording_id, group_concat(name_key, char(768)) AS names FROM participant_names GROUP BY recording_id) n ON n.recording_id = r.id
    ORDER BY r.started_at, r.id;
  INSERT INTO search_names (rowid, names) SELECT rid, names FROM search_rows WHERE status = 'active';
  INSERT INTO search_tags (rowid, tags)
    SELECT s.rid, group_concat('x' || lower(hex(t.tag)), ' ') FROM tags t JOIN search_rows s ON s.recording_id = t.recording_id WHERE s.status = 'active' GROUP BY s.rid;

  -- What search read before, now unused.
  DROP TABLE participant_names;
  DROP INDEX recordings_by_room;
  DROP INDEX recordings_by_duration;
  DROP INDEX tags_by_tag;
  `,
];
