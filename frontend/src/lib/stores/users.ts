// The users of this workstation (Settings › Users).
import { writable } from 'svelte/store';
import { toApiError, usersApi, type ApiError, type NewUserInput, type Role, type User } from '$lib/api';
import { Freshness } from './freshness';

export type UsersStatus = 'idle' | 'loading' | 'ready' | 'failed';

export interface UsersData {
  items: User[];
  status: UsersStatus;
  error: ApiError | null;
}

const store = writable<UsersData>({ items: [], status: 'idle', error: null });

/** byName orders users as the backend lists them: by name, case-insensitively, then id. */
export function byName(a: User, b: User): number {
  const an = a.name.toLowerCase();
  const bn = b.name.toLowerCase();
  if (an !== bn) return an < bn ? -1 : 1;
  return a.id - b.id;
}

const fresh = new Freshness<number>();

/** load fetches the users; of several loads under way the last one answers, and a user
 * changed here meanwhile keeps the change. */
async function load(): Promise<void> {
  const mine = fresh.begin();
  store.update((s) => ({ ...s, status: 'loading', error: null }));
  try {
    const items = await usersApi.list();
    if (!fresh.last(mine)) return;
    store.update((s) => ({ items: fresh.merge(items, s.items, mine, (u) => u.id).sort(byName), status: 'ready', error: null }));
  } catch (e) {
    if (fresh.last(mine)) store.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** create adds a user; it rejects with an ApiError for the form to show. */
async function create(input: NewUserInput, password = ''): Promise<User> {
  const user = await usersApi.create(input, password);
  fresh.touch(user.id);
  store.update((s) => ({ ...s, items: [...s.items.filter((u) => u.id !== user.id), user].sort(byName) }));
  return user;
}

/** setRole changes a user's role; it rejects with an ApiError and then changes nothing. */
async function setRole(id: number, role: Role): Promise<void> {
  await usersApi.setRole(id, role);
  fresh.touch(id);
  store.update((s) => ({ ...s, items: s.items.map((u) => (u.id === id ? { ...u, role } : u)) }));
}

/** resetPassword sets a user's password (super admins); it rejects with an ApiError. */
async function resetPassword(id: number, password: string): Promise<void> {
  await usersApi.resetPassword(id, password);
  fresh.touch(id);
  store.update((s) => ({ ...s, items: s.items.map((u) => (u.id === id ? { ...u, protected: true } : u)) }));
}

/** remove deletes a user; it rejects with an ApiError and then changes nothing. */
async function remove(id: number): Promise<void> {
  await usersApi.remove(id);
  fresh.touch(id);
  store.update((s) => ({ ...s, items: s.items.filter((u) => u.id !== id) }));
}

function reset(): void {
  fresh.reset();
  store.set({ items: [], status: 'idle', error: null });
}

export const users = { subscribe: store.subscribe, load, create, setRole, resetPassword, remove, reset };
