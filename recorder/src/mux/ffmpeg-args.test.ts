import { describe, expect, it } from 'vitest';
import { ffmetadata, ffmpegArgs } from './ffmpeg-args.js';
import { type MuxJob, muxJobSchema } from './job.js';

const job: MuxJob = {
  inputs: [
    { name: 'a.ivf', data: Uint8Array.of(1), kind: 'video', title: 'Camera', language: 'eng', participant: 'p1' },
    { name: 'b.ogg', data: Uint8Array.of(1), kind: 'audio', title: 'Mic = on', participant: 'p1' },
  ],
  chapters: [
    { startMs: 0, endMs: 500, title: 'One' },
    { startMs: 500, endMs: 5000, title: 'a\\b;c#d=e' },
  ],
  title: 'Room #1',
  durationHintMs: 2000,
};

describe('ffmpegArgs', () => {
  it('copies every input to its own track, with its tags, and chapters from FFMETADATA', () => {
    const args = ffmpegArgs(job, { dir: '/job-x', metadata: '/job-x.ffmeta', output: '/job-x.mkv' });
    expect(args.join(' ')).toBe(
      [
        '-hide_banner -loglevel warning',
        '-f ivf -i /job-x/a.ivf -f ogg -i /job-x/b.ogg -f ffmetadata -i /job-x.ffmeta',
        '-map 0:0 -map 1:0 -map_metadata 2 -map_chapters 2 -c copy',
        '-metadata:s:0 title=Camera -metadata:s:0 PARTICIPANT=p1 -metadata:s:0 language=eng',
        '-metadata:s:1 title=Mic = on -metadata:s:1 PARTICIPANT=p1',
        '-f matroska /job-x.mkv',
      ].join(' '),
    );
    // One argument each, never split on spaces (no shell in between).
    expect(args).toContain('title=Mic = on');
  });

  it('shifts a track that starts later in the segment', () => {
    const late = { ...job, inputs: [job.inputs[0]!, { ...job.inputs[1]!, offsetMs: 1250 }] };
    const args = ffmpegArgs(late, { dir: '/j', metadata: '/j.ffmeta', output: '/j.mkv' }).join(' ');
    expect(args).toContain('-f ivf -i /j/a.ivf -itsoffset 1.250 -f ogg -i /j/b.ogg');
  });
});

describe('ffmpegArgs for an access copy', () => {
  it('writes WebM, the same copy with the same offsets', () => {
    const late = { ...job, format: 'webm' as const, inputs: [job.inputs[0]!, { ...job.inputs[1]!, offsetMs: 1250 }] };
    expect(muxJobSchema.safeParse(late).success).toBe(true);
    const args = ffmpegArgs(late, { dir: '/j', metadata: '/j.ffmeta', output: '/j.webm' }).join(' ');
    expect(args).toContain('-f ivf -i /j/a.ivf -itsoffset 1.250 -f ogg -i /j/b.ogg');
    expect(args).toContain('-c copy');
    expect(args.endsWith('-f webm /j.webm')).toBe(true);
    expect(muxJobSchema.safeParse({ ...job, format: 'mp4' }).success).toBe(false);
  });
});

describe('ffmetadata', () => {
  it('escapes what FFMETADATA gives a meaning and cuts chapters to the segment', () => {
    expect(ffmetadata(job)).toBe(
      [
        ';FFMETADATA1',
        'title=Room \\#1',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=0',
        'END=500',
        'title=One',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=500',
        'END=2000',
        'title=a\\\\b\\;c\\#d\\=e',
        '',
      ].join('\n'),
    );
  });
});

describe('muxJobSchema', () => {
  const [video] = job.inputs;
  const invalid = (change: Partial<MuxJob>) => !muxJobSchema.safeParse({ ...job, ...change }).success;

  it('accepts the job above', () => {
    expect(muxJobSchema.safeParse(job).success).toBe(true);
  });

  it('refuses names that are paths, duplicate names, newlines, bad languages, empty data', () => {
    expect(invalid({ inputs: [{ ...video!, name: '../x' }] })).toBe(true);
    expect(invalid({ inputs: [{ ...video!, name: '.hidden' }] })).toBe(true);
    expect(invalid({ inputs: [video!, video!] })).toBe(true);
    expect(invalid({ inputs: [{ ...video!, title: 'a\nb' }] })).toBe(true);
    expect(invalid({ inputs: [{ ...video!, language: 'en' }] })).toBe(true);
    expect(invalid({ inputs: [{ ...video!, data: new Uint8Array(0) }] })).toBe(true);
    expect(invalid({ inputs: [] })).toBe(true);
  });

  it('refuses chapters that end before they start or start after the segment', () => {
    expect(invalid({ chapters: [{ startMs: 10, endMs: 10, title: 'x' }] })).toBe(true);
    expect(invalid({ chapters: [{ startMs: 2000, endMs: 3000, title: 'x' }] })).toBe(true);
  });
});
