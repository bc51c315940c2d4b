import type { Segment } from './api-types.js';
import { axisLengthMs, locate, nextSegment, orderSegments, segmentEnded, segmentLengthMs, toRecordingMs } from './seek-map.js';
import { SyncClock } from './sync-clock.js';

const TICK_MS = 200;

/**
 * Plays a recording segment by segment: one video per participant of the current
 * segment, all on one SyncClock; `time` is seconds from the recording's start, over all
 * segments, for the seek bar. Switching segments swaps the videos (the component keys
 * them on `segment`), and the new ones join the clock where it is.
 */
export class PlayerState {
  readonly segments: readonly Segment[];
  /** Seconds: the seek bar's max. */
  readonly duration: number;
  readonly #clock: SyncClock;
  #position = $state(0);
  #time = $state(0);
  #playing = $state(false);
  #blocked = $state(false);
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(segments: readonly Segment[], recordingDurationMs: number, clock: SyncClock = new SyncClock()) {
    this.segments = orderSegments(segments);
    this.duration = axisLengthMs(this.segments, recordingDurationMs) / 1000;
    this.#clock = clock;
    this.#time = (this.segments[0]?.startOffsetMs ?? 0) / 1000;
  }

  /** Index into `segments` of the one playing. */
  get position(): number {
    return this.#position;
  }
  get segment(): Segment | null {
    return this.segments[this.#position] ?? null;
  }
  get time(): number {
    return this.#time;
  }
  get playing(): boolean {
    return this.#playing;
  }
  /** The browser refused to start playback without a click. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** For `{@attach}` on each video: joins the clock, leaves it when the video goes. */
  member = (video: HTMLVideoElement): (() => void) => {
    this.#clock.add(video);
    return () => {
      this.#clock.remove(video);
      video.pause();
    };
  };

  async toggle(): Promise<void> {
    if (this.#playing) this.pause();
    else await this.play();
  }

  async play(): Promise<void> {
    const segment = this.segment;
    if (!segment) return;
    // Played to the end: start again.
    if (this.#position === this.segments.length - 1 && segmentEnded(segment, this.#clock.time * 1000)) this.seek(0);
    this.#playing = true;
    this.#blocked = false;
    this.#startTimer();
    if (!(await this.#clock.play())) {
      this.#blocked = true;
      this.pause();
    }
  }

  pause(): void {
    this.#playing = false;
    this.#clock.pause();
    this.#stopTimer();
    this.#update();
  }

  /** Seconds from the recording's start. */
  seek(seconds: number): void {
    const where = locate(this.segments, seconds * 1000);
    if (!where) return;
    if (where.segment !== this.#position) {
      // The videos change: the old ones leave now, the new ones join at the clock's time.
      this.#position = where.segment;
      this.#clock.reset(where.offsetMs / 1000);
    } else {
      this.#clock.seek(where.offsetMs / 1000);
    }
    this.#time = toRecordingMs(this.segments, where) / 1000;
  }

  destroy(): void {
    this.#stopTimer();
    this.#clock.pause();
  }

  /** Follows the clock: corrects drift, moves the seek bar, goes on to the next segment. */
  tick(): void {
    this.#clock.tick();
    const segment = this.segment;
    if (!segment) return;
    const offsetMs = this.#clock.time * 1000;
    if (this.#playing && segmentEnded(segment, offsetMs)) {
      const next = nextSegment(this.segments, this.#position);
      if (next === null) {
        this.pause();
        this.#time = segment.endOffsetMs / 1000;
        return;
      }
      this.#position = next;
      this.#clock.reset(0);
    }
    this.#update();
  }

  #update(): void {
    const segment = this.segment;
    if (!segment) return;
    const offsetMs = Math.min(this.#clock.time * 1000, segmentLengthMs(segment));
    this.#time = (segment.startOffsetMs + offsetMs) / 1000;
  }

  #startTimer(): void {
    this.#timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
