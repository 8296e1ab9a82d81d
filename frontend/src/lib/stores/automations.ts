// What waits for approval among the automations' mails: more records were due at once than
// an automation's threshold (at a run, or at the catch-up when the app starts), so nothing
// was sent. The sidebar's count and the shell's notice tell it on every screen, not only
// on the Automations screen. The count is read when the shell connects — the catch-up may
// have held them before the UI listened — then again after each automations:changed event
// that may change it, a burst at most once per REFRESH_MS.
import { get, writable } from 'svelte/store';
import { automationsApi, automationsEventsApi, type Automation, type AutomationEvent } from '$lib/api/automations';
import { coalesce } from './coalesce';
import { screen, type Screen } from './navigation';

export { REFRESH_MS } from './coalesce';

export interface Waiting {
  id: number;
  name: string;
  pending: number;
}

export interface PendingApprovals {
  /** Records waiting for approval, over every automation. */
  count: number;
  /** The automations with records waiting, in the list's order (by name). */
  automations: Waiting[];
  /** The count when the notice was put off: it shows again once more wait. */
  dismissed: number;
}

function initial(): PendingApprovals {
  return { count: 0, automations: [], dismissed: 0 };
}

/** waitingOf sums what the automations hold for approval. */
export function waitingOf(list: Automation[]): Pick<PendingApprovals, 'count' | 'automations'> {
  const automations = list.filter((a) => a.pending > 0).map((a) => ({ id: a.id, name: a.name, pending: a.pending }));
  return { count: automations.reduce((n, a) => n + a.pending, 0), automations };
}

/** noticeShown: the shell's notice shows to those who may approve, away from the
 * Automations screen (which lists them itself), until put off while no more wait. */
export function noticeShown(s: PendingApprovals, current: Screen, mayApprove: boolean): boolean {
  return mayApprove && current !== 'automations' && s.count > 0 && s.count > s.dismissed;
}

/** mayChange: the events after which the count may differ (a run that ended, an approval,
 * a skip, an automation deleted); not a run's progress. */
export function mayChange(e: AutomationEvent): boolean {
  return e.kind !== 'run' || e.done === e.total;
}

const store = writable<PendingApprovals>(initial());
let seq = 0;

async function load(): Promise<void> {
  const mine = ++seq;
  try {
    const w = waitingOf(await automationsApi.list());
    if (mine !== seq) return;
    // Nothing waits any more: the next wait shows the notice again.
    store.update((s) => ({ ...w, dismissed: w.count === 0 ? 0 : s.dismissed }));
  } catch {
    // A hint: the next event brings it again.
  }
}

const refresh = coalesce(() => void load());

/** connect reads the count and follows automations:changed for as long as the shell is shown. */
function connect(): () => void {
  void load();
  const off = automationsEventsApi.onChanged((e) => {
    if (mayChange(e)) refresh.schedule();
  });
  return () => {
    off();
    refresh.cancel();
  };
}

// --- an automation to open -------------------------------------------------------------

const toOpen = writable<number | null>(null);

export const pendingApprovals = {
  subscribe: store.subscribe,
  connect,
  load,
  /** dismiss puts the notice off until more records wait. */
  dismiss(): void {
    store.update((s) => ({ ...s, dismissed: s.count }));
  },
  /** open shows the Automations screen on the first automation's records waiting. */
  open(): void {
    toOpen.set(get(store).automations[0]?.id ?? null);
    screen.go('automations');
  },
  /** take is the automation the notice asked the Automations screen to open (then null). */
  take(): number | null {
    const id = get(toOpen);
    toOpen.set(null);
    return id;
  },
  reset(): void {
    refresh.cancel();
    seq++;
    toOpen.set(null);
    store.set(initial());
  },
};
