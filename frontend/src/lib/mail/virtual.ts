// The message list is virtualised: whatever its length, it renders only the rows in view
// plus a few above and below (the overscan), at a fixed row height, between two spacers
// that give the scroll area its full height. These are the numbers behind it.

export interface WindowInput {
  /** How far the list is scrolled, in pixels. */
  scrollTop: number;
  /** The height of the visible area, in pixels. */
  viewport: number;
  /** Every row's height, in pixels. */
  rowHeight: number;
  /** How many rows the list holds. */
  count: number;
  /** Rows rendered beyond each edge of the view, so a quick scroll shows no gap. */
  overscan: number;
}

export interface VirtualWindow {
  /** The first row rendered (inclusive). */
  start: number;
  /** The row after the last rendered (exclusive). */
  end: number;
  /** The height of the spacer above the rendered rows. */
  before: number;
  /** The height of the spacer below them. */
  after: number;
  /** The height of the whole list. */
  total: number;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(Math.max(n, lo), hi);

/** virtualWindow is which rows to render for a scroll position. Whatever the input, it
 * renders at most ceil(viewport / rowHeight) + 1 + 2 × overscan rows. */
export function virtualWindow({ scrollTop, viewport, rowHeight, count, overscan }: WindowInput): VirtualWindow {
  const n = Math.max(0, Math.floor(count));
  const h = rowHeight > 0 ? rowHeight : 1;
  const total = n * h;
  if (n === 0) return { start: 0, end: 0, before: 0, after: 0, total: 0 };
  const view = Math.max(0, viewport);
  const over = Math.max(0, Math.floor(overscan));
  // A scroll position past the end (the list just got shorter) shows the last rows.
  const top = clamp(scrollTop, 0, Math.max(0, total - view));
  const first = Math.floor(top / h);
  const last = Math.ceil((top + view) / h); // exclusive
  const start = clamp(first - over, 0, n);
  const end = clamp(Math.max(last, first + 1) + over, start, n);
  return { start, end, before: start * h, after: (n - end) * h, total };
}

/** scrollToShow is the scroll position that brings row index fully into view, moving as
 * little as possible; it is scrollTop itself when the row is already in view. */
export function scrollToShow(index: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return scrollTop;
}

/** PREFETCH_ROWS: the next page is asked for when the rendered rows come this close to the
 * end of what is loaded, so scrolling rarely reaches a "loading" row. */
export const PREFETCH_ROWS = 60;

/** needsMore says whether to load the next page, given the last rendered row. */
export function needsMore(end: number, loaded: number, hasMore: boolean, loading: boolean): boolean {
  return hasMore && !loading && end + PREFETCH_ROWS >= loaded;
}

/** keyMove is where moving the selection by delta from row i lands among the loaded rows,
 * and whether the next page must be loaded first: a move past the last loaded row waits for
 * it (in full view no list is on screen to scroll, so nothing else would ask for it). */
export function keyMove(i: number, delta: number, loaded: number, hasMore: boolean): { index: number; loadFirst: boolean } {
  if (i < 0) return { index: delta > 0 ? 0 : Math.max(0, loaded - 1), loadFirst: false };
  const target = i + delta;
  if (target > loaded - 1 && hasMore) return { index: target, loadFirst: true };
  return { index: Math.min(Math.max(target, 0), Math.max(0, loaded - 1)), loadFirst: false };
}

/** pageMove is how many rows Page Up / Page Down move: one screenful, less one row. */
export function pageMove(viewport: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewport / rowHeight) - 1);
}
