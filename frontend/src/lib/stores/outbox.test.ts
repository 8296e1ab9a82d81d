import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    outboxApi: { list: vi.fn(), sentLog: vi.fn(), counts: vi.fn(), get: vi.fn(), retry: vi.fn(), cancel: vi.fn(), markSent: vi.fn() },
    outboxEventsApi: { onChanged: vi.fn() },
  };
});

import { ApiError, emptyCounts, outboxApi, outboxEventsApi, type OutboxEvent, type OutboxItem } from '$lib/api';
import { outbox, REFRESH_MS } from './outbox';
import { toasts } from './toasts';

function item(id: number, over: Partial<OutboxItem> = {}): OutboxItem {
  return {
    id, accountId: 1, accountName: 'Boutique', state: 'failed', messageId: `m${id}@x`, from: 'shop@x', to: ['c@x'], subject: `S${id}`,
    size: 100, attempts: 1, nextAttempt: '',
    error: new ApiError('provider_rejected', { reason: 'smtp_recipient_refused', params: { host: 'smtp.x', count: 1, recipients: 'c@x' }, detail: '550 5.1.1 unknown' }),
    reply: '', copy: 'none', copyError: null, queuedBy: 0, createdAt: '', updatedAt: '', sentAt: '', ...over,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  vi.resetAllMocks();
  outbox.reset();
  toasts.reset();
  vi.mocked(outboxApi.counts).mockResolvedValue({ ...emptyCounts(), failed: 1, sent: 3 });
  vi.mocked(outboxApi.list).mockResolvedValue({ items: [item(7)], next: '' });
  vi.mocked(outboxApi.sentLog).mockResolvedValue({ items: [item(2, { state: 'sent', reply: '250 ok' })], next: '' });
});

afterEach(() => vi.useRealTimers());

describe('the outbox store', () => {
  it('opens on what needs the user first: the failures', async () => {
    const close = outbox.open();
    await flush();
    await flush();
    expect(get(outbox)).toMatchObject({ tab: 'failed', status: 'ready', items: [{ id: 7 }], counts: { failed: 1, sent: 3 } });
    expect(outboxApi.list).toHaveBeenCalledWith({ states: ['failed'], accountId: 0 }, '', 50);
    close();
  });

  it('reads the sent log for the sent tab, and one account when asked', async () => {
    await outbox.setTab('sent');
    expect(outboxApi.sentLog).toHaveBeenCalledWith(0, '', 50);
    expect(get(outbox).items[0]).toMatchObject({ id: 2, state: 'sent' });
    await outbox.setAccount(4);
    expect(outboxApi.sentLog).toHaveBeenLastCalledWith(4, '', 50);
  });

  it('a page that cannot be read says why', async () => {
    vi.mocked(outboxApi.list).mockRejectedValue(new ApiError('store_unavailable', 'disk'));
    await outbox.setTab('queued');
    expect(get(outbox)).toMatchObject({ status: 'failed', error: { code: 'store_unavailable' } });
  });

  it('appends the next page', async () => {
    vi.mocked(outboxApi.list).mockResolvedValueOnce({ items: [item(9)], next: '9' }).mockResolvedValueOnce({ items: [item(8)], next: '' });
    await outbox.setTab('failed');
    await outbox.more();
    expect(outboxApi.list).toHaveBeenLastCalledWith({ states: ['failed'], accountId: 0 }, '9', 50);
    expect(get(outbox).items.map((i) => i.id)).toEqual([9, 8]);
  });

  it('a decision is carried out, said in a toast, and the page read again', async () => {
    await outbox.setTab('failed');
    vi.mocked(outboxApi.retry).mockResolvedValue();
    expect(await outbox.act(7, 'retry')).toBe(true);
    expect(outboxApi.retry).toHaveBeenCalledWith(7);
    expect(get(toasts)).toMatchObject([{ kind: 'info', message: { key: 'outbox.done.retry' } }]);
    expect(get(outbox).busy).toEqual([]);
    expect(outboxApi.list).toHaveBeenCalledTimes(2);
  });

  it('a refused decision says why, in an error toast', async () => {
    vi.mocked(outboxApi.cancel).mockRejectedValue(new ApiError('conflict', 'This one is sending.'));
    expect(await outbox.act(7, 'cancel')).toBe(false);
    expect(get(toasts)).toMatchObject([{ kind: 'error', message: { key: 'outbox.failed.cancel' }, error: { code: 'conflict' } }]);
  });

  it('a burst of events is one re-read; an account’s trouble shows until it is over', async () => {
    vi.useFakeTimers();
    let fire: (e: OutboxEvent) => void = () => {};
    vi.mocked(outboxEventsApi.onChanged).mockImplementation((fn) => {
      fire = fn;
      return () => {};
    });
    const off = outbox.connect();
    await vi.runAllTimersAsync();
    vi.mocked(outboxApi.counts).mockClear();
    for (let i = 0; i < 20; i++) fire({ kind: 'item', accountId: 1, itemId: i, state: 'sent', failure: null, paused: false });
    await vi.advanceTimersByTimeAsync(REFRESH_MS + 10);
    expect(outboxApi.counts).toHaveBeenCalledTimes(1);
    // Off the Outbox screen, only the counts are read.
    expect(outboxApi.list).not.toHaveBeenCalled();

    const unreachable = new ApiError('network', { reason: 'smtp_connection_lost', params: { host: 'smtp.x' } });
    fire({ kind: 'account', accountId: 1, itemId: 0, state: null, failure: unreachable, paused: false });
    expect(get(outbox).troubles).toEqual([{ accountId: 1, kind: 'account', error: unreachable, paused: false }]);
    fire({ kind: 'account', accountId: 1, itemId: 0, state: null, failure: null, paused: false });
    expect(get(outbox).troubles).toEqual([]);
    off();
  });
});
