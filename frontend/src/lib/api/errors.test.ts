import { describe, expect, it } from 'vitest';
import { ApiError, ERROR_CODES, toApiError } from './errors';

describe('toApiError', () => {
  it('keeps the code, message and field of a backend error', () => {
    const e = toApiError({ code: 'invalid_input', message: 'Enter an email address.', field: 'email' });
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'invalid_input', message: 'Enter an email address.', field: 'email' });
  });

  it('leaves out an empty field', () => {
    const e = toApiError({ code: 'conflict', message: 'Already set up.', field: '' });
    expect(e.code).toBe('conflict');
    expect(e.field).toBeUndefined();
  });

  it.each(ERROR_CODES)('accepts the backend code %s', (code) => {
    expect(toApiError({ code, message: 'm' }).code).toBe(code);
  });

  it('turns a string rejection into an internal error that keeps the text', () => {
    const e = toApiError('Call to api.Users.List timed out');
    expect(e).toMatchObject({ code: 'internal', message: 'Call to api.Users.List timed out' });
    expect(e.field).toBeUndefined();
  });

  it('turns an Error into an internal error that keeps its message', () => {
    const e = toApiError(new TypeError("Cannot read properties of undefined (reading 'api')"));
    expect(e).toMatchObject({ code: 'internal', message: "Cannot read properties of undefined (reading 'api')" });
  });

  it('treats a code this version does not know as internal, keeping the message', () => {
    const e = toApiError({ code: 'brand_new', message: 'Something new.', field: 'email' });
    expect(e).toMatchObject({ code: 'internal', message: 'Something new.' });
    expect(e.field).toBeUndefined();
  });

  it('describes an object without a code or message', () => {
    expect(toApiError({ foo: 1 })).toMatchObject({ code: 'internal', message: '{"foo":1}' });
  });

  it.each([null, undefined, 42])('turns %s into an internal error', (value) => {
    expect(toApiError(value).code).toBe('internal');
  });

  it('returns an ApiError unchanged', () => {
    const e = new ApiError('network', 'down');
    expect(toApiError(e)).toBe(e);
  });
});
