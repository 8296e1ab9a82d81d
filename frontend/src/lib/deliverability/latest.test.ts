import { get } from 'svelte/store';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deliverability } from '$lib/api';
import { forgetChecks, latestChecks, newer, publishCheck } from './latest';

const check = (accountId: number, checkedAt: string, worst: Deliverability['worst'] = 'failure'): Deliverability => ({
  accountId,
  domain: 'example.test',
  path: 'smtp',
  selectors: [],
  checkedAt,
  worst,
  stale: false,
  findings: [],
});

describe('the latest check of each account', () => {
  afterEach(forgetChecks);

  it('keeps the newest check per account, whatever the order they arrive in', () => {
    publishCheck(check(1, '2026-12-06T07:41:00.000Z', 'failure'));
    publishCheck(check(2, '2026-12-06T07:40:00.000Z', 'warning'));
    expect(get(latestChecks)[1].worst).toBe('failure');
    publishCheck(check(1, '2026-12-06T07:45:00.000Z', 'ok'));
    expect(get(latestChecks)[1].worst).toBe('ok');
    // An older answer arriving late does not hide the newer one.
    publishCheck(check(1, '2026-12-06T07:43:00.000Z', 'failure'));
    expect(get(latestChecks)[1].worst).toBe('ok');
    expect(get(latestChecks)[2].worst).toBe('warning');
  });

  it('compares by the time of the check', () => {
    const a = check(1, '2026-12-06T07:41:00.000Z');
    expect(newer(null, a)).toBe(true);
    expect(newer(a, check(1, '2026-12-06T07:41:00.001Z'))).toBe(true);
    expect(newer(a, a)).toBe(false);
    expect(newer(check(1, '2026-12-06T08:00:00.000Z'), a)).toBe(false);
  });
});
