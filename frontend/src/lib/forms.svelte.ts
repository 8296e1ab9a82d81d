// What every form does with a refused submission: the errors about one of its fields go
// next to that field, and the focus moves to the first of them; anything else is shown
// above the form (see splitFormError).
import { tick } from 'svelte';
import { toApiError, type ApiError } from '$lib/api';
import { splitFormError } from '$lib/i18n/keys';

/** fieldId is the id of a form's control for a backend field: fieldId('edit', 'imap.host')
 * is "edit-imap-host". */
export function fieldId(prefix: string, field: string): string {
  return `${prefix}-${field.replace('.', '-').toLowerCase()}`;
}

/** FormErrors holds a form's errors, as state its template reads. */
export class FormErrors {
  /** The errors shown next to a field, by the backend's field name. */
  fields: Record<string, ApiError> = $state({});
  /** The error shown above the form. */
  general: ApiError | null = $state(null);

  /**
   * @param names the backend's names of the form's fields, in the order of the form
   * @param idPrefix the prefix of their controls' ids (see fieldId)
   */
  constructor(
    readonly names: readonly string[],
    readonly idPrefix: string,
  ) {}

  clear(): void {
    this.fields = {};
    this.general = null;
  }

  /** set marks one field as wrong (a check made before sending). */
  set(field: string, error: ApiError): void {
    this.fields = { ...this.fields, [field]: error };
  }

  get any(): boolean {
    return Object.keys(this.fields).length > 0;
  }

  /** show puts a refusal in its place and moves the focus to the first field in error.
   * With general false, an error about no field is left to someone else to show. */
  async show(err: unknown, { general = true }: { general?: boolean } = {}): Promise<void> {
    const split = splitFormError(toApiError(err), this.names);
    this.fields = split.fields;
    this.general = general ? split.general : null;
    await this.focusFirst();
  }

  /** focusFirst moves the focus to the first field in error, once it is shown. */
  async focusFirst(): Promise<void> {
    await tick();
    const first = this.names.find((f) => this.fields[f]);
    if (first && typeof document !== 'undefined') document.getElementById(fieldId(this.idPrefix, first))?.focus();
  }
}
