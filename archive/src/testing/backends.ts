/**
 * The databases the archive runs on, for contract tests: the same suite, run with
 * describe.each over SQLite and a real PostgreSQL server (started before the file's tests,
 * stopped after them). Without PostgreSQL installed, its tests fail, saying what to
 * install, and SQLite's still run. For tests only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';
import { CATALOG_FILE, openArchive, type Archive, type OpenArchiveOptions } from '../archive.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

export interface OpenedArchive {
  archive: Archive;
  /** The PostgreSQL database's URL; null on SQLite. */
  databaseUrl: string | null;
  /** Runs SQL on the archive's database from outside the archive: another connection (SQLite), the superuser (PostgreSQL). */
  sql(statements: string): Promise<void>;
  /** Reads rows the same way. */
  rows(query: string): Promise<unknown[]>;
  /** The same, with the audit log's append-only triggers out of the way first: what someone with the database itself can do. */
  tamper(statements: string): Promise<void>;
}

export interface ArchiveBackend {
  name: 'SQLite' | 'PostgreSQL';
  open(options?: Omit<OpenArchiveOptions, 'databaseUrl'>): Promise<OpenedArchive>;
}

/** Call at the top of a test file: both backends, the PostgreSQL server shared by the file's tests. */
export function archiveBackends(prefix: string): ArchiveBackend[] {
  let server: Promise<PostgresServer> | null = null;
  const opened: Archive[] = [];
  beforeAll(async () => {
    server = startPostgres();
    // A failure is reported by each PostgreSQL test, not here (which would fail SQLite's too).
    await server.catch(() => null);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled(opened.map((archive) => archive.close()));
    if (server) (await server.catch(() => null))?.stop();
  });
  const dataDir = () => mkdtempSync(join(tmpdir(), `archive-${prefix}-`));

  const sqlite: ArchiveBackend = {
    name: 'SQLite',
    open: async (options = {}) => {
      const dir = dataDir();
      const archive = await openArchive(dir, options);
      opened.push(archive);
      const file = join(dir, CATALOG_FILE);
      const run = (statements: string, dropTriggers: boolean) => {
        const raw = new Database(file);
        try {
          if (dropTriggers) raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
          raw.exec(statements);
        } finally {
          raw.close();
        }
      };
      const rows = async (query: string) => {
        const raw = new Database(file, { readonly: true });
        try {
          return raw.prepare(query).all();
        } finally {
          raw.close();
        }
      };
      return { archive, databaseUrl: null, sql: async (statements) => run(statements, false), rows, tamper: async (statements) => run(statements, true) };
    },
  };

  const postgres: ArchiveBackend = {
    name: 'PostgreSQL',
    open: async (options = {}) => {
      server ??= startPostgres();
      const running = await server;
      const url = await running.createDatabase(prefix);
      const archive = await openArchive(dataDir(), { ...options, databaseUrl: url });
      opened.push(archive);
      const database = new URL(url).pathname.slice(1);
      const run = (statements: string) => running.superuser(database, async (client) => void (await client.query(statements)));
      return {
        archive,
        databaseUrl: url,
        sql: run,
        rows: (query) => running.superuser(database, async (client) => (await client.query(query)).rows as unknown[]),
        // Even the superuser is refused by the triggers until they are disabled.
        tamper: (statements) => run(`ALTER TABLE audit_log DISABLE TRIGGER USER; ${statements}; ALTER TABLE audit_log ENABLE TRIGGER USER;`),
      };
    },
  };
  return [sqlite, postgres];
}
