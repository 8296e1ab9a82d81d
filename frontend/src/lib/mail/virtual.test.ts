import { describe, expect, it } from 'vitest';
import { keyMove, needsMore, pageMove, scrollToShow, virtualWindow } from './virtual';

const ROW = 52;
const VIEW = 900;

describe('virtualWindow', () => {
  it('renders at most about 50 rows of 100,000, wherever the list is scrolled', () => {
    const count = 100_000;
    const total = count * ROW;
    for (const scrollTop of [0, 1, ROW * 10 + 7, total / 2, total - VIEW, total - 1, total + 5000]) {
      const w = virtualWindow({ scrollTop, viewport: VIEW, rowHeight: ROW, count, overscan: 8 });
      expect(w.end - w.start, `at ${scrollTop}`).toBeLessThanOrEqual(50);
      expect(w.end - w.start).toBeGreaterThanOrEqual(Math.ceil(VIEW / ROW));
      // The spacers and the rendered rows make the full height: the scrollbar is right.
      expect(w.before + (w.end - w.start) * ROW + w.after).toBe(total);
      expect(w.total).toBe(total);
    }
  });

  it('renders the rows in view plus the overscan on each side', () => {
    const w = virtualWindow({ scrollTop: 100 * ROW, viewport: 10 * ROW, rowHeight: ROW, count: 1000, overscan: 5 });
    expect(w).toMatchObject({ start: 95, end: 115, before: 95 * ROW, after: (1000 - 115) * ROW });
  });

  it('a partly scrolled row is rendered', () => {
    const w = virtualWindow({ scrollTop: 100 * ROW + 10, viewport: 10 * ROW, rowHeight: ROW, count: 1000, overscan: 0 });
    expect([w.start, w.end]).toEqual([100, 111]);
  });

  it('stops at both ends of the list', () => {
    expect(virtualWindow({ scrollTop: 0, viewport: VIEW, rowHeight: ROW, count: 5, overscan: 8 })).toMatchObject({
      start: 0,
      end: 5,
      before: 0,
      after: 0,
    });
    const w = virtualWindow({ scrollTop: 99_999 * ROW, viewport: VIEW, rowHeight: ROW, count: 100_000, overscan: 8 });
    expect(w.end).toBe(100_000);
    expect(w.after).toBe(0);
  });

  it('an empty list renders nothing', () => {
    expect(virtualWindow({ scrollTop: 300, viewport: VIEW, rowHeight: ROW, count: 0, overscan: 8 })).toEqual({
      start: 0,
      end: 0,
      before: 0,
      after: 0,
      total: 0,
    });
  });

  it('a list that got shorter than its scroll position shows its last rows', () => {
    const w = virtualWindow({ scrollTop: 50_000, viewport: 10 * ROW, rowHeight: ROW, count: 30, overscan: 0 });
    expect([w.start, w.end]).toEqual([20, 30]);
  });

  it('an unmeasured view (height 0) still renders the first row', () => {
    const w = virtualWindow({ scrollTop: 0, viewport: 0, rowHeight: ROW, count: 100, overscan: 0 });
    expect([w.start, w.end]).toEqual([0, 1]);
  });
});

describe('scrolling to the selection', () => {
  it('does not move when the row is in view', () => {
    expect(scrollToShow(12, 10 * ROW, 10 * ROW, ROW)).toBe(10 * ROW);
  });
  it('scrolls up to a row above the view', () => {
    expect(scrollToShow(3, 10 * ROW, 10 * ROW, ROW)).toBe(3 * ROW);
  });
  it('scrolls down just enough for a row below the view', () => {
    expect(scrollToShow(25, 10 * ROW, 10 * ROW, ROW)).toBe(26 * ROW - 10 * ROW);
  });
  it('Page Down moves a screenful less one row', () => {
    expect(pageMove(10 * ROW, ROW)).toBe(9);
    expect(pageMove(10, ROW)).toBe(1);
  });
});

describe('loading the next page', () => {
  it('asks before the end is reached, once, and only when there is more', () => {
    expect(needsMore(50, 100, true, false)).toBe(true);
    expect(needsMore(10, 100, true, false)).toBe(false);
    expect(needsMore(50, 100, true, true)).toBe(false);
    expect(needsMore(100, 100, false, false)).toBe(false);
  });
});

describe('keyMove', () => {
  it('moves within the loaded rows', () => {
    expect(keyMove(3, 1, 100, true)).toEqual({ index: 4, loadFirst: false });
    expect(keyMove(3, -1, 100, true)).toEqual({ index: 2, loadFirst: false });
    expect(keyMove(0, -1, 100, true)).toEqual({ index: 0, loadFirst: false });
  });
  it('past the last loaded row, loads the next page first when there is one', () => {
    expect(keyMove(99, 1, 100, true)).toEqual({ index: 100, loadFirst: true });
    expect(keyMove(95, 9, 100, true)).toEqual({ index: 104, loadFirst: true });
  });
  it('stops at the last row when everything is loaded', () => {
    expect(keyMove(99, 1, 100, false)).toEqual({ index: 99, loadFirst: false });
  });
  it('with nothing selected, starts at an end', () => {
    expect(keyMove(-1, 1, 100, true)).toEqual({ index: 0, loadFirst: false });
    expect(keyMove(-1, -1, 100, true)).toEqual({ index: 99, loadFirst: false });
  });
});
