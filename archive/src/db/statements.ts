/**
 * Prepared statements kept by their SQL, so that hot paths (a bulk insert, each search)
 * prepare a statement once: preparing costs more than running a small one. Bounded, since
 * some texts vary (a search's with its filters and number of tags).
 */
import type Database from 'better-sqlite3';
import { type ArchiveDatabase } from './database.js';

export class PreparedStatements {
  readonly #db: ArchiveDatabase;
  readonly #byText = new Map<string, Database.Statement>();
  readonly #max: number;

  constructor(db: ArchiveDatabase, max = 256) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max: a positive whole number, not ${max}`);
    this.#db = db;
    this.#max = max;
  }

  get(sql: string): Database.Statement {
    let statement = this.#byText.get(sql);
    if (!statement) {
      if (this.#byText.size >= this.#max) this.#byText.clear();
      statement = this.#db.prepare(sql);
      this.#byText.set(sql, statement);
    }
    return statement;
  }
}
