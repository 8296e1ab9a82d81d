import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return { ...actual, usersApi: { list: vi.fn(), create: vi.fn(), setRole: vi.fn(), remove: vi.fn() } };
});

import { ApiError, usersApi, type User } from '$lib/api';
import { users } from './users';

function user(id: number, name: string, role: User['role'] = 'collaborator'): User {
  return { id, name, email: `${name.toLowerCase()}@example.com`, role, language: 'fr', title: '', phone: '', protected: false, createdAt: '2026-01-01T00:00:00Z' };
}

const camille = user(1, 'Camille', 'super_admin');
const bruno = user(2, 'bruno');
const alice = user(3, 'Alice', 'admin');

beforeEach(() => {
  vi.resetAllMocks();
  users.reset();
});

const names = () => get(users).items.map((u) => u.name);

describe('users', () => {
  it('lists users by name, ignoring case', async () => {
    vi.mocked(usersApi.list).mockResolvedValue([camille, bruno, alice]);
    await users.load();
    expect(get(users).status).toBe('ready');
    expect(names()).toEqual(['Alice', 'bruno', 'Camille']);
  });

  it('a list read before a role changed here does not bring the old role back', async () => {
    vi.mocked(usersApi.list).mockResolvedValueOnce([camille, bruno]);
    await users.load();
    let answer: (u: User[]) => void = () => {};
    vi.mocked(usersApi.list).mockReturnValueOnce(new Promise((r) => (answer = r)));
    const loading = users.load();
    vi.mocked(usersApi.setRole).mockResolvedValue();
    await users.setRole(bruno.id, 'admin');
    answer([camille, bruno]);
    await loading;
    expect(get(users).items.find((u) => u.id === bruno.id)?.role).toBe('admin');
  });

  it('keeps the error when the list is refused', async () => {
    vi.mocked(usersApi.list).mockRejectedValue(new ApiError('forbidden', 'no'));
    await users.load();
    expect(get(users)).toMatchObject({ status: 'failed', items: [] });
    expect(get(users).error?.code).toBe('forbidden');
  });

  it('a created user appears in its place', async () => {
    vi.mocked(usersApi.list).mockResolvedValue([camille, alice]);
    await users.load();
    vi.mocked(usersApi.create).mockResolvedValue(bruno);
    await users.create({ name: 'bruno', email: bruno.email, role: 'collaborator', language: 'fr' });
    expect(names()).toEqual(['Alice', 'bruno', 'Camille']);
  });

  it('a refused creation changes nothing and rejects with the field', async () => {
    vi.mocked(usersApi.list).mockResolvedValue([camille]);
    await users.load();
    vi.mocked(usersApi.create).mockRejectedValue(new ApiError('conflict', 'exists', 'email'));
    await expect(
      users.create({ name: 'C2', email: camille.email, role: 'admin', language: 'en' }),
    ).rejects.toMatchObject({ code: 'conflict', field: 'email' });
    expect(names()).toEqual(['Camille']);
  });

  it('a role change shows once the backend accepted it', async () => {
    vi.mocked(usersApi.list).mockResolvedValue([camille, bruno]);
    await users.load();
    vi.mocked(usersApi.setRole).mockResolvedValue();
    await users.setRole(bruno.id, 'admin');
    expect(get(users).items.find((u) => u.id === bruno.id)?.role).toBe('admin');
  });

  it('a refused role change leaves the role as it was', async () => {
    vi.mocked(usersApi.list).mockResolvedValue([camille]);
    await users.load();
    vi.mocked(usersApi.setRole).mockRejectedValue(new ApiError('conflict', 'last super admin'));
    await expect(users.setRole(camille.id, 'admin')).rejects.toMatchObject({ code: 'conflict' });
    expect(get(users).items[0].role).toBe('super_admin');
  });

  it('a removed user disappears; a refused removal keeps them', async () => {
    vi.mocked(usersApi.list).mockResolvedValue([camille, bruno]);
    await users.load();
    vi.mocked(usersApi.remove).mockRejectedValueOnce(new ApiError('conflict', 'yourself')).mockResolvedValueOnce();
    await expect(users.remove(camille.id)).rejects.toBeInstanceOf(ApiError);
    expect(names()).toEqual(['bruno', 'Camille']);
    await users.remove(bruno.id);
    expect(names()).toEqual(['Camille']);
  });
});
