/**
 * The speaking timeline laid out on the recording's time axis: per participant, the
 * intervals clipped to the axis, in order, with the total time spoken. Drawn as SVG rects
 * in axis milliseconds, so nothing needs an inline style.
 */
import type { ParticipantSpeaking } from './api-types.js';

export interface Bar {
  x: number;
  width: number;
}

export interface SpeakerRow {
  participant: string;
  name: string;
  bars: Bar[];
  spokenMs: number;
}

export function layoutSpeaking(speaking: readonly ParticipantSpeaking[], axisMs: number): SpeakerRow[] {
  return speaking.map(({ participant, name, intervals }) => {
    const bars = (Array.isArray(intervals) ? intervals : [])
      .filter((interval) => Number.isFinite(interval.startMs) && Number.isFinite(interval.endMs))
      .map((interval) => {
        const start = Math.min(axisMs, Math.max(0, interval.startMs));
        const end = Math.min(axisMs, Math.max(0, interval.endMs));
        return { x: start, width: end - start };
      })
      .filter((bar) => bar.width > 0)
      .sort((a, b) => a.x - b.x);
    return { participant, name: name || participant, bars, spokenMs: bars.reduce((sum, bar) => sum + bar.width, 0) };
  });
}
