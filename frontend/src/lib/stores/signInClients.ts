// Which sign-ins (Google, Microsoft) the organisation has set up: the wizard's tiles follow
// it, and super admins change it in Settings › Sign in with Google and Microsoft.
import { derived, writable } from 'svelte/store';
import { systemApi, toApiError, type ApiError, type SignIn, type SignInClient, type SignInKeyChange } from '$lib/api';
import { signInSetup } from '$lib/accounts/signin';

export interface SignInClientsData {
  items: SignInClient[];
  loaded: boolean;
  error: ApiError | null;
}

function initial(): SignInClientsData {
  return { items: [], loaded: false, error: null };
}

const store = writable<SignInClientsData>(initial());

async function load(): Promise<void> {
  try {
    const items = await systemApi.signInClients();
    store.set({ items, loaded: true, error: null });
  } catch (e) {
    store.update((s) => ({ ...s, error: toApiError(e) }));
  }
}

/** save sets one provider's client ID ('' removes it) and what happens to its secret; it
 * rejects with an ApiError for the form. */
async function save(provider: SignIn, clientId: string, key: SignInKeyChange, secret = ''): Promise<void> {
  const items = await systemApi.setSignInClient(provider, clientId, key, secret);
  store.set({ items, loaded: true, error: null });
}

function reset(): void {
  store.set(initial());
}

export const signInClients = { subscribe: store.subscribe, load, save, reset };

/** setup is, per provider, whether its sign-in can start (absent: not known yet). */
export const setup = derived(store, (s) => signInSetup(s.items));
