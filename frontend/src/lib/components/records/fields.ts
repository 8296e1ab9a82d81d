// What the Records screen knows about fields: their names in the user's language (a
// built-in field's from the catalogue, the others as the admin typed them), the conditions a
// filter offers for each kind and the input each needs, how a value reads in a cell, and
// how an edited value goes back to the backend. Values are shown as text, never as HTML.
import type { BuiltinType, FieldKind, FilterOp, LinkRef, RecordField, RecordType, RecordValue, ValueInput } from '$lib/api';
import { hasKey } from '$lib/i18n/keys';

type Translate = (key: string, opts?: { values?: Record<string, string | number> }) => string;

/** The columns every type has besides its fields. */
export const META_COLUMNS = ['created_at', 'updated_at'] as const;

/** typeName is a type's name: a built-in type's from the catalogue. */
export function typeName(t: Translate, type: Pick<RecordType, 'builtin' | 'singular' | 'plural'>, form: 'singular' | 'plural'): string {
  if (type.builtin) return t(`records.builtin.${type.builtin}.${form}`);
  return form === 'singular' ? type.singular : type.plural;
}

/** fieldLabel is a field's name: a built-in field's from the catalogue by type and key. */
export function fieldLabel(t: Translate, type: Pick<RecordType, 'builtin'> | undefined, field: Pick<RecordField, 'builtin' | 'key' | 'label'>): string {
  if (field.builtin && type?.builtin) {
    const key = `records.builtin.${type.builtin}.fields.${field.key}`;
    if (hasKey(key)) return t(key);
  }
  return field.label;
}

/** columnLabel names a column: a field, the title, or when a record was created or edited. */
export function columnLabel(t: Translate, type: RecordType, key: string): string {
  if (key === 'title') return t('records.list.titleColumn');
  if (key === 'created_at') return t('records.list.createdAt');
  if (key === 'updated_at') return t('records.list.updatedAt');
  const f = type.fields.find((x) => x.key === key);
  return f ? fieldLabel(t, type, f) : key;
}

/** choiceLabel names a choice; the contacts' built-in languages are worded. */
export function choiceLabel(t: Translate, field: RecordField, id: number | string): string {
  const c = field.choices.find((x) => x.id === id || x.label === id);
  if (!c) return String(id);
  if (field.builtin && field.key === 'language' && hasKey(`language.${c.label}`)) return t(`language.${c.label}`);
  return c.label;
}

/** titleField is the field that titles a type's records (none for contacts). */
export function titleField(type: RecordType): RecordField | undefined {
  return type.fields.find((f) => f.id === type.titleFieldId);
}

/** defaultColumns: the first fields that read well in a row (not long texts), up to five,
 * the title's field first. */
export function defaultColumns(type: RecordType): string[] {
  const title = titleField(type);
  const rest = type.fields.filter((f) => f !== title && f.kind !== 'long_text');
  return [...(title ? [title.key] : []), ...rest.map((f) => f.key)].slice(0, 5);
}

/** sortable: every field but a link sorts (the backend refuses to sort by a link). */
export function sortable(field: Pick<RecordField, 'kind'> | undefined): boolean {
  return field?.kind !== 'link';
}

const TEXTUAL: readonly FieldKind[] = ['text', 'long_text', 'email', 'phone', 'url', 'domain'];

/** opsFor lists the conditions a filter offers on a field (or on title, created_at,
 * updated_at), in the order the menu shows them: what the backend accepts for that kind. */
export function opsFor(field: Pick<RecordField, 'kind'> | 'title' | 'created_at' | 'updated_at'): FilterOp[] {
  if (field === 'title') return ['contains', 'equals', 'is_empty', 'is_not_empty'];
  if (field === 'created_at' || field === 'updated_at') return ['before', 'after'];
  const k = field.kind;
  const empty: FilterOp[] = ['is_empty', 'is_not_empty'];
  if (TEXTUAL.includes(k)) return ['contains', 'equals', ...empty];
  if (k === 'number' || k === 'money') return ['equals', 'greater', 'less', ...empty];
  if (k === 'date' || k === 'date_time') return ['before', 'after', 'equals', ...empty];
  if (k === 'checkbox') return ['is_checked', 'is_empty'];
  if (k === 'single_choice' || k === 'multiple_choice') return ['has_choice', ...empty];
  if (k === 'link') return ['linked_to', ...empty];
  return empty;
}

