import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    recordsApi: { types: vi.fn(), list: vi.fn(), views: vi.fn() },
    recordsEventsApi: { onChanged: vi.fn() },
  };
});

import { ApiError, recordsApi, recordsEventsApi, type RecordItem, type RecordsChanged, type RecordType } from '$lib/api';
import { complete, createRecordList, queryOf, recordTypes, REFRESH_MS, SEARCH_DEBOUNCE_MS, toggleSort, viewOf } from './records';

const type: RecordType = {
  id: 3, key: 'facture', builtin: null, singular: 'Facture', plural: 'Factures', titleFieldId: 10,
  fields: [
    { id: 10, typeId: 3, key: 'numero', label: 'Numéro', kind: 'text', builtin: false, multiple: false, currency: '', targetTypeId: 0, choices: [] },
    { id: 11, typeId: 3, key: 'montant', label: 'Montant', kind: 'money', builtin: false, multiple: false, currency: 'EUR', targetTypeId: 0, choices: [] },
  ],
};

const rec = (id: number): RecordItem => ({ id, typeId: 3, title: `F-${id}`, values: {}, createdAt: '', createdByName: '', updatedAt: '', updatedByName: '', deletedAt: '', importId: 0 });
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  vi.resetAllMocks();
  vi.mocked(recordsEventsApi.onChanged).mockReturnValue(() => {});
});
afterEach(() => vi.useRealTimers());

describe('the sort and the filters', () => {
  it('a header click sorts ascending, then descending, then back to the default order', () => {
    let s = toggleSort({ field: '', desc: false }, 'montant');
    expect(s).toEqual({ field: 'montant', desc: false });
    s = toggleSort(s, 'montant');
    expect(s).toEqual({ field: 'montant', desc: true });
    expect(toggleSort(s, 'montant')).toEqual({ field: '', desc: false });
    expect(toggleSort(s, 'numero')).toEqual({ field: 'numero', desc: false });
  });

  it('a filter waits for its value, except those that need none', () => {
    expect(complete({ field: 'numero', op: 'contains', value: '' })).toBe(false);
    expect(complete({ field: 'numero', op: 'contains', value: 'F' })).toBe(true);
    expect(complete({ field: 'numero', op: 'is_empty', value: null })).toBe(true);
    expect(complete({ field: 'montant', op: 'greater', value: 0 })).toBe(true);
  });

  it('a saved view keeps complete filters, and reads back without fields that are gone', () => {
    const v = viewOf({ typeId: 3, search: 'f', sort: { field: 'montant', desc: true }, columns: ['numero'],
      filters: [{ field: 'numero', op: 'contains', value: '' }, { field: 'montant', op: 'greater', value: 100 }] }, '  Grosses  ', 4);
    expect(v).toEqual({ id: 4, typeId: 3, name: 'Grosses', search: 'f', sort: { field: 'montant', desc: true }, columns: ['numero'], filters: [{ field: 'montant', op: 'greater', value: 100 }] });
    const q = queryOf({ ...v, columns: ['gone'], sort: { field: 'gone', desc: true }, filters: [...v.filters, { field: 'gone', op: 'is_empty', value: null }] }, type);
    expect(q).toEqual({ typeId: 3, search: 'f', sort: { field: '', desc: false }, columns: ['numero', 'montant'], filters: [{ field: 'montant', op: 'greater', value: 100 }] });
  });
});

