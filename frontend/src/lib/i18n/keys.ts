// Helpers to pick catalogue keys for values that come from the backend (error codes,
// vault reasons, form fields), so every such text is translated, never shown raw.
import type { ApiError, ErrorCode, VaultReason } from '$lib/api';
import en from './en.json';

/** flatten lists a catalogue's keys in dot notation with their values. */
export function flatten(tree: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    } else {
      out.set(key, v);
    }
  }
  return out;
}

const known = new Set(flatten(en).keys());

export function hasKey(key: string): boolean {
  return known.has(key);
}

export function errorKey(code: ErrorCode): string {
  return `errors.code.${code}`;
}

/** fieldErrorKey is the message shown next to a form field: a field-specific one when the
 * catalogue has it, else the code's general message. */
export function fieldErrorKey(field: string, code: ErrorCode): string {
  const specific = `errors.field.${field}.${code}`;
  return hasKey(specific) ? specific : errorKey(code);
}

export function vaultReasonKey(reason: VaultReason | null): string {
  return `vault.reason.${reason ?? 'unknown'}`;
}

export function vaultFixKey(reason: VaultReason | null): string {
  return `vault.fix.${reason ?? 'unknown'}`;
}

/** FormError splits a failed submission: errors about one of the form's fields are shown
 * next to it, everything else above the form. */
export interface FormError {
  fields: Record<string, ApiError>;
  general: ApiError | null;
}

export function splitFormError(err: ApiError, fields: readonly string[]): FormError {
  const fieldCodes: ErrorCode[] = ['invalid_input', 'conflict'];
  if (err.field && fields.includes(err.field) && fieldCodes.includes(err.code)) {
    return { fields: { [err.field]: err }, general: null };
  }
  return { fields: {}, general: err };
}
