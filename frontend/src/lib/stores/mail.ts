// The inbox: the message list (what it shows, its rows page by page, the selection), the
// message open in the reading pane, and the flags, changed at once and undone when the
// backend refuses. The "mail:changed" and "sync:progress" events keep it all current
// (connectMail).
import { get, writable } from 'svelte/store';
import {
  mailApi,
  mailEventsApi,
  PAGE_SIZE,
  toApiError,
  type ApiError,
  type MailFlag,
  type MailRow,
  type MessageView,
} from '$lib/api';
import { ALL_INBOXES, sameChoice, toQuery, type Filters, type MailboxChoice } from '$lib/mail/folders';
import {
  appendPage,
  emptyLoaded,
  firstPage,
  mergeFresh,
  refreshPlan,
  withRows,
  type Loaded,
} from '$lib/mail/pages';
import { mailFolders } from './mailFolders';
import { sync } from './sync';
import { toasts } from './toasts';

/** The backend's largest page (backend/mailbox MaxLimit). */
export const MAX_PAGE = 500;
/** How long a message stays open before it is marked read, like desktop mail clients. */
export const MARK_READ_MS = 1200;

// --- the list ------------------------------------------------------------------------

export type ListStatus = 'loading' | 'ready' | 'failed';

export interface MailListData {
  choice: MailboxChoice;
  filters: Filters;
  loaded: Loaded;
  status: ListStatus;
  loadingMore: boolean;
  error: ApiError | null;
  /** Why the last page could not be loaded: the list stops asking until the user retries. */
  moreError: ApiError | null;
  selected: number | null;
  /** Grows with every change of what the list shows: the list then goes back to its top. */
  generation: number;
}

function initialList(): MailListData {
  return {
    choice: ALL_INBOXES,
    filters: { unread: false, flagged: false, search: '' },
    loaded: emptyLoaded(),
    status: 'loading',
    loadingMore: false,
    error: null,
    moreError: null,
    selected: null,
    generation: 0,
  };
}

const list = writable<MailListData>(initialList());
// Answers to an older query are dropped: seq grows with each query.
let seq = 0;
// The rows in view, for refreshes ([first, last)).
let view: [number, number] = [0, 0];
let refreshing: Promise<void> | null = null;
let refreshAgain = false;
// A change announced while the first page loads: refresh once it is there.
let changedWhileLoading = false;

const ranked = (d: MailListData) => d.filters.search.trim() !== '';
const query = (d: MailListData) => toQuery(d.choice, d.filters);

