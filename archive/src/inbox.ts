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

  async #scan(): Promise<void> {
    const { dir, log } = this.#options;
    // Hidden names are recordings still being sealed (the recorder writes .<id>.partial, then renames).
    const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));
    for (const name of names) {
      const recording = join(dir, name);
      const manifest = await stat(join(recording, MANIFEST_FILE)).catch(() => null);
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
