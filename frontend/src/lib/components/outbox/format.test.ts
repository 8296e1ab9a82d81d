import { describe, expect, it } from 'vitest';
import { emptyCounts } from '$lib/api';
import { ApiError } from '$lib/api';
import { actions, answer, attention, firstTab, recipients, retryKey } from './format';

describe('the outbox’s words', () => {
  it('shows three recipients and counts the rest', () => {
    expect(recipients(['a@x', 'b@x'])).toEqual({ shown: 'a@x, b@x', more: 0 });
    expect(recipients(['a@x', 'b@x', 'c@x', 'd@x', 'e@x'])).toEqual({ shown: 'a@x, b@x, c@x', more: 2 });
    expect(recipients([])).toEqual({ shown: '', more: 0 });
  });

  it('gives the server’s acceptance for a sent message, its refusal otherwise', () => {
    const refused = new ApiError('provider_rejected', { reason: 'smtp_recipient_refused', detail: '550 5.1.1 unknown' });
    expect(answer({ state: 'sent', reply: '250 2.0.0 Ok: queued as 4F', error: null })).toBe('250 2.0.0 Ok: queued as 4F');
    expect(answer({ state: 'failed', reply: '', error: refused })).toBe('550 5.1.1 unknown');
    expect(answer({ state: 'failed', reply: '', error: null })).toBe('');
  });
});

describe('what the user may do', () => {
  it.each([
    ['queued', '', { retry: false, retryConfirm: false, cancel: true, markSent: false }],
    ['queued', '2026-01-01T10:00:00Z', { retry: true, retryConfirm: false, cancel: true, markSent: false }],
    ['sending', '', { retry: false, retryConfirm: false, cancel: false, markSent: false }],
    ['failed', '', { retry: true, retryConfirm: false, cancel: true, markSent: false }],
    ['possibly_sent', '', { retry: true, retryConfirm: true, cancel: true, markSent: true }],
    ['sent', '', { retry: false, retryConfirm: false, cancel: false, markSent: false }],
    ['cancelled', '', { retry: false, retryConfirm: false, cancel: false, markSent: false }],
  ] as const)('a %s message (next attempt %j)', (state, nextAttempt, want) => {
    expect(actions({ state, nextAttempt })).toEqual(want);
  });

  it('names the retry of a waiting message "try now"', () => {
    expect(retryKey('queued')).toBe('outbox.actions.retryNow');
    expect(retryKey('failed')).toBe('outbox.actions.retry');
  });
});

describe('counts', () => {
  it('the sidebar counts what waits and what needs the user, not what is done', () => {
    expect(attention({ ...emptyCounts(), queued: 2, sending: 1, failed: 3, possibly_sent: 1, sent: 40, cancelled: 5 })).toBe(7);
  });

  it('opens on what needs the user first', () => {
    expect(firstTab(emptyCounts())).toBe('sent');
    expect(firstTab({ ...emptyCounts(), queued: 1, failed: 1 })).toBe('failed');
    expect(firstTab({ ...emptyCounts(), queued: 1, possibly_sent: 2 })).toBe('possibly_sent');
    expect(firstTab({ ...emptyCounts(), sending: 1 })).toBe('sending');
  });
});
