import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return { ...actual, systemApi: { status: vi.fn(), checkVault: vi.fn() } };
});

import { ApiError, systemApi, type SystemStatus } from '$lib/api';
import { storageError, system, vaultProblem } from './system';

function status(over: Partial<SystemStatus> = {}, vault: Partial<SystemStatus['vault']> = {}): SystemStatus {
  return {
    version: '0.1.0',
    dataDir: '/home/camille/.local/share/mailroom',
    storageError: null,
    ...over,
    vault: { available: true, reason: null, detail: '', ...vault },
  };
}

const locked = { available: false, reason: 'locked', detail: 'Cannot unlock the collection' } as const;

beforeEach(() => {
  vi.resetAllMocks();
  system.reset();
});

describe('system', () => {
  it('reports no vault problem when the keychain works', async () => {
    vi.mocked(systemApi.status).mockResolvedValue(status());
    await system.load();
    expect(get(vaultProblem)).toBeNull();
    expect(get(storageError)).toBeNull();
  });

  it('reports the vault problem with its reason', async () => {
    vi.mocked(systemApi.status).mockResolvedValue(status({}, locked));
    await system.load();
    expect(get(vaultProblem)).toEqual(locked);
  });

  it('reports why the data could not be opened', async () => {
    vi.mocked(systemApi.status).mockResolvedValue(status({ storageError: new ApiError('store_unavailable', { reason: 'store_cannot_open', params: { dir: '/d' }, detail: 'disk I/O error' }) }));
    await system.load();
    expect(get(storageError)).toMatchObject({ reason: 'store_cannot_open', detail: 'disk I/O error' });
  });

  it('"Check again" clears the problem once the keychain works', async () => {
    vi.mocked(systemApi.status).mockResolvedValue(status({}, locked));
    await system.load();
    vi.mocked(systemApi.checkVault).mockResolvedValue(status());
    await system.checkVault();
    expect(get(vaultProblem)).toBeNull();
    expect(get(system)).toMatchObject({ checking: false, stillUnavailable: false });
  });

  it('"Check again" says so when the keychain is still unavailable', async () => {
    vi.mocked(systemApi.status).mockResolvedValue(status({}, locked));
    await system.load();
    vi.mocked(systemApi.checkVault).mockResolvedValue(status({}, locked));
    const checking = system.checkVault();
    expect(get(system).checking).toBe(true);
    await checking;
    expect(get(system)).toMatchObject({ checking: false, stillUnavailable: true });
    expect(get(vaultProblem)).toEqual(locked);
  });

  it('keeps the last status and the error when a check fails', async () => {
    vi.mocked(systemApi.status).mockResolvedValue(status({}, locked));
    await system.load();
    vi.mocked(systemApi.checkVault).mockRejectedValue(new ApiError('internal', 'boom'));
    await system.checkVault();
    expect(get(system).error?.code).toBe('internal');
    expect(get(vaultProblem)).toEqual(locked);
  });
});
