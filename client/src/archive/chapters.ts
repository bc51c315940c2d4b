import type { Chapter } from './api-types.js';

export const chapterKey = (chapter: Chapter): string => `${chapter.startMs}:${chapter.endMs}:${chapter.title}`;

/**
 * Every chapter of a recording, in time order, once: segments each list their own, and a
 * chapter that spans a segment boundary may be listed by both.
 */
export function allChapters(segments: readonly { chapters: readonly Chapter[] }[]): Chapter[] {
  const byKey = new Map<string, Chapter>();
  for (const chapter of segments.flatMap((segment) => segment.chapters)) byKey.set(chapterKey(chapter), chapter);
  return [...byKey.values()].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}
