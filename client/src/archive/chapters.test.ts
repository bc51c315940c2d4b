import { describe, expect, it } from 'vitest';
import { allChapters } from './chapters.js';

describe('allChapters', () => {
  it('lists each chapter once, in time order, across segments', () => {
    const intro = { startMs: 0, endMs: 60_000, title: 'Intro' };
    const budget = { startMs: 60_000, endMs: 150_000, title: 'Budget' };
    const close = { startMs: 150_000, endMs: 160_000, title: 'Close' };
    expect(allChapters([{ chapters: [budget, intro] }, { chapters: [close, budget] }])).toEqual([intro, budget, close]);
    expect(allChapters([])).toEqual([]);
  });
});
