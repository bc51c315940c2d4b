/**
 * What the recording service stored while the recording ran: the chunks the recorder page
 * uploads (`<dataDir>/work/<id>/chunks/<seq>.json` and `.chunk`, 1 s of one track each),
 * read as they arrive, every frame's arrival time at the recorder (`receivedAt`, stamped
 * in its media worker once the frame is decrypted). Finalize deletes the chunks once the
 * recording is sealed, so the log is read during the recording and once more when
 * finalize has started (the files stay until the sealed directory is renamed).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeChunk } from '@conclave/protocol';

interface Meta {
  name?: string;
  kind?: string;
}

export class ChunkLog {
  readonly #seen = new Set<string>();
  /** `${name}/${kind}` → arrival times, ms since the epoch. */
  readonly #arrivals = new Map<string, number[]>();

  constructor(readonly dir: string) {}

  /** Reads the chunks stored since the last scan; false if some could not be read (already deleted). */
  async scan(): Promise<boolean> {
    let complete = true;
    for (const file of await readdir(this.dir).catch(() => [] as string[])) {
      if (!file.endsWith('.json') || this.#seen.has(file)) continue;
      try {
        // The .chunk is written (atomically) before its .json: once the .json exists, both are whole.
        const meta = JSON.parse(await readFile(join(this.dir, file), 'utf8')) as Meta;
        const data = new Uint8Array(await readFile(join(this.dir, file.replace(/\.json$/, '.chunk'))));
        this.#seen.add(file);
        if (!meta.name || (meta.kind !== 'audio' && meta.kind !== 'video')) continue;
        const key = `${meta.name}/${meta.kind}`;
        const list = this.#arrivals.get(key) ?? [];
        for (const frame of decodeChunk(data)) list.push(frame.receivedAt);
        this.#arrivals.set(key, list);
      } catch {
        complete = false;
      }
    }
    return complete;
  }

  /** `${name}/${kind}` of every track stored so far. */
  tracks(): Set<string> {
    return new Set(this.#arrivals.keys());
  }

  /** Frames of a participant's track that reached the recorder in (from, to]. */
  count(name: string, kind: 'audio' | 'video', from: number, to: number): number {
    return (this.#arrivals.get(`${name}/${kind}`) ?? []).filter((at) => at > from && at <= to).length;
  }

  /** Every frame of a participant's track stored. */
  total(name: string, kind: 'audio' | 'video'): number {
    return this.#arrivals.get(`${name}/${kind}`)?.length ?? 0;
  }
}
