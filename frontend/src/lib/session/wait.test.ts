import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api';
import { secondsLeft, waitUntil } from './wait';

describe('the wait after wrong passwords', () => {
  const now = 1_700_000_000_000;

  it('waits the seconds the backend said after a wrong password or a too early attempt', () => {
    for (const reason of ['sign_in_wrong_password', 'sign_in_too_soon', 'current_password_wrong']) {
      const err = new ApiError('auth_failed', { reason, params: { seconds: 4 }, field: 'password' });
      expect(waitUntil(err, now)).toBe(now + 4_000);
    }
  });

  it('does not wait for other errors or without seconds', () => {
    expect(waitUntil(null, now)).toBe(0);
    expect(waitUntil(new ApiError('not_found', { reason: 'user_gone' }), now)).toBe(0);
    expect(waitUntil(new ApiError('auth_failed', { reason: 'sign_in_wrong_password' }), now)).toBe(0);
  });

  it('counts down in whole seconds, rounded up', () => {
    const until = now + 2_000;
    expect(secondsLeft(until, now)).toBe(2);
    expect(secondsLeft(until, now + 1)).toBe(2);
    expect(secondsLeft(until, now + 1_001)).toBe(1);
    expect(secondsLeft(until, now + 2_000)).toBe(0);
    expect(secondsLeft(0, now)).toBe(0);
  });
});
