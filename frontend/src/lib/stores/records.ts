// The records as the Records screen sees them: the types with their fields (read once, and
// again when records:changed says types or fields changed), and one list: its query
// (search, sort, filters, columns), the rows loaded so far page by page (keyset), its total.
// The list follows the records' events while open: a change re-reads the rows shown.
import { get, writable } from 'svelte/store';
import {
  RECORDS_PAGE_SIZE,
  recordsApi,
  recordsEventsApi,
  toApiError,
  type ApiError,
  type RecordFilter,
  type RecordItem,
  type RecordQuery,
  type RecordType,
  type SavedView,
  type SortSpec,
} from '$lib/api';
import { defaultColumns } from '$lib/components/records/fields';

/** How long typing waits before the search runs. */
export const SEARCH_DEBOUNCE_MS = 200;
/** How long a burst of events waits before one re-read. */
export const REFRESH_MS = 250;

// --- the types --------------------------------------------------------------------------

export interface TypesData {
  items: RecordType[];
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: ApiError | null;
}

const typesStore = writable<TypesData>({ items: [], status: 'idle', error: null });
let typesGeneration = 0;

async function loadTypes(): Promise<void> {
  const mine = ++typesGeneration;
  typesStore.update((d) => ({ ...d, status: d.items.length ? d.status : 'loading', error: null }));
  try {
    const items = await recordsApi.types();
    if (mine !== typesGeneration) return;
    typesStore.set({ items, status: 'ready', error: null });
  } catch (e) {
    if (mine !== typesGeneration) return;
    typesStore.update((d) => ({ ...d, status: 'failed', error: toApiError(e) }));
  }
}

export const recordTypes = {
  subscribe: typesStore.subscribe,
  load: loadTypes,
  /** byId finds a type among those loaded. */
  byId(id: number): RecordType | undefined {
    return get(typesStore).items.find((t) => t.id === id);
  },
  reset(): void {
    typesGeneration++;
    typesStore.set({ items: [], status: 'idle', error: null });
  },
};

// --- one list ---------------------------------------------------------------------------

export interface ListData {
  query: RecordQuery;
  rows: RecordItem[];
  next: string;
  /** The matching records (read with the first page); -1 before. */
  total: number;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: ApiError | null;
  loadingMore: boolean;
  moreFailed: boolean;
  /** Changes when the list shows something else (another type, query): it goes to its top. */
  generation: number;
  /** The saved view the query came from (0: none, or changed since). */
  viewId: number;
}

export function emptyQuery(typeId = 0): RecordQuery {
  return { typeId, search: '', sort: { field: '', desc: false }, filters: [], columns: [] };
}

function initialList(): ListData {
  return { query: emptyQuery(), rows: [], next: '', total: -1, status: 'idle', error: null, loadingMore: false, moreFailed: false, generation: 0, viewId: 0 };
}

/** toggleSort is the sort after a click on a column's header: that column ascending, then
 * descending, then back to the default order. */
export function toggleSort(sort: SortSpec, field: string): SortSpec {
  if (sort.field !== field) return { field, desc: false };
  if (!sort.desc) return { field, desc: true };
  return { field: '', desc: false };
}

/** complete says whether a filter can be sent: its condition has the value it needs. */
export function complete(f: RecordFilter): boolean {
  if (f.op === 'is_empty' || f.op === 'is_not_empty' || f.op === 'is_checked') return true;
  return f.value !== null && f.value !== '';
}

/** viewOf is the saved view of a query, with name. */
export function viewOf(q: RecordQuery, name: string, id = 0): SavedView {
  return { id, typeId: q.typeId, name: name.trim(), columns: [...q.columns], sort: { ...q.sort }, filters: q.filters.filter(complete), search: q.search };
}

/** queryOf is the query a saved view asks for, keeping only columns and filters on fields
 * the type still has. */
export function queryOf(v: SavedView, type: RecordType): RecordQuery {
  const keys = new Set([...type.fields.map((f) => f.key), 'title', 'created_at', 'updated_at']);
  const columns = v.columns.filter((c) => keys.has(c));
  return {
    typeId: type.id,
    search: v.search,
    sort: keys.has(v.sort.field) ? { ...v.sort } : { field: '', desc: false },
    filters: v.filters.filter((f) => keys.has(f.field)),
    columns: columns.length ? columns : defaultColumns(type),
  };
}

