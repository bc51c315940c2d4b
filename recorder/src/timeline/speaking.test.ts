import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  audioLevelToLinear,
  detectSpeaking,
  formatVttTimestamp,
  speakingIntervals,
  speakingToJson,
  speakingToWebVtt,
  type LevelSample,
  type ParticipantSpeaking,
} from './speaking.js';

const LOUD = 0.3;
const QUIET = 0.001;

/** One sample every 20 ms (an Opus frame), loud within the given [from, to) spans. */
function samples(untilMs: number, loud: [number, number][], stepMs = 20): LevelSample[] {
  const out: LevelSample[] = [];
  for (let atMs = 0; atMs < untilMs; atMs += stepMs) {
    out.push({ atMs, level: loud.some(([from, to]) => atMs >= from && atMs < to) ? LOUD : QUIET });
  }
  return out;
}

describe('audioLevelToLinear', () => {
  it('converts RFC 6464 -dBov as browsers do, and passes linear levels through', () => {
    expect(audioLevelToLinear(0, 'rfc6464')).toBe(1);
    expect(audioLevelToLinear(20, 'rfc6464')).toBeCloseTo(0.1, 12);
    expect(audioLevelToLinear(40, 'rfc6464')).toBeCloseTo(0.01, 12);
    expect(audioLevelToLinear(127, 'rfc6464')).toBeLessThan(1e-6);
    expect(audioLevelToLinear(0.25, 'linear')).toBe(0.25);
    expect(() => audioLevelToLinear(128, 'rfc6464')).toThrow(RangeError);
    expect(() => audioLevelToLinear(-1, 'rfc6464')).toThrow(RangeError);
    expect(() => audioLevelToLinear(1.5, 'linear')).toThrow(RangeError);
    expect(() => audioLevelToLinear(Number.NaN, 'linear')).toThrow(RangeError);
  });
});

describe('speakingIntervals', () => {
  it('starts where the voice began once it lasts 200 ms, and ends where it stopped once quiet for 500 ms', () => {
    expect(speakingIntervals(samples(5000, [[1000, 2500]]))).toEqual([{ startMs: 1000, endMs: 2500 }]);
  });

  it('ignores a blip shorter than 200 ms', () => {
    expect(speakingIntervals(samples(3000, [[1000, 1180]]))).toEqual([]);
    expect(speakingIntervals(samples(3000, [[1000, 1220]]))).toEqual([{ startMs: 1000, endMs: 1220 }]);
  });

  it('bridges pauses shorter than 500 ms, and splits at longer ones', () => {
    expect(speakingIntervals(samples(6000, [[1000, 2000], [2400, 3000]]))).toEqual([{ startMs: 1000, endMs: 3000 }]);
    expect(speakingIntervals(samples(6000, [[1000, 2000], [2600, 3000]]))).toEqual([
      { startMs: 1000, endMs: 2000 },
      { startMs: 2600, endMs: 3000 },
    ]);
  });

  it('ends speech at a hole in the samples, and merges intervals closer than 300 ms', () => {
    // No samples from 2000 to 3600 (muted or link dropped): speech stops at the last sample.
    const holed = samples(6000, [[1000, 5000]]).filter((s) => s.atMs < 2000 || s.atMs >= 3600);
    expect(speakingIntervals(holed)).toEqual([
      { startMs: 1000, endMs: 1980 },
      { startMs: 3600, endMs: 5000 },
    ]);
    // A short hole: two intervals 220 ms apart merge.
    const short = samples(6000, [[1000, 5000]]).filter((s) => s.atMs < 2000 || s.atMs >= 2200);
    expect(speakingIntervals(short, { maxSampleGapMs: 100 })).toEqual([{ startMs: 1000, endMs: 5000 }]);
  });

  it('closes speech still going at the end, and accepts samples in any order', () => {
    const list = samples(3000, [[1000, 3000]]).reverse();
    expect(speakingIntervals(list)).toEqual([{ startMs: 1000, endMs: 2980 }]);
    expect(speakingIntervals([])).toEqual([]);
  });

  it('honours a custom threshold and refuses bad samples', () => {
    expect(speakingIntervals(samples(5000, [[1000, 2500]]), { threshold: 0.5 })).toEqual([]);
    expect(() => speakingIntervals([{ atMs: 0, level: 2 }])).toThrow(RangeError);
    expect(() => speakingIntervals([{ atMs: -5, level: 0 }])).toThrow(RangeError);
  });
});

