// Each account's sync state (Settings' accounts, the folder column): read once with
// Sync.Status, then kept up to date by the "sync:progress" events.
import { writable } from 'svelte/store';
import { syncApi, toApiError, type ApiError, type SyncStatus } from '$lib/api';
import { applyStatus } from '$lib/mail/sync';

export interface SyncData {
  byAccount: ReadonlyMap<number, SyncStatus>;
  /** Accounts whose sync the user cancelled, until it works again: their next idle state
   * says "cancelled". */
  cancelled: Set<number>;
  error: ApiError | null;
}

function initial(): SyncData {
  return { byAccount: new Map(), cancelled: new Set(), error: null };
}

const store = writable<SyncData>(initial());

/** apply takes an account's new state (from an event or Status). */
function apply(s: SyncStatus): void {
  store.update((d) => {
    const byAccount = applyStatus(d.byAccount, s);
    if (byAccount === d.byAccount) return d; // older than the state it holds
    let cancelled = d.cancelled;
    if (s.phase === 'connecting' || s.phase === 'headers' || s.phase === 'bodies' || s.phase === 'error') {
      if (cancelled.has(s.accountId)) {
        cancelled = new Set(cancelled);
        cancelled.delete(s.accountId);
      }
    }
    return { ...d, byAccount, cancelled };
  });
}

async function load(): Promise<void> {
  try {
    const list = await syncApi.status();
    store.update((d) => ({ ...d, byAccount: list.reduce((m, s) => applyStatus(m, s), d.byAccount), error: null }));
  } catch (e) {
    store.update((d) => ({ ...d, error: toApiError(e) }));
  }
}

/** now syncs an account at once; it rejects with an ApiError. */
async function now(accountId: number): Promise<void> {
  await syncApi.now(accountId);
}

/** cancel stops an account's sync under way; it rejects with an ApiError. */
async function cancel(accountId: number): Promise<void> {
  await syncApi.cancel(accountId);
  store.update((d) => ({ ...d, cancelled: new Set(d.cancelled).add(accountId) }));
}

export const sync = {
  subscribe: store.subscribe,
  apply,
  load,
  now,
  cancel,
  reset: () => store.set(initial()),
};
