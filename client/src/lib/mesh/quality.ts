/** Connection quality of one link, from two getStats() samples. */
export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

export interface LinkQuality {
  level: QualityLevel;
  /** Round-trip time in milliseconds, of the selected candidate pair. */
  rttMs: number | null;
  /** Inbound packets lost since the previous sample, as a fraction. */
  loss: number | null;
  /** Inbound jitter in milliseconds (the worst track). */
  jitterMs: number | null;
  /** Loudness of the remote microphone, 0 to 1 (for the active speaker). */
  audioLevel: number;
}

export interface StatsSample {
  lost: number;
  received: number;
  rttMs: number | null;
  jitterMs: number | null;
  audioLevel: number;
}

type Stat = Record<string, unknown> & { type: string; id: string };

/** Reads what quality needs from a report (works on any iterable of stats objects). */
export function sampleStats(report: Iterable<[string, unknown]> | RTCStatsReport): StatsSample {
  let lost = 0;
  let received = 0;
  let rttMs: number | null = null;
  let jitterMs: number | null = null;
  let audioLevel = 0;
  for (const [, value] of report as Iterable<[string, unknown]>) {
    const stat = value as Stat;
    if (stat.type === 'inbound-rtp') {
      lost += Number(stat.packetsLost ?? 0);
      received += Number(stat.packetsReceived ?? 0);
      if (typeof stat.jitter === 'number') jitterMs = Math.max(jitterMs ?? 0, stat.jitter * 1000);
      if (stat.kind === 'audio' && typeof stat.audioLevel === 'number') audioLevel = stat.audioLevel;
    } else if (stat.type === 'candidate-pair' && (stat.nominated === true || stat.selected === true) && stat.state === 'succeeded') {
      if (typeof stat.currentRoundTripTime === 'number') rttMs = stat.currentRoundTripTime * 1000;
    }
  }
  return { lost, received, rttMs, jitterMs, audioLevel };
}

export function assessQuality(previous: StatsSample | null, current: StatsSample): LinkQuality {
  let loss: number | null = null;
  if (previous) {
    const lost = current.lost - previous.lost;
    const total = lost + (current.received - previous.received);
    loss = total > 0 ? Math.max(0, lost) / total : null;
  }
  const { rttMs, jitterMs } = current;
  let level: QualityLevel = 'unknown';
  if (rttMs !== null || loss !== null) {
    if ((rttMs ?? 0) > 600 || (loss ?? 0) > 0.08 || (jitterMs ?? 0) > 100) level = 'poor';
    else if ((rttMs ?? 0) > 300 || (loss ?? 0) > 0.02 || (jitterMs ?? 0) > 40) level = 'fair';
    else level = 'good';
  }
  return { level, rttMs, loss, jitterMs, audioLevel: current.audioLevel };
}

/**
 * Picks who speaks: the loudest remote above a threshold; the current speaker keeps the
 * highlight for `holdMs` after falling quiet, so it does not flicker between people.
 */
export class SpeakerDetector {
  #current: string | null = null;
  #lastHeard = 0;

  constructor(
    readonly threshold = 0.04,
    readonly holdMs = 1500,
  ) {}

  update(levels: ReadonlyMap<string, number>, now: number): string | null {
    let loudest: string | null = null;
    let loudestLevel = this.threshold;
    for (const [id, level] of levels) {
      if (level > loudestLevel) {
        loudest = id;
        loudestLevel = level;
      }
    }
    if (loudest) {
      this.#current = loudest;
      this.#lastHeard = now;
    } else if (this.#current && (now - this.#lastHeard > this.holdMs || !levels.has(this.#current))) {
      this.#current = null;
    }
    return this.#current;
  }
}
