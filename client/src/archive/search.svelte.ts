import { asApiError, type ArchiveApiError } from './api-error.js';
import type { SearchResponse } from './api-types.js';
import type { ArchiveApi } from './archive-api.js';
import { currentCursor, firstPage, hasPrevious, nextPage, pageNumber, previousPage, type CursorStack } from './cursor-stack.js';
import { buildSearchQuery, EMPTY_FORM, type FieldProblem, type SearchField, type SearchForm } from './search-query.js';

export const PAGE_SIZE = 25;

/**
 * The search screen: the form as typed (kept while the user opens recordings and comes
 * back), the page of results and the cursors that led to it.
 */
export class SearchState {
  readonly #api: ArchiveApi;
  /** Bound to the form's inputs. */
  readonly form: SearchForm = $state({ ...EMPTY_FORM });
  #stack = $state.raw<CursorStack>(firstPage());
  #result = $state.raw<SearchResponse | null>(null);
  #loading = $state(false);
  #error = $state.raw<ArchiveApiError | null>(null);
  #problems = $state.raw<Partial<Record<SearchField, FieldProblem>>>({});
  // The query the shown pages belong to: paging keeps it even if the form changed since.
  #submitted: SearchForm = { ...EMPTY_FORM };
  #generation = 0;

  constructor(api: ArchiveApi) {
    this.#api = api;
  }

  get result(): SearchResponse | null {
    return this.#result;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): ArchiveApiError | null {
    return this.#error;
  }
  get problems(): Partial<Record<SearchField, FieldProblem>> {
    return this.#problems;
  }
  get page(): number {
    return pageNumber(this.#stack);
  }
  get pages(): number {
    return Math.max(1, Math.ceil((this.#result?.total ?? 0) / PAGE_SIZE));
  }
  get hasPrevious(): boolean {
    return hasPrevious(this.#stack);
  }
  get hasNext(): boolean {
    return !!this.#result?.nextCursor;
  }

  /** A new search from the form: back to its first page. Returns false if the form has problems. */
  async submit(): Promise<boolean> {
    const built = buildSearchQuery(this.form);
    this.#problems = built.ok ? {} : built.problems;
    if (!built.ok) return false;
    this.#submitted = { ...this.form };
    this.#stack = firstPage();
    await this.#load();
    return true;
  }

  clear(): void {
    Object.assign(this.form, EMPTY_FORM);
    this.#problems = {};
  }

  /** Forgets the form and the results (after logging out). */
  reset(): void {
    this.clear();
    this.#generation++;
    this.#submitted = { ...EMPTY_FORM };
    this.#stack = firstPage();
    this.#result = null;
    this.#error = null;
    this.#loading = false;
  }

  async next(): Promise<void> {
    const cursor = this.#result?.nextCursor;
    if (!cursor) return;
    this.#stack = nextPage(this.#stack, cursor);
    await this.#load();
  }

  async previous(): Promise<void> {
    if (!hasPrevious(this.#stack)) return;
    this.#stack = previousPage(this.#stack);
    await this.#load();
  }

  /** Loads the first page once, when the screen first shows. */
  async ensureLoaded(): Promise<void> {
    if (this.#result === null && !this.#loading) await this.#load();
  }

  async #load(): Promise<void> {
    const built = buildSearchQuery(this.#submitted, { cursor: currentCursor(this.#stack), limit: PAGE_SIZE });
    if (!built.ok) return;
    const generation = ++this.#generation;
    this.#loading = true;
    this.#error = null;
    try {
      const result = await this.#api.search(built.params);
      if (generation === this.#generation) this.#result = result;
    } catch (error) {
      if (generation === this.#generation) this.#error = asApiError(error);
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }
}
