import { asApiError, type ArchiveApiError } from './api-error.js';
import { holdOf, type ParticipantSpeaking, type RecordingDetail } from './api-types.js';
import type { ArchiveApi } from './archive-api.js';
import { PlayerState } from './player.svelte.js';

export type HoldNotice = 'placed' | 'released' | null;

/** One recording's page: its details, its speaking timeline, export and legal hold. */
export class RecordingState {
  readonly #api: ArchiveApi;
  readonly id: string;
  #detail = $state.raw<RecordingDetail | null>(null);
  #error = $state.raw<ArchiveApiError | null>(null);
  #speaking = $state.raw<ParticipantSpeaking[] | null>(null);
  #speakingError = $state.raw<ArchiveApiError | null>(null);
  #exporting = $state(false);
  #exported = $state<string | null>(null);
  #exportError = $state.raw<ArchiveApiError | null>(null);
  #holdBusy = $state(false);
  #holdNotice = $state<HoldNotice>(null);
  #holdError = $state.raw<ArchiveApiError | null>(null);
  #player = $state.raw<PlayerState | null>(null);

  constructor(api: ArchiveApi, id: string) {
    this.#api = api;
    this.id = id;
  }

  /** Null until loaded, and for roles that may not play media. */
  get player(): PlayerState | null {
    return this.#player;
  }
  get detail(): RecordingDetail | null {
    return this.#detail;
  }
  get error(): ArchiveApiError | null {
    return this.#error;
  }
  get speaking(): ParticipantSpeaking[] | null {
    return this.#speaking;
  }
  get speakingError(): ArchiveApiError | null {
    return this.#speakingError;
  }
  get exporting(): boolean {
    return this.#exporting;
  }
  /** The file name of the last package downloaded. */
  get exported(): string | null {
    return this.#exported;
  }
  get exportError(): ArchiveApiError | null {
    return this.#exportError;
  }
  get holdBusy(): boolean {
    return this.#holdBusy;
  }
  get holdNotice(): HoldNotice {
    return this.#holdNotice;
  }
  get holdError(): ArchiveApiError | null {
    return this.#holdError;
  }
  /** The hold's reason ('' without one), or null when not on hold. */
  get hold(): string | null {
    return holdOf(this.#detail?.recording.legalHold);
  }

  fileUrl(path: string): string {
    return this.#api.fileUrl(this.id, path);
  }

  /** Loads the details, then the speaking timeline when `withMedia` (files need an archivist or admin). */
  async load(withMedia: boolean): Promise<void> {
    try {
      this.#detail = await this.#api.recording(this.id);
    } catch (error) {
      this.#error = asApiError(error);
      return;
    }
    if (withMedia) this.#player = new PlayerState(this.#detail.segments, this.#detail.recording.durationMs);
    const json = this.#detail.timelines?.json;
    if (withMedia && json) {
      try {
        this.#speaking = await this.#api.speaking(this.id, json);
      } catch (error) {
        this.#speakingError = asApiError(error);
      }
    }
  }

  destroy(): void {
    this.#player?.destroy();
  }

  /** POSTs the export and hands the tar to the browser as `<id>.bag.tar`. */
  async exportBag(save: (blob: Blob, filename: string) => void): Promise<void> {
    this.#exporting = true;
    this.#exported = null;
    this.#exportError = null;
    try {
      const blob = await this.#api.exportBag(this.id);
      const filename = `${this.id}.bag.tar`;
      save(blob, filename);
      this.#exported = filename;
    } catch (error) {
      this.#exportError = asApiError(error);
    } finally {
      this.#exporting = false;
    }
  }

  /** Places (`on`) or releases the hold, then reloads the details to show the archive's state. */
  async setHold(on: boolean, reason: string): Promise<boolean> {
    this.#holdBusy = true;
    this.#holdNotice = null;
    this.#holdError = null;
    try {
      if (on) await this.#api.placeHold(this.id, reason);
      else await this.#api.releaseHold(this.id, reason);
      this.#holdNotice = on ? 'placed' : 'released';
      this.#detail = await this.#api.recording(this.id);
      return true;
    } catch (error) {
      this.#holdError = asApiError(error);
      return false;
    } finally {
      this.#holdBusy = false;
    }
  }
}

/** Saves a blob as a file through a temporary <a download> (no navigation, no new window). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
