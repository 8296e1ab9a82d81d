// The one place that talks to the Go backend. Every call goes through `call`, so every
// rejection reaches the rest of the UI as an ApiError.
import * as Session from '../../../wailsjs/go/api/Session';
import * as System from '../../../wailsjs/go/api/System';
import * as Users from '../../../wailsjs/go/api/Users';
import type { api } from '../../../wailsjs/go/models';
import { Quit } from '../../../wailsjs/runtime/runtime';
import { toApiError } from './errors';
import type { Wire } from './model';
import {
  isLanguage,
  isRole,
  isVaultReason,
  type Language,
  type NewUserInput,
  type OnboardInput,
  type Role,
  type SessionState,
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

export function toUser(u: Wire<api.UserDTO>): User {
  return {
    id: num(u.id),
    name: text(u.name),
    email: text(u.email),
    // An unknown role gets the least rights in the UI; the backend decides anyway.
    role: isRole(u.role) ? u.role : 'collaborator',
    language: isLanguage(u.language) ? u.language : 'en',
    createdAt: text(u.createdAt),
  };
}

export function toSessionState(s: Wire<api.SessionState>): SessionState {
  return {
    onboarded: Boolean(s.onboarded),
    user: s.user ? toUser(s.user) : null,
    language: isLanguage(s.language) ? s.language : null,
  };
}

export function toSystemStatus(s: Wire<api.SystemStatus>): SystemStatus {
  const v = s.vault;
  const available = Boolean(v?.available);
  return {
    version: text(s.version),
    dataDir: text(s.dataDir),
    storageError: text(s.storageError),
    vault: {
      available,
      reason: available ? null : isVaultReason(v?.reason) ? v.reason : 'unknown',
      message: text(v?.message),
    },
  };
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
};

export const systemApi = {
  status: (): Promise<SystemStatus> => call(async () => toSystemStatus(await System.Status())),
  checkVault: (): Promise<SystemStatus> => call(async () => toSystemStatus(await System.CheckVault())),
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
