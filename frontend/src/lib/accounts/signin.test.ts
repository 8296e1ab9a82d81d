import { describe, expect, it } from 'vitest';
import { EXPIRY_WARNING_DAYS, signInExpiry, signInPath } from './signin';

describe('signInPath', () => {
  const gmail = { signIn: 'google' as const };
  const outlook = { signIn: 'microsoft' as const };
  const other = { signIn: null };

  it('offers the provider’s sign-in first', () => {
    expect(signInPath(gmail)).toBe('google');
    expect(signInPath(outlook)).toBe('microsoft');
  });

  it('keeps the password path for providers without a sign-in, or no provider', () => {
    expect(signInPath(other)).toBeNull();
    expect(signInPath(null)).toBeNull();
    expect(signInPath(undefined)).toBeNull();
  });

  it('gives way to an app password the user chose, and to an API sender', () => {
    expect(signInPath(gmail, { usePassword: true })).toBeNull();
    expect(signInPath(outlook, { apiSender: true })).toBeNull();
    expect(signInPath(gmail, { usePassword: false, apiSender: false })).toBe('google');
  });
});

describe('signInExpiry', () => {
  const now = new Date('2026-05-10T12:00:00Z');
  const hours = (h: number) => new Date(now.getTime() + h * 3600_000).toISOString();

  it('is none without a date, or with one it cannot read', () => {
    expect(signInExpiry(null, now)).toEqual({ level: 'none', days: 0 });
    expect(signInExpiry('', now)).toEqual({ level: 'none', days: 0 });
    expect(signInExpiry('soon', now)).toEqual({ level: 'none', days: 0 });
  });

  it('is later when more than three days are left (Google’s testing mode: seven)', () => {
    expect(signInExpiry(hours(7 * 24), now)).toEqual({ level: 'later', days: 7 });
    expect(signInExpiry(hours(EXPIRY_WARNING_DAYS * 24 + 1), now)).toEqual({ level: 'later', days: 4 });
  });

  it('warns within three days, counting a started day as a day', () => {
    expect(signInExpiry(hours(EXPIRY_WARNING_DAYS * 24), now)).toEqual({ level: 'soon', days: 3 });
    expect(signInExpiry(hours(25), now)).toEqual({ level: 'soon', days: 2 });
    expect(signInExpiry(hours(1), now)).toEqual({ level: 'soon', days: 1 });
  });

  it('is expired once the moment has passed', () => {
    expect(signInExpiry(hours(0), now)).toEqual({ level: 'expired', days: 0 });
    expect(signInExpiry(hours(-48), now)).toEqual({ level: 'expired', days: 0 });
  });
});
