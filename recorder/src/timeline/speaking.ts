/**
 * Who spoke when, from per-frame audio levels: speaking intervals per participant, as
 * JSON and as WebVTT captions a player shows alongside the recording.
 *
 * Levels are linear, 0..1, as browsers report them (RTCEncodedAudioFrame metadata and
 * RTCRtpSynchronizationSource `audioLevel`: 1 is 0 dBov, 10^(-dBov/20)). A raw RFC 6464
 * header value (0..127, in -dBov) goes through audioLevelToLinear(value, 'rfc6464') first.
 */

export interface LevelSample {
  /** Milliseconds from the recording start. */
  atMs: number;
  /** Linear 0..1. */
  level: number;
}

export interface ParticipantLevels {
  participant: string;
  name: string;
  samples: LevelSample[];
}

export interface SpeakingInterval {
  startMs: number;
  endMs: number;
}

/** The JSON form: one entry per participant. */
export interface ParticipantSpeaking {
  participant: string;
  name: string;
  intervals: SpeakingInterval[];
}

export interface SpeakingOptions {
  /** Linear level above which a frame counts as voice; 0.01 is -40 dBov, well under speech and over suppressed noise. */
  threshold?: number;
  /** Loud this long before speech starts (a cough or a click is shorter). */
  minSpeechMs?: number;
  /** Quiet this long before speech ends (pauses between words are shorter). */
  hangoverMs?: number;
  /** Intervals closer than this are one. */
  mergeGapMs?: number;
  /** No sample for longer than this (muted, link dropped) ends speech: nothing is known in between. */
  maxSampleGapMs?: number;
}

const DEFAULTS: Required<SpeakingOptions> = { threshold: 0.01, minSpeechMs: 200, hangoverMs: 500, mergeGapMs: 300, maxSampleGapMs: 1000 };

/**
 * A level on the linear 0..1 scale. 'linear' is what browsers report (checked, returned
 * as is); 'rfc6464' is the RTP header extension's 0..127 (-dBov), converted as browsers
 * do: 10^(-value/20), so both sources compare against the same threshold.
 */
export function audioLevelToLinear(value: number, scale: 'linear' | 'rfc6464'): number {
  if (scale === 'rfc6464') {
    if (!Number.isInteger(value) || value < 0 || value > 127) throw new RangeError(`an RFC 6464 audio level is an integer 0..127, not ${value}`);
    return 10 ** (-value / 20);
  }
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`a linear audio level is 0..1, not ${value}`);
  return value;
}

/** Speaking intervals from one participant's samples (in any order), with hysteresis. */
export function speakingIntervals(samples: readonly LevelSample[], options: SpeakingOptions = {}): SpeakingInterval[] {
  const { threshold, minSpeechMs, hangoverMs, mergeGapMs, maxSampleGapMs } = { ...DEFAULTS, ...options };
  for (const sample of samples) {
    if (!Number.isFinite(sample.atMs) || sample.atMs < 0) throw new RangeError(`a sample time is milliseconds from the start, not ${sample.atMs}`);
    audioLevelToLinear(sample.level, 'linear');
  }
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  const found: SpeakingInterval[] = [];
  let loudSince: number | null = null; // while silent: the start of the current loud run
  let speakingSince: number | null = null;
  let quietSince: number | null = null; // while speaking: the start of the current quiet run
  let lastAt: number | null = null;
  const end = (endMs: number) => {
    if (speakingSince !== null && endMs > speakingSince) found.push({ startMs: speakingSince, endMs });
    speakingSince = loudSince = quietSince = null;
  };

  for (const { atMs, level } of sorted) {
    if (lastAt !== null && atMs - lastAt > maxSampleGapMs) end(quietSince ?? lastAt);
    const loud = level > threshold;
    if (speakingSince === null) {
      loudSince = loud ? (loudSince ?? atMs) : null;
      if (loudSince !== null && atMs - loudSince >= minSpeechMs) speakingSince = loudSince;
    } else if (loud) {
      quietSince = null;
    } else {
      quietSince ??= atMs;
      // Speech ended when the quiet began, not when we became sure of it.
      if (atMs - quietSince >= hangoverMs) end(quietSince);
    }
    lastAt = atMs;
  }
  if (lastAt !== null) end(quietSince ?? lastAt);

  const merged: SpeakingInterval[] = [];
  for (const interval of found) {
    const previous = merged.at(-1);
    if (previous && interval.startMs - previous.endMs < mergeGapMs) previous.endMs = Math.max(previous.endMs, interval.endMs);
    else merged.push({ ...interval });
  }
  return merged;
}

export function detectSpeaking(levels: readonly ParticipantLevels[], options: SpeakingOptions = {}): ParticipantSpeaking[] {
  return levels.map(({ participant, name, samples }) => ({ participant, name, intervals: speakingIntervals(samples, options) }));
}

export function speakingToJson(speaking: readonly ParticipantSpeaking[]): string {
  return `${JSON.stringify(speaking, null, 2)}\n`;
}

/** "HH:MM:SS.mmm" (hours grow past two digits if need be), rounded to the millisecond. */
export function formatVttTimestamp(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a timestamp: ${ms}`);
  const total = Math.round(ms);
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1000) % 60;
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(total % 1000, 3)}`;
}

// Cue text and voice annotations may hold neither a line break (it would end the cue)
// nor a raw '&', '<' or '>' (markup); names come from participants, so anything goes in.
function escapeVtt(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export interface WebVttOptions {
  /** The caption for a speaker (plain text, escaped here); "NAME speaking" by default. */
  cueText?: (name: string) => string;
}

/** A WebVTT file with one cue per speaking interval, voice-tagged with the speaker, in start order. */
export function speakingToWebVtt(speaking: readonly ParticipantSpeaking[], options: WebVttOptions = {}): string {
  const cueText = options.cueText ?? ((name: string) => `${name} speaking`);
  const cues = speaking
    .flatMap(({ participant, name, intervals }) => {
      const speaker = escapeVtt(name) || escapeVtt(participant) || '?';
      const text = escapeVtt(cueText(name.trim() || participant));
      return intervals.filter((i) => Math.round(i.endMs) > Math.round(i.startMs)).map((interval) => ({ ...interval, speaker, text }));
    })
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const blocks = cues.map(
    (cue, i) => `${i + 1}\n${formatVttTimestamp(cue.startMs)} --> ${formatVttTimestamp(cue.endMs)}\n<v ${cue.speaker}>${cue.text}</v>\n`,
  );
  return ['WEBVTT\n', ...blocks].join('\n');
}
