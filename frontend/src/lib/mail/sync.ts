// An account's sync state as the folder column shows it: a bar while it works (folder,
// done/total, the phase in words), what went wrong when it failed.
import type { SyncPhase, SyncStatus } from '$lib/api';

/** working says whether the account is syncing now (a bar and Cancel are shown). */
export function working(s: SyncStatus | null | undefined): boolean {
  return s?.phase === 'connecting' || s?.phase === 'headers' || s?.phase === 'bodies';
}

/** fraction is how far the phase is, 0…1, or null when it cannot say (connecting, or no
 * total yet): the bar then shows it works without a measure. */
export function fraction(s: SyncStatus): number | null {
  if (s.phase !== 'headers' && s.phase !== 'bodies') return null;
  if (s.total <= 0) return null;
  return Math.min(1, Math.max(0, s.done / s.total));
}

export function phaseKey(phase: SyncPhase): string {
  return `mail.sync.phase.${phase}`;
}

/** stale says whether s is older than the state the map holds for its account: events can
 * arrive out of order (the development server sends each on its own goroutine), and an
 * old "bodies" after "idle" would leave the account syncing for ever. */
function stale(all: ReadonlyMap<number, SyncStatus>, s: SyncStatus): boolean {
  const had = all.get(s.accountId);
  return had !== undefined && s.seq < had.seq;
}

/** applyStatus puts an account's new state in the map (a new map: stores compare by
 * identity); a stale one is dropped and the same map comes back. */
export function applyStatus(all: ReadonlyMap<number, SyncStatus>, s: SyncStatus): ReadonlyMap<number, SyncStatus> {
  if (stale(all, s)) return all;
  const next = new Map(all);
  next.set(s.accountId, s);
  return next;
}
