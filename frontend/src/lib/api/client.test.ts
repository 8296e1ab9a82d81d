import { beforeEach, describe, expect, it, vi } from 'vitest';

// The generated bindings call window.go; here they are replaced by spies.
vi.mock('../../../wailsjs/go/api/Session', () => ({
  State: vi.fn(),
  Onboard: vi.fn(),
  SetLanguage: vi.fn(),
  Me: vi.fn(),
  SignIn: vi.fn(),
}));
vi.mock('../../../wailsjs/go/api/System', () => ({ Status: vi.fn(), CheckVault: vi.fn() }));
vi.mock('../../../wailsjs/go/api/Users', () => ({
  List: vi.fn(),
  Create: vi.fn(),
  SetRole: vi.fn(),
  Remove: vi.fn(),
}));
vi.mock('../../../wailsjs/runtime/runtime', () => ({ Quit: vi.fn() }));

import * as Session from '../../../wailsjs/go/api/Session';
import * as System from '../../../wailsjs/go/api/System';
import * as Users from '../../../wailsjs/go/api/Users';
import { onSessionEnded, sessionApi, systemApi, toSignInClients, usersApi } from './client';
import { ApiError } from './errors';

const owner = {
  id: 1,
  name: 'Camille Martin',
  email: 'camille@example.com',
  role: 'super_admin',
  language: 'fr',
  title: 'Gérante',
  phone: '+33 1 23 45 67 89',
  protected: true,
  createdAt: '2026-01-02T10:00:00Z',
};

beforeEach(() => vi.resetAllMocks());

describe('every call rejects with an ApiError', () => {
  it('when the backend rejects with {code, reason, params, field}', async () => {
    vi.mocked(Session.Onboard).mockRejectedValue({ code: 'invalid_input', reason: 'user_name_required', params: {}, class: 'permanent', field: 'name' });
    const err = await sessionApi.onboard({ name: '', email: 'a@b.c', language: 'fr' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'invalid_input', reason: 'user_name_required', field: 'name' });
  });

  it('when the runtime rejects with a string', async () => {
    vi.mocked(Users.List).mockRejectedValue('websocket closed');
    await expect(usersApi.list()).rejects.toMatchObject({ code: 'internal', reason: 'internal', message: 'websocket closed' });
  });

  it('when the runtime rejects with an Error (a call timeout)', async () => {
    vi.mocked(System.Status).mockRejectedValue(new Error('Call to api.System.Status timed out'));
    await expect(systemApi.status()).rejects.toMatchObject({ code: 'internal' });
  });

  it('when the bindings throw before returning a promise (no runtime)', async () => {
    vi.mocked(Users.Remove).mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'api')");
    });
    await expect(usersApi.remove(3)).rejects.toBeInstanceOf(ApiError);
  });
});

