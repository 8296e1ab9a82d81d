// The outbox as the Outbox screen and the sidebar see it: the counts (always, for the
// sidebar), the messages of one state (or the sent log), account by account or all, and
// the user's decisions. Kept live by the "outbox:changed" events: each one re-reads the
// counts and the page shown, a burst of them (a bulk send) at most once per REFRESH_MS.
import { get, writable } from 'svelte/store';
import {
  emptyCounts,
  outboxApi,
  outboxEventsApi,
  OUTBOX_PAGE_SIZE,
  toApiError,
  type ApiError,
  type OutboxCounts,
  type OutboxItem,
  type OutboxState,
} from '$lib/api';
import { firstTab } from '$lib/components/outbox/format';
import { coalesce } from './coalesce';
import { toasts } from './toasts';

/** How long a burst of events waits before one re-read. */
export const REFRESH_MS = 200;

export type OutboxAction = 'retry' | 'cancel' | 'markSent';

/** An account's sending (or Sent copies) in trouble, as the last event said. */
export interface Trouble {
  accountId: number;
  kind: 'account' | 'copies';
  /** Why, worded by its reason, with the server's own words as its detail. */
  error: ApiError;
  /** Nothing is tried again until the user acts (retries a message, edits the account). */
  paused: boolean;
}

export interface OutboxData {
  tab: OutboxState;
  /** 0: every account. */
  accountId: number;
  items: OutboxItem[];
  next: string;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: ApiError | null;
  counts: OutboxCounts;
  troubles: Trouble[];
  /** Messages with a decision under way. */
  busy: number[];
}

function initial(): OutboxData {
  return { tab: 'queued', accountId: 0, items: [], next: '', status: 'idle', error: null, counts: emptyCounts(), troubles: [], busy: [] };
}

const store = writable<OutboxData>(initial());
let generation = 0;

function fetchPage(d: Pick<OutboxData, 'tab' | 'accountId'>, cursor: string, limit: number) {
  return d.tab === 'sent' ? outboxApi.sentLog(d.accountId, cursor, limit) : outboxApi.list({ states: [d.tab], accountId: d.accountId }, cursor, limit);
}

async function loadCounts(): Promise<void> {
  try {
    const counts = await outboxApi.counts();
    store.update((d) => ({ ...d, counts }));
  } catch {
    // The counts are a hint in the sidebar: the next event or visit reads them again.
  }
}

/** load reads the first page of what is chosen (keeping as many rows as are shown when
 * refreshing), and the counts. */
async function load(refresh = false): Promise<void> {
  const mine = ++generation;
  const d = get(store);
  const limit = refresh ? Math.min(500, Math.max(OUTBOX_PAGE_SIZE, d.items.length)) : OUTBOX_PAGE_SIZE;
  if (!refresh) store.update((x) => ({ ...x, status: 'loading', error: null }));
  try {
    const [page] = await Promise.all([fetchPage(d, '', limit), loadCounts()]);
    if (mine !== generation) return;
    store.update((x) => ({ ...x, items: page.items, next: page.next, status: 'ready', error: null }));
  } catch (e) {
    if (mine !== generation) return;
    store.update((x) => ({ ...x, status: 'failed', error: toApiError(e) }));
  }
}

/** more reads the next page. */
async function more(): Promise<void> {
  const d = get(store);
  if (!d.next) return;
  const mine = generation;
  try {
    const page = await fetchPage(d, d.next, OUTBOX_PAGE_SIZE);
    if (mine !== generation) return;
    store.update((x) => ({ ...x, items: [...x.items, ...page.items], next: page.next }));
  } catch (e) {
    toasts.error({ key: 'outbox.failed.load' }, toApiError(e));
  }
}

function choose(change: Partial<Pick<OutboxData, 'tab' | 'accountId'>>): Promise<void> {
  store.update((d) => ({ ...d, ...change, items: [], next: '' }));
  return load();
}

/** act carries out the user's decision on a message; a toast says how it went. It
 * resolves to whether it was done. */
async function act(id: number, action: OutboxAction): Promise<boolean> {
  store.update((d) => ({ ...d, busy: [...d.busy, id] }));
  try {
    await outboxApi[action](id);
    toasts.info({ key: `outbox.done.${action}` });
    return true;
  } catch (e) {
    toasts.error({ key: `outbox.failed.${action}` }, toApiError(e));
    return false;
  } finally {
    store.update((d) => ({ ...d, busy: d.busy.filter((x) => x !== id) }));
    await load(true);
  }
}

let watching = false;

// Off the Outbox screen only the sidebar's counts matter.
const refresh = coalesce(() => void (watching ? load(true) : loadCounts()), REFRESH_MS);

/** connect listens to the outbox's events (from the shell, for the sidebar's count); it
 * returns the function that stops listening. */
function connect(): () => void {
  void loadCounts();
  const off = outboxEventsApi.onChanged((e) => {
    if (e.kind === 'account' || e.kind === 'copies') {
      const kind = e.kind;
      store.update((d) => {
        const troubles = d.troubles.filter((t) => !(t.accountId === e.accountId && t.kind === kind));
        if (e.failure) troubles.push({ accountId: e.accountId, kind, error: e.failure, paused: e.paused });
        return { ...d, troubles };
      });
      return;
    }
    refresh.schedule();
  });
  return () => {
    off();
    refresh.cancel();
  };
}

/** open is what the Outbox screen does when shown: the page is kept live while it is. The
 * first time, it opens on what needs the user first (failures), else what waits, else the
 * sent log; later, on the tab the user left. */
function open(): () => void {
  watching = true;
  const first = get(store).status === 'idle';
  void (async () => {
    if (first) {
      await loadCounts();
      store.update((d) => ({ ...d, tab: firstTab(d.counts) }));
    }
    await load();
  })();
  return () => {
    watching = false;
  };
}

export const outbox = {
  subscribe: store.subscribe,
  load,
  loadCounts,
  more,
  act,
  connect,
  open,
  setTab: (tab: OutboxState) => choose({ tab }),
  setAccount: (accountId: number) => choose({ accountId }),
  reset(): void {
    generation++;
    watching = false;
    refresh.cancel();
    store.set(initial());
  },
};
