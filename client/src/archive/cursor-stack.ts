/**
 * Paging with the API's forward-only cursors: a stack of the cursors that opened each page
 * seen so far (null for the first), so "Previous page" asks again with the one before.
 * Immutable: every step returns a new stack, which state classes keep in $state.raw.
 */
export type CursorStack = readonly (string | null)[];

export const firstPage = (): CursorStack => [null];

/** The cursor to ask the current page with. */
export const currentCursor = (stack: CursorStack): string | null => stack.at(-1) ?? null;

/** 1 for the first page. */
export const pageNumber = (stack: CursorStack): number => Math.max(1, stack.length);

export const hasPrevious = (stack: CursorStack): boolean => stack.length > 1;

/** The stack after following a page's nextCursor. */
export function nextPage(stack: CursorStack, nextCursor: string): CursorStack {
  return [...(stack.length === 0 ? firstPage() : stack), nextCursor];
}

/** The stack after going back one page; the first page stays the first. */
export function previousPage(stack: CursorStack): CursorStack {
  return stack.length > 1 ? stack.slice(0, -1) : firstPage();
}
