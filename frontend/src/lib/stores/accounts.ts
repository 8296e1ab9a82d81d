// The email accounts (Settings › Email accounts): the list, the quota of active accounts
// and the wizard's provider tiles.
import { get, writable } from 'svelte/store';
import {
  accountsApi,
  toApiError,
  type Account,
  type AccountInput,
  type ApiError,
  type Provider,
  type Quota,
} from '$lib/api';
import { Freshness } from './freshness';

export type AccountsStatus = 'idle' | 'loading' | 'ready' | 'failed';

export interface AccountsData {
  items: Account[];
  status: AccountsStatus;
  error: ApiError | null;
  quota: Quota | null;
  providers: Provider[];
}

function initial(): AccountsData {
  return { items: [], status: 'idle', error: null, quota: null, providers: [] };
}

const store = writable<AccountsData>(initial());

/** byName orders accounts as the backend lists them: by name, case-insensitively, then id. */
export function byName(a: Account, b: Account): number {
  const an = a.name.toLowerCase();
  const bn = b.name.toLowerCase();
  if (an !== bn) return an < bn ? -1 : 1;
  return a.id - b.id;
}

const fresh = new Freshness<number>();

function put(items: Account[], account: Account): Account[] {
  fresh.touch(account.id);
  return [...items.filter((a) => a.id !== account.id), account].sort(byName);
}

/** load fetches the accounts and the quota; of several loads under way, the last one
 * answers. */
async function load(): Promise<void> {
  const mine = fresh.begin();
  store.update((s) => ({ ...s, status: 'loading', error: null }));
  try {
    const [items, quota] = await Promise.all([accountsApi.list(), accountsApi.quota()]);
    if (!fresh.last(mine)) return;
    store.update((s) => ({ ...s, items: fresh.merge(items, s.items, mine, (a) => a.id).sort(byName), quota, status: 'ready', error: null }));
  } catch (e) {
    if (fresh.last(mine)) store.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** loadProviders fetches the wizard's tiles once. */
async function loadProviders(): Promise<Provider[]> {
  const have = get(store).providers;
  if (have.length) return have;
  const providers = await accountsApi.providers();
  store.update((s) => ({ ...s, providers }));
  return providers;
}

async function refreshQuota(): Promise<void> {
  try {
    const quota = await accountsApi.quota();
    store.update((s) => ({ ...s, quota }));
  } catch {
    // The list stays right; the count is refreshed with the next load.
  }
}

/** refresh reloads one account (after a check, a change of access…). */
async function refresh(id: number): Promise<Account> {
  const account = await accountsApi.get(id);
  store.update((s) => ({ ...s, items: put(s.items, account) }));
  return account;
}

/** create connects a new account; it rejects with an ApiError for the form to show.
 * senderSecret is its API sender's token or key. */
async function create(input: AccountInput, password: string, senderSecret = ''): Promise<Account> {
  const account = await accountsApi.create(input, password, senderSecret);
  store.update((s) => ({ ...s, items: put(s.items, account) }));
  await refreshQuota();
  return account;
}

/** update saves an account's settings; an empty password or sender secret keeps the
 * stored one. */
async function update(id: number, input: AccountInput, password: string, senderSecret = ''): Promise<Account> {
  const account = await accountsApi.update(id, input, password, senderSecret);
  store.update((s) => ({ ...s, items: put(s.items, account) }));
  return account;
}

/** setDisabled disables or enables an account; enabling may be refused (quota_reached). */
async function setDisabled(id: number, disabled: boolean): Promise<void> {
  await accountsApi.setDisabled(id, disabled);
  fresh.touch(id);
  store.update((s) => ({
    ...s,
    items: s.items.map((a) =>
      a.id === id ? { ...a, disabled, status: disabled ? 'disabled' : a.status === 'disabled' ? 'unchecked' : a.status } : a,
    ),
  }));
  await Promise.all([refresh(id).catch(() => undefined), refreshQuota()]);
}

/** remove deletes an account; it rejects (conflict) while someone has access to it or
 * once its mail was processed, and then changes nothing. */
async function remove(id: number): Promise<void> {
  await accountsApi.remove(id);
  fresh.touch(id);
  store.update((s) => ({ ...s, items: s.items.filter((a) => a.id !== id) }));
  await refreshQuota();
}

/** signInAgain signs an account in with Google or Microsoft again, in the system browser
 * (cancelled with accountsApi.cancelTest(runId)); the account comes back enabled and
 * unchecked, for the caller to test. */
async function signInAgain(id: number, runId: string): Promise<Account> {
  const account = await accountsApi.signInAgain(id, runId);
  store.update((s) => ({ ...s, items: put(s.items, account) }));
  await refreshQuota();
  return account;
}

/** disconnect ends an OAuth account's sign-in (revoked at the provider where it can be)
 * and disables it; keepMail false removes its mail from this computer. */
async function disconnect(id: number, keepMail: boolean): Promise<{ revoked: boolean }> {
  const result = await accountsApi.disconnect(id, keepMail);
  await Promise.all([refresh(id).catch(() => undefined), refreshQuota()]);
  return result;
}

async function grant(id: number, userId: number): Promise<void> {
  await accountsApi.grant(id, userId);
  await refresh(id);
}

async function revoke(id: number, userId: number): Promise<void> {
  await accountsApi.revoke(id, userId);
  await refresh(id);
}

/** setQuota sets the limit of active accounts (0: none); super admins only. */
async function setQuota(limit: number): Promise<void> {
  await accountsApi.setQuota(limit);
  await refreshQuota();
}

function reset(): void {
  fresh.reset();
  store.set(initial());
  wizardRequest.set(false);
}

export const accounts = {
  subscribe: store.subscribe,
  load,
  loadProviders,
  refresh,
  create,
  update,
  setDisabled,
  remove,
  signInAgain,
  disconnect,
  grant,
  revoke,
  setQuota,
  reset,
};

/** wizardRequest asks the accounts section to open the "Add account" wizard (from the
 * inbox's empty state, for instance). The section clears it when it opens the wizard. */
export const wizardRequest = writable(false);

/** quotaFull reports whether a new active account would go over the quota. */
export function quotaFull(q: Quota | null): boolean {
  return q !== null && q.limit > 0 && q.active >= q.limit;
}
