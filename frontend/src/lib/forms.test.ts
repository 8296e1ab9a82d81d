import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api';
import { fieldId, FormErrors } from './forms.svelte';

describe('form errors', () => {
  const fields = ['email', 'imap.host', 'imap.port'] as const;

  it('fieldId names a field’s control: dots become dashes, lower case', () => {
    expect(fieldId('edit', 'imap.host')).toBe('edit-imap-host');
    expect(fieldId('preset', 'exchangeUrl')).toBe('preset-exchangeurl');
    expect(fieldId('user-new', 'name')).toBe('user-new-name');
  });

  it('a refusal about one of the form’s fields goes next to it', async () => {
    const errors = new FormErrors(fields, 'edit');
    await errors.show(new ApiError('invalid_input', 'Enter a port', 'imap.port'));
    expect(Object.keys(errors.fields)).toEqual(['imap.port']);
    expect(errors.fields['imap.port'].code).toBe('invalid_input');
    expect(errors.general).toBeNull();
    expect(errors.any).toBe(true);
  });

  it('anything else goes above the form, or is left to the caller', async () => {
    const errors = new FormErrors(fields, 'edit');
    await errors.show(new ApiError('network', 'offline'));
    expect(errors.general?.code).toBe('network');
    expect(errors.any).toBe(false);
    await errors.show(new ApiError('network', 'offline'), { general: false });
    expect(errors.general).toBeNull();
    // A field the form does not have is not a field error.
    await errors.show(new ApiError('invalid_input', 'bad', 'smtp.host'));
    expect(errors.general?.field).toBe('smtp.host');
  });

  it('a thrown value that is not an ApiError is still shown', async () => {
    const errors = new FormErrors(fields, 'edit');
    await errors.show(new Error('boom'));
    expect(errors.general?.code).toBe('internal');
  });

  it('set marks a field before sending; clear forgets everything', () => {
    const errors = new FormErrors(fields, 'wizard');
    errors.set('email', new ApiError('invalid_input', '', 'email'));
    errors.general = new ApiError('network', '');
    expect(errors.any).toBe(true);
    errors.clear();
    expect(errors.any).toBe(false);
    expect(errors.general).toBeNull();
  });
});
