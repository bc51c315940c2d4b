/**
 * An archive on one machine: `<dataDir>/catalog.sqlite` (catalog and audit log) and
 * `<dataDir>/objects/` (the recordings' files).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from './audit/audit-log.js';
import { SqliteCatalog } from './catalog/sqlite-catalog.js';
import { type ArchiveCatalog } from './catalog/types.js';
import { openArchiveDatabase, type ArchiveDatabase } from './db/database.js';
import { LocalObjectStore } from './store/local-store.js';
import { type ObjectStore } from './store/object-store.js';

export const CATALOG_FILE = 'catalog.sqlite';
export const OBJECTS_DIR = 'objects';

export interface Archive {
  dataDir: string;
  db: ArchiveDatabase;
  audit: AuditLog;
  catalog: ArchiveCatalog;
  store: ObjectStore;
  close(): void;
}

export function openArchive(dataDir: string, options: { now?: () => Date } = {}): Archive {
  mkdirSync(join(dataDir, OBJECTS_DIR), { recursive: true, mode: 0o750 });
  const db = openArchiveDatabase(join(dataDir, CATALOG_FILE));
  const audit = new AuditLog(db, options.now);
  const catalog = new SqliteCatalog(db, audit);
  return { dataDir, db, audit, catalog, store: new LocalObjectStore(join(dataDir, OBJECTS_DIR)), close: () => db.close() };
}
