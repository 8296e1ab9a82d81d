// The business records (contacts, companies and the types admins define): their types and
// fields, pages of a list, a record's page, the trash and the saved views. The only place
// that calls the Records bindings; every result is mapped to the UI's types, a value this
// version does not know read in the safest way (a kind it does not know: text).
import * as Records from '../../../wailsjs/go/api/Records';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { FIELD_KINDS, FILTER_OPS, type FieldKind, type FilterOp } from './generated/enums';
import { RECORDS_CHANGED_EVENT, type RecordsChangedDTO } from './generated/events';
import type { Model, Wire } from './model';

export { FIELD_KINDS, FILTER_OPS, RECORDS_CHANGED_EVENT, type FieldKind, type FilterOp };

export function isFieldKind(v: unknown): v is FieldKind {
  return typeof v === 'string' && (FIELD_KINDS as readonly string[]).includes(v);
}

export function isFilterOp(v: unknown): v is FilterOp {
  return typeof v === 'string' && (FILTER_OPS as readonly string[]).includes(v);
}

/** The built-in kinds of record; null for a type an admin defined. */
export type BuiltinType = 'contact' | 'company';

export type Choice = Model<api.ChoiceDTO>;

/** A field of a type. A built-in field's label is English: the UI words it from its key. */
export type RecordField = Model<api.FieldDTO, { kind: FieldKind; choices: Choice[] }>;

/** A kind of record with its fields, in their order. titleFieldId is 0 for contacts (titled
 * by their name). */
export type RecordType = Model<api.RecordTypeDTO, { builtin: BuiltinType | null; fields: RecordField[] }>;

/** A linked record as a link field shows it. */
export type LinkRef = Model<api.LinkRefDTO>;

/** A field's value: text (also dates, YYYY-MM-DD, and date-times, RFC 3339), a number (money
 * in major units), true for a checked box, a choice's id, a list of those for a field that
 * holds several, and for a link field always a list of linked records. */
export type RecordValue = string | number | boolean | LinkRef[] | (string | number)[];

/** A record. values holds only the fields that have a value, by field key. */
export type RecordItem = Model<api.RecordDTO, { values: Record<string, RecordValue> }>;

export type Backlinks = Model<api.BacklinksDTO, { records: LinkRef[] }>;

/** A record's page: the record, and the records of each link field that link to it. */
export type RecordDetail = Model<api.RecordDetailDTO, { record: RecordItem; backlinks: Backlinks[] }>;

export type RecordPage = Model<api.RecordPageDTO, { records: RecordItem[] }>;

export type SortSpec = Model<api.SortDTO>;

/** A condition on a field (its key, or title, created_at, updated_at): the value is a text,
 * a number, a date (YYYY-MM-DD), a choice's id or a record's id, as the condition wants. */
export type RecordFilter = Model<api.FilterDTO, { op: FilterOp; value: string | number | null }>;

/** What a list shows. The page's cursor and size are the call's arguments. */
export interface RecordQuery {
  typeId: number;
  search: string;
  sort: SortSpec;
  filters: RecordFilter[];
  /** The field keys whose values to read; all when empty. */
  columns: string[];
}

export type SavedView = Model<api.ViewDTO, { sort: SortSpec; filters: RecordFilter[] }>;

export type TrashItem = Model<api.TrashItemDTO>;

export type FieldUsage = Model<api.FieldUsageDTO, { choices: Model<api.ChoiceUsageDTO>[] }>;

export type TypeInput = Model<api.TypeInputDTO>;

export type FieldInput = Model<api.FieldInputDTO, { kind: FieldKind; choices: Choice[] }>;

/** What records:changed says: the types and records that changed; both empty when types or
 * fields changed (the UI then reads the types again). */
export type RecordsChanged = Model<RecordsChangedDTO>;

/** Rows per page of a list. */
export const RECORDS_PAGE_SIZE = 100;

// --- from the wire ------------------------------------------------------------------

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function ids(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : [];
}

export function toChoice(w: Wire<api.ChoiceDTO> | null | undefined): Choice {
  return { id: num(w?.id), label: text(w?.label) };
}

export function toField(w: Wire<api.FieldDTO> | null | undefined): RecordField {
  return {
    id: num(w?.id),
    typeId: num(w?.typeId),
    key: text(w?.key),
    label: text(w?.label),
    // A kind this version does not know is shown and edited as text.
    kind: isFieldKind(w?.kind) ? w.kind : 'text',
    builtin: w?.builtin === true,
    multiple: w?.multiple === true,
    currency: text(w?.currency),
    targetTypeId: num(w?.targetTypeId),
    choices: Array.isArray(w?.choices) ? w.choices.map(toChoice) : [],
  };
}

