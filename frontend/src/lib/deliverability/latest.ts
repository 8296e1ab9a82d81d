// The latest deliverability check of each account this window ran: a check run in one place
// (the wizard, right after the connection test) shows at once in every other panel of the
// same account (its details in Settings, opened behind the wizard), without asking again.
import { writable, type Readable } from 'svelte/store';
import type { Deliverability } from '$lib/api';

const store = writable<Record<number, Deliverability>>({});

/** latestChecks maps an account id to the newest check run in this window. */
export const latestChecks: Readable<Record<number, Deliverability>> = { subscribe: store.subscribe };

/** newer reports whether b was checked after a (a missing a: yes). */
export function newer(a: Deliverability | null | undefined, b: Deliverability): boolean {
  return !a || Date.parse(b.checkedAt) > Date.parse(a.checkedAt);
}

/** publishCheck records a check that just ran, unless a newer one of the account is known. */
export function publishCheck(r: Deliverability): void {
  store.update((m) => (newer(m[r.accountId], r) ? { ...m, [r.accountId]: r } : m));
}

/** forgetChecks empties the record (a sign-out, tests). */
export function forgetChecks(): void {
  store.set({});
}
