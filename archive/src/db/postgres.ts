/**
 * Opens the archive's PostgreSQL database (ARCHIVE_DATABASE_URL): a connection pool whose
 * bigint columns (the times, in milliseconds) come back as numbers, then the pending
 * migrations, applied under an advisory lock so that two processes starting at once do not
 * both migrate.
 */
import pg from 'pg';
import { ArchiveError } from '../errors.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;

// Arbitrary constants naming the archive's advisory locks.
const MIGRATION_LOCK = 0x636f6e63_6c61;
export const AUDIT_LOCK = 0x636f6e63_6175;

const INT8 = 20;
const parseInt8 = (value: string): number => {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new ArchiveError('database', `a bigint out of JavaScript's safe range: ${value}`);
  return number;
};
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** Connections in the pool; default 10. */
  max?: number;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresPool> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    await migratePostgres(pool);
    return pool;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function postgresSchemaVersion(pool: PostgresPool | PostgresClient): Promise<number> {
  const exists = await pool.query<{ found: boolean }>("SELECT to_regclass('archive_schema') IS NOT NULL AS found");
  if (!exists.rows[0]?.found) return 0;
  const { rows } = await pool.query<{ version: number }>('SELECT coalesce(max(version), 0) AS version FROM archive_schema');
  return rows[0]?.version ?? 0;
}

/** Applies the migrations the database has not had, each in its own transaction with its version. */
export async function migratePostgres(pool: PostgresPool, migrations: readonly string[] = POSTGRES_MIGRATIONS): Promise<void> {
  for (;;) {
    const applied = await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS archive_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const current = await postgresSchemaVersion(client);
      if (current > migrations.length) {
        throw new ArchiveError('database', `PostgreSQL: schema version ${current} is newer than this software knows (${migrations.length}): upgrade the archive before opening it`);
      }
      if (current === migrations.length) return false;
      await client.query(migrations[current] ?? '');
      await client.query('INSERT INTO archive_schema (version) VALUES ($1)', [current + 1]);
      return true;
    });
    if (!applied) return;
  }
}

/** The PostgreSQL error code of a failed query ('23505' a unique violation), if it is one. */
export function pgCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
