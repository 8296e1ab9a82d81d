// The slowdown of wrong passwords, as the sign-in screen shows it: the backend says how many
// seconds to wait (sign_in_wrong_password, sign_in_too_soon, current_password_wrong); the
// screen keeps the button disabled until then and counts down.
import type { ApiError } from '$lib/api';

/** The reasons that carry a wait in seconds. */
export const WAIT_REASONS = ['sign_in_wrong_password', 'sign_in_too_soon', 'current_password_wrong'] as const;

/** waitUntil returns when the next attempt may be made (ms since the epoch), or 0 when the
 * error asks for no wait. */
export function waitUntil(err: ApiError | null, now: number): number {
  if (!err || !(WAIT_REASONS as readonly string[]).includes(err.reason)) return 0;
  const s = Number(err.params?.seconds);
  if (!Number.isFinite(s) || s <= 0) return 0;
  return now + s * 1000;
}

/** secondsLeft is the wait left, rounded up to whole seconds (0: the attempt may be made). */
export function secondsLeft(until: number, now: number): number {
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}
