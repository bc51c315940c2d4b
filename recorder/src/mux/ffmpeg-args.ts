/**
 * The ffmpeg command line and FFMETADATA file of a mux job: every input track copied
 * as is into Matroska or WebM (`-c copy`, never a transcode), one output track per input
 * with its title, language and participant, and the chapters and title from FFMETADATA.
 * Each track keeps its offset (`-itsoffset`), so a WebM access copy made from some of a
 * segment's tracks has the segment file's timeline.
 */
import type { MuxJob } from './job.js';

/** Where the job's files sit in ffmpeg's virtual file system; inputs are `${dir}/${name}`. */
export interface MuxPaths {
  dir: string;
  metadata: string;
  output: string;
}

/** Inputs are what containers/ writes: IVF for video, Ogg Opus for audio. */
const INPUT_FORMAT = { video: 'ivf', audio: 'ogg' } as const;

export function ffmpegArgs(job: MuxJob, paths: MuxPaths): string[] {
  const metadataIndex = job.inputs.length;
  const args = ['-hide_banner', '-loglevel', 'warning'];
  for (const input of job.inputs) {
    // A track that starts later in the segment starts later in the file: A/V stay aligned.
    if (input.offsetMs) args.push('-itsoffset', (input.offsetMs / 1000).toFixed(3));
    args.push('-f', INPUT_FORMAT[input.kind], '-i', `${paths.dir}/${input.name}`);
  }
  args.push('-f', 'ffmetadata', '-i', paths.metadata);
  job.inputs.forEach((_, index) => args.push('-map', `${index}:0`));
  args.push('-map_metadata', String(metadataIndex), '-map_chapters', String(metadataIndex), '-c', 'copy');
  job.inputs.forEach((input, index) => {
    const stream = `-metadata:s:${index}`;
    args.push(stream, `title=${input.title}`, stream, `PARTICIPANT=${input.participant}`);
    if (input.language) args.push(stream, `language=${input.language}`);
  });
  // Cues (the seek index) are written by default: the output is a seekable in-memory file.
  args.push('-f', job.format ?? 'matroska', paths.output);
  return args;
}

/** The FFMETADATA1 file: the title, and chapters in milliseconds, cut to the segment's length. */
export function ffmetadata(job: MuxJob): string {
  const lines = [';FFMETADATA1'];
  if (job.title) lines.push(`title=${escape(job.title)}`);
  for (const chapter of job.chapters) {
    const end = Math.min(chapter.endMs, job.durationHintMs ?? Infinity);
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${chapter.startMs}`, `END=${end}`, `title=${escape(chapter.title)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** FFMETADATA gives '=', ';', '#' and '\' a meaning; a backslash makes them literal. */
function escape(value: string): string {
  return value.replace(/[=;#\\]/g, (char) => `\\${char}`);
}
