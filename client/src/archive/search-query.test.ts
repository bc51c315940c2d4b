import { describe, expect, it } from 'vitest';
import { buildSearchQuery, EMPTY_FORM, localDay, parseTags } from './search-query.js';

const query = (change: Partial<typeof EMPTY_FORM>, page?: { cursor?: string | null; limit?: number }) => {
  const built = buildSearchQuery({ ...EMPTY_FORM, ...change }, page);
  if (!built.ok) throw new Error(`unexpected problems ${JSON.stringify(built.problems)}`);
  return built.params;
};

describe('buildSearchQuery', () => {
  it('sends nothing for an empty form but the page', () => {
    expect(query({}).toString()).toBe('');
    expect(query({}, { limit: 25, cursor: 'abc' }).toString()).toBe('limit=25&cursor=abc');
    expect(query({}, { cursor: null }).toString()).toBe('');
  });

  it('trims text fields and sends each tag once, repeated', () => {
    const params = query({ room: '  board ', participant: ' Zoé ', tags: 'legal, hr,,legal , q3 ' });
    expect(params.get('room')).toBe('board');
    expect(params.get('participant')).toBe('Zoé');
    expect(params.getAll('tag')).toEqual(['legal', 'hr', 'q3']);
    expect(parseTags(' , ')).toEqual([]);
  });

  it('sends whole local days: from at midnight, to up to the next midnight', () => {
    const params = query({ from: '2025-03-01', to: '2025-03-31' });
    expect(params.get('from')).toBe(new Date(2025, 2, 1).toISOString());
    expect(params.get('to')).toBe(new Date(2025, 3, 1).toISOString());
    // One day alone is a 24-hour range.
    const day = query({ from: '2025-12-31', to: '2025-12-31' });
    expect(Date.parse(day.get('to')!) - Date.parse(day.get('from')!)).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(day.get('to')).toBe(new Date(2026, 0, 1).toISOString());
  });

  it('turns minutes into whole seconds, widening the bounds', () => {
    const params = query({ minMinutes: '1.5', maxMinutes: '2,01' });
    expect(params.get('minDuration')).toBe('90');
    expect(params.get('maxDuration')).toBe('121');
    expect(query({ minMinutes: '0' }).get('minDuration')).toBe('0');
  });

  it('names each field it cannot send', () => {
    expect(buildSearchQuery({ ...EMPTY_FORM, from: '2025-02-30', minMinutes: '-1', maxMinutes: 'ten' })).toEqual({
      ok: false,
      problems: { from: 'date', minMinutes: 'minutes', maxMinutes: 'minutes' },
    });
    expect(buildSearchQuery({ ...EMPTY_FORM, from: '2025-03-02', to: '2025-03-01' })).toEqual({ ok: false, problems: { to: 'dateOrder' } });
    expect(buildSearchQuery({ ...EMPTY_FORM, minMinutes: '10', maxMinutes: '5' })).toEqual({ ok: false, problems: { maxMinutes: 'durationOrder' } });
  });

  it('refuses days that do not exist', () => {
    expect(localDay('2024-02-29')?.getDate()).toBe(29);
    expect(localDay('2025-02-29')).toBeNull();
    expect(localDay('31/12/2025')).toBeNull();
  });
});