describe('WebVTT and JSON', () => {
  const speaking: ParticipantSpeaking[] = detectSpeaking([
    { participant: 'p1', name: 'Alice', samples: samples(8000, [[1000, 2500], [5000, 6000]]) },
    { participant: 'p2', name: 'Bob <b>&\nCo', samples: samples(8000, [[2000, 4000]]) },
    { participant: 'p3', name: '  ', samples: samples(8000, [[7000, 8000]]) },
  ]);

  it('gives one entry per participant in JSON', () => {
    expect(JSON.parse(speakingToJson(speaking))).toEqual([
      { participant: 'p1', name: 'Alice', intervals: [{ startMs: 1000, endMs: 2500 }, { startMs: 5000, endMs: 6000 }] },
      { participant: 'p2', name: 'Bob <b>&\nCo', intervals: [{ startMs: 2000, endMs: 4000 }] },
      { participant: 'p3', name: '  ', intervals: [{ startMs: 7000, endMs: 7980 }] },
    ]);
  });

  it('writes cues in start order, voice-tagged, with names escaped', () => {
    const vtt = speakingToWebVtt(speaking);
    expect(vtt).toBe(
      [
        'WEBVTT',
        '',
        '1',
        '00:00:01.000 --> 00:00:02.500',
        '<v Alice>Alice speaking</v>',
        '',
        '2',
        '00:00:02.000 --> 00:00:04.000',
        '<v Bob &lt;b&gt;&amp; Co>Bob &lt;b&gt;&amp; Co speaking</v>',
        '',
        '3',
        '00:00:05.000 --> 00:00:06.000',
        '<v Alice>Alice speaking</v>',
        '',
        '4',
        '00:00:07.000 --> 00:00:07.980',
        '<v p3>p3 speaking</v>',
        '',
      ].join('\n'),
    );
    // Structure: a header, then blocks of identifier, timing (start < end), one text line.
    const [header, ...blocks] = vtt.trimEnd().split('\n\n');
    expect(header).toBe('WEBVTT');
    let previousStart = '';
    for (const block of blocks) {
      const [id, timing, text, ...rest] = block.split('\n');
      expect(id).toMatch(/^\d+$/);
      const match = /^(\d{2,}:\d{2}:\d{2}\.\d{3}) --> (\d{2,}:\d{2}:\d{2}\.\d{3})$/.exec(timing!);
      expect(match).not.toBeNull();
      expect(match![1]! < match![2]!).toBe(true);
      expect(match![1]! >= previousStart).toBe(true);
      previousStart = match![1]!;
      expect(text).toMatch(/^<v [^>&\n]*(&(amp|lt|gt);[^>&\n]*)*>[^<>]*<\/v>$/);
      expect(rest).toEqual([]);
    }
  });

  it('translates the caption on request', () => {
    expect(speakingToWebVtt(speaking.slice(0, 1), { cueText: (name) => `${name} parle` })).toContain('<v Alice>Alice parle</v>');
  });

  it('formats timestamps past an hour', () => {
    expect(formatVttTimestamp(0)).toBe('00:00:00.000');
    expect(formatVttTimestamp(3_723_004.4)).toBe('01:02:03.004');
    expect(formatVttTimestamp(100 * 3_600_000)).toBe('100:00:00.000');
  });

  it.skipIf(!existsSync('/usr/bin/ffmpeg'))('is read by ffmpeg with every cue and name intact', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vtt-')), 'speaking.vtt');
    writeFileSync(file, speakingToWebVtt(speaking));
    // ffmpeg is lenient (it takes garbage timings silently), so what counts is that the
    // conversion finds every cue with its timing and text.
    execFileSync('/usr/bin/ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-c:s', 'copy', '-f', 'null', '-']);
    const srt = execFileSync('/usr/bin/ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'srt', '-'], { encoding: 'utf8' });
    expect(srt.match(/-->/g)).toHaveLength(4);
    expect(srt).toContain('00:00:02,000 --> 00:00:04,000');
    expect(srt).toContain('00:00:07,000 --> 00:00:07,980\np3 speaking');
    expect(srt).toContain('Bob <b>& Co speaking');
  });
});
