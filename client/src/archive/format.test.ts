import { describe, expect, it } from 'vitest';
import { formatBytes, formatDateTime, formatDuration } from './format.js';

describe('format', () => {
  it('shows durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(5_999)).toBe('0:05');
    expect(formatDuration(754_000)).toBe('12:34');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(-1)).toBe('0:00');
    expect(formatDuration(Number.NaN)).toBe('0:00');
  });

  it('shows sizes in decimal units, in each language', () => {
    expect(formatBytes(512, 'en')).toBe('512\u00a0B');
    expect(formatBytes(1_500_000, 'en')).toBe('1.5\u00a0MB');
    expect(formatBytes(1_500_000, 'fr')).toBe('1,5\u00a0Mo');
    expect(formatBytes(250_000_000_000, 'en')).toBe('250\u00a0GB');
  });

  it('leaves an unreadable date as it came', () => {
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
    expect(formatDateTime('2025-03-01T10:00:00Z', 'en')).toMatch(/2025/);
  });
});
