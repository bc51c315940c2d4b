import { describe, expect, it } from 'vitest';
import { currentCursor, firstPage, hasPrevious, nextPage, pageNumber, previousPage } from './cursor-stack.js';

describe('cursor stack', () => {
  it('walks forward and back through the cursors it was given', () => {
    let stack = firstPage();
    expect([currentCursor(stack), pageNumber(stack), hasPrevious(stack)]).toEqual([null, 1, false]);
    stack = nextPage(stack, 'c2');
    stack = nextPage(stack, 'c3');
    expect([currentCursor(stack), pageNumber(stack), hasPrevious(stack)]).toEqual(['c3', 3, true]);
    stack = previousPage(stack);
    expect([currentCursor(stack), pageNumber(stack)]).toEqual(['c2', 2]);
    stack = previousPage(stack);
    expect([currentCursor(stack), pageNumber(stack), hasPrevious(stack)]).toEqual([null, 1, false]);
    expect(previousPage(stack)).toEqual([null]);
  });

  it('never changes a stack it was given', () => {
    const first = firstPage();
    const second = nextPage(first, 'c2');
    previousPage(second);
    expect(first).toEqual([null]);
    expect(second).toEqual([null, 'c2']);
    expect(nextPage([], 'c2')).toEqual([null, 'c2']);
  });
});
