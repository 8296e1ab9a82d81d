import { describe, expect, it } from 'vitest';
import { ApiError, ERROR_CODES, REASONS, isReason, toApiError } from './errors';

describe('toApiError', () => {
  it('keeps the code, reason, params, class, field and detail of a backend error', () => {
    const e = toApiError({
      code: 'conflict',
      reason: 'store_unavailable',
      params: { count: 3, address: 'a@b.fr', odd: true },
      class: 'temporary',
      field: 'email',
      detail: '451 4.3.0 try later',
    });
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'conflict', reason: 'store_unavailable', class: 'temporary', field: 'email', detail: '451 4.3.0 try later' });
    expect(e.params).toEqual({ count: 3, address: 'a@b.fr', odd: 'true' });
  });

  it('reads a backend error without a reason as its code, permanent, without field or detail', () => {
    const e = toApiError({ code: 'network', field: '', detail: '' });
    expect(e).toMatchObject({ code: 'network', reason: 'network', class: 'permanent', params: {} });
    expect(e.field).toBeUndefined();
    expect(e.detail).toBeUndefined();
  });

  it.each(ERROR_CODES)('accepts the backend code %s', (code) => {
    expect(toApiError({ code, reason: code }).code).toBe(code);
  });

  it('turns a string rejection into an internal error that keeps the text for the console only', () => {
    const e = toApiError('Call to api.Users.List timed out');
    expect(e).toMatchObject({ code: 'internal', reason: 'internal' });
    expect(e.message).toContain('Call to api.Users.List timed out');
    expect(e.detail).toBeUndefined();
  });

  it('turns an Error into an internal error', () => {
    const e = toApiError(new TypeError("Cannot read properties of undefined (reading 'api')"));
    expect(e).toMatchObject({ code: 'internal', reason: 'internal' });
    expect(e.message).toContain('Cannot read properties');
  });

  it('treats a code this version does not know as internal', () => {
    const e = toApiError({ code: 'brand_new', reason: 'brand_new', field: 'email' });
    expect(e).toMatchObject({ code: 'internal', reason: 'internal' });
    expect(e.field).toBeUndefined();
  });

  it.each([null, undefined, 42, { foo: 1 }])('turns %s into an internal error', (value) => {
    expect(toApiError(value).reason).toBe('internal');
  });

  it('returns an ApiError unchanged', () => {
    const e = new ApiError('network', 'down');
    expect(toApiError(e)).toBe(e);
  });

  it('knows the generated reasons', () => {
    expect(isReason('internal')).toBe(true);
    expect(isReason('no_such_reason')).toBe(false);
    expect(REASONS.internal.code).toBe('internal');
  });
});
