/**
 * An archive: its catalog, audit log and accounts in one database, and its files in
 * `<dataDir>/objects/`. The database is `<dataDir>/catalog.sqlite` by default, or the
 * PostgreSQL database of `databaseUrl` (ARCHIVE_DATABASE_URL) when one machine is not enough.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresAccountStore, SqliteAccountStore } from './accounts/account-store.js';
import { Accounts } from './accounts/accounts.js';
import { AuditLog, SqliteAuditTrail, type AuditTrail } from './audit/audit-log.js';
import { PostgresAuditLog } from './audit/postgres-audit-log.js';
import { PostgresCatalog } from './catalog/postgres-catalog.js';
import { SqliteCatalog } from './catalog/sqlite-catalog.js';
import { type ArchiveCatalog } from './catalog/types.js';
import type { ArchiveConfig } from './config.js';
import { openArchiveDatabase, type ArchiveDatabase } from './db/database.js';
import { openPostgres } from './db/postgres.js';
import { LocalObjectStore } from './store/local-store.js';
import { S3ObjectStore, type S3StoreConfig } from './store/s3-store.js';
import { type ObjectStore } from './store/object-store.js';

export const CATALOG_FILE = 'catalog.sqlite';
export const OBJECTS_DIR = 'objects';

export interface Archive {
  dataDir: string;
  /** Where the catalog, the audit log and the accounts are. */
  database: 'sqlite' | 'postgres';
  /** The SQLite database; null when they are in PostgreSQL. */
  db: ArchiveDatabase | null;
  audit: AuditTrail;
  catalog: ArchiveCatalog;
  accounts: Accounts;
  store: ObjectStore;
  close(): Promise<void>;
}

export interface OpenArchiveOptions {
  now?: () => Date;
  /** postgres://… : the catalog, audit log and accounts in PostgreSQL; absent: SQLite in dataDir. */
  databaseUrl?: string | null;
  /** The files in an S3-compatible store (checked before use); absent: dataDir/objects. */
  s3?: S3StoreConfig | null;
}

/** The archive as the configuration describes it (its database and its store): the service and every CLI open it so. */
export function openConfiguredArchive(config: Pick<ArchiveConfig, 'databaseUrl' | 's3'>, dataDir: string): Promise<Archive> {
  return openArchive(dataDir, { databaseUrl: config.databaseUrl, s3: config.s3 });
}

export async function openArchive(dataDir: string, options: OpenArchiveOptions = {}): Promise<Archive> {
  mkdirSync(join(dataDir, OBJECTS_DIR), { recursive: true, mode: 0o750 });
  const store = options.s3 ? await checkedS3Store(options.s3) : new LocalObjectStore(join(dataDir, OBJECTS_DIR));
  const clock = options.now ?? (() => new Date());
  if (options.databaseUrl) {
    const pool = await openPostgres(options.databaseUrl);
    const audit = new PostgresAuditLog(pool, options.now);
    const catalog = new PostgresCatalog(pool, audit);
    const accounts = new Accounts(new PostgresAccountStore(pool, audit), () => clock().getTime());
    return { dataDir, database: 'postgres', db: null, audit, catalog, accounts, store, close: () => catalog.close() };
  }
  const db = openArchiveDatabase(join(dataDir, CATALOG_FILE));
  const log = new AuditLog(db, options.now);
  const catalog = new SqliteCatalog(db, log);
  const accounts = new Accounts(new SqliteAccountStore(db, log), () => clock().getTime());
  return { dataDir, database: 'sqlite', db, audit: new SqliteAuditTrail(log), catalog, accounts, store, close: () => catalog.close() };
}

/** The bucket answers, with Object Lock enabled when it is asked for: otherwise nothing starts. */
async function checkedS3Store(config: S3StoreConfig): Promise<S3ObjectStore> {
  const store = new S3ObjectStore(config);
  await store.checkBucket();
  return store;
}
