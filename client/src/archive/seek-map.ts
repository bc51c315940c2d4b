/**
 * The recording's one time axis over its segments. Segments carry their span in
 * milliseconds from the recording start (startOffsetMs..endOffsetMs); a segment's files
 * start at its startOffsetMs (the recorder muxes each track at its offset within the
 * segment), so a time in a segment is the recording time minus that offset. Between
 * segments (a recorder restart) there may be a gap, which nothing can show: seeking into
 * it lands on the start of the next segment.
 */

export interface SegmentSpan {
  startOffsetMs: number;
  endOffsetMs: number;
}

export interface Position {
  /** Index into the ordered segments (not the segment's own `index`). */
  segment: number;
  /** Milliseconds from the segment's start. */
  offsetMs: number;
}

/** Segments in time order (a copy). */
export function orderSegments<T extends SegmentSpan>(segments: readonly T[]): T[] {
  return [...segments].sort((a, b) => a.startOffsetMs - b.startOffsetMs || a.endOffsetMs - b.endOffsetMs);
}

/** The length of the axis: the end of the last segment, or `fallbackMs` (the recording's duration) if longer. */
export function axisLengthMs(segments: readonly SegmentSpan[], fallbackMs = 0): number {
  return Math.max(fallbackMs, 0, ...segments.map((segment) => segment.endOffsetMs));
}

/**
 * Where recording time `ms` is, in time-ordered `segments`: a segment holds its start and
 * not its end (the next one starts there), except the last, which holds its end. Before
 * the first segment clamps to its start, after the last to its end. Null without segments.
 */
export function locate(segments: readonly SegmentSpan[], ms: number): Position | null {
  if (segments.length === 0) return null;
  const time = Number.isFinite(ms) ? ms : 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as SegmentSpan;
    const last = i === segments.length - 1;
    if (time < segment.startOffsetMs) return { segment: i, offsetMs: 0 };
    if (time < segment.endOffsetMs || (last && time <= segment.endOffsetMs)) return { segment: i, offsetMs: time - segment.startOffsetMs };
  }
  const last = segments.length - 1;
  const segment = segments[last] as SegmentSpan;
  return { segment: last, offsetMs: segment.endOffsetMs - segment.startOffsetMs };
}

/** Recording time of a position. */
export function toRecordingMs(segments: readonly SegmentSpan[], position: Position): number {
  const segment = segments[position.segment];
  if (!segment) return 0;
  return segment.startOffsetMs + Math.min(Math.max(0, position.offsetMs), segmentLengthMs(segment));
}

export function segmentLengthMs(segment: SegmentSpan): number {
  return Math.max(0, segment.endOffsetMs - segment.startOffsetMs);
}

/** Whether a segment played to `offsetMs` is over (within `slackMs` of its end). */
export function segmentEnded(segment: SegmentSpan, offsetMs: number, slackMs = 50): boolean {
  return offsetMs >= segmentLengthMs(segment) - slackMs;
}

/** The segment after `index`, or null after the last. */
export function nextSegment(segments: readonly SegmentSpan[], index: number): number | null {
  return index + 1 < segments.length ? index + 1 : null;
}
