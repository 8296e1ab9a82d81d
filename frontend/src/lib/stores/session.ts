// The session: whether Mailroom is set up, who is signed in, and the language shown.
import { get, writable } from 'svelte/store';
import {
  onSessionEnded,
  sessionApi,
  toApiError,
  type ApiError,
  type Language,
  type OnboardInput,
  type ProfileInput,
  type User,
} from '$lib/api';
import { applyLanguage, resolveLanguage, systemLanguage } from '$lib/i18n';

export type SessionStatus = 'loading' | 'ready' | 'failed';

export interface SessionData {
  status: SessionStatus;
  onboarded: boolean;
  user: User | null;
  language: Language;
  error: ApiError | null;
  /** How many users this workstation has (switching is offered from two). */
  userCount: number;
  /** Who was signed in before the session ended (0: nobody since the start). */
  lastUserId: number;
  /** The session ended after the idle time. */
  lockedIdle: boolean;
  /** The idle time after which the window locks, in seconds (0: never). */
  idleLockSeconds: number;
}

function initial(): SessionData {
  return {
    status: 'loading',
    onboarded: false,
    user: null,
    language: systemLanguage(),
    error: null,
    userCount: 0,
    lastUserId: 0,
    lockedIdle: false,
    idleLockSeconds: 0,
  };
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
    store.set({
      status: 'ready',
      onboarded: st.onboarded,
      user: st.user,
      language,
      error: null,
      userCount: st.userCount,
      lastUserId: st.lastUserId,
      lockedIdle: st.lockedIdle,
      idleLockSeconds: st.idleLockSeconds,
    });
  } catch (e) {
    store.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** onboard creates the owner and signs them in. It rejects with an ApiError (field errors
 * included) and leaves the session as it was. */
async function onboard(input: OnboardInput): Promise<User> {
  const user = await sessionApi.onboard(input);
  applyLanguage(user.language);
  store.set({ ...initial(), status: 'ready', onboarded: true, user, language: user.language, userCount: 1, lastUserId: user.id });
  return user;
}

/** signIn signs a user in with their password; it rejects with an ApiError (a wrong password
 * says how long to wait) and then changes nothing. The UI takes the user's language. */
async function signIn(id: number, password: string): Promise<User> {
  const user = await sessionApi.signIn(id, password);
  applyLanguage(user.language);
  store.update((s) => ({ ...s, status: 'ready', user, language: user.language, lastUserId: user.id, lockedIdle: false, error: null }));
  return user;
}

/** lock ends the session (switching user, locking, or the idle time reached): the sign-in
 * screen shows. The window shows it even if the backend had already ended the session. */
async function lock(idle = false): Promise<void> {
  const me = get(store).user;
  store.update((s) => ({ ...s, user: null, lastUserId: me?.id ?? s.lastUserId, lockedIdle: idle }));
  try {
    await sessionApi.lock();
  } catch {
    // Already over on the backend's side (its own idle limit): nothing more to end.
  }
}

/** ended is told when a call finds the session over on the backend's side. */
function ended(err: ApiError): void {
  const me = get(store).user;
  if (!me) return;
  store.update((s) => ({ ...s, user: null, lastUserId: me.id, lockedIdle: err.reason === 'session_locked_idle' }));
}

/** touch reports activity; a failure (the session already over) shows the sign-in screen
 * through ended. */
function touch(): void {
  sessionApi.touch().catch(() => undefined);
}

/** setIdleLock chooses the idle time (super admins); it rejects with an ApiError. */
async function setIdleLock(seconds: number): Promise<void> {
  await sessionApi.setIdleLock(seconds);
  store.update((s) => ({ ...s, idleLockSeconds: seconds }));
}

/** updateProfile saves the signed-in user's profile and shows it (language included). */
async function updateProfile(input: ProfileInput): Promise<User> {
  const user = await sessionApi.updateProfile(input);
  applyLanguage(user.language);
  store.update((s) => ({ ...s, user, language: user.language }));
  return user;
}

/** changePassword changes the signed-in user's own password; it rejects with an ApiError. */
async function changePassword(current: string, next: string): Promise<void> {
  await sessionApi.changePassword(current, next);
  store.update((s) => (s.user ? { ...s, user: { ...s.user, protected: true } } : s));
}

/** userAdded counts a user added in Settings (switching is offered from two). */
function userCountChanged(delta: number): void {
  store.update((s) => ({ ...s, userCount: Math.max(0, s.userCount + delta) }));
}

onSessionEnded(ended);

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
  signIn,
  lock,
  touch,
  setIdleLock,
  updateProfile,
  changePassword,
  userCountChanged,
  setLanguage,
  refreshUser,
  reset,
  get current(): SessionData {
    return get(store);
  },
};
