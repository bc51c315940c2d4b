/**
 * Opens the archive's SQLite database: WAL (readers never wait for the writer), foreign
 * keys on, a busy timeout for the other processes (CLIs) sharing the file, synchronous
 * FULL (a committed ingest survives a power cut), then the pending migrations.
 */
import Database from 'better-sqlite3';
import { ArchiveError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type ArchiveDatabase = Database.Database;

export interface OpenOptions {
  busyTimeoutMs?: number;
  readonly?: boolean;
}

export function openArchiveDatabase(file: string, options: OpenOptions = {}): ArchiveDatabase {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    db.pragma('foreign_keys = ON');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: ArchiveDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the migrations the database has not had, each in its own transaction with its version bump. */
export function migrate(db: ArchiveDatabase, migrations: readonly string[] = MIGRATIONS): void {
  const apply = db.transaction((index: number) => {
    // Re-read inside the (immediate) transaction: another process may have migrated meanwhile.
    if (schemaVersion(db) !== index) return;
    db.exec(migrations[index] ?? '');
    db.pragma(`user_version = ${index + 1}`);
  });
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new ArchiveError('database', `${db.name}: schema version ${current} is newer than this software knows (${migrations.length}): upgrade the archive before opening it`);
  }
  for (let index = current; index < migrations.length; index++) apply.immediate(index);
}