export function toRecordType(w: Wire<api.RecordTypeDTO> | null | undefined): RecordType {
  const b = text(w?.builtin);
  return {
    id: num(w?.id),
    key: text(w?.key),
    builtin: b === 'contact' || b === 'company' ? b : null,
    singular: text(w?.singular),
    plural: text(w?.plural),
    titleFieldId: num(w?.titleFieldId),
    fields: Array.isArray(w?.fields) ? w.fields.map(toField) : [],
  };
}

export function toLinkRef(w: unknown): LinkRef | null {
  if (!w || typeof w !== 'object') return null;
  const o = w as Record<string, unknown>;
  const id = num(o.id);
  return id ? { id, typeId: num(o.typeId), title: text(o.title) } : null;
}

function isLinkList(v: unknown[]): boolean {
  return v.length > 0 && v.every((x) => x !== null && typeof x === 'object');
}

/** toValue reads one value as sent; anything else (an object, null) is no value. */
export function toValue(v: unknown): RecordValue | null {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    if (isLinkList(v)) return v.map(toLinkRef).filter((x): x is LinkRef => x !== null);
    return v.filter((x): x is string | number => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
  }
  return null;
}

export function toValues(w: unknown): Record<string, RecordValue> {
  const out: Record<string, RecordValue> = {};
  if (!w || typeof w !== 'object') return out;
  for (const [k, v] of Object.entries(w as Record<string, unknown>)) {
    const x = toValue(v);
    if (x !== null) out[k] = x;
  }
  return out;
}

export function toRecord(w: Wire<api.RecordDTO> | null | undefined): RecordItem {
  return {
    id: num(w?.id),
    typeId: num(w?.typeId),
    title: text(w?.title),
    values: toValues(w?.values),
    createdAt: text(w?.createdAt),
    createdByName: text(w?.createdByName),
    updatedAt: text(w?.updatedAt),
    updatedByName: text(w?.updatedByName),
    deletedAt: text(w?.deletedAt),
    importId: num(w?.importId),
  };
}

export function toRecordPage(w: Wire<api.RecordPageDTO> | null | undefined): RecordPage {
  return {
    records: Array.isArray(w?.records) ? w.records.map(toRecord) : [],
    next: text(w?.next),
    total: typeof w?.total === 'number' ? w.total : -1,
  };
}

export function toDetail(w: Wire<api.RecordDetailDTO> | null | undefined): RecordDetail {
  return {
    record: toRecord(w?.record),
    backlinks: Array.isArray(w?.backlinks)
      ? w.backlinks.map((b) => ({
          fieldId: num(b?.fieldId),
          typeId: num(b?.typeId),
          records: Array.isArray(b?.records) ? (b.records as unknown[]).map(toLinkRef).filter((x): x is LinkRef => x !== null) : [],
          total: num(b?.total),
        }))
      : [],
  };
}

export function toFilter(w: Wire<api.FilterDTO> | null | undefined): RecordFilter | null {
  if (!isFilterOp(w?.op) || !text(w?.field)) return null;
  const v: unknown = w?.value;
  return { field: text(w?.field), op: w.op, value: typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : null };
}

export function toSort(w: Wire<api.SortDTO> | null | undefined): SortSpec {
  return { field: text(w?.field), desc: w?.desc === true };
}

export function toView(w: Wire<api.ViewDTO> | null | undefined): SavedView {
  return {
    id: num(w?.id),
    typeId: num(w?.typeId),
    name: text(w?.name),
    columns: Array.isArray(w?.columns) ? w.columns.map(text).filter(Boolean) : [],
    sort: toSort(w?.sort),
    filters: Array.isArray(w?.filters) ? w.filters.map(toFilter).filter((f): f is RecordFilter => f !== null) : [],
    search: text(w?.search),
  };
}

export function toTrashItem(w: Wire<api.TrashItemDTO> | null | undefined): TrashItem {
  return { id: num(w?.id), typeId: num(w?.typeId), title: text(w?.title), deletedAt: text(w?.deletedAt), deletedByName: text(w?.deletedByName) };
}

export function toFieldUsage(w: Wire<api.FieldUsageDTO> | null | undefined): FieldUsage {
  return {
    records: num(w?.records),
    choices: Array.isArray(w?.choices) ? w.choices.map((c) => ({ choiceId: num(c?.choiceId), records: num(c?.records) })) : [],
  };
}

export function toRecordsChanged(w: Wire<RecordsChangedDTO> | null | undefined): RecordsChanged {
  return { typeIds: ids(w?.typeIds), recordIds: ids(w?.recordIds) };
}

// --- to the wire --------------------------------------------------------------------

