// Helpers to pick catalogue keys for values that come from the backend (error codes,
// vault reasons, form fields), so every such text is translated, never shown raw.
import type { ApiError, ErrorCode } from '$lib/api';
import { isHintCode, isNoteCode, isSource, MANUAL_SOURCE, type AccountStatus, type StepName, type VaultReason } from '$lib/api/types';
import en from './en.json';
import { reasonTexts } from './reasons';

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

const known = new Set(flatten({ ...en, reason: reasonTexts.en }).keys());

export function hasKey(key: string): boolean {
  return known.has(key);
}

export function errorKey(code: ErrorCode): string {
  return `errors.code.${code}`;
}

/** reasonKey is the catalogue key that words an error: its reason's, or (for a reason this
 * version does not word) its code's general message. */
export function reasonKey(err: Pick<ApiError, 'code' | 'reason'>): string {
  const key = `reason.${err.reason}`;
  return hasKey(key) ? key : errorKey(err.code);
}

/** errorText words an error in the current language with its params: pass $_ . */
export function errorText(t: (key: string, opts?: { values?: Record<string, string | number> }) => string, err: ApiError): string {
  return t(reasonKey(err), { values: err.params });
}

/** fieldErrorKey is the message shown next to a form field: the form's own message for
 * that field when there is one (errors.form.<scope>.<field>.<code>), else a field-specific
 * one, else the code's general message. */
export function fieldErrorKey(field: string, code: ErrorCode, scope?: string): string {
  if (scope) {
    const scoped = `errors.form.${scope}.${field}.${code}`;
    if (hasKey(scoped)) return scoped;
  }
  const specific = `errors.field.${field}.${code}`;
  return hasKey(specific) ? specific : errorKey(code);
}

/** fieldErrorText words a form field's error: its reason's words with its params when this
 * version words the reason, else the field's own message for its code (fieldErrorKey). */
export function fieldErrorText(
  t: (key: string, opts?: { values?: Record<string, string | number> }) => string,
  field: string,
  err: Pick<ApiError, 'code' | 'reason' | 'params'>,
  scope?: string,
): string {
  const key = `reason.${err.reason}`;
  return hasKey(key) ? t(key, { values: err.params }) : t(fieldErrorKey(field, err.code, scope));
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

/** Message is a text to show later, kept as a key and values so that it follows a change
 * of language made after it was produced (confirmations, notices). */
export interface Message {
  key: string;
  values?: Record<string, string | number>;
}

// --- email accounts -----------------------------------------------------------------

export function accountStatusKey(status: AccountStatus): string {
  return `accounts.status.${status}`;
}

export function stepKey(name: StepName): string {
  return `accounts.steps.${name}`;
}

/** hintKey is the worded fix of a failed step; a hint this version does not know reads as
 * the general advice (the backend sends no words of its own). */
export function hintKey(code: string | null | undefined): string {
  return isHintCode(code) ? `accounts.hints.${code}` : 'accounts.hints.generic';
}

/** noteKey is the worded advice; a note this version does not know reads as a general
 * one (the backend sends no words of its own). */
export function noteKey(code: string): string {
  return isNoteCode(code) ? `accounts.notes.${code}` : 'accounts.notes.unknown';
}

/** originKey words where exactly settings came from (a URL, the DNS names, the domain),
 * with the origin's params; null for a source this version does not know. */
export function originKey(source: string): string | null {
  return isSource(source) ? `accounts.origin.${source}` : null;
}

/** sourceKey names where settings came from; unknown sources read "another source". */
export function sourceKey(source: string): string {
  if (source === MANUAL_SOURCE) return 'accounts.sources.manual';
  return isSource(source) ? `accounts.sources.${source}` : 'accounts.sources.unknown';
}

/** attemptResultKey is the short result of a discovery attempt, by its error's code (null:
 * it passed); the attempt's reason says the rest (errorText). */
export function attemptResultKey(code: string | null | undefined): string {
  if (!code) return 'accounts.attemptResult.ok';
  const key = `accounts.attemptResult.${code}`;
  return hasKey(key) ? key : 'accounts.attemptResult.internal';
}

/** statusReasonKey translates an account's last failure code (its statusCode). */
export function statusReasonKey(code: string | null): string {
  const key = `errors.code.${code}`;
  return code && hasKey(key) ? key : 'errors.code.internal';
}
