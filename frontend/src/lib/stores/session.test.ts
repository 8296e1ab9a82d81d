import { get } from 'svelte/store';
import { locale } from 'svelte-i18n';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    sessionApi: {
      state: vi.fn(),
      onboard: vi.fn(),
      setLanguage: vi.fn(),
      me: vi.fn(),
      signIn: vi.fn(),
      lock: vi.fn(),
      touch: vi.fn(),
      setIdleLock: vi.fn(),
      updateProfile: vi.fn(),
      changePassword: vi.fn(),
    },
  };
});

import { ApiError, sessionApi, type User } from '$lib/api';
import { setupI18n } from '$lib/i18n';
import { session } from './session';

const owner: User = {
  id: 1,
  name: 'Camille Martin',
  email: 'camille@example.com',
  role: 'super_admin',
  language: 'fr',
  title: '',
  phone: '',
  protected: false,
  createdAt: '2026-01-02T10:00:00Z',
};

// The sign-in fields of a state, as for a workstation with one user.
const extras = { userCount: 1, lastUserId: 0, lockedIdle: false, idleLockSeconds: 0 };

beforeAll(() => setupI18n('en'));

beforeEach(() => {
  vi.resetAllMocks();
  vi.stubGlobal('navigator', { language: 'en-US' });
  session.reset();
});

afterEach(() => vi.unstubAllGlobals());

describe('session.load', () => {
  it('shows the language remembered by the backend, not the system’s', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: true, user: owner, language: 'fr' });
    await session.load();
    expect(session.current).toMatchObject({ status: 'ready', onboarded: true, user: owner, language: 'fr' });
    expect(get(locale)).toBe('fr');
  });

  it('follows the system language when none was ever chosen', async () => {
    vi.stubGlobal('navigator', { language: 'fr-BE' });
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: false, user: null, language: null });
    await session.load();
    expect(session.current).toMatchObject({ status: 'ready', onboarded: false, user: null, language: 'fr' });
    expect(get(locale)).toBe('fr');
  });

  it('falls back to English for a system language the UI does not ship', async () => {
    vi.stubGlobal('navigator', { language: 'de-DE' });
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: false, user: null, language: null });
    await session.load();
    expect(session.current.language).toBe('en');
  });

  it('keeps the error when the backend cannot answer', async () => {
    vi.mocked(sessionApi.state).mockRejectedValue(new ApiError('store_unavailable', 'cannot open'));
    await session.load();
    expect(session.current.status).toBe('failed');
    expect(session.current.error?.code).toBe('store_unavailable');
  });
});

describe('session.onboard', () => {
  it('signs the owner in and shows their language', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: false, user: null, language: null });
    await session.load();
    vi.mocked(sessionApi.onboard).mockResolvedValue(owner);
    await session.onboard({ name: owner.name, email: owner.email, language: 'fr' });
    expect(session.current).toMatchObject({ onboarded: true, user: owner, language: 'fr' });
    expect(get(locale)).toBe('fr');
  });

  it('rejects with the field error and stays on the onboarding', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: false, user: null, language: null });
    await session.load();
    vi.mocked(sessionApi.onboard).mockRejectedValue(new ApiError('invalid_input', 'Enter an email.', 'email'));
    await expect(session.onboard({ name: 'C', email: 'c@', language: 'en' })).rejects.toMatchObject({ field: 'email' });
    expect(session.current).toMatchObject({ onboarded: false, user: null });
  });
});

