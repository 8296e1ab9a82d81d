// The one place that talks to the Go backend. Every call goes through `call`, so every
// rejection reaches the rest of the UI as an ApiError.
import * as Session from '../../../wailsjs/go/api/Session';
import * as System from '../../../wailsjs/go/api/System';
import * as Users from '../../../wailsjs/go/api/Users';
import { Quit } from '../../../wailsjs/runtime/runtime';
import { toApiError } from './errors';
import {
  isLanguage,
  isRole,
  isSignIn,
  isVaultReason,
  type Language,
  type NewUserInput,
  type OnboardInput,
  type Role,
  type SessionState,
  type SignIn,
  type SignInClient,
  type SignInKeyChange,
  type SystemStatus,
  type User,
} from './types';

/** call runs one backend call and normalises its failure, even a synchronous throw
 * (the bindings throw when the runtime is not there). */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toApiError(e);
  }
}

interface UserWire {
  id: number;
  name: string;
  email: string;
  role: string;
  language: string;
  createdAt: string;
}

export function toUser(u: UserWire): User {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    // An unknown role gets the least rights in the UI; the backend decides anyway.
    role: isRole(u.role) ? u.role : 'collaborator',
    language: isLanguage(u.language) ? u.language : 'en',
    createdAt: u.createdAt,
  };
}

interface SessionStateWire {
  onboarded: boolean;
  user?: UserWire | null;
  language: string;
}

export function toSessionState(s: SessionStateWire): SessionState {
  return {
    onboarded: Boolean(s.onboarded),
    user: s.user ? toUser(s.user) : null,
    language: isLanguage(s.language) ? s.language : null,
  };
}

interface SystemStatusWire {
  version: string;
  dataDir: string;
  storageError: string;
  vault?: { available: boolean; reason: string; message: string } | null;
}

export function toSystemStatus(s: SystemStatusWire): SystemStatus {
  const v = s.vault;
  const available = Boolean(v?.available);
  return {
    version: s.version ?? '',
    dataDir: s.dataDir ?? '',
    storageError: s.storageError ?? '',
    vault: {
      available,
      reason: available ? null : isVaultReason(v?.reason) ? v.reason : 'unknown',
      message: v?.message ?? '',
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

export const sessionApi = {
  state: (): Promise<SessionState> => call(async () => toSessionState(await Session.State())),
  onboard: (input: OnboardInput): Promise<User> => call(async () => toUser(await Session.Onboard(input))),
  setLanguage: (language: Language): Promise<void> => call(() => Session.SetLanguage(language)),
  me: (): Promise<User> => call(async () => toUser(await Session.Me())),
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
  create: (input: NewUserInput): Promise<User> => call(async () => toUser(await Users.Create(input))),
  setRole: (id: number, role: Role): Promise<void> => call(() => Users.SetRole(id, role)),
  remove: (id: number): Promise<void> => call(() => Users.Remove(id)),
};

export const appApi = {
  quit: (): void => Quit(),
};
