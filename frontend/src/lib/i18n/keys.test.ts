import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api/errors';
import {
  attemptResultKey,
  fieldErrorKey,
  fieldErrorText,
  hasKey,
  hintKey,
  noteKey,
  sourceKey,
  splitFormError,
  statusReasonKey,
  vaultFixKey,
  vaultReasonKey,
} from './keys';

describe('fieldErrorText', () => {
  // t shows which key was asked with which values.
  const t = (key: string, opts?: { values?: Record<string, string | number> }) => `${key} ${JSON.stringify(opts?.values ?? {})}`;

  it('words a field error by its reason, with its params', () => {
    const err = new ApiError('invalid_input', { reason: 'server_port_invalid', params: { server: 'smtp' }, field: 'smtp.port' });
    expect(fieldErrorText(t, 'smtp.port', err)).toBe('reason.server_port_invalid {"server":"smtp"}');
  });

  it('falls back to the field’s own message for a reason this version does not word', () => {
    const err = new ApiError('invalid_input', { reason: 'from_a_newer_backend', field: 'quota' });
    expect(fieldErrorText(t, 'quota', err)).toBe('errors.field.quota.invalid_input {}');
  });
});

describe('fieldErrorKey', () => {
  it('uses the field’s own message when the catalogue has one', () => {
    expect(fieldErrorKey('email', 'conflict')).toBe('errors.field.email.conflict');
    expect(fieldErrorKey('email', 'invalid_input')).toBe('errors.field.email.invalid_input');
  });

  it('prefers the form’s own message for a field', () => {
    expect(fieldErrorKey('email', 'conflict', 'account')).toBe('errors.form.account.email.conflict');
    expect(fieldErrorKey('email', 'invalid_input', 'account')).toBe('errors.field.email.invalid_input');
    expect(fieldErrorKey('imap.port', 'invalid_input', 'account')).toBe('errors.field.imap.port.invalid_input');
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

describe('email account keys', () => {
  it('sources: known ones, typed by hand, and unknown ones', () => {
    expect(sourceKey('preset')).toBe('accounts.sources.preset');
    expect(sourceKey('manual')).toBe('accounts.sources.manual');
    expect(sourceKey('carrier-pigeon')).toBe('accounts.sources.unknown');
  });

  it('hints and notes this version does not know have no key (the English text is shown)', () => {
    expect(hintKey('auth_gmail')).toBe('accounts.hints.auth_gmail');
    expect(hintKey('brand_new')).toBe('accounts.hints.generic');
    expect(hintKey(null)).toBe('accounts.hints.generic');
    expect(noteKey('guessed')).toBe('accounts.notes.guessed');
    expect(noteKey('brand_new')).toBe('accounts.notes.unknown');
    expect(hasKey('accounts.notes.unknown') && hasKey('accounts.hints.generic')).toBe(true);
  });

  it('a discovery attempt: passed, failed with a known code, or with an unknown one', () => {
    expect(attemptResultKey(null)).toBe('accounts.attemptResult.ok');
    expect(attemptResultKey('auth_failed')).toBe('accounts.attemptResult.auth_failed');
    expect(attemptResultKey('brand_new')).toBe('accounts.attemptResult.internal');
  });

  it('the reason of a failed check', () => {
    expect(statusReasonKey('network')).toBe('errors.code.network');
    expect(statusReasonKey(null)).toBe('errors.code.internal');
    expect(statusReasonKey('brand_new')).toBe('errors.code.internal');
  });
});
