// The session: whether Mailroom is set up, who is signed in, and the language shown.
import { get, writable } from 'svelte/store';
import { sessionApi, toApiError, type ApiError, type Language, type OnboardInput, type User } from '$lib/api';
import { applyLanguage, resolveLanguage, systemLanguage } from '$lib/i18n';

export type SessionStatus = 'loading' | 'ready' | 'failed';

export interface SessionData {
  status: SessionStatus;
  onboarded: boolean;
  user: User | null;
  language: Language;
  error: ApiError | null;
}

function initial(): SessionData {
  return { status: 'loading', onboarded: false, user: null, language: systemLanguage(), error: null };
}

const store = writable<SessionData>(initial());

// Language changes are saved one after the other, in the order the user made them, so
// the last choice is the one remembered.
let saving: Promise<unknown> = Promise.resolve();

/** load asks the backend for the session and shows the remembered language, or the
 * system's when none was ever chosen. */
async function load(): Promise<void> {
  store.update((s) => ({ ...s, status: 'loading', error: null }));
  try {
    const st = await sessionApi.state();
    const language = resolveLanguage(st.language, systemLanguage());
    applyLanguage(language);
    store.set({ status: 'ready', onboarded: st.onboarded, user: st.user, language, error: null });
  } catch (e) {
    store.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** onboard creates the owner and signs them in. It rejects with an ApiError (field errors
 * included) and leaves the session as it was. */
async function onboard(input: OnboardInput): Promise<User> {
  const user = await sessionApi.onboard(input);
  applyLanguage(user.language);
  store.set({ status: 'ready', onboarded: true, user, language: user.language, error: null });
  return user;
}

/** setLanguage switches the UI at once, then asks the backend to remember it. It resolves
 * to the error when remembering failed (the switch itself stays). */
function setLanguage(language: Language): Promise<ApiError | null> {
  applyLanguage(language);
  store.update((s) => ({ ...s, language, user: s.user ? { ...s.user, language } : null }));
  const saved = saving.then(() => sessionApi.setLanguage(language));
  saving = saved.catch(() => undefined);
  return saved.then(
    () => null,
    (e: unknown) => toApiError(e),
  );
}

/** refreshUser reloads the signed-in user (e.g. after their own role changed). */
async function refreshUser(): Promise<void> {
  const user = await sessionApi.me();
  store.update((s) => ({ ...s, user }));
}

/** reset is for tests. */
function reset(): void {
  store.set(initial());
  saving = Promise.resolve();
}

export const session = {
  subscribe: store.subscribe,
  load,
  onboard,
  setLanguage,
  refreshUser,
  reset,
  get current(): SessionData {
    return get(store);
  },
};