/** The input a filter's value needs. */
export type OpInput = 'none' | 'text' | 'number' | 'date' | 'choice' | 'record';

export function opInput(op: FilterOp, field: Pick<RecordField, 'kind'> | 'title' | 'created_at' | 'updated_at'): OpInput {
  if (op === 'is_empty' || op === 'is_not_empty' || op === 'is_checked') return 'none';
  if (op === 'has_choice') return 'choice';
  if (op === 'linked_to') return 'record';
  if (op === 'before' || op === 'after') return 'date';
  if (typeof field === 'string') return field === 'title' ? 'text' : 'date';
  if (field.kind === 'number' || field.kind === 'money') return 'number';
  if (field.kind === 'date' || field.kind === 'date_time') return 'date';
  return 'text';
}

export function isLinks(v: RecordValue | undefined): v is LinkRef[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object';
}

export interface FormatContext {
  t: Translate;
  locale: string;
}

function money(n: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, currency ? { style: 'currency', currency } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)} ${currency}`;
  }
}

function date(s: string, locale: string): string {
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(t) : s;
}

function dateTime(s: string, locale: string): string {
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t) : s;
}

/** formatOne words one value of a field. */
function formatOne(field: RecordField, v: string | number | boolean | LinkRef, c: FormatContext): string {
  if (typeof v === 'object') return v.title || c.t('records.untitled');
  switch (field.kind) {
    case 'checkbox':
      return v === true ? c.t('records.value.yes') : c.t('records.value.no');
    case 'number':
      return typeof v === 'number' ? new Intl.NumberFormat(c.locale, { maximumFractionDigits: 6 }).format(v) : String(v);
    case 'money':
      return typeof v === 'number' ? money(v, field.currency, c.locale) : String(v);
    case 'date':
      return date(String(v), c.locale);
    case 'date_time':
      return dateTime(String(v), c.locale);
    case 'single_choice':
    case 'multiple_choice':
      return choiceLabel(c.t, field, typeof v === 'boolean' ? String(v) : v);
  }
  return String(v);
}

/** formatValue is a value as a cell reads it ("" for none); several values joined by commas. */
export function formatValue(field: RecordField, v: RecordValue | undefined, c: FormatContext): string {
  // An unchecked box is absent: it reads "No".
  if (v === undefined || v === null || v === '') return field.kind === 'checkbox' ? c.t('records.value.no') : '';
  const list: (string | number | boolean | LinkRef)[] = Array.isArray(v) ? v : [v];
  return list.map((x) => formatOne(field, x, c)).join(', ');
}

// --- editing --------------------------------------------------------------------------

/** A value while it is edited: the text of an input, the ids chosen, the box's state. */
export type Draft = string | boolean | number[] | LinkRef[];

/** draftOf is the editable form of a value. */
export function draftOf(field: RecordField, v: RecordValue | undefined): Draft {
  switch (field.kind) {
    case 'checkbox':
      return v === true;
    case 'link':
      return isLinks(v) ? v : [];
    case 'single_choice':
    case 'multiple_choice':
      return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is number => typeof x === 'number');
    case 'date_time':
      return typeof v === 'string' ? localDateTime(v) : '';
  }
  if (field.multiple && Array.isArray(v)) return v.map(String).join('\n');
  if (v === undefined) return '';
  return String(v);
}

/** localDateTime turns an RFC 3339 time into a datetime-local input's value. */
export function localDateTime(iso: string): string {
  const t = new Date(iso);
  if (!Number.isFinite(t.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}`;
}

