import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api';
import { TOAST_MS, toasts } from './toasts';

beforeEach(() => {
  vi.useFakeTimers();
  toasts.reset();
});
afterEach(() => vi.useRealTimers());

describe('toasts', () => {
  it('go away by themselves, errors later than notes', () => {
    toasts.info({ key: 'mail.attachments.saved', values: { path: '/tmp/a.pdf' } });
    toasts.error({ key: 'mail.flags.flagFailed' }, new ApiError('network', 'reset'));
    vi.advanceTimersByTime(TOAST_MS.info + 1);
    expect(get(toasts).map((t) => t.kind)).toEqual(['error']);
    vi.advanceTimersByTime(TOAST_MS.error);
    expect(get(toasts)).toEqual([]);
  });

  it('keeps at most three, and can be dismissed', () => {
    const ids = [1, 2, 3, 4].map(() => toasts.info({ key: 'mail.sync.cancelled' }));
    expect(get(toasts).map((t) => t.id)).toEqual(ids.slice(1));
    toasts.dismiss(ids[2]);
    expect(get(toasts).map((t) => t.id)).toEqual([ids[1], ids[3]]);
  });
});
