import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Segment } from './api-types.js';
import { PlayerState } from './player.svelte.js';
import { SyncClock } from './sync-clock.js';

const segment = (index: number, startOffsetMs: number, endOffsetMs: number): Segment => ({
  index,
  file: `segments/segment-${index}.mkv`,
  startOffsetMs,
  endOffsetMs,
  tracks: [],
  chapters: [],
  access: [],
});

describe('PlayerState', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup() {
    const clock = { now: 0 };
    // Given out of order, with a gap between 10 s and 12 s.
    const player = new PlayerState([segment(1, 12_000, 20_000), segment(0, 0, 10_000)], 20_000, new SyncClock({ now: () => clock.now }));
    return { clock, player };
  }

  it('plays segment after segment on one axis, then stops at the end', async () => {
    const { clock, player } = setup();
    expect([player.duration, player.position, player.segment?.index]).toEqual([20, 0, 0]);
    await player.play();
    clock.now += 4_000;
    player.tick();
    expect(player.time).toBeCloseTo(4);
    clock.now += 6_000;
    player.tick();
    expect([player.position, player.segment?.index, player.playing]).toEqual([1, 1, true]);
    expect(player.time).toBeCloseTo(12);
    clock.now += 3_000;
    player.tick();
    expect(player.time).toBeCloseTo(15);
    clock.now += 5_000;
    player.tick();
    expect([player.playing, player.time]).toEqual([false, 20]);
    // Play again from the end starts over.
    await player.play();
    expect([player.position, player.time]).toEqual([0, 0]);
    player.destroy();
  });

  it('seeks across segments, into the gap and back', () => {
    const { player } = setup();
    player.seek(15);
    expect([player.position, player.time]).toEqual([1, 15]);
    player.seek(11);
    expect([player.position, player.time]).toEqual([1, 12]);
    player.seek(2.5);
    expect([player.position, player.time]).toEqual([0, 2.5]);
    player.destroy();
  });
});
