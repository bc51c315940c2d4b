/**
 * The archive's scheduled work: the fixity check of every stored file (each result a
 * PREMIS-style event, each mismatch an alert) and the retention sweep (deletes what has
 * expired and is not on hold, and finishes interrupted deletions). Runs one pass at a
 * time; the latest outcome of each is kept for the status endpoint.
 */
import type { Logger } from 'pino';
import { type Archive } from './archive.js';
import { runFixity, type FixityProblem } from './fixity/fixity.js';
import { sweepExpired } from './retention/retention.js';

export interface MaintenanceOptions {
  fixityEveryMs: number;
  sweepEveryMs: number;
  log: Logger;
}

export interface MaintenanceStatus {
  fixity: { at: string; recordings: number; files: number; problems: FixityProblem[] } | null;
  sweep: { at: string; deleted: number; failed: { recordingId: string; error: string }[] } | null;
}

export class Maintenance {
  readonly #archive: Archive;
  readonly #options: MaintenanceOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  #running: Promise<unknown> = Promise.resolve();
  readonly status: MaintenanceStatus = { fixity: null, sweep: null };

  constructor(archive: Archive, options: MaintenanceOptions) {
    this.#archive = archive;
    this.#options = options;
  }

  start(): void {
    this.#timers.push(
      setInterval(() => void this.fixity(), this.#options.fixityEveryMs),
      setInterval(() => void this.sweep(), this.#options.sweepEveryMs),
    );
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await this.#running.catch(() => undefined);
  }

  /** One fixity pass over every active recording; mismatches are logged at error level (the alert). */
  fixity(): Promise<MaintenanceStatus['fixity']> {
    return this.#serial(async () => {
      const { catalog, store, audit } = this.#archive;
      const report = await runFixity({ catalog, store, audit, actor: 'service:fixity' });
      for (const problem of report.problems) this.#options.log.error({ alert: 'fixity', ...problem }, `fixity check failed: ${problem.recordingId}/${problem.path} ${problem.message}`);
      this.status.fixity = { at: new Date().toISOString(), ...report };
      return this.status.fixity;
    });
  }

  /** Deletes what retention allows; failures are logged and retried at the next pass. */
  sweep(): Promise<MaintenanceStatus['sweep']> {
    return this.#serial(async () => {
      const report = await sweepExpired({ catalog: this.#archive.catalog, store: this.#archive.store }, 'service:retention');
      for (const failure of report.failed) this.#options.log.error({ alert: 'retention', ...failure }, 'a recording past its retention could not be deleted');
      this.status.sweep = { at: new Date().toISOString(), deleted: report.deleted.length, failed: report.failed };
      return this.status.sweep;
    });
  }

  #serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#running.catch(() => undefined).then(job);
    this.#running = next;
    return next;
  }
}
