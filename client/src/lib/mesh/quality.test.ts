import { describe, expect, it } from 'vitest';
import { assessQuality, sampleStats, SpeakerDetector } from './quality.js';

const report = (entries: Record<string, unknown>[]) => entries.map((entry, i) => [String(i), entry] as [string, unknown]);

describe('link quality', () => {
  it('reads loss, RTT, jitter and audio level from getStats entries', () => {
    const first = sampleStats(report([
      { type: 'inbound-rtp', kind: 'video', packetsLost: 0, packetsReceived: 1000, jitter: 0.004 },
      { type: 'inbound-rtp', kind: 'audio', packetsLost: 0, packetsReceived: 500, jitter: 0.01, audioLevel: 0.2 },
      { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.012 },
      { type: 'candidate-pair', nominated: false, state: 'failed', currentRoundTripTime: 9 },
    ]));
    expect(first).toEqual({ lost: 0, received: 1500, rttMs: 12, jitterMs: 10, audioLevel: 0.2 });
    expect(assessQuality(null, first).level).toBe('good');

    const lossy = { ...first, lost: 100, received: 2400 };
    const quality = assessQuality(first, lossy);
    expect(quality.loss).toBeCloseTo(0.1);
    expect(quality.level).toBe('poor');
    expect(assessQuality(first, { ...first, lost: 30, received: 2470 }).level).toBe('fair');
    expect(assessQuality(null, { lost: 0, received: 0, rttMs: null, jitterMs: null, audioLevel: 0 }).level).toBe('unknown');
  });
});

describe('active speaker', () => {
  it('follows the loudest voice and holds it briefly through pauses', () => {
    const detector = new SpeakerDetector(0.05, 1000);
    expect(detector.update(new Map([['a', 0.01], ['b', 0.02]]), 0)).toBeNull();
    expect(detector.update(new Map([['a', 0.3], ['b', 0.1]]), 100)).toBe('a');
    expect(detector.update(new Map([['a', 0.0], ['b', 0.0]]), 600)).toBe('a');
    expect(detector.update(new Map([['a', 0.0], ['b', 0.0]]), 1200)).toBeNull();
    expect(detector.update(new Map([['a', 0.1], ['b', 0.4]]), 1300)).toBe('b');
  });
});
