import { describe, expect, it } from 'vitest';
import { parseRoute, recordingHref } from './route.js';

describe('routes', () => {
  it('reads the search and recording pages from the hash', () => {
    expect(parseRoute('')).toEqual({ page: 'search' });
    expect(parseRoute('#/')).toEqual({ page: 'search' });
    expect(parseRoute('#/recordings/rec-1')).toEqual({ page: 'recording', id: 'rec-1' });
    expect(parseRoute('#/recordings/rec-1/')).toEqual({ page: 'recording', id: 'rec-1' });
    expect(parseRoute('#/elsewhere')).toEqual({ page: 'not-found' });
    expect(parseRoute('#/recordings/%E0%A4%A')).toEqual({ page: 'not-found' });
  });

  it('round-trips any id through a link', () => {
    for (const id of ['2025-03-01T10-00-00Z-abc', 'a b/c#d', 'é']) expect(parseRoute(recordingHref(id))).toEqual({ page: 'recording', id });
  });
});
