import { describe, expect, it } from 'vitest';
import type { SignInClient } from '$lib/api';
import { EXPIRY_WARNING_DAYS, missingSignIn, PASSWORD_WAY, signInExpiry, signInPath, signInSetup } from './signin';

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

describe('a sign-in the organisation has not set up', () => {
  const gmail = { signIn: 'google' as const };
  const outlook = { signIn: 'microsoft' as const };
  const other = { signIn: null };
  const client = (provider: 'google' | 'microsoft', configured: boolean): SignInClient => ({
    provider,
    configured,
    source: configured ? 'settings' : null,
    clientId: '',
    keyStored: false,
  });
  const none = signInSetup([client('google', false), client('microsoft', false)]);
  const googleOnly = signInSetup([client('google', true), client('microsoft', false)]);

  it('reads the backend’s list per provider', () => {
    expect(none).toEqual({ google: false, microsoft: false });
    expect(googleOnly).toEqual({ google: true, microsoft: false });
    expect(signInSetup([])).toEqual({});
  });

  it('starts no sign-in: the tile falls back to the password path', () => {
    expect(signInPath(gmail, { setup: none })).toBeNull();
    expect(signInPath(outlook, { setup: googleOnly })).toBeNull();
    expect(signInPath(gmail, { setup: googleOnly })).toBe('google');
  });

  it('says which sign-in is missing, for the wizard to explain', () => {
    expect(missingSignIn(gmail, none)).toBe('google');
    expect(missingSignIn(outlook, googleOnly)).toBe('microsoft');
    expect(missingSignIn(gmail, googleOnly)).toBeNull();
    expect(missingSignIn(other, none)).toBeNull();
    expect(missingSignIn(null, none)).toBeNull();
    // A Gmail address sending through Postmark needs no sign-in.
    expect(missingSignIn(gmail, none, { apiSender: true })).toBeNull();
  });

  it('before the setup is known, offers the sign-in (the backend has the last word)', () => {
    expect(signInPath(gmail, { setup: {} })).toBe('google');
    expect(missingSignIn(gmail, {})).toBeNull();
  });

  it('offers an app password for Gmail only: Microsoft turned passwords off for most accounts', () => {
    expect(PASSWORD_WAY).toEqual({ google: 'app_password', microsoft: 'mostly_refused' });
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
