/**
 * Keeps several media elements (one per participant) on one clock. The first member that
 * can play leads (the master); on each tick every other member that drifted more than
 * the tolerance (0.1 s) from it is moved to its time, and play/pause/seek go to all. When
 * no member can lead (none at all, all failed, or all ended before the segment did) the
 * clock runs on its own from `now`, so time still advances to the segment's end; while
 * members are still loading it waits for them.
 * No DOM here: members only need the few HTMLMediaElement fields below, so tests use
 * plain objects and a fake `now`.
 */

export interface SyncMedia {
  currentTime: number;
  readonly paused: boolean;
  readonly ended: boolean;
  /** Seconds; NaN while unknown. */
  readonly duration: number;
  /** HTMLMediaElement.readyState: 1 has metadata, 2+ has the current frame. */
  readonly readyState: number;
  /** HTMLMediaElement.error: set when the file could not be loaded or decoded. */
  readonly error?: unknown;
  play(): Promise<void> | void;
  pause(): void;
}

export interface Correction {
  media: SyncMedia;
  from: number;
  to: number;
}

export interface SyncClockOptions {
  /** Seconds a follower may drift before it is moved; default 0.1. */
  toleranceS?: number;
  /** Milliseconds, monotonic; default performance.now. */
  now?: () => number;
}

export const DRIFT_TOLERANCE_S = 0.1;
const HAVE_METADATA = 1;

/** Whether a follower at `followerTime` must be moved to `masterTime`. */
export function needsCorrection(masterTime: number, followerTime: number, toleranceS = DRIFT_TOLERANCE_S): boolean {
  return Math.abs(followerTime - masterTime) > toleranceS;
}

/** Where a member should be at clock time `time`: its end if it is shorter. */
function targetFor(media: SyncMedia, time: number): number {
  return Number.isFinite(media.duration) ? Math.min(time, media.duration) : time;
}

function covers(media: SyncMedia, time: number): boolean {
  return !Number.isFinite(media.duration) || time < media.duration;
}

export class SyncClock {
  readonly #tolerance: number;
  readonly #now: () => number;
  #members: SyncMedia[] = [];
  #playing = false;
  // The free-running clock: `#anchorTime` seconds at `#anchorNow` milliseconds.
  #anchorTime = 0;
  #anchorNow: number;

  constructor(options: SyncClockOptions = {}) {
    this.#tolerance = options.toleranceS ?? DRIFT_TOLERANCE_S;
    this.#now = options.now ?? (() => performance.now());
    this.#anchorNow = this.#now();
  }

  get playing(): boolean {
    return this.#playing;
  }

  get members(): readonly SyncMedia[] {
    return this.#members;
  }

  /** The member that leads: the first with metadata that has not run out before the clock. */
  get master(): SyncMedia | null {
    const time = this.#freeTime();
    return this.#members.find((media) => media.readyState >= HAVE_METADATA && !media.ended && covers(media, time - this.#tolerance)) ?? null;
  }

  /** Seconds on the clock (in the current segment). */
  get time(): number {
    const master = this.master;
    if (master) {
      this.#anchor(master.currentTime);
      return master.currentTime;
    }
    if (this.#loading()) {
      // Members are still loading: the clock waits for them instead of running ahead.
      this.#anchor(this.#anchorTime);
      return this.#anchorTime;
    }
    return this.#freeTime();
  }

  /** Adds a member, brought to the clock's time and state. */
  add(media: SyncMedia): void {
    if (this.#members.includes(media)) return;
    const time = this.time;
    this.#members = [...this.#members, media];
    media.currentTime = targetFor(media, time);
    if (this.#playing && covers(media, time)) void this.#start(media);
  }

  remove(media: SyncMedia): void {
    const time = this.time;
    this.#members = this.#members.filter((member) => member !== media);
    this.#anchor(time);
  }

  /**
   * Drops every member (pausing it) and puts the clock at `seconds`, still playing if it
   * was: the next segment's videos join with add() and start where the clock is.
   */
  reset(seconds = 0): void {
    for (const media of this.#members) media.pause();
    this.#members = [];
    this.#anchor(Math.max(0, seconds));
  }

  /** Plays every member; resolves false if the browser refused one (autoplay policy). */
  async play(): Promise<boolean> {
    const time = this.time;
    this.#playing = true;
    this.#anchor(time);
    const results = await Promise.all(this.#members.filter((media) => covers(media, time)).map((media) => this.#start(media)));
    return results.every(Boolean);
  }

  pause(): void {
    const time = this.time;
    this.#playing = false;
    this.#anchor(time);
    for (const media of this.#members) media.pause();
  }

  /** Moves every member (and the clock) to `seconds`. */
  seek(seconds: number): void {
    const time = Math.max(0, seconds);
    this.#anchor(time);
    for (const media of this.#members) {
      media.currentTime = targetFor(media, time);
      if (this.#playing && covers(media, time) && media.paused) void this.#start(media);
    }
  }

  /**
   * Brings the followers back in line; call it a few times a second. Returns what it moved.
   * A follower that is shorter than the clock's time is left at its end.
   */
  tick(): Correction[] {
    const master = this.master;
    const time = this.time;
    const corrections: Correction[] = [];
    for (const media of this.#members) {
      if (media === master) continue;
      if (media.readyState < HAVE_METADATA) continue;
      const target = targetFor(media, time);
      if (needsCorrection(target, media.currentTime, this.#tolerance)) {
        corrections.push({ media, from: media.currentTime, to: target });
        media.currentTime = target;
      }
      if (this.#playing && media.paused && covers(media, time)) void this.#start(media);
      else if (!this.#playing && !media.paused) media.pause();
    }
    return corrections;
  }

  /** Some member may still lead: none has metadata yet, and not all of them failed. */
  #loading(): boolean {
    const live = this.#members.filter((media) => !media.error);
    return live.length > 0 && live.every((media) => media.readyState < HAVE_METADATA);
  }

  #freeTime(): number {
    return this.#playing ? this.#anchorTime + (this.#now() - this.#anchorNow) / 1000 : this.#anchorTime;
  }

  #anchor(time: number): void {
    this.#anchorTime = time;
    this.#anchorNow = this.#now();
  }

  async #start(media: SyncMedia): Promise<boolean> {
    try {
      await media.play();
      return true;
    } catch (error) {
      // NotAllowedError (autoplay) is the caller's to show; an aborted play (a seek or a
      // pause came first) is not a failure.
      return !(error instanceof Error && error.name === 'NotAllowedError');
    }
  }
}
