import { describe, expect, it } from 'vitest';
import { ArchiveApiError, asApiError, codeForStatus, describeError, errorFromResponse, networkError } from './api-error.js';

describe('errorFromResponse', () => {
  it('keeps the code and message of the API error body', () => {
    const error = errorFromResponse(401, { error: { code: 'bad-credentials', message: 'wrong username or password' } });
    expect(error).toBeInstanceOf(ArchiveApiError);
    expect(error).toMatchObject({ status: 401, code: 'bad-credentials', message: 'wrong username or password', retryAfterSeconds: null });
  });

  it('finds the lock wait in the error, beside it, or in Retry-After', () => {
    expect(errorFromResponse(423, { error: { code: 'locked', message: 'm', retryAfterSeconds: 600 } }).retryAfterSeconds).toBe(600);
    expect(errorFromResponse(423, { error: { code: 'locked', message: 'm' }, retryAfterSeconds: 61.2 }).retryAfterSeconds).toBe(62);
    expect(errorFromResponse(423, { error: { code: 'locked', message: 'm' } }, '120').retryAfterSeconds).toBe(120);
    expect(errorFromResponse(423, { error: { code: 'locked', message: 'm' } }, 'soon').retryAfterSeconds).toBeNull();
  });

  it('derives a code from the status when the body has none', () => {
    expect(errorFromResponse(403, null)).toMatchObject({ code: 'forbidden', message: 'HTTP 403' });
    expect(errorFromResponse(404, 'Not Found').code).toBe('not-found');
    expect(errorFromResponse(409, { error: 'busy' }).code).toBe('conflict');
    expect(errorFromResponse(502, {}).code).toBe('http-502');
    expect([400, 401, 416, 423].map(codeForStatus)).toEqual(['invalid', 'no-session', 'range', 'locked']);
  });

  it('wraps network failures and anything else', () => {
    const down = networkError(new TypeError('Failed to fetch'));
    expect(down).toMatchObject({ status: 0, code: 'network', message: 'Failed to fetch' });
    expect(asApiError(down)).toBe(down);
    expect(asApiError(new SyntaxError('bad JSON'))).toMatchObject({ status: 0, code: 'bad-response' });
  });
});

describe('describeError', () => {
  it('names bad credentials and a lock with its remaining minutes and end time', () => {
    expect(describeError(errorFromResponse(401, { error: { code: 'bad-credentials', message: 'x' } })).key).toBe('archive.error.bad-credentials');
    const locked = describeError(errorFromResponse(423, { error: { code: 'locked', message: 'x', retryAfterSeconds: 14 * 60 + 5 } }), 1_000);
    expect(locked).toEqual({ key: 'archive.error.lockedFor', params: { minutes: 15 }, until: 1_000 + (14 * 60 + 5) * 1000 });
    expect(describeError(errorFromResponse(423, { error: { code: 'locked', message: 'x', retryAfterSeconds: 3 } })).params).toEqual({ minutes: 1 });
    expect(describeError(errorFromResponse(423, null)).key).toBe('archive.error.locked');
  });

  it('shows the API message for conflicts and unknown codes', () => {
    expect(describeError(errorFromResponse(409, { error: { code: 'legal-hold', message: 'on hold' } }))).toEqual({
      key: 'archive.error.other',
      params: { code: 'legal-hold', message: 'on hold' },
    });
    expect(describeError(errorFromResponse(409, null))).toEqual({ key: 'archive.error.conflict', params: { message: 'HTTP 409' } });
    expect(describeError(networkError('down')).key).toBe('archive.error.network');
  });
});
