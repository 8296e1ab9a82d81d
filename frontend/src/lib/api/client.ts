// The one place that talks to the Go backend. Every call goes through `call`, so every
// rejection reaches the rest of the UI as an ApiError.
import * as Session from '../../../wailsjs/go/api/Session';
import * as System from '../../../wailsjs/go/api/System';
import * as Users from '../../../wailsjs/go/api/Users';
import type { api } from '../../../wailsjs/go/models';
import { BrowserOpenURL, Quit } from '../../../wailsjs/runtime/runtime';
import { toApiError, type ApiError } from './errors';
import type { Wire } from './model';
import {
  isLanguage,
  isRole,
  isSignIn,
  isVaultReason,
  type Language,
  type NewUserInput,
  type OnboardInput,
  type ProfileInput,
  type Role,
  type SessionState,
  type SignIn,
  type SignInClient,
  type SignInKeyChange,
  type SignInUser,
  type SystemStatus,
  type User,
} from './types';

/** The reasons that say nobody is signed in any more (a lock from another window, the
 * backend's idle limit): whoever listens (the session store) shows the sign-in screen. */
export const SESSION_ENDED_REASONS: readonly string[] = ['session_signed_out', 'session_locked_idle'];

let sessionEnded: ((err: ApiError) => void) | null = null;

/** onSessionEnded sets the one listener told when a call finds the session over. */
export function onSessionEnded(fn: ((err: ApiError) => void) | null): void {
  sessionEnded = fn;
}

/** call runs one backend call and normalises its failure, even a synchronous throw
 * (the bindings throw when the runtime is not there). */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = toApiError(e);
    if (sessionEnded && SESSION_ENDED_REASONS.includes(err.reason)) sessionEnded(err);
    throw err;
  }
}

export function toUser(u: Wire<api.UserDTO>): User {
  return {
    id: num(u.id),
    name: text(u.name),
    email: text(u.email),
    // An unknown role gets the least rights in the UI; the backend decides anyway.
    role: isRole(u.role) ? u.role : 'collaborator',
    language: isLanguage(u.language) ? u.language : 'en',
    title: text(u.title),
    phone: text(u.phone),
    protected: Boolean(u.protected),
    createdAt: text(u.createdAt),
  };
}

export function toSignInUser(u: Wire<api.SignInUserDTO>): SignInUser {
  return { id: num(u.id), name: text(u.name), protected: Boolean(u.protected) };
}

export function toSessionState(s: Wire<api.SessionState>): SessionState {
  return {
    onboarded: Boolean(s.onboarded),
    user: s.user ? toUser(s.user) : null,
    language: isLanguage(s.language) ? s.language : null,
    userCount: num(s.userCount),
    lastUserId: num(s.lastUserId),
    lockedIdle: Boolean(s.lockedIdle),
    idleLockSeconds: num(s.idleLockSeconds),
  };
}

export function toSystemStatus(s: Wire<api.SystemStatus>): SystemStatus {
  const v = s.vault;
  const available = Boolean(v?.available);
  return {
    version: text(s.version),
    dataDir: text(s.dataDir),
    storageError: s.storageError ? toApiError(s.storageError) : null,
    vault: {
      available,
      reason: available ? null : isVaultReason(v?.reason) ? v.reason : 'unknown',
      detail: text(v?.detail),
    },
  };
}

interface SignInClientWire {
  provider: string;
  configured: boolean;
  source: string;
  clientId: string;
  keyStored: boolean;
}

/** toSignInClients keeps the known providers; an unknown source reads as none. */
export function toSignInClients(list: SignInClientWire[] | null | undefined): SignInClient[] {
  return (list ?? []).flatMap((c) =>
    isSignIn(c.provider)
      ? [
          {
            provider: c.provider,
            configured: Boolean(c.configured),
            source: c.source === 'environment' || c.source === 'settings' ? c.source : null,
            clientId: c.clientId ?? '',
            keyStored: Boolean(c.keyStored),
          },
        ]
      : [],
  );
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export const sessionApi = {
  state: (): Promise<SessionState> => call(async () => toSessionState(await Session.State())),
  onboard: (input: OnboardInput): Promise<User> => call(async () => toUser(await Session.Onboard(input))),
  setLanguage: (language: Language): Promise<void> => call(() => Session.SetLanguage(language)),
  me: (): Promise<User> => call(async () => toUser(await Session.Me())),
  signInUsers: (): Promise<SignInUser[]> => call(async () => ((await Session.SignInUsers()) ?? []).map(toSignInUser)),
  signIn: (id: number, password: string): Promise<User> => call(async () => toUser(await Session.SignIn(id, password))),
  lock: (): Promise<void> => call(() => Session.Lock()),
  touch: (): Promise<void> => call(() => Session.Touch()),
  setIdleLock: (seconds: number): Promise<void> => call(() => Session.SetIdleLock(seconds)),
  updateProfile: (input: ProfileInput): Promise<User> => call(async () => toUser(await Session.UpdateProfile(input))),
  changePassword: (current: string, next: string): Promise<void> => call(() => Session.ChangePassword(current, next)),
};

export const systemApi = {
  status: (): Promise<SystemStatus> => call(async () => toSystemStatus(await System.Status())),
  checkVault: (): Promise<SystemStatus> => call(async () => toSystemStatus(await System.CheckVault())),
  signInClients: (): Promise<SignInClient[]> => call(async () => toSignInClients(await System.SignInClients())),
  /** setSignInClient saves the organisation's client ID for provider ('' removes it); the
   * secret (Google's) goes only with key 'replace', straight to the keychain. */
  setSignInClient: (provider: SignIn, clientId: string, key: SignInKeyChange, secret = ''): Promise<SignInClient[]> =>
    call(async () => toSignInClients(await System.SetSignInClient({ provider, clientId, key }, key === 'replace' ? secret : ''))),
};

export const usersApi = {
  list: (): Promise<User[]> => call(async () => ((await Users.List()) ?? []).map(toUser)),
  /** create adds a user; password '' gives them none. */
  create: (input: NewUserInput, password = ''): Promise<User> => call(async () => toUser(await Users.Create(input, password))),
  resetPassword: (id: number, password: string): Promise<void> => call(() => Users.ResetPassword(id, password)),
  setRole: (id: number, role: Role): Promise<void> => call(() => Users.SetRole(id, role)),
  remove: (id: number): Promise<void> => call(() => Users.Remove(id)),
};

export const appApi = {
  quit: (): void => Quit(),
  /** openInBrowser opens a web page (a provider's help) in the system's browser, never in
   * the app's window; only http(s) addresses are opened. */
  openInBrowser: (url: string): boolean => {
    if (!isWebAddress(url)) return false;
    BrowserOpenURL(url);
    return true;
  },
};

/** isWebAddress accepts absolute http and https addresses only. */
export function isWebAddress(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.host !== '';
  } catch {
    return false;
  }
}
