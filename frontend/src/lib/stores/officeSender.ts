// The office sender as the signed-in person sees it (F22): a collaborator with no account
// of their own writes from it, so the composer offers it to them.
import { writable } from 'svelte/store';
import { buttonsApi, type Account, type OfficeSender } from '$lib/api';
import { toAccount } from '$lib/api/accounts';

const store = writable<OfficeSender | null>(null);
let seq = 0;

/** load reads it again (at sign-in, when accounts change); a failure leaves none offered. */
async function load(): Promise<void> {
  const mine = ++seq;
  try {
    const o = await buttonsApi.officeSender();
    if (mine === seq) store.set(o);
  } catch {
    if (mine === seq) store.set(null);
  }
}

/** composerAccounts are the accounts the composer offers: the user's own or, with none,
 * the office sender when it is theirs to use. */
export function composerAccounts(own: Account[], office: OfficeSender | null): Account[] {
  if (own.length || !office?.forMe || !office.accountId) return own;
  return [toAccount({ id: office.accountId, email: office.address, fromName: office.fromName, name: office.fromName || office.address })];
}

export const officeSender = { subscribe: store.subscribe, load, reset: () => store.set(null) };
