/** The archive: store and catalog of finished recordings, with audit, retention and fixity. */
export { openArchive, CATALOG_FILE, OBJECTS_DIR, type Archive, type OpenArchiveOptions } from './archive.js';
export { loadArchiveConfig, archiveConfigSchema, type ArchiveConfig } from './config.js';
export { ArchiveError, IngestRefusedError, UnsafePathError, type ArchiveErrorCode } from './errors.js';
export { unsafePathReason, assertSafeRelativePath, recordingIdProblem, assertSafeRecordingId } from './paths.js';
export { type ObjectStore, type StoredObject, type ObjectInfo, type ByteRange } from './store/object-store.js';
export { LocalObjectStore } from './store/local-store.js';
export { openArchiveDatabase, migrate, schemaVersion, type ArchiveDatabase } from './db/database.js';
export { openPostgres, migratePostgres, postgresSchemaVersion, type PostgresPool } from './db/postgres.js';
export { SqliteCatalog } from './catalog/sqlite-catalog.js';
export { PostgresCatalog } from './catalog/postgres-catalog.js';
export { nameKey } from './catalog/names.js';
export {
  RECORDING_STATUSES,
  type ArchiveCatalog,
  type CatalogFile,
  type ChainStatus,
  type FileKind,
  type FixityEvent,
  type NewRecording,
  type RecordingRecord,
  type RecordingStatus,
  type SearchPage,
  type SearchQuery,
  type Tombstone,
} from './catalog/types.js';
export { PostgresAuditLog } from './audit/postgres-audit-log.js';
export { AuditLog, SqliteAuditTrail, AUDIT_ACTIONS, GENESIS_HASH, type AuditAction, type AuditEntry, type AuditHead, type AuditInput, type AuditProblem, type AuditVerification, type AuditTrail, type AuditFilter } from './audit/audit-log.js';
export { ingestRecording, type IngestDeps, type IngestResult } from './ingest/ingest.js';
export { type ChainLink } from './ingest/chain.js';
export { retentionUntil, KEEP_FOREVER, type RetentionPolicy } from './retention/policy.js';
export { assertAvailable, deleteRecording, releaseLegalHold, setLegalHold, setRetention, sweepExpired, type Deleted, type RetentionDeps, type SweepReport } from './retention/retention.js';
export { runFixity, checkRecordingFixity, FIXITY_AGENT, type FixityDeps, type FixityProblem, type FixityReport } from './fixity/fixity.js';
export * from './bagit/index.js';
export { startArchive, type RunningArchive } from './http/server.js';
export { Accounts, ROLES, type Account, type Role, type Session } from './accounts/accounts.js';
export { SqliteAccountStore, PostgresAccountStore, type AccountStore } from './accounts/account-store.js';
export { Inbox } from './inbox.js';
export { S3ObjectStore, type S3StoreConfig } from './store/s3-store.js';
export { Maintenance, type MaintenanceStatus } from './maintenance.js';
