// Filing as the UI sees it: the "To file" count (the sidebar's, always), the "To file"
// list while its screen is shown, the re-files under way, and a record another screen
// asked the Records screen to open. Kept live by "filing:changed": each event carries the
// count and maybe a re-file's progress; the list is read again, a burst of events at most
// once per REFRESH_MS.
import { derived, get, readable, writable, type Readable } from 'svelte/store';
import { filingApi, filingEventsApi, toApiError, TO_FILE_PAGE_SIZE, type ApiError, type Correspondent, type FilingSettings, type RefileProgress } from '$lib/api';
import { coalesce } from './coalesce';
import { screen } from './navigation';

export { REFRESH_MS } from './coalesce';

export interface ToFileData {
  count: number;
  groups: Correspondent[];
  /** How many correspondents wait (the list shows the first ones). */
  total: number;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: ApiError | null;
  /** The last re-file of all mail an event (or Settings) told of: Settings shows it, with Stop. */
  progress: RefileProgress | null;
  /** The last re-file of changed records' mail an event told of: the app's progress line. */
  records: RefileProgress | null;
  /** The list is shown (and re-read on every change). */
  shown: boolean;
  limit: number;
}

function initial(): ToFileData {
  return { count: 0, groups: [], total: 0, status: 'idle', error: null, progress: null, records: null, shown: false, limit: TO_FILE_PAGE_SIZE };
}

const store = writable<ToFileData>(initial());
let seq = 0;
let allEvents = 0; // events of re-files of all mail heard: see settings

async function loadCount(): Promise<void> {
  try {
    const n = await filingApi.count();
    store.update((s) => ({ ...s, count: n }));
  } catch {
    // The count is a hint: the next event brings it again.
  }
}

async function loadList(): Promise<void> {
  const mine = ++seq;
  store.update((s) => ({ ...s, status: s.status === 'ready' ? 'ready' : 'loading' }));
  try {
    const page = await filingApi.toFile(0, get(store).limit);
    if (mine !== seq) return;
    store.update((s) => ({ ...s, groups: page.groups, total: page.total, status: 'ready', error: null }));
  } catch (e) {
    if (mine === seq) store.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** refresh reads the count, and the list when shown, once after a burst of changes. */
const refresh = coalesce(() => {
  void loadCount();
  if (get(store).shown) void loadList();
});

/** connect listens to filing:changed for as long as the shell is shown. */
function connect(): () => void {
  void loadCount();
  const off = filingEventsApi.onChanged((e) => {
    const p = e.progress;
    if (p?.kind === 'all') allEvents++;
    store.update((s) => ({
      ...s,
      count: e.toFile,
      progress: p?.kind === 'all' ? p : s.progress,
      records: p?.kind === 'records' ? p : s.records,
    }));
    refresh.schedule();
  });
  return () => {
    off();
    refresh.cancel();
  };
}

/** show reads the list and keeps it current until hide. */
function show(): Promise<void> {
  store.update((s) => ({ ...s, shown: true }));
  void loadCount();
  return loadList();
}

function hide(): void {
  store.update((s) => ({ ...s, shown: false }));
}

/** more shows the next correspondents too. */
function more(): Promise<void> {
  store.update((s) => ({ ...s, limit: s.limit + TO_FILE_PAGE_SIZE }));
  return loadList();
}

/** settings reads the admins' filing settings (Filing.Settings) and takes the re-file of
 * all mail they tell of: a page opened while one runs shows it, with Stop, before its next
 * event (and one that ended while the app did not listen shows as ended), unless an event
 * heard meanwhile, newer, told of it already. */
async function settings(): Promise<FilingSettings> {
  const mark = allEvents;
  const s = await filingApi.settings();
  if (mark === allEvents) store.update((st) => ({ ...st, progress: s.progress }));
  return s;
}

/** drop takes a correspondent out of the list at once (filed, ignored), before the
 * backend's event brings the list again. */
function drop(email: string): void {
  store.update((s) => ({
    ...s,
    groups: s.groups.filter((g) => g.email !== email),
    total: Math.max(0, s.total - 1),
  }));
}

export const toFile = {
  subscribe: store.subscribe,
  connect,
  show,
  hide,
  more,
  drop,
  settings,
  reload: () => {
    void loadCount();
    return loadList();
  },
  reset(): void {
    refresh.cancel();
    store.set(initial());
  },
};

// --- the re-file of changed records' mail --------------------------------------------

/** SHOW_AFTER_MS is how long a re-file of changed records' mail runs before the app says so:
 * a new contact's few messages are filed before anyone could read a line about them. */
export const SHOW_AFTER_MS = 300;

/** delayedProgress is src's progress once it has run for `after` ms, and for as long as it
 * runs; null otherwise (at once when it ends). */
export function delayedProgress(src: Readable<RefileProgress | null>, after = SHOW_AFTER_MS): Readable<RefileProgress | null> {
  return readable<RefileProgress | null>(null, (set) => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let shown = false;
    let latest: RefileProgress | null = null;
    const off = src.subscribe((p) => {
      latest = p;
      if (!p?.running) {
        if (timer) clearTimeout(timer);
        timer = null;
        shown = false;
        set(null);
      } else if (shown) {
        set(p);
      } else if (!timer) {
        timer = setTimeout(() => {
          timer = null;
          shown = true;
          set(latest);
        }, after);
      }
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  });
}

/** recordsFiling is the re-file of changed records' mail the app's progress line shows (a
 * contact or a domain added, an import): see delayedProgress. */
export const recordsFiling = delayedProgress(derived(store, (s) => s.records));

// --- a record to open ------------------------------------------------------------------

const pending = writable<number | null>(null);

/** recordToOpen is a record another screen asked the Records screen to open (the Records
 * screen takes it and sets it back to null). */
export const recordToOpen = {
  subscribe: pending.subscribe,
  /** open shows the Records screen with the record's page. */
  open(id: number): void {
    pending.set(id);
    screen.go('records');
  },
  take(): number | null {
    const id = get(pending);
    pending.set(null);
    return id;
  },
};
