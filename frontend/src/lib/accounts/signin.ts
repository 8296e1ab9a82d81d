// Sign in with Google or Microsoft: which path the wizard offers first, what it says when
// the organisation has not set a sign-in up, and what an account's known sign-in expiry
// means for the user.
import type { SignIn, SignInClient } from '$lib/api';

/** The services' names, the same in every language. */
export const SIGN_IN_NAMES: Record<SignIn, string> = { google: 'Google', microsoft: 'Microsoft' };

/** A sign-in that stops working within this many days is shown as a warning. */
export const EXPIRY_WARNING_DAYS = 3;

/** Which sign-ins the organisation has set up (System.SignInClients). A provider missing
 * from it is unknown (not loaded yet, or the call failed): the sign-in is offered, and the
 * backend says why if it cannot start. */
export type SignInSetup = Partial<Record<SignIn, boolean>>;

export function signInSetup(clients: readonly SignInClient[]): SignInSetup {
  const out: SignInSetup = {};
  for (const c of clients) out[c.provider] = c.configured;
  return out;
}

/** What a provider's password way is worth without its sign-in: Gmail takes an app password;
 * Microsoft turned passwords in mail apps (basic authentication) off for most accounts. */
export const PASSWORD_WAY: Record<SignIn, 'app_password' | 'mostly_refused'> = {
  google: 'app_password',
  microsoft: 'mostly_refused',
};

/** signInPath is the sign-in the wizard's first step offers as its primary path: the
 * provider's (Gmail → Google, Outlook → Microsoft), unless the account only sends through an
 * API sender, the user chose an app password instead, or the organisation has not set that
 * sign-in up. null: the password path. */
export function signInPath(
  provider: { signIn: SignIn | null } | null | undefined,
  opts: { apiSender?: boolean; usePassword?: boolean; setup?: SignInSetup } = {},
): SignIn | null {
  if (opts.apiSender || opts.usePassword) return null;
  const via = provider?.signIn ?? null;
  if (via && opts.setup?.[via] === false) return null;
  return via;
}

/** missingSignIn is the provider's sign-in when the organisation has not set it up: the tile
 * then starts no sign-in, and the wizard says what is missing. null otherwise (and for an API
 * sender, which needs no sign-in). */
export function missingSignIn(
  provider: { signIn: SignIn | null } | null | undefined,
  setup: SignInSetup,
  opts: { apiSender?: boolean } = {},
): SignIn | null {
  const via = provider?.signIn ?? null;
  if (!via || opts.apiSender) return null;
  return setup[via] === false ? via : null;
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
