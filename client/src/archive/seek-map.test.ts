import { describe, expect, it } from 'vitest';
import { axisLengthMs, locate, nextSegment, orderSegments, segmentEnded, toRecordingMs } from './seek-map.js';

// 0-60 s, 60-90 s, then a recorder restart: a gap to 100 s, then 100-130 s.
const segments = orderSegments([
  { index: 2, startOffsetMs: 100_000, endOffsetMs: 130_000 },
  { index: 0, startOffsetMs: 0, endOffsetMs: 60_000 },
  { index: 1, startOffsetMs: 60_000, endOffsetMs: 90_000 },
]);

describe('seek mapping', () => {
  it('orders segments by time and measures the axis', () => {
    expect(segments.map((segment) => segment.index)).toEqual([0, 1, 2]);
    expect(axisLengthMs(segments)).toBe(130_000);
    expect(axisLengthMs(segments, 131_000)).toBe(131_000);
    expect(axisLengthMs([])).toBe(0);
  });

  it('maps recording time to a segment and a time within it', () => {
    expect(locate(segments, 0)).toEqual({ segment: 0, offsetMs: 0 });
    expect(locate(segments, 59_999)).toEqual({ segment: 0, offsetMs: 59_999 });
    // A boundary belongs to the segment that starts there.
    expect(locate(segments, 60_000)).toEqual({ segment: 1, offsetMs: 0 });
    expect(locate(segments, 75_500)).toEqual({ segment: 1, offsetMs: 15_500 });
    expect(locate(segments, 120_000)).toEqual({ segment: 2, offsetMs: 20_000 });
  });

  it('lands in the gap on the next segment start, and clamps outside the recording', () => {
    expect(locate(segments, 90_000)).toEqual({ segment: 2, offsetMs: 0 });
    expect(locate(segments, 95_000)).toEqual({ segment: 2, offsetMs: 0 });
    expect(locate(segments, 130_000)).toEqual({ segment: 2, offsetMs: 30_000 });
    expect(locate(segments, 500_000)).toEqual({ segment: 2, offsetMs: 30_000 });
    expect(locate(segments, -5)).toEqual({ segment: 0, offsetMs: 0 });
    expect(locate(segments, Number.NaN)).toEqual({ segment: 0, offsetMs: 0 });
    expect(locate([], 10)).toBeNull();
  });

  it('handles a recording that starts after its first millisecond', () => {
    const late = [{ startOffsetMs: 2_000, endOffsetMs: 10_000 }];
    expect(locate(late, 1_000)).toEqual({ segment: 0, offsetMs: 0 });
    expect(toRecordingMs(late, { segment: 0, offsetMs: 500 })).toBe(2_500);
  });

  it('maps back to recording time, clamped to the segment', () => {
    for (const ms of [0, 59_999, 60_000, 75_500, 100_000, 130_000]) expect(toRecordingMs(segments, locate(segments, ms)!)).toBe(ms);
    expect(toRecordingMs(segments, { segment: 1, offsetMs: 45_000 })).toBe(90_000);
    expect(toRecordingMs(segments, { segment: 1, offsetMs: -3 })).toBe(60_000);
    expect(toRecordingMs(segments, { segment: 9, offsetMs: 0 })).toBe(0);
  });

  it('knows when a segment is over and which comes next', () => {
    expect(segmentEnded(segments[1]!, 29_900)).toBe(false);
    expect(segmentEnded(segments[1]!, 29_960)).toBe(true);
    expect(nextSegment(segments, 0)).toBe(1);
    expect(nextSegment(segments, 2)).toBeNull();
  });
});