describe('session.setLanguage', () => {
  it('switches the UI at once, before the backend answers', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: true, user: { ...owner, language: 'en' }, language: 'en' });
    await session.load();
    let answer: () => void = () => {};
    vi.mocked(sessionApi.setLanguage).mockReturnValue(new Promise<void>((r) => (answer = r)));
    const saved = session.setLanguage('fr');
    expect(get(locale)).toBe('fr');
    expect(session.current.language).toBe('fr');
    expect(session.current.user?.language).toBe('fr');
    answer();
    await expect(saved).resolves.toBeNull();
    expect(sessionApi.setLanguage).toHaveBeenCalledWith('fr');
  });

  it('saves quick successive choices in the order they were made', async () => {
    const order: string[] = [];
    const pending: Array<() => void> = [];
    vi.mocked(sessionApi.setLanguage).mockImplementation(
      (lang) =>
        new Promise<void>((r) => {
          order.push(`start ${lang}`);
          pending.push(() => {
            order.push(`end ${lang}`);
            r();
          });
        }),
    );
    const first = session.setLanguage('fr');
    const second = session.setLanguage('en');
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(['start fr']); // the second waits for the first
    pending.shift()!();
    await first;
    await vi.waitFor(() => expect(order).toContain('start en'));
    pending.shift()!();
    await second;
    expect(order).toEqual(['start fr', 'end fr', 'start en', 'end en']);
    expect(session.current.language).toBe('en');
  });

  it('keeps the switch and reports the error when the backend cannot remember it', async () => {
    vi.mocked(sessionApi.setLanguage).mockRejectedValue(new ApiError('store_unavailable', 'disk full'));
    const err = await session.setLanguage('fr');
    expect(err?.code).toBe('store_unavailable');
    expect(session.current.language).toBe('fr');
    expect(get(locale)).toBe('fr');
  });

  it('a failed save does not block the next one', async () => {
    vi.mocked(sessionApi.setLanguage).mockRejectedValueOnce(new ApiError('internal', 'x')).mockResolvedValueOnce();
    expect(await session.setLanguage('fr')).not.toBeNull();
    expect(await session.setLanguage('en')).toBeNull();
    expect(sessionApi.setLanguage).toHaveBeenLastCalledWith('en');
  });
});

describe('session.refreshUser', () => {
  it('replaces the signed-in user with the backend’s', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: true, user: owner, language: 'fr' });
    await session.load();
    vi.mocked(sessionApi.me).mockResolvedValue({ ...owner, role: 'admin' });
    await session.refreshUser();
    expect(session.current.user?.role).toBe('admin');
  });
});

describe('signing in, locking and switching', () => {
  const sophie: User = { ...owner, id: 2, name: 'Sophie Leroy', role: 'collaborator', language: 'en', protected: true };

  it('signs in with the password and takes the user’s language', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, userCount: 2, onboarded: true, user: null, language: 'fr' });
    await session.load();
    vi.mocked(sessionApi.signIn).mockResolvedValue(sophie);
    await session.signIn(2, 'bonjour-sophie');
    expect(sessionApi.signIn).toHaveBeenCalledWith(2, 'bonjour-sophie');
    expect(session.current).toMatchObject({ user: sophie, language: 'en', lastUserId: 2, lockedIdle: false });
    expect(get(locale)).toBe('en');
  });

  it('a wrong password rejects with its wait and leaves nobody signed in', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, userCount: 2, onboarded: true, user: null, language: 'fr' });
    await session.load();
    const wrong = new ApiError('auth_failed', { reason: 'sign_in_wrong_password', params: { seconds: 2 }, field: 'password' });
    vi.mocked(sessionApi.signIn).mockRejectedValue(wrong);
    await expect(session.signIn(2, 'nope')).rejects.toBe(wrong);
    expect(session.current.user).toBeNull();
  });

  it('locking after idle shows the sign-in screen at once and remembers who was there', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, userCount: 2, idleLockSeconds: 60, onboarded: true, user: sophie, language: 'en' });
    await session.load();
    let release = () => {};
    vi.mocked(sessionApi.lock).mockReturnValue(new Promise<void>((r) => (release = r)));
    const locked = session.lock(true);
    expect(session.current).toMatchObject({ user: null, lastUserId: 2, lockedIdle: true });
    release();
    await locked;
    expect(sessionApi.lock).toHaveBeenCalledTimes(1);
  });

  it('switching user is a lock that is not about idleness, even if the backend had already ended it', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, userCount: 2, onboarded: true, user: owner, language: 'fr' });
    await session.load();
    vi.mocked(sessionApi.lock).mockRejectedValue(new ApiError('forbidden', { reason: 'session_locked_idle' }));
    await session.lock(false);
    expect(session.current).toMatchObject({ user: null, lastUserId: owner.id, lockedIdle: false });
  });

  it('changing the password marks the user as protected', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ ...extras, onboarded: true, user: owner, language: 'fr' });
    await session.load();
    vi.mocked(sessionApi.changePassword).mockResolvedValue();
    await session.changePassword('', 'mot-de-passe');
    expect(session.current.user?.protected).toBe(true);
  });
});
