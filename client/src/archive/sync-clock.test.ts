import { describe, expect, it } from 'vitest';
import { needsCorrection, SyncClock, type SyncMedia } from './sync-clock.js';

/** A media element that plays at `rate` on the fake clock. */
class FakeMedia implements SyncMedia {
  paused = true;
  readyState = 4;
  error: unknown = null;
  plays = 0;
  refuse = false;
  #time = 0;
  #since: number;
  constructor(
    private readonly clock: { now: number },
    public duration = 60,
    public rate = 1,
  ) {
    this.#since = clock.now;
  }
  get ended(): boolean {
    return this.currentTime >= this.duration;
  }
  get currentTime(): number {
    const elapsed = this.paused ? 0 : ((this.clock.now - this.#since) / 1000) * this.rate;
    return Math.min(this.duration, this.#time + elapsed);
  }
  set currentTime(value: number) {
    this.#time = value;
    this.#since = this.clock.now;
  }
  play(): Promise<void> {
    if (this.refuse) return Promise.reject(new DOMException('no autoplay', 'NotAllowedError'));
    this.#freeze();
    this.paused = false;
    this.plays++;
    return Promise.resolve();
  }
  pause(): void {
    this.#freeze();
    this.paused = true;
  }
  #freeze(): void {
    const time = this.currentTime;
    this.currentTime = time;
  }
}

function setup(count = 3) {
  const clock = { now: 1_000 };
  const sync = new SyncClock({ now: () => clock.now });
  const media = Array.from({ length: count }, () => new FakeMedia(clock));
  for (const item of media) sync.add(item);
  return { clock, sync, media };
}

describe('needsCorrection', () => {
  it('tolerates 0.1 s of drift either way', () => {
    expect(needsCorrection(10, 10.1)).toBe(false);
    expect(needsCorrection(10, 9.95)).toBe(false);
    expect(needsCorrection(10, 10.11)).toBe(true);
    expect(needsCorrection(10, 9.8)).toBe(true);
    expect(needsCorrection(10, 10.3, 0.5)).toBe(false);
  });
});

describe('SyncClock', () => {
  it('plays, pauses and seeks every member together', async () => {
    const { clock, sync, media } = setup();
    expect(await sync.play()).toBe(true);
    expect(media.every((m) => !m.paused)).toBe(true);
    clock.now += 2_000;
    expect(sync.time).toBeCloseTo(2);
    sync.pause();
    expect(media.every((m) => m.paused)).toBe(true);
    sync.seek(30);
    expect(media.map((m) => m.currentTime)).toEqual([30, 30, 30]);
    clock.now += 5_000;
    expect(sync.time).toBe(30);
  });

  it('moves a follower that drifted past the tolerance to the master, and only then', async () => {
    const { clock, sync, media } = setup();
    const [master, close, far] = media as [FakeMedia, FakeMedia, FakeMedia];
    close.rate = 1.02; // 0.02 s per second: still within 0.1 s after 4 s
    far.rate = 0.9; // 0.1 s per second: out after 2 s
    await sync.play();
    clock.now += 500;
    expect(sync.tick()).toEqual([]);
    clock.now += 1_500;
    const corrections = sync.tick();
    expect(corrections).toHaveLength(1);
    expect(corrections[0]).toMatchObject({ media: far, to: master.currentTime });
    expect(corrections[0]!.from).toBeCloseTo(1.8);
    expect(far.currentTime).toBe(master.currentTime);
    expect(sync.master).toBe(master);
    clock.now += 2_000;
    expect(sync.tick()).toHaveLength(1); // far again, close drifted only 0.08 s
    expect(close.currentTime - master.currentTime).toBeCloseTo(0.08);
  });

  it('restarts a follower that stopped while the clock plays, and stops one that plays while paused', async () => {
    const { sync, media } = setup(2);
    await sync.play();
    media[1]!.pause();
    sync.tick();
    expect(media[1]!.paused).toBe(false);
    sync.pause();
    await media[1]!.play();
    sync.tick();
    expect(media[1]!.paused).toBe(true);
  });

  it('leads with the next member when the master has no metadata or has ended', async () => {
    const { clock, sync, media } = setup();
    media[0]!.readyState = 0;
    expect(sync.master).toBe(media[1]);
    media[0]!.readyState = 4;
    media[0]!.duration = 3; // a participant who left: a shorter file
    await sync.play();
    clock.now += 5_000;
    expect(sync.master).toBe(media[1]);
    expect(sync.time).toBeCloseTo(5);
    expect(sync.tick()).toEqual([]); // the short one stays at its end
    sync.seek(1);
    expect(media[0]!.currentTime).toBe(1);
    sync.seek(10);
    expect(media[0]!.currentTime).toBe(3);
  });

  it('drops every member on reset and keeps playing for the next ones', async () => {
    const { clock, sync, media } = setup(2);
    await sync.play();
    clock.now += 3_000;
    sync.reset(0);
    expect(sync.members).toEqual([]);
    expect(media.every((m) => m.paused)).toBe(true);
    expect(sync.playing).toBe(true);
    clock.now += 500;
    const next = new FakeMedia(clock);
    sync.add(next);
    expect(next.currentTime).toBeCloseTo(0.5);
    expect(next.paused).toBe(false);
  });

  it('waits for loading members instead of running ahead, unless they all failed', async () => {
    const clock = { now: 0 };
    const sync = new SyncClock({ now: () => clock.now });
    const loading = new FakeMedia(clock);
    loading.readyState = 0;
    sync.add(loading);
    await sync.play();
    clock.now += 2_000;
    expect(sync.time).toBe(0);
    loading.error = { code: 4 };
    clock.now += 1_000;
    expect(sync.time).toBeCloseTo(1);
  });

  it('runs on its own without members, from the fake clock', async () => {
    const clock = { now: 0 };
    const sync = new SyncClock({ now: () => clock.now });
    expect(sync.master).toBeNull();
    await sync.play();
    clock.now += 1_250;
    expect(sync.time).toBeCloseTo(1.25);
    sync.pause();
    clock.now += 1_000;
    expect(sync.time).toBeCloseTo(1.25);
    sync.seek(7);
    expect(sync.time).toBe(7);
  });

  it('keeps time when every member has run out, so the segment can still end', async () => {
    const clock = { now: 0 };
    const sync = new SyncClock({ now: () => clock.now });
    const short = new FakeMedia(clock, 2);
    sync.add(short);
    await sync.play();
    clock.now += 1_000;
    expect(sync.time).toBeCloseTo(1);
    clock.now += 2_000;
    expect(sync.master).toBeNull();
    expect(sync.time).toBeCloseTo(3);
  });

  it('brings a member added later to the clock, and reports a refused play', async () => {
    const { clock, sync, media } = setup(1);
    await sync.play();
    clock.now += 4_000;
    const late = new FakeMedia(clock);
    sync.add(late);
    expect(late.currentTime).toBeCloseTo(4);
    expect(late.paused).toBe(false);
    sync.remove(late);
    expect(sync.members).toEqual(media);
    sync.pause();
    media[0]!.refuse = true;
    expect(await sync.play()).toBe(false);
  });
});