/** An edited value as the backend takes it: a link as record ids, a cleared field as null. */
export type ValueInput = string | number | boolean | null | (string | number)[];

export function wireQuery(q: RecordQuery, cursor: string, limit: number): api.RecordQueryDTO {
  return api.RecordQueryDTO.createFrom({
    typeId: q.typeId,
    search: q.search.trim(),
    sort: { field: q.sort.field, desc: q.sort.desc },
    filters: q.filters.map((f) => ({ field: f.field, op: f.op, value: f.value })),
    columns: [...q.columns],
    cursor,
    limit,
  });
}

function wireView(v: SavedView): api.ViewDTO {
  return api.ViewDTO.createFrom({
    id: v.id,
    typeId: v.typeId,
    name: v.name,
    columns: [...v.columns],
    sort: { ...v.sort },
    filters: v.filters.map((f) => ({ field: f.field, op: f.op, value: f.value })),
    search: v.search,
  });
}

function wireField(f: FieldInput): api.FieldInputDTO {
  return api.FieldInputDTO.createFrom({ ...f, choices: f.choices.map((c) => ({ id: c.id, label: c.label })) });
}

// --- the calls ----------------------------------------------------------------------

export const recordsApi = {
  types: (): Promise<RecordType[]> => call(async () => ((await Records.Types()) ?? []).map(toRecordType)),
  createType: (input: TypeInput): Promise<RecordType> => call(async () => toRecordType(await Records.CreateType(api.TypeInputDTO.createFrom(input)))),
  updateType: (id: number, input: TypeInput): Promise<RecordType> =>
    call(async () => toRecordType(await Records.UpdateType(id, api.TypeInputDTO.createFrom(input)))),
  deleteType: (id: number): Promise<void> => call(() => Records.DeleteType(id)),
  addField: (typeId: number, input: FieldInput): Promise<RecordField> => call(async () => toField(await Records.AddField(typeId, wireField(input)))),
  updateField: (id: number, input: FieldInput): Promise<RecordField> => call(async () => toField(await Records.UpdateField(id, wireField(input)))),
  fieldUsage: (id: number): Promise<FieldUsage> => call(async () => toFieldUsage(await Records.FieldUsage(id))),
  deleteField: (id: number): Promise<void> => call(() => Records.DeleteField(id)),

  /** list returns a page; pass the previous page's next as cursor. */
  list: (q: RecordQuery, cursor = '', limit = RECORDS_PAGE_SIZE): Promise<RecordPage> =>
    call(async () => toRecordPage(await Records.List(wireQuery(q, cursor, limit)))),
  get: (id: number): Promise<RecordDetail> => call(async () => toDetail(await Records.Get(id))),
  create: (typeId: number, values: Record<string, ValueInput>): Promise<RecordItem> =>
    call(async () => toRecord(await Records.Create(api.RecordInputDTO.createFrom({ typeId, values })))),
  /** update changes only the fields given (null clears one). */
  update: (id: number, values: Record<string, ValueInput>): Promise<RecordItem> =>
    call(async () => toRecord(await Records.Update(id, api.RecordInputDTO.createFrom({ typeId: 0, values })))),
  remove: (ids: number[]): Promise<void> => call(() => Records.Delete([...ids])),
  restore: (ids: number[]): Promise<void> => call(() => Records.Restore([...ids])),
  /** trash lists the deleted records, the last deleted first; before is the last id of the
   * previous page (0 for the first). */
  trash: (before = 0, limit = RECORDS_PAGE_SIZE): Promise<TrashItem[]> => call(async () => ((await Records.Trash(before, limit)) ?? []).map(toTrashItem)),
  emptyTrash: (): Promise<number> => call(async () => num(await Records.EmptyTrash())),

  views: (typeId: number): Promise<SavedView[]> => call(async () => ((await Records.Views(typeId)) ?? []).map(toView)),
  /** saveView creates a view (id 0) or replaces one. */
  saveView: (v: SavedView): Promise<SavedView> => call(async () => toView(await Records.SaveView(wireView(v)))),
  deleteView: (id: number): Promise<void> => call(() => Records.DeleteView(id)),
};

export const recordsEventsApi = {
  /** onChanged calls fn with every change of the records; it returns the function that
   * stops listening. Without the runtime (tests, a plain browser) it listens to nothing. */
  onChanged(fn: (e: RecordsChanged) => void): () => void {
    try {
      const off = EventsOn(RECORDS_CHANGED_EVENT, (data: Wire<RecordsChangedDTO>) => fn(toRecordsChanged(data)));
      return typeof off === 'function' ? off : () => {};
    } catch {
      return () => {};
    }
  },
};
