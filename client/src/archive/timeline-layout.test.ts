import { describe, expect, it } from 'vitest';
import { layoutSpeaking } from './timeline-layout.js';

describe('layoutSpeaking', () => {
  it('clips intervals to the axis, sorts them and sums the time spoken', () => {
    const rows = layoutSpeaking(
      [
        { participant: 'p1', name: 'Ada', intervals: [{ startMs: 5_000, endMs: 9_000 }, { startMs: 0, endMs: 1_000 }, { startMs: 58_000, endMs: 70_000 }] },
        { participant: 'p2', name: '', intervals: [{ startMs: 3_000, endMs: 3_000 }, { startMs: 80_000, endMs: 90_000 }] },
      ],
      60_000,
    );
    expect(rows).toEqual([
      { participant: 'p1', name: 'Ada', bars: [{ x: 0, width: 1_000 }, { x: 5_000, width: 4_000 }, { x: 58_000, width: 2_000 }], spokenMs: 7_000 },
      { participant: 'p2', name: 'p2', bars: [], spokenMs: 0 },
    ]);
  });
});
