import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return { ...actual, syncApi: { status: vi.fn(), now: vi.fn(), cancel: vi.fn() } };
});

import { ApiError, syncApi, type SyncStatus } from '$lib/api';
import { sync } from './sync';

const st = (accountId: number, phase: SyncStatus['phase'], patch: Partial<SyncStatus> = {}): SyncStatus => ({
  accountId,
  folder: 'INBOX',
  phase,
  done: 0,
  total: 0,
  error: null,
  retryIn: 0,
  cancelled: false,
  seq: 0,
  ...patch,
});

beforeEach(() => {
  vi.resetAllMocks();
  sync.reset();
});

describe('sync state', () => {
  it('starts from Status, then follows the events', async () => {
    vi.mocked(syncApi.status).mockResolvedValue([st(1, 'idle'), st(2, 'headers', { done: 5, total: 50 })]);
    await sync.load();
    sync.apply(st(2, 'bodies', { done: 1, total: 50 }));
    const m = get(sync).byAccount;
    expect(m.get(1)?.phase).toBe('idle');
    expect(m.get(2)).toMatchObject({ phase: 'bodies', done: 1 });
  });

  it('an event older than the state it holds changes nothing', async () => {
    vi.mocked(syncApi.status).mockResolvedValue([st(1, 'idle', { seq: 7 })]);
    await sync.load();
    const before = get(sync);
    sync.apply(st(1, 'bodies', { done: 2, total: 2, seq: 6 }));
    expect(get(sync)).toBe(before);
    expect(get(sync).byAccount.get(1)?.phase).toBe('idle');
    sync.apply(st(1, 'connecting', { seq: 8 }));
    expect(get(sync).byAccount.get(1)?.phase).toBe('connecting');
  });

  it('a cancel is remembered until the account works again', async () => {
    vi.mocked(syncApi.cancel).mockResolvedValue(undefined);
    await sync.cancel(4);
    expect(syncApi.cancel).toHaveBeenCalledWith(4);
    sync.apply(st(4, 'idle', { cancelled: true }));
    expect(get(sync).cancelled.has(4)).toBe(true);
    sync.apply(st(4, 'connecting'));
    expect(get(sync).cancelled.has(4)).toBe(false);
  });

  it('a refused cancel rejects and is not remembered', async () => {
    vi.mocked(syncApi.cancel).mockRejectedValue(new ApiError('not_found', 'no'));
    await expect(sync.cancel(4)).rejects.toMatchObject({ code: 'not_found' });
    expect(get(sync).cancelled.size).toBe(0);
  });

  it('keeps the error when Status is refused', async () => {
    vi.mocked(syncApi.status).mockRejectedValue(new ApiError('internal', 'x'));
    await sync.load();
    expect(get(sync).error?.code).toBe('internal');
  });
});
