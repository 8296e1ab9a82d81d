// The health of this installation: can Mailroom open its data, and keep secrets in the
// system keychain.
import { derived, writable } from 'svelte/store';
import { systemApi, toApiError, type ApiError, type SystemStatus, type VaultStatus } from '$lib/api';

export interface SystemData {
  status: SystemStatus | null;
  loading: boolean;
  checking: boolean;
  /** Set after "Check again" found the keychain still unavailable. */
  stillUnavailable: boolean;
  error: ApiError | null;
}

function initial(): SystemData {
  return { status: null, loading: false, checking: false, stillUnavailable: false, error: null };
}

const store = writable<SystemData>(initial());

async function load(): Promise<void> {
  store.update((s) => ({ ...s, loading: true, error: null }));
  try {
    const status = await systemApi.status();
    store.update((s) => ({ ...s, status, loading: false }));
  } catch (e) {
    store.update((s) => ({ ...s, loading: false, error: toApiError(e) }));
  }
}

/** checkVault probes the keychain again, after the user fixed it. */
async function checkVault(): Promise<void> {
  store.update((s) => ({ ...s, checking: true, stillUnavailable: false, error: null }));
  try {
    const status = await systemApi.checkVault();
    store.update((s) => ({ ...s, status, checking: false, stillUnavailable: !status.vault.available }));
  } catch (e) {
    store.update((s) => ({ ...s, checking: false, error: toApiError(e) }));
  }
}

function reset(): void {
  store.set(initial());
}

export const system = { subscribe: store.subscribe, load, checkVault, reset };

/** vaultProblem is the keychain's status when it is unavailable, else null. */
export const vaultProblem = derived(store, (s): VaultStatus | null =>
  s.status && !s.status.vault.available ? s.status.vault : null,
);

/** storageError is why the data could not be opened, or null when it could. */
export const storageError = derived(store, (s): ApiError | null => s.status?.storageError ?? null);
