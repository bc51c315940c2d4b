/**
 * The search form, as the user typed it, to the query string of GET /api/recordings:
 * dates are whole local days (the "to" day included, so it ends at the next midnight),
 * durations are typed in minutes and sent in seconds, tags are comma-separated.
 */

export interface SearchForm {
  room: string;
  /** yyyy-mm-dd from <input type=date>, or ''. */
  from: string;
  to: string;
  participant: string;
  /** Minutes, as typed. */
  minMinutes: string;
  maxMinutes: string;
  /** Comma-separated. */
  tags: string;
}

export const EMPTY_FORM: SearchForm = { room: '', from: '', to: '', participant: '', minMinutes: '', maxMinutes: '', tags: '' };

export type SearchField = keyof SearchForm;
export type FieldProblem = 'date' | 'dateOrder' | 'minutes' | 'durationOrder';

export type BuiltQuery = { ok: true; params: URLSearchParams } | { ok: false; problems: Partial<Record<SearchField, FieldProblem>> };

/** Local midnight of a yyyy-mm-dd day, `plusDays` later, or null if it is no such day. */
export function localDay(value: string, plusDays = 0): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  // new Date rolls 2025-02-30 over to March: refuse it instead.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  date.setDate(date.getDate() + plusDays);
  return date;
}

/** Whole-number minutes or fractions ("1.5", "1,5"), not negative; null if blank, NaN if not a number. */
function minutes(value: string): number | null {
  const trimmed = value.trim().replace(',', '.');
  if (trimmed === '') return null;
  const number = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  return number;
}

export function parseTags(value: string): string[] {
  return [...new Set(value.split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

export function buildSearchQuery(form: SearchForm, page: { cursor?: string | null; limit?: number } = {}): BuiltQuery {
  const problems: Partial<Record<SearchField, FieldProblem>> = {};
  const params = new URLSearchParams();
  const room = form.room.trim();
  if (room) params.set('room', room);

  const from = form.from ? localDay(form.from) : null;
  if (form.from && !from) problems.from = 'date';
  const to = form.to ? localDay(form.to, 1) : null;
  if (form.to && !to) problems.to = 'date';
  if (from && to && to.getTime() <= from.getTime()) problems.to = 'dateOrder';
  if (from) params.set('from', from.toISOString());
  if (to) params.set('to', to.toISOString());

  const participant = form.participant.trim();
  if (participant) params.set('participant', participant);

  const min = minutes(form.minMinutes);
  const max = minutes(form.maxMinutes);
  if (Number.isNaN(min)) problems.minMinutes = 'minutes';
  if (Number.isNaN(max)) problems.maxMinutes = 'minutes';
  if (min !== null && max !== null && !Number.isNaN(min) && !Number.isNaN(max) && max < min) problems.maxMinutes = 'durationOrder';
  // Seconds, whole: the bounds are widened to the second, never narrowed.
  if (min !== null && !Number.isNaN(min)) params.set('minDuration', String(Math.floor(min * 60)));
  if (max !== null && !Number.isNaN(max)) params.set('maxDuration', String(Math.ceil(max * 60)));

  for (const tag of parseTags(form.tags)) params.append('tag', tag);
  if (page.limit !== undefined) params.set('limit', String(page.limit));
  if (page.cursor) params.set('cursor', page.cursor);

  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, params };
}
