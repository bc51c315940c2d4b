/**
 * The inbox: a directory of sealed recordings (the recording service's `recordings/`, or
 * a copy), scanned at an interval. Each recording there is ingested once: ingestRecording
 * is idempotent ('already'); one refused (untrusted key, damaged file) is logged and
 * retried only when its manifest changes, one that failed otherwise (a full disk) at the
 * next scan.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { MANIFEST_FILE } from '@conclave/recorder/manifest';
import { type Archive } from './archive.js';
import { IngestRefusedError } from './errors.js';
import { ingestRecording } from './ingest/ingest.js';
import { type RetentionPolicy } from './retention/policy.js';

export interface InboxOptions {
  dir: string;
  everyMs: number;
  trustedRecorderKeys: readonly string[];
  retention: RetentionPolicy;
  log: Logger;
}

export class Inbox {
  readonly #archive: Archive;
  readonly #options: InboxOptions;
  /** Recording directory → manifest mtime, for those done with (ingested, or refused as they are). */
  readonly #done = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #scanning: Promise<void> | null = null;

  constructor(archive: Archive, options: InboxOptions) {
    this.#archive = archive;
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => void this.scan(), this.#options.everyMs);
    void this.scan();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#scanning;
  }

  /** One pass over the inbox; concurrent calls share it. */
  scan(): Promise<void> {
    this.#scanning ??= this.#scan().finally(() => (this.#scanning = null));
    return this.#scanning;
  }

  /** Paths the inbox could not read, with the error last logged: each is logged once, and again when it changes or clears. */
  readonly #unreadablePaths = new Map<string, string>();

  /** Logs that `path` cannot be read (error) or can be again (null); returns null for the caller to skip it. */
  #unreadable(path: string, error: NodeJS.ErrnoException | null): null {
    const { log } = this.#options;
    const known = this.#unreadablePaths.get(path);
    if (!error) {
      if (known !== undefined) log.info({ path }, 'inbox: readable again');
      this.#unreadablePaths.delete(path);
    } else if (known !== error.message) {
      this.#unreadablePaths.set(path, error.message);
      // The recorder makes its recordings directory with the first recording: missing is only a warning.
      if (error.code === 'ENOENT') log.warn({ path }, 'inbox: this directory does not exist (yet); nothing to ingest');
      else log.error({ path, err: error.message }, 'inbox: cannot read this path, so its recordings are not ingested (check the permissions: the archive user must read the recorder’s recordings)');
    }
    return null;
  }

  async #scan(): Promise<void> {
    const { dir, log } = this.#options;
    // Hidden names are recordings still being sealed (the recorder writes .<id>.partial, then renames).
    const listed = await readdir(dir).then(
      (names) => names,
      (error: NodeJS.ErrnoException) => this.#unreadable(dir, error),
    );
    if (listed) this.#unreadable(dir, null);
    const names = (listed ?? []).filter((name) => !name.startsWith('.'));
    for (const name of names) {
      const recording = join(dir, name);
      const manifest = await stat(join(recording, MANIFEST_FILE)).then(
        (found) => found,
        // Not sealed yet, or a file rather than a recording, is normal; anything else
        // (permissions, say) would otherwise skip it silently.
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? null : this.#unreadable(recording, error)),
      );
      if (manifest) this.#unreadable(recording, null);
      if (!manifest || this.#done.get(recording) === manifest.mtimeMs) continue;
      try {
        const result = await ingestRecording(recording, {
          catalog: this.#archive.catalog,
          store: this.#archive.store,
          audit: this.#archive.audit,
          trustedRecorderKeys: this.#options.trustedRecorderKeys,
          retention: this.#options.retention,
          actor: 'service:inbox',
          logger: log,
        });
        if (result.status === 'ingested') log.info({ recording: result.recordingId, files: result.files, bytes: result.bytes, chain: result.chain.status }, 'recording ingested');
        this.#done.set(recording, manifest.mtimeMs);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof IngestRefusedError) {
          // The recording itself is wrong (untrusted, damaged): trying again changes nothing until it does.
          log.error({ recording: name, err: message }, 'recording refused by the archive; it is retried when its manifest changes');
          this.#done.set(recording, manifest.mtimeMs);
        } else {
          log.error({ recording: name, err: message }, 'recording could not be ingested; retried at the next scan');
        }
      }
    }
  }
}
