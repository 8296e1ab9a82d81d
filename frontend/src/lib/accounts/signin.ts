// Sign in with Google or Microsoft: which path the wizard offers first, and what an
// account's known sign-in expiry means for the user.
import type { SignIn } from '$lib/api';

/** The services' names, the same in every language. */
export const SIGN_IN_NAMES: Record<SignIn, string> = { google: 'Google', microsoft: 'Microsoft' };

/** A sign-in that stops working within this many days is shown as a warning. */
export const EXPIRY_WARNING_DAYS = 3;

/** signInPath is the sign-in the wizard's first step offers as its primary path: the
 * provider's (Gmail → Google, Outlook → Microsoft), unless the account only sends through an
 * API sender or the user chose an app password instead. null: the password path. */
export function signInPath(
  provider: { signIn: SignIn | null } | null | undefined,
  opts: { apiSender?: boolean; usePassword?: boolean } = {},
): SignIn | null {
  if (opts.apiSender || opts.usePassword) return null;
  return provider?.signIn ?? null;
}

export type ExpiryLevel = 'none' | 'later' | 'soon' | 'expired';

export interface Expiry {
  /** none: no known expiry; later: more than EXPIRY_WARNING_DAYS away; soon: within them
   * (a warning); expired: the moment has passed. */
  level: ExpiryLevel;
  /** Whole days left, rounded up (0 when expired or unknown). */
  days: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** signInExpiry reads an account's signInExpiresAt (RFC 3339, or null) at now. */
export function signInExpiry(expiresAt: string | null | undefined, now: Date = new Date()): Expiry {
  if (!expiresAt) return { level: 'none', days: 0 };
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return { level: 'none', days: 0 };
  const left = at - now.getTime();
  if (left <= 0) return { level: 'expired', days: 0 };
  const days = Math.ceil(left / DAY_MS);
  return { level: left <= EXPIRY_WARNING_DAYS * DAY_MS ? 'soon' : 'later', days };
}
