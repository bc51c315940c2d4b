/**
 * What one mux job is: single-track input files (IVF or Ogg Opus, as the containers
 * module writes them), the output container, chapters and names. Validated before anything reaches ffmpeg,
 * since names become file paths and titles become ffmpeg arguments.
 */
import { z } from 'zod';

// A file name inside ffmpeg's virtual file system: no separators, never "." or "..".
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
// Matroska's Language element holds an ISO 639-2 code ("eng", "fra", "und").
const ISO_639_2 = /^[a-z]{3}$/;
// Text that ends up in an ffmpeg argument or FFMETADATA line: no control characters.
const label = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'control characters are not allowed');

const inputSchema = z.strictObject({
  name: z.string().regex(FILE_NAME, "letters, digits, '.', '_', '-' only, at most 64"),
  data: z.custom<Uint8Array>((data) => data instanceof Uint8Array && data.byteLength > 0, 'a non-empty Uint8Array'),
  kind: z.enum(['video', 'audio']),
  title: label(256),
  language: z.string().regex(ISO_639_2, 'an ISO 639-2 code such as "eng"').optional(),
  participant: label(256),
  /** Where this track starts in the segment, in ms (its first frame arrived that much after the segment began). */
  offsetMs: z.int().nonnegative().max(24 * 3600 * 1000).optional(),
});

const chapterSchema = z
  .strictObject({
    startMs: z.int().nonnegative(),
    endMs: z.int().positive(),
    title: label(256),
  })
  .refine((chapter) => chapter.endMs > chapter.startMs, 'a chapter must end after it starts');

export const muxJobSchema = z
  .strictObject({
    inputs: z.array(inputSchema).min(1).max(64),
    /**
     * The output container (default Matroska). WebM is Matroska restricted to what
     * browsers play (VP8/VP9/Opus: the codecs the recorder keeps): the per-participant
     * access copies.
     */
    format: z.enum(['matroska', 'webm']).optional(),
    chapters: z.array(chapterSchema).max(1000),
    title: label(256).optional(),
    /** Expected length of the segment: chapters are cut to it. */
    durationHintMs: z.int().positive().optional(),
  })
  .refine((job) => new Set(job.inputs.map((input) => input.name)).size === job.inputs.length, {
    message: 'input names must be unique',
    path: ['inputs'],
  })
  .refine((job) => job.chapters.every((chapter) => chapter.startMs < (job.durationHintMs ?? Infinity)), {
    message: 'a chapter starts after the end of the segment (durationHintMs)',
    path: ['chapters'],
  });

export type MuxInput = z.infer<typeof inputSchema>;
export type MuxChapter = z.infer<typeof chapterSchema>;
export type MuxJob = z.infer<typeof muxJobSchema>;