/** parseNumber reads a number typed in French or English ("1 234,56", "1,234.56", "12.5"). */
export function parseNumber(s: string): number | string {
  const raw = s.trim().replace(/[\s\u00a0\u202f€$£]/g, '');
  if (raw === '') return '';
  let x = raw;
  if (x.includes(',') && x.includes('.')) {
    x = x.lastIndexOf(',') > x.lastIndexOf('.') ? x.replace(/\./g, '').replace(',', '.') : x.replace(/,/g, '');
  } else if (x.includes(',')) {
    x = x.replace(',', '.');
  }
  const n = Number(x);
  // What is not a number goes as typed: the backend says why, next to the field.
  return Number.isFinite(n) && /^-?\d*\.?\d+$/.test(x) ? n : s.trim();
}

/** inputOf is what an edited value sends: null clears the field. */
export function inputOf(field: RecordField, d: Draft): ValueInput {
  switch (field.kind) {
    case 'checkbox':
      return d === true;
    case 'link': {
      const ids = Array.isArray(d) ? d.map((x) => (typeof x === 'number' ? x : x.id)) : [];
      return field.multiple ? ids : (ids[0] ?? null);
    }
    case 'single_choice':
    case 'multiple_choice': {
      const ids = Array.isArray(d) ? d.map((x) => (typeof x === 'number' ? x : x.id)) : [];
      return field.kind === 'multiple_choice' || field.multiple ? ids : (ids[0] ?? null);
    }
  }
  const s = typeof d === 'string' ? d : '';
  if (field.multiple) {
    const parts = s.split(/\n/).map((x) => x.trim()).filter(Boolean);
    return field.kind === 'number' || field.kind === 'money' ? parts.map(parseNumber) : parts;
  }
  if (s.trim() === '') return null;
  if (field.kind === 'number' || field.kind === 'money') return parseNumber(s);
  if (field.kind === 'date_time') {
    const t = new Date(s);
    return Number.isFinite(t.getTime()) ? t.toISOString() : s;
  }
  return field.kind === 'long_text' ? s : s.trim();
}

/** sameValue says whether an edit changes nothing (then nothing is sent). */
export function sameValue(field: RecordField, before: RecordValue | undefined, d: Draft): boolean {
  return JSON.stringify(inputOf(field, draftOf(field, before))) === JSON.stringify(inputOf(field, d));
}

/** localParams words the field and the type named in an error's params as the user sees
 * them: the backend names a field by its key ({fieldKey}), a built-in field's {field} being
 * that key too, and a built-in type by its key ({typeKey}, {type} being that key too). A
 * field of a built-in type named by {typeKey} is that type's, not `type`'s. */
export function localParams(t: Translate, type: RecordType | undefined, params: Record<string, string | number>): Record<string, string | number> {
  if (typeof params.typeKey === 'string') {
    const builtin = params.typeKey as BuiltinType;
    const out: Record<string, string | number> = { ...params, type: typeName(t, { builtin, singular: '', plural: '' }, 'plural') };
    const key = `records.builtin.${builtin}.fields.${params.fieldKey}`;
    if (params.field === params.fieldKey && hasKey(key)) out.field = t(key);
    return out;
  }
  if (!type) return params;
  const key = typeof params.fieldKey === 'string' ? params.fieldKey : undefined;
  const f =
    key !== undefined
      ? type.fields.find((x) => x.key === key)
      : typeof params.field === 'string'
        ? type.fields.find((x) => x.label === params.field || x.key === params.field)
        : undefined;
  return f ? { ...params, field: fieldLabel(t, type, f) } : params;
}

/** The field kinds an admin may add (domains are the companies' own). */
export const ADDABLE_KINDS: readonly FieldKind[] = [
  'text',
  'long_text',
  'number',
  'money',
  'date',
  'date_time',
  'checkbox',
  'single_choice',
  'multiple_choice',
  'email',
  'phone',
  'url',
  'link',
];
