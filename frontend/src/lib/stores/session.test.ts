import { get } from 'svelte/store';
import { locale } from 'svelte-i18n';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    sessionApi: { state: vi.fn(), onboard: vi.fn(), setLanguage: vi.fn(), me: vi.fn() },
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
  createdAt: '2026-01-02T10:00:00Z',
};

beforeAll(() => setupI18n('en'));

beforeEach(() => {
  vi.resetAllMocks();
  vi.stubGlobal('navigator', { language: 'en-US' });
  session.reset();
});

afterEach(() => vi.unstubAllGlobals());

describe('session.load', () => {
  it('shows the language remembered by the backend, not the system’s', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: true, user: owner, language: 'fr' });
    await session.load();
    expect(session.current).toMatchObject({ status: 'ready', onboarded: true, user: owner, language: 'fr' });
    expect(get(locale)).toBe('fr');
  });

  it('follows the system language when none was ever chosen', async () => {
    vi.stubGlobal('navigator', { language: 'fr-BE' });
    vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: false, user: null, language: null });
    await session.load();
    expect(session.current).toMatchObject({ status: 'ready', onboarded: false, user: null, language: 'fr' });
    expect(get(locale)).toBe('fr');
  });

  it('falls back to English for a system language the UI does not ship', async () => {
    vi.stubGlobal('navigator', { language: 'de-DE' });
    vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: false, user: null, language: null });
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
    vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: false, user: null, language: null });
    await session.load();
    vi.mocked(sessionApi.onboard).mockResolvedValue(owner);
    await session.onboard({ name: owner.name, email: owner.email, language: 'fr' });
    expect(session.current).toMatchObject({ onboarded: true, user: owner, language: 'fr' });
    expect(get(locale)).toBe('fr');
  });

  it('rejects with the field error and stays on the onboarding', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: false, user: null, language: null });
    await session.load();
    vi.mocked(sessionApi.onboard).mockRejectedValue(new ApiError('invalid_input', 'Enter an email.', 'email'));
    await expect(session.onboard({ name: 'C', email: 'c@', language: 'en' })).rejects.toMatchObject({ field: 'email' });
    expect(session.current).toMatchObject({ onboarded: false, user: null });
  });
});

describe('session.setLanguage', () => {
  it('switches the UI at once, before the backend answers', async () => {
    vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: true, user: { ...owner, language: 'en' }, language: 'en' });
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
    vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: true, user: owner, language: 'fr' });
    await session.load();
    vi.mocked(sessionApi.me).mockResolvedValue({ ...owner, role: 'admin' });
    await session.refreshUser();
    expect(session.current.user?.role).toBe('admin');
  });
});
