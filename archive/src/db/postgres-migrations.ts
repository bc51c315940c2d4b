/**
 * The catalog's schema in PostgreSQL, one migration per version (archive_schema counts those
 * applied), only ever appended, as in migrations.ts for SQLite. The tables and their meaning
 * are the same; what differs:
 * - Times are bigint milliseconds since the epoch (UTC), as in SQLite.
 * - Identifiers, rooms, tags and paths are COLLATE "C": ordered by their bytes, as SQLite's
 *   BINARY, whatever the database's locale (the keyset cursor depends on that order).
 * - Participant names: name_key (lower case, no accents, folded by nameKey() in Node like
 *   SQLite's) with a pg_trgm GIN index, which serves LIKE '%...%' substring searches.
 * - The audit log refuses UPDATE, DELETE and TRUNCATE by triggers; a superuser or the
 *   table's owner can disable them, which verify() then reports as it does for SQLite.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE EXTENSION IF NOT EXISTS pg_trgm;

  CREATE TABLE recordings (
    id text COLLATE "C" PRIMARY KEY,
    room text COLLATE "C" NOT NULL,
    started_at bigint NOT NULL,
    ended_at bigint NOT NULL,
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
    manifest_sha256 text NOT NULL,
    previous_manifest_sha256 text,
    recorder_key_id text NOT NULL,
    chain_status text NOT NULL CHECK (chain_status IN ('first', 'linked', 'missing-previous', 'forked')),
    chain_previous_id text COLLATE "C",
    status text NOT NULL CHECK (status IN ('active', 'deleting', 'deleted')),
    retention_until bigint,
    legal_hold boolean NOT NULL DEFAULT false,
    legal_hold_reason text,
    ingested_at bigint NOT NULL,
    CHECK (NOT legal_hold OR legal_hold_reason IS NOT NULL)
  );
  CREATE INDEX recordings_by_status_start ON recordings (status, started_at, id);
  CREATE INDEX recordings_by_room ON recordings (room, status, started_at, id);
  CREATE INDEX recordings_by_duration ON recordings (status, duration_ms);
  CREATE INDEX recordings_by_retention ON recordings (status, retention_until) WHERE retention_until IS NOT NULL;
  CREATE INDEX recordings_by_manifest ON recordings (manifest_sha256);
  CREATE INDEX recordings_by_previous ON recordings (previous_manifest_sha256);

  CREATE TABLE participants (
    recording_id text COLLATE "C" NOT NULL REFERENCES recordings (id),
    participant_id text COLLATE "C" NOT NULL,
    name text NOT NULL,
    name_key text COLLATE "C" NOT NULL,
    PRIMARY KEY (recording_id, participant_id)
  );
  -- Substring search on names: trigrams of the folded name (lower case, no accents).
  CREATE INDEX participants_by_name_key ON participants USING gin (name_key gin_trgm_ops);

  CREATE TABLE tags (
    recording_id text COLLATE "C" NOT NULL REFERENCES recordings (id),
    tag text COLLATE "C" NOT NULL,
    PRIMARY KEY (recording_id, tag)
  );
  CREATE INDEX tags_by_tag ON tags (tag, recording_id);

  CREATE TABLE files (
    recording_id text COLLATE "C" NOT NULL REFERENCES recordings (id),
    path text COLLATE "C" NOT NULL,
    size bigint NOT NULL CHECK (size >= 0),
    sha256 text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('manifest', 'segment', 'timeline', 'other')),
    PRIMARY KEY (recording_id, path)
  );

  CREATE TABLE fixity_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recording_id text COLLATE "C" NOT NULL REFERENCES recordings (id),
    path text COLLATE "C" NOT NULL,
    at bigint NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('pass', 'fail', 'missing')),
    expected text NOT NULL,
    actual text,
    agent text NOT NULL
  );
  CREATE INDEX fixity_by_file ON fixity_events (recording_id, path, at);

  CREATE TABLE tombstones (
    recording_id text COLLATE "C" PRIMARY KEY REFERENCES recordings (id),
    deleted_at bigint NOT NULL,
    actor text NOT NULL,
    reason text NOT NULL,
    file_count bigint NOT NULL,
    total_bytes bigint NOT NULL
  );

  -- at and detail are text: exactly the strings that were hashed.
  CREATE TABLE audit_log (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    recording_id text COLLATE "C",
    detail text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE INDEX audit_by_recording ON audit_log (recording_id, seq) WHERE recording_id IS NOT NULL;
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'audit_log is append-only: entries cannot be %', CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
  END
  $$;
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `,
  /* 2 */ `
  CREATE TABLE accounts (
    username text COLLATE "C" PRIMARY KEY,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('archivist', 'auditor', 'admin')),
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until bigint NOT NULL DEFAULT 0,
    disabled boolean NOT NULL DEFAULT false,
    created_at bigint NOT NULL
  );
  CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    username text COLLATE "C" NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    csrf text NOT NULL,
    created_at bigint NOT NULL,
    last_seen bigint NOT NULL
  );
  CREATE INDEX sessions_by_user ON sessions (username);
  `,
];
