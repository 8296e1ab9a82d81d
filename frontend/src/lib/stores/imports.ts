// The import wizard's logic, kept out of the components so it is tested on its own: the
// steps, the settings built from what was detected, the mapping edits, and the summary of
// a report.
import type { ImportFile, ImportReport, ImportSettings } from '$lib/api/imports';

export const STEPS = ['file', 'mapping', 'check', 'run', 'done'] as const;
export type Step = (typeof STEPS)[number];

/** initialSettings starts from the file as read: the suggested mapping, update on a
 * duplicate, linked companies created. */
export function initialSettings(file: ImportFile): ImportSettings {
  return {
    typeId: file.typeId,
    encoding: '',
    separator: '',
    headerRow: undefined,
    dateOrder: '',
    decimalComma: undefined,
    columns: [...file.suggested],
    dedupe: 'update',
    keyField: '',
    createLinked: true,
  } as ImportSettings;
}

/** mapColumn sends a column to a target ("" leaves it out); a single-valued target taken
 * by another column leaves that column out, so one field never gets two columns. */
export function mapColumn(s: ImportSettings, column: number, target: string, multiple: (key: string) => boolean): ImportSettings {
  const columns = [...s.columns];
  while (columns.length <= column) columns.push('');
  if (target !== '' && !multiple(target)) {
    for (let i = 0; i < columns.length; i++) if (i !== column && columns[i] === target) columns[i] = '';
  }
  columns[column] = target;
  return { ...s, columns } as ImportSettings;
}

/** mappedCount is how many columns go somewhere. */
export function mappedCount(s: ImportSettings): number {
  return s.columns.filter((c) => c !== '').length;
}

/** canImport: at least one column mapped, and (after a validation) at least one row that
 * would be created or updated. */
export function canImport(s: ImportSettings, report: ImportReport | null): boolean {
  if (mappedCount(s) === 0) return false;
  if (!report) return true;
  return report.created + report.updated + report.skipped > 0;
}

/** percent turns a progress fraction into a whole percentage, 0–100. */
export function percent(fraction: number): number {
  if (!Number.isFinite(fraction)) return 0;
  return Math.max(0, Math.min(100, Math.round(fraction * 100)));
}

/** separatorName is how the wizard names a separator (a key of imports.separators). */
export function separatorName(sep: string): string {
  return { ';': 'semicolon', ',': 'comma', '\t': 'tab', '|': 'pipe' }[sep] ?? 'other';
}

/** cellText shows a previewed value: lists joined, booleans as a check mark. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cellText).join(', ');
  if (typeof v === 'boolean') return v ? '✓' : '';
  return String(v);
}

/** NEW_FIELD is the mapping menu's "new field from this column" entry (admins). */
export const NEW_FIELD = ':new';

/** The kinds a field made from a column may take (a link needs its target: the type editor). */
export const NEW_FIELD_KINDS = ['text', 'long_text', 'number', 'money', 'date', 'date_time', 'checkbox', 'email', 'phone', 'url'] as const;
export type NewFieldKind = (typeof NEW_FIELD_KINDS)[number];

export interface NewFieldDraft {
  column: number;
  label: string;
  kind: NewFieldKind;
  currency: string;
}

/** newFieldDraft starts a field from a column: named as its header (fallback: "Column n",
 * given by the caller), of the kind its values suggest. */
export function newFieldDraft(file: ImportFile, column: number, fallback: string): NewFieldDraft {
  const header = (file.header[column] ?? '').trim();
  const guessed = file.kinds[column] as NewFieldKind;
  return {
    column,
    label: header || fallback,
    kind: NEW_FIELD_KINDS.includes(guessed) ? guessed : 'text',
    currency: 'EUR',
  };
}

/** The targets an import puts together into fields: a full name is split into first and
 * last names, the parts of an address join the address. */
const COMPOSED: Record<string, string[]> = {
  full_name: ['first_name', 'last_name'],
  postal_code: ['address'],
  city: ['address'],
  country: ['address'],
};

/** mappedTargets are the fields the columns fill, each once, in the file's order (the
 * preview's columns: a composed target shows as the fields it fills). */
export function mappedTargets(s: ImportSettings): string[] {
  return [...new Set(s.columns.filter((c) => c !== '').flatMap((c) => COMPOSED[c] ?? [c]))];
}

/** decimalChoice is the decimal mark override as the menu shows it; decimalSetting turns
 * the menu's value back into the setting (undefined: as detected). */
export function decimalChoice(s: ImportSettings): '' | 'comma' | 'point' {
  return s.decimalComma === undefined || s.decimalComma === null ? '' : s.decimalComma ? 'comma' : 'point';
}
export function decimalSetting(v: string): boolean | undefined {
  return v === 'comma' ? true : v === 'point' ? false : undefined;
}