describe('a records list', () => {
  it('opens a type with its default columns and reads page after page, once each', async () => {
    vi.mocked(recordsApi.list).mockResolvedValueOnce({ records: [rec(1), rec(2)], next: 'c1', total: 3 }).mockResolvedValueOnce({ records: [rec(2), rec(3)], next: '', total: -1 });
    const list = createRecordList();
    await list.open(type);
    expect(recordsApi.list).toHaveBeenCalledWith({ typeId: 3, search: '', sort: { field: '', desc: false }, filters: [], columns: ['numero', 'montant'] }, '', 100);
    expect(get(list)).toMatchObject({ status: 'ready', total: 3, next: 'c1' });
    await list.loadMore();
    expect(vi.mocked(recordsApi.list).mock.calls[1][1]).toBe('c1');
    expect(get(list).rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(get(list).total).toBe(3);
    await list.loadMore();
    expect(recordsApi.list).toHaveBeenCalledTimes(2);
  });

  it('searches once typing pauses', async () => {
    vi.useFakeTimers();
    vi.mocked(recordsApi.list).mockResolvedValue({ records: [], next: '', total: 0 });
    const list = createRecordList();
    await list.open(type);
    list.search('F');
    list.search('F-0');
    list.search('F-00');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 10);
    expect(recordsApi.list).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(recordsApi.list).toHaveBeenCalledTimes(2);
    expect(vi.mocked(recordsApi.list).mock.calls[1][0].search).toBe('F-00');
  });

  it('a filter without its value reads nothing again; with it, the list is read again', async () => {
    vi.mocked(recordsApi.list).mockResolvedValue({ records: [], next: '', total: 0 });
    const list = createRecordList();
    await list.open(type);
    await list.setFilters([{ field: 'montant', op: 'greater', value: null }]);
    expect(recordsApi.list).toHaveBeenCalledTimes(1);
    await list.setFilters([{ field: 'montant', op: 'greater', value: 100 }]);
    expect(recordsApi.list).toHaveBeenCalledTimes(2);
    expect(vi.mocked(recordsApi.list).mock.calls[1][0].filters).toEqual([{ field: 'montant', op: 'greater', value: 100 }]);
    await list.sortBy('montant');
    expect(vi.mocked(recordsApi.list).mock.calls[2][0].sort).toEqual({ field: 'montant', desc: false });
  });

  it('an answer to an older query is dropped', async () => {
    let first: (v: unknown) => void = () => {};
    vi.mocked(recordsApi.list)
      .mockImplementationOnce(() => new Promise((r) => (first = r as never)))
      .mockResolvedValueOnce({ records: [rec(9)], next: '', total: 1 });
    const list = createRecordList();
    const a = list.open(type);
    await list.sortBy('montant');
    first({ records: [rec(1)], next: '', total: 1 });
    await a;
    expect(get(list).rows.map((r) => r.id)).toEqual([9]);
  });

  it('says why the list could not be read', async () => {
    vi.mocked(recordsApi.list).mockRejectedValue(new ApiError('invalid_input', { reason: 'records_sort_invalid', params: { field: 'client' } }));
    const list = createRecordList();
    await list.open(type);
    expect(get(list)).toMatchObject({ status: 'failed', error: { reason: 'records_sort_invalid' } });
  });

  it('follows the events of its type, a burst at most once, keeping the rows shown', async () => {
    vi.useFakeTimers();
    let emit: (e: RecordsChanged) => void = () => {};
    vi.mocked(recordsEventsApi.onChanged).mockImplementation((fn) => {
      emit = fn;
      return () => {};
    });
    vi.mocked(recordsApi.list).mockResolvedValue({ records: [rec(1)], next: '', total: 1 });
    vi.mocked(recordsApi.types).mockResolvedValue([type]);
    const list = createRecordList();
    const off = list.connect();
    await list.open(type);
    emit({ typeIds: [4], recordIds: [1] });
    await vi.advanceTimersByTimeAsync(REFRESH_MS + 10);
    expect(recordsApi.list).toHaveBeenCalledTimes(1);
    emit({ typeIds: [3], recordIds: [1] });
    emit({ typeIds: [3], recordIds: [2] });
    await vi.advanceTimersByTimeAsync(REFRESH_MS + 10);
    expect(recordsApi.list).toHaveBeenCalledTimes(2);
    // Types or fields changed: the types are read again too.
    emit({ typeIds: [], recordIds: [] });
    await vi.advanceTimersByTimeAsync(REFRESH_MS + 10);
    expect(recordsApi.types).toHaveBeenCalledTimes(1);
    expect(recordsApi.list).toHaveBeenCalledTimes(3);
    off();
  });

  it('drops deleted rows at once', async () => {
    vi.mocked(recordsApi.list).mockResolvedValue({ records: [rec(1), rec(2)], next: '', total: 2 });
    const list = createRecordList();
    await list.open(type);
    list.drop([1]);
    expect(get(list)).toMatchObject({ rows: [{ id: 2 }], total: 1 });
  });
});

describe('the types', () => {
  it('are read, and a failure is kept to be shown', async () => {
    recordTypes.reset();
    vi.mocked(recordsApi.types).mockResolvedValueOnce([type]).mockRejectedValueOnce(new ApiError('internal', 'x'));
    await recordTypes.load();
    expect(get(recordTypes)).toMatchObject({ status: 'ready', items: [{ id: 3 }] });
    expect(recordTypes.byId(3)?.plural).toBe('Factures');
    await recordTypes.load();
    await flush();
    expect(get(recordTypes)).toMatchObject({ status: 'failed', items: [{ id: 3 }], error: { code: 'internal' } });
  });
});