/** createRecordList makes a list's store (the Records screen has one; tests make their own). */
export function createRecordList() {
  const store = writable<ListData>(initialList());
  let loadToken = 0;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  /** The query as sent: incomplete filters wait for their value. */
  function sent(q: RecordQuery): RecordQuery {
    return { ...q, filters: q.filters.filter(complete) };
  }

  async function load(refresh = false): Promise<void> {
    const mine = ++loadToken;
    const d = get(store);
    if (!d.query.typeId) return;
    // A refresh keeps as many rows as are shown, so the list does not jump.
    const limit = refresh ? Math.min(500, Math.max(RECORDS_PAGE_SIZE, d.rows.length)) : RECORDS_PAGE_SIZE;
    if (!refresh) store.update((x) => ({ ...x, status: 'loading', error: null, rows: [], next: '', total: -1, moreFailed: false, generation: x.generation + 1 }));
    try {
      const page = await recordsApi.list(sent(d.query), '', limit);
      if (mine !== loadToken) return;
      store.update((x) => ({ ...x, rows: page.records, next: page.next, total: page.total, status: 'ready', error: null, loadingMore: false }));
    } catch (e) {
      if (mine !== loadToken) return;
      store.update((x) => ({ ...x, status: 'failed', error: toApiError(e), loadingMore: false }));
    }
  }

  function setQuery(change: Partial<RecordQuery>, keepView = false): Promise<void> {
    clearTimeout(searchTimer);
    store.update((d) => ({ ...d, query: { ...d.query, ...change }, viewId: keepView ? d.viewId : 0 }));
    return load();
  }

  return {
    subscribe: store.subscribe,
    /** open shows a type's records with its default columns. */
    open(type: RecordType): Promise<void> {
      clearTimeout(searchTimer);
      store.update((d) => ({ ...d, query: { ...emptyQuery(type.id), columns: defaultColumns(type) }, viewId: 0 }));
      return load();
    },
    /** search runs the search once typing pauses (SEARCH_DEBOUNCE_MS). */
    search(text: string): void {
      clearTimeout(searchTimer);
      store.update((d) => ({ ...d, query: { ...d.query, search: text }, viewId: 0 }));
      searchTimer = setTimeout(() => void load(), SEARCH_DEBOUNCE_MS);
    },
    sortBy(field: string): Promise<void> {
      return setQuery({ sort: toggleSort(get(store).query.sort, field) });
    },
    setColumns(columns: string[]): Promise<void> {
      return setQuery({ columns });
    },
    /** setFilters re-reads the list only when what is sent changes (a filter being typed
     * without its value yet changes nothing). */
    setFilters(filters: RecordFilter[]): Promise<void> {
      const before = JSON.stringify(sent(get(store).query).filters);
      store.update((d) => ({ ...d, query: { ...d.query, filters }, viewId: 0 }));
      if (JSON.stringify(filters.filter(complete)) === before) return Promise.resolve();
      return load();
    },
    /** applyView shows what a saved view asks for. */
    applyView(v: SavedView, type: RecordType): Promise<void> {
      clearTimeout(searchTimer);
      store.update((d) => ({ ...d, query: queryOf(v, type), viewId: v.id }));
      return load();
    },
    markView(id: number): void {
      store.update((d) => ({ ...d, viewId: id }));
    },
    /** loadMore reads the next page; retry after a failure. */
    async loadMore(retry = false): Promise<void> {
      const d = get(store);
      if (!d.next || d.loadingMore || (d.moreFailed && !retry)) return;
      const mine = loadToken;
      store.update((x) => ({ ...x, loadingMore: true, moreFailed: false }));
      try {
        const page = await recordsApi.list(sent(d.query), d.next, RECORDS_PAGE_SIZE);
        if (mine !== loadToken) return;
        store.update((x) => {
          const seen = new Set(x.rows.map((r) => r.id));
          return { ...x, rows: [...x.rows, ...page.records.filter((r) => !seen.has(r.id))], next: page.next, loadingMore: false };
        });
      } catch {
        if (mine !== loadToken) return;
        store.update((x) => ({ ...x, loadingMore: false, moreFailed: true }));
      }
    },
    reload: () => load(),
    /** connect follows the records' events: a change of this type's records (or of the
     * types) re-reads the rows shown, a burst at most once per REFRESH_MS. */
    connect(): () => void {
      const off = recordsEventsApi.onChanged((e) => {
        const typeId = get(store).query.typeId;
        const mine = e.typeIds.length === 0 || e.typeIds.includes(typeId);
        if (e.typeIds.length === 0 && e.recordIds.length === 0) void loadTypes();
        if (!mine) return;
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => void load(true), REFRESH_MS);
      });
      return () => {
        off();
        clearTimeout(refreshTimer);
      };
    },
    /** drop removes rows at once (deleted), before the next read. */
    drop(ids: number[]): void {
      store.update((d) => ({ ...d, rows: d.rows.filter((r) => !ids.includes(r.id)), total: d.total > 0 ? Math.max(0, d.total - ids.length) : d.total }));
    },
    reset(): void {
      clearTimeout(searchTimer);
      clearTimeout(refreshTimer);
      loadToken++;
      store.set(initialList());
    },
  };
}

export type RecordList = ReturnType<typeof createRecordList>;

/** The Records screen's list. */
export const recordList = createRecordList();