describe('results are mapped to the UI types', () => {
  it('a session before onboarding has no user and no remembered language', async () => {
    vi.mocked(Session.State).mockResolvedValue({ onboarded: false, user: null, language: '' } as never);
    await expect(sessionApi.state()).resolves.toEqual({
      onboarded: false,
      user: null,
      language: null,
      userCount: 0,
      lastUserId: 0,
      lockedIdle: false,
      idleLockSeconds: 0,
    });
  });

  it('a session locked after idle says who was signed in and the idle time', async () => {
    vi.mocked(Session.State).mockResolvedValue({ onboarded: true, user: null, language: 'fr', userCount: 2, lastUserId: 7, lockedIdle: true, idleLockSeconds: 300 } as never);
    await expect(sessionApi.state()).resolves.toMatchObject({ user: null, userCount: 2, lastUserId: 7, lockedIdle: true, idleLockSeconds: 300 });
  });

  it('a call that finds the session over tells the listener, and still rejects', async () => {
    const heard: string[] = [];
    onSessionEnded((e) => heard.push(e.reason));
    try {
      vi.mocked(Users.List).mockRejectedValue({ code: 'forbidden', reason: 'session_locked_idle', class: 'permanent' });
      await expect(usersApi.list()).rejects.toMatchObject({ reason: 'session_locked_idle' });
      vi.mocked(Users.List).mockRejectedValue({ code: 'forbidden', reason: 'forbidden', class: 'permanent' });
      await expect(usersApi.list()).rejects.toMatchObject({ reason: 'forbidden' });
    } finally {
      onSessionEnded(null);
    }
    expect(heard).toEqual(['session_locked_idle']);
  });

  it('signing in and creating a user pass the password as its own argument', async () => {
    vi.mocked(Session.SignIn).mockResolvedValue(owner as never);
    await expect(sessionApi.signIn(1, 'bonjour-camille')).resolves.toEqual(owner);
    expect(Session.SignIn).toHaveBeenCalledWith(1, 'bonjour-camille');
    vi.mocked(Users.Create).mockResolvedValue(owner as never);
    await usersApi.create({ name: 'A', email: 'a@b.fr', role: 'admin', language: 'fr' });
    expect(Users.Create).toHaveBeenCalledWith({ name: 'A', email: 'a@b.fr', role: 'admin', language: 'fr' }, '');
  });

  it('a signed-in session carries the user and their language', async () => {
    vi.mocked(Session.State).mockResolvedValue({ onboarded: true, user: owner, language: 'fr' } as never);
    const st = await sessionApi.state();
    expect(st.user).toEqual(owner);
    expect(st.language).toBe('fr');
  });

  it('an unknown role gets the least rights in the UI', async () => {
    vi.mocked(Session.Me).mockResolvedValue({ ...owner, role: 'owner' } as never);
    expect((await sessionApi.me()).role).toBe('collaborator');
  });

  it('an available vault has no reason', async () => {
    vi.mocked(System.Status).mockResolvedValue({
      version: '1.0',
      dataDir: '/data',
      storageError: '',
      vault: { available: true, reason: '', detail: '' },
    } as never);
    expect((await systemApi.status()).vault).toEqual({ available: true, reason: null, detail: '' });
  });

  it('an unavailable vault with an unknown reason says "unknown"', async () => {
    vi.mocked(System.CheckVault).mockResolvedValue({
      version: '1.0',
      dataDir: '/data',
      storageError: '',
      vault: { available: false, reason: 'weird', detail: 'org.freedesktop.DBus.Error.ServiceUnknown' },
    } as never);
    expect((await systemApi.checkVault()).vault).toEqual({ available: false, reason: 'unknown', detail: 'org.freedesktop.DBus.Error.ServiceUnknown' });
  });

  it('a null list of users is an empty list', async () => {
    vi.mocked(Users.List).mockResolvedValue(null as never);
    await expect(usersApi.list()).resolves.toEqual([]);
  });

  it('passes the arguments through', async () => {
    vi.mocked(Users.SetRole).mockResolvedValue();
    await usersApi.setRole(7, 'admin');
    expect(Users.SetRole).toHaveBeenCalledWith(7, 'admin');
  });
});

describe('toSignInClients', () => {
  it('keeps the known providers and reads an unknown source as none', () => {
    expect(
      toSignInClients([
        { provider: 'google', configured: true, source: 'settings', clientId: 'id.apps.googleusercontent.com', keyStored: true },
        { provider: 'microsoft', configured: false, source: '', clientId: '', keyStored: false },
        { provider: 'yahoo', configured: true, source: 'settings', clientId: 'x', keyStored: false },
        { provider: 'google', configured: true, source: 'somewhere', clientId: '', keyStored: false },
      ]),
    ).toEqual([
      { provider: 'google', configured: true, source: 'settings', clientId: 'id.apps.googleusercontent.com', keyStored: true },
      { provider: 'microsoft', configured: false, source: null, clientId: '', keyStored: false },
      { provider: 'google', configured: true, source: null, clientId: '', keyStored: false },
    ]);
    expect(toSignInClients(null)).toEqual([]);
  });
});