async function loadFirst(): Promise<void> {
  const mine = ++seq;
  const d = get(list);
  changedWhileLoading = false;
  list.update((s) => ({ ...s, status: 'loading', error: null, moreError: null, loadingMore: false }));
  try {
    const page = await mailApi.list(query(d), '', PAGE_SIZE);
    if (mine !== seq) return;
    list.update((s) => ({ ...s, loaded: firstPage(page), status: 'ready', error: null }));
    if (changedWhileLoading) {
      changedWhileLoading = false;
      void refresh();
    }
  } catch (e) {
    if (mine !== seq) return;
    list.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** show changes what the list shows and loads it from the top. */
function show(change: { choice?: MailboxChoice; filters?: Partial<Filters> }): Promise<void> {
  const d = get(list);
  const choice = change.choice ?? d.choice;
  const filters = { ...d.filters, ...change.filters };
  if (
    sameChoice(choice, d.choice) &&
    filters.unread === d.filters.unread &&
    filters.flagged === d.filters.flagged &&
    filters.search.trim() === d.filters.search.trim() &&
    d.status !== 'failed'
  ) {
    list.update((s) => ({ ...s, filters }));
    return Promise.resolve();
  }
  view = [0, 0];
  list.update((s) => ({ ...s, choice, filters, loaded: emptyLoaded(), generation: s.generation + 1 }));
  return loadFirst();
}

/** loadMore loads the next page, once at a time. After a failure it does nothing until
 * retry is set (the user asked again): a list must not hammer a backend that refuses. */
async function loadMore(retry = false): Promise<void> {
  const d = get(list);
  if (d.loadingMore || d.status !== 'ready' || d.loaded.next === '' || (d.moreError && !retry)) return;
  const mine = seq;
  list.update((s) => ({ ...s, loadingMore: true, moreError: null }));
  try {
    const page = await mailApi.list(query(d), d.loaded.next, PAGE_SIZE);
    if (mine !== seq) return;
    list.update((s) => ({ ...s, loaded: appendPage(s.loaded, page), loadingMore: false }));
  } catch (e) {
    if (mine !== seq) return;
    list.update((s) => ({ ...s, loadingMore: false, moreError: toApiError(e) }));
  }
}

async function runRefresh(): Promise<void> {
  const d = get(list);
  // A first page under way is refreshed once it is there; a failed one is tried again.
  if (d.status === 'loading') {
    changedWhileLoading = true;
    return;
  }
  if (d.status === 'failed') return loadFirst();
  const mine = seq;
  const ordered = !ranked(d);
  const plan = ordered
    ? refreshPlan(d.loaded, view[0], view[1], PAGE_SIZE, MAX_PAGE)
    : [{ cursor: '', after: null, limit: Math.min(MAX_PAGE, Math.max(PAGE_SIZE, d.loaded.rows.length)) }];
  try {
    const pages = await Promise.all(plan.map((r) => mailApi.list(query(d), r.cursor, r.limit)));
    if (mine !== seq) return;
    list.update((s) => {
      let loaded = s.loaded;
      pages.forEach((page, i) => {
        loaded = mergeFresh(loaded, page, { after: plan[i].after, ordered, keep: s.selected });
      });
      return { ...s, loaded, error: null };
    });
  } catch (e) {
    // The list stays as it was; the next change or a reload tries again.
    if (mine === seq) list.update((s) => ({ ...s, error: toApiError(e) }));
  }
}

/** refresh fetches again the top of the list and the rows in view, and folds them into
 * what is loaded: the list keeps its place and its selection. Refreshes asked for while
 * one runs make one more. */
function refresh(): Promise<void> {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await runRefresh();
    } while (refreshAgain);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function select(id: number | null): void {
  list.update((s) => (s.selected === id ? s : { ...s, selected: id }));
}

export const mailList = {
  subscribe: list.subscribe,
  show,
  reload: loadFirst,
  loadMore,
  refresh,
  select,
  /** setView tells which rows are in view, so a refresh covers them. */
  setView(first: number, last: number): void {
    view = [first, last];
  },
  reset(): void {
    seq++;
    view = [0, 0];
    changedWhileLoading = false;
    list.set(initialList());
  },
};

// --- the open message ------------------------------------------------------------------

export interface ReaderData {
  id: number | null;
  view: MessageView | null;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: ApiError | null;
  /** Remote images are shown for this viewing. */
  showRemote: boolean;
  /** A remote-images choice is being saved. */
  busy: boolean;
}

function initialReader(): ReaderData {
  return { id: null, view: null, status: 'idle', error: null, showRemote: false, busy: false };
}

const reader = writable<ReaderData>(initialReader());
let readTimer: ReturnType<typeof setTimeout> | null = null;

function stopReadTimer(): void {
  if (readTimer) clearTimeout(readTimer);
  readTimer = null;
}

/** markReadLater marks the open message read once it has been open MARK_READ_MS. */
function markReadLater(id: number): void {
  stopReadTimer();
  readTimer = setTimeout(() => {
    readTimer = null;
    const r = get(reader);
    if (r.id === id && r.view && !r.view.seen) void setFlag([id], 'seen', true);
  }, MARK_READ_MS);
}

// Reads of the open message may overlap (a change announced while the user allows
// images): only the answer to the latest one is shown, whatever order they come back in.
let fetchSeq = 0;

async function fetchMessage(id: number, showRemote: boolean): Promise<MessageView | null> {
  const mine = ++fetchSeq;
  try {
    const v = await mailApi.get(id, showRemote);
    if (mine !== fetchSeq || get(reader).id !== id) return null;
    reader.update((r) => ({ ...r, view: v, status: 'ready', error: null }));
    return v;
  } catch (e) {
    if (mine === fetchSeq && get(reader).id === id) reader.update((r) => ({ ...r, status: 'failed', error: toApiError(e) }));
    return null;
  }
}

/** open shows a message in the reading pane; it is marked read after a moment. */
async function open(id: number): Promise<void> {
  const r = get(reader);
  if (r.id === id && r.status !== 'failed') return;
  stopReadTimer();
  reader.set({ ...initialReader(), id, status: 'loading', view: null });
  const v = await fetchMessage(id, false);
  if (v && !v.seen) markReadLater(id);
}

function close(): void {
  stopReadTimer();
  reader.set(initialReader());
}

/** reload reads the open message again (its body arrived, its flags changed). */
async function reloadMessage(): Promise<void> {
  const r = get(reader);
  if (r.id !== null) await fetchMessage(r.id, r.showRemote);
}

/** showImages shows the open message's remote images, for this viewing only. */
async function showImages(): Promise<void> {
  const r = get(reader);
  if (r.id === null) return;
  reader.update((x) => ({ ...x, showRemote: true }));
  await fetchMessage(r.id, true);
}

/** alwaysShow always shows remote images from this sender (or stops); rejects with an
 * ApiError. */
async function alwaysShow(email: string, always: boolean): Promise<void> {
  const r = get(reader);
  if (r.id === null) return;
  reader.update((x) => ({ ...x, busy: true }));
  try {
    await mailApi.allowRemoteImages(email, always);
    reader.update((x) => ({ ...x, showRemote: always ? x.showRemote : false }));
    await reloadMessage();
  } finally {
    reader.update((x) => ({ ...x, busy: false }));
  }
}

export const openMessage = {
  subscribe: reader.subscribe,
  open,
  close,
  reload: reloadMessage,
  showImages,
  alwaysShow,
  reset(): void {
    stopReadTimer();
    reader.set(initialReader());
  },
};

// --- flags ---------------------------------------------------------------------------------

/** flagValue is a row's value of a flag. */
export function flagValue(r: Pick<MailRow, 'seen' | 'flagged'>, flag: MailFlag): boolean {
  return flag === 'seen' ? r.seen : r.flagged;
}

function patchFlag(flag: MailFlag, values: Map<number, boolean>): void {
  const patch = (r: MailRow) => (values.has(r.id) ? { ...r, [flag]: values.get(r.id) } : r);
  list.update((s) => {
    const touched = s.loaded.rows.some((r) => values.has(r.id));
    return touched ? { ...s, loaded: withRows(s.loaded, s.loaded.rows.map(patch)) } : s;
  });
  reader.update((r) => (r.view && values.has(r.view.id) ? { ...r, view: { ...r.view, [flag]: values.get(r.view.id) } } : r));
}

/**
 * setFlag marks messages read/unread or flagged/not, at once in the list, the open
 * message and the unread counts; the backend then tells the server. When it refuses,
 * everything goes back as it was and a toast says so.
 */
export async function setFlag(ids: number[], flag: MailFlag, value: boolean): Promise<boolean> {
  const rows = get(list).loaded.rows;
  const shown = get(reader).view;
  const before = new Map<number, boolean>();
  const folderOf = new Map<number, number>();
  for (const id of ids) {
    const r = rows.find((x) => x.id === id) ?? (shown?.id === id ? shown : null);
    if (!r) continue;
    before.set(id, flagValue(r, flag));
    folderOf.set(id, r.folderId);
  }
  const changed = ids.filter((id) => before.get(id) !== value);
  if (changed.length === 0) return true;
  const unreadDeltas = (sign: number) => {
    const m = new Map<number, number>();
    if (flag !== 'seen') return m;
    for (const id of changed) {
      const f = folderOf.get(id);
      if (f !== undefined) m.set(f, (m.get(f) ?? 0) + (value ? -1 : 1) * sign);
    }
    return m;
  };
  patchFlag(flag, new Map(changed.map((id) => [id, value])));
  mailFolders.adjustUnread(unreadDeltas(1));
  try {
    await mailApi.setFlags(changed, flag, value);
    return true;
  } catch (e) {
    patchFlag(flag, new Map(changed.map((id) => [id, before.get(id) ?? !value])));
    mailFolders.adjustUnread(unreadDeltas(-1));
    const key = flag === 'seen' ? (value ? 'mail.flags.readFailed' : 'mail.flags.unreadFailed') : value ? 'mail.flags.flagFailed' : 'mail.flags.unflagFailed';
    toasts.error({ key }, toApiError(e));
    return false;
  }
}

/** toggleFlag flips a flag of one message. */
export function toggleFlag(id: number, flag: MailFlag): Promise<boolean> {
  const r = get(list).loaded.rows.find((x) => x.id === id) ?? get(reader).view;
  if (!r || r.id !== id) return Promise.resolve(false);
  if (flag === 'seen' && get(reader).id === id) stopReadTimer(); // the user decides now
  return setFlag([id], flag, !flagValue(r, flag));
}

// --- events ------------------------------------------------------------------------------

/** onChanged is what "mail:changed" does: counts, the list and the open message follow. */
export async function onMailChanged(accountId: number): Promise<void> {
  const r = get(reader);
  await Promise.all([
    mailFolders.load(),
    mailList.refresh(),
    r.view && (accountId === 0 || r.view.accountId === accountId) ? reloadMessage() : Promise.resolve(),
  ]);
}

/** connectMail listens to the backend's mail and sync events; it returns the function
 * that stops listening. */
export function connectMail(): () => void {
  const offs = [mailEventsApi.onSyncProgress((s) => sync.apply(s)), mailEventsApi.onMailChanged((id) => void onMailChanged(id))];
  return () => offs.forEach((off) => off());
}

// --- attachments ---------------------------------------------------------------------------

/** saveAttachment asks where to save an attachment and saves it; a toast says where, or
 * what went wrong. It resolves to the path, "" when the user cancelled. */
export async function saveAttachment(id: number, partPath: string): Promise<string> {
  try {
    const path = await mailApi.saveAttachment(id, partPath);
    if (path) toasts.info({ key: 'mail.attachments.saved', values: { path } });
    return path;
  } catch (e) {
    toasts.error({ key: 'mail.attachments.saveFailed' }, toApiError(e));
    return '';
  }
}
