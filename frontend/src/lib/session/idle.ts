// Locking after idle time (F21): the window tracks keyboard and mouse use, reports it to the
// backend now and then (Session.Touch, which keeps the session open there), and locks once
// nothing happened for the chosen time. The backend ends the session on its own after the
// same time without a report, so a frozen window cannot keep it open.

/** The events that count as someone at the keyboard. */
export const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart', 'pointerdown'] as const;

/** touchInterval is how often activity is reported: often enough that the backend's limit is
 * never reached while someone works (a third of the limit), at most every 10 s. */
export function touchInterval(limitMs: number): number {
  return Math.max(200, Math.min(10_000, Math.floor(limitMs / 3)));
}

/** checkInterval is how often idleness is checked: a quarter of the limit, at most 1 s. */
export function checkInterval(limitMs: number): number {
  return Math.max(100, Math.min(1_000, Math.floor(limitMs / 4)));
}

export interface IdleOptions {
  /** The idle time after which the window locks, in ms (> 0). */
  limitMs: number;
  /** Called once when the limit is reached. */
  onIdle: () => void;
  /** Reports activity to the backend. */
  touch: () => void;
  now?: () => number;
}

/** IdleClock is the logic, without timers or listeners: activity() on each event, tick()
 * regularly. */
export class IdleClock {
  private last: number;
  private lastTouch: number;
  private done = false;
  private readonly now: () => number;

  constructor(private readonly opts: IdleOptions) {
    this.now = opts.now ?? Date.now;
    this.last = this.now();
    this.lastTouch = this.last;
  }

  /** activity records someone's use of the window, and reports it when the last report is
   * older than touchInterval. */
  activity(): void {
    if (this.done) return;
    const t = this.now();
    this.last = t;
    if (t - this.lastTouch >= touchInterval(this.opts.limitMs)) {
      this.lastTouch = t;
      this.opts.touch();
    }
  }

  /** tick locks once the limit has passed since the last activity; it reports whether it did. */
  tick(): boolean {
    if (this.done) return false;
    if (this.now() - this.last >= this.opts.limitMs) {
      this.done = true;
      this.opts.onIdle();
      return true;
    }
    return false;
  }

  /** idleFor is how long nothing happened, in ms. */
  idleFor(): number {
    return this.now() - this.last;
  }
}

/** watchIdle listens to target's activity events and checks idleness on a timer; it returns
 * the function that stops it. */
export function watchIdle(target: Pick<Window, 'addEventListener' | 'removeEventListener'>, opts: IdleOptions): () => void {
  const clock = new IdleClock(opts);
  const onActivity = () => clock.activity();
  for (const e of ACTIVITY_EVENTS) target.addEventListener(e, onActivity, { passive: true, capture: true });
  const timer = setInterval(() => {
    if (clock.tick()) stop();
  }, checkInterval(opts.limitMs));
  function stop() {
    clearInterval(timer);
    for (const e of ACTIVITY_EVENTS) target.removeEventListener(e, onActivity, { capture: true });
  }
  return stop;
}
