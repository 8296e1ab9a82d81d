import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api/errors';
import { fieldErrorKey, splitFormError, vaultFixKey, vaultReasonKey } from './keys';

describe('fieldErrorKey', () => {
  it('uses the field’s own message when the catalogue has one', () => {
    expect(fieldErrorKey('email', 'conflict')).toBe('errors.field.email.conflict');
    expect(fieldErrorKey('email', 'invalid_input')).toBe('errors.field.email.invalid_input');
  });

  it('falls back to the code’s general message', () => {
    expect(fieldErrorKey('name', 'conflict')).toBe('errors.code.conflict');
    expect(fieldErrorKey('nickname', 'invalid_input')).toBe('errors.code.invalid_input');
  });
});

describe('vault keys', () => {
  it('an unavailable vault without a reason reads as unknown', () => {
    expect(vaultReasonKey(null)).toBe('vault.reason.unknown');
    expect(vaultFixKey(null)).toBe('vault.fix.unknown');
    expect(vaultFixKey('locked')).toBe('vault.fix.locked');
  });
});

describe('splitFormError', () => {
  const fields = ['name', 'email'];

  it('puts an invalid field next to that field', () => {
    const err = new ApiError('invalid_input', 'Enter an email address.', 'email');
    expect(splitFormError(err, fields)).toEqual({ fields: { email: err }, general: null });
  });

  it('puts a conflict on a field next to that field', () => {
    const err = new ApiError('conflict', 'Already exists.', 'email');
    expect(splitFormError(err, fields).fields.email).toBe(err);
  });

  it('shows an error about a field the form does not have above the form', () => {
    const err = new ApiError('invalid_input', 'Choose a role.', 'role');
    expect(splitFormError(err, fields)).toEqual({ fields: {}, general: err });
  });

  it('shows errors without a field above the form', () => {
    const err = new ApiError('conflict', 'Mailroom is already set up.');
    expect(splitFormError(err, fields)).toEqual({ fields: {}, general: err });
  });

  it('shows other codes above the form even when they name a field', () => {
    const err = new ApiError('forbidden', 'Not allowed.', 'email');
    expect(splitFormError(err, fields).general).toBe(err);
  });
});
