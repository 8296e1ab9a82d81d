// A burst of backend events read again once: the first event schedules the read REFRESH_MS
// later, and those that come before it runs join it. The outbox, filing and automations
// stores each keep a list or a count live this way.

export const REFRESH_MS = 250;

export interface Coalesced {
  /** schedule runs the read REFRESH_MS from now, unless one is scheduled already. */
  schedule(): void;
  /** cancel forgets the read scheduled, if any. */
  cancel(): void;
}

export function coalesce(run: () => void, ms = REFRESH_MS): Coalesced {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    schedule() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        run();
      }, ms);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
