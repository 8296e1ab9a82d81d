// The synced folders of the accounts the user reads, with their counts (the folder column).
import { writable } from 'svelte/store';
import { mailApi, toApiError, type ApiError, type Folder } from '$lib/api';

export interface MailFoldersData {
  items: Folder[];
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: ApiError | null;
}

function initial(): MailFoldersData {
  return { items: [], status: 'idle', error: null };
}

const store = writable<MailFoldersData>(initial());
let seq = 0;

/** load reads the folders and counts; a reload keeps showing the previous ones meanwhile. */
async function load(): Promise<void> {
  const mine = ++seq;
  store.update((s) => ({ ...s, status: s.status === 'ready' ? 'ready' : 'loading' }));
  try {
    const items = await mailApi.folders();
    if (mine === seq) store.set({ items, status: 'ready', error: null });
  } catch (e) {
    if (mine === seq) store.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** adjustUnread changes a folder's unread count at once (a message marked read or
 * unread); the next load brings the backend's count. */
function adjustUnread(deltas: ReadonlyMap<number, number>): void {
  if (deltas.size === 0) return;
  store.update((s) => ({
    ...s,
    items: s.items.map((f) => (deltas.has(f.id) ? { ...f, unread: Math.max(0, f.unread + (deltas.get(f.id) ?? 0)) } : f)),
  }));
}

export const mailFolders = {
  subscribe: store.subscribe,
  load,
  adjustUnread,
  reset: () => {
    seq++;
    store.set(initial());
  },
};
