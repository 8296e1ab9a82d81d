import { describe, expect, it } from 'vitest';
import type { MailPage, MailRow } from '$lib/api';
import {
  anchorScroll,
  appendPage,
  before,
  emptyLoaded,
  firstPage,
  mergeFresh,
  refreshPlan,
  rowKey,
  step,
  type Loaded,
} from './pages';

const T0 = Date.parse('2026-11-22T12:00:00Z');

/** row n is n minutes older than T0; ids grow with recency like the store's. */
function row(n: number, patch: Partial<MailRow> = {}): MailRow {
  return {
    id: 100_000 - n,
    accountId: 1,
    folderId: 1,
    folderRole: 'inbox',
    fromName: `Sender ${n}`,
    fromEmail: `s${n}@example.test`,
    toName: '',
    toEmail: '',
    recipients: 1,
    subject: `Subject ${n}`,
    snippet: '',
    date: new Date(T0 - n * 60_000).toISOString().replace('.000Z', 'Z'),
    seen: false,
    flagged: false,
    answered: false,
    hasAttachments: false,
    handled: false,
    sharedFiled: false,
    ...patch,
  };
}

const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => row(from + i));
const ids = (l: Loaded | MailRow[]) => (Array.isArray(l) ? l : l.rows).map((r) => 100_000 - r.id);
const cursorAfter = (n: number) => `c${n}`;
const page = (from: number, to: number, more = true): MailPage => ({ rows: rows(from, to), next: more ? cursorAfter(to - 1) : '' });

/** loadedPages loads pages of size n up to `count` rows. */
function loadedPages(count: number, size: number): Loaded {
  let l = emptyLoaded();
  for (let i = 0; i < count; i += size) l = appendPage(l, page(i, Math.min(i + size, count), i + size < count + 1000));
  return l;
}

describe('row order', () => {
  it('newer first, then the higher id', () => {
    expect(before(rowKey(row(1)), rowKey(row(2)))).toBe(true);
    expect(before(rowKey(row(2)), rowKey(row(1)))).toBe(false);
    const a = row(5, { id: 7 });
    const b = row(5, { id: 6 });
    expect(before(rowKey(a), rowKey(b))).toBe(true);
  });
  it('a row without a readable date sorts last', () => {
    expect(rowKey(row(1, { date: '' })).t).toBe(0);
  });
});

describe('appending pages as the list scrolls', () => {
  it('adds each page after the previous one and keeps its cursor', () => {
    let l = firstPage(page(0, 100));
    l = appendPage(l, page(100, 200));
    expect(ids(l)).toEqual([...Array(200).keys()]);
    expect(l.next).toBe('c199');
    expect(l.positions.map((p) => p.cursor)).toEqual(['c99', 'c199']);
  });

  it('never shows a row twice when a page repeats rows already loaded', () => {
    let l = firstPage(page(0, 100));
    l = appendPage(l, { rows: rows(90, 150), next: 'c149' });
    expect(ids(l)).toEqual([...Array(150).keys()]);
    expect(new Set(ids(l)).size).toBe(150);
  });

  it('the last page ends the list', () => {
    const l = appendPage(firstPage(page(0, 100)), page(100, 130, false));
    expect(l.next).toBe('');
    expect(l.rows).toHaveLength(130);
  });
});

describe('mail:changed: a fresh first page folded into the list', () => {
  it('new mail appears on top; the rows loaded below stay, with the cursor to load more', () => {
    const l = loadedPages(300, 100); // rows 0..299 loaded, more after
    const fresh: MailPage = { rows: [row(-2), row(-1), ...rows(0, 98)], next: 'c97' };
    const m = mergeFresh(l, fresh, { after: null, ordered: true });
    expect(ids(m)).toEqual([-2, -1, ...Array(300).keys()]);
    expect(new Set(m.rows.map((r) => r.id)).size).toBe(302);
    expect(m.next).toBe(l.next);
  });

  it('takes the server’s flags for the rows it covers and leaves the others alone', () => {
    const l = loadedPages(200, 100);
    const fresh: MailPage = { rows: rows(0, 100).map((r, i) => (i === 3 ? { ...r, seen: true, flagged: true } : r)), next: 'c99' };
    const m = mergeFresh(l, fresh, { after: null, ordered: true });
    expect(m.rows[3]).toMatchObject({ seen: true, flagged: true });
    expect(m.rows.filter((r) => r.seen)).toHaveLength(1);
    expect(m.rows).toHaveLength(200);
  });

  it('a row removed within the fresh page’s range goes; one beyond it stays', () => {
    const l = loadedPages(200, 100);
    const fresh: MailPage = { rows: rows(0, 101).filter((r) => ids([r])[0] !== 5), next: 'c100' };
    const m = mergeFresh(l, fresh, { after: null, ordered: true });
    expect(ids(m)).not.toContain(5);
    expect(ids(m)).toContain(150);
    expect(m.rows).toHaveLength(199);
  });

  it('keeps the open message even when it no longer matches (read in an Unread list)', () => {
    const l = loadedPages(50, 50);
    const fresh: MailPage = { rows: rows(0, 50).filter((r) => ids([r])[0] !== 7), next: '' };
    const kept = mergeFresh(l, fresh, { after: null, ordered: true, keep: row(7).id });
    expect(ids(kept)).toEqual([...Array(50).keys()]);
    const gone = mergeFresh(l, fresh, { after: null, ordered: true });
    expect(ids(gone)).not.toContain(7);
  });

  it('a complete fresh list replaces everything (the last page is known)', () => {
    const l = loadedPages(30, 10);
    const m = mergeFresh(l, { rows: rows(0, 5), next: '' }, { after: null, ordered: true });
    expect(ids(m)).toEqual([0, 1, 2, 3, 4]);
    expect(m.next).toBe('');
  });

  it('an emptied list is empty', () => {
    const m = mergeFresh(loadedPages(30, 10), { rows: [], next: '' }, { after: null, ordered: true });
    expect(m.rows).toEqual([]);
  });

  it('a fresh page that reaches past what was loaded gives its own cursor', () => {
    const l = firstPage(page(0, 50));
    const m = mergeFresh(l, { rows: rows(0, 100), next: 'c99' }, { after: null, ordered: true });
    expect(m.rows).toHaveLength(100);
    expect(m.next).toBe('c99');
  });

  it('a part further down, refreshed from its cursor, replaces only that part', () => {
    const l = loadedPages(1000, 100);
    const from = l.positions.find((p) => p.cursor === 'c499')!;
    const fresh: MailPage = {
      rows: rows(500, 600).map((r) => ({ ...r, seen: true })).filter((r) => ids([r])[0] !== 550),
      next: 'c599',
    };
    const m = mergeFresh(l, fresh, { after: from.key, ordered: true });
    expect(m.rows).toHaveLength(999);
    expect(ids(m).slice(0, 500)).toEqual([...Array(500).keys()]);
    expect(m.rows.filter((r) => r.seen)).toHaveLength(99);
    expect(ids(m)).not.toContain(550);
    expect(ids(m).slice(-1)).toEqual([999]);
    expect(new Set(m.rows.map((r) => r.id)).size).toBe(999);
  });

  it('ranked search results are replaced by the fresh ones, in their order', () => {
    const l = firstPage({ rows: [row(9), row(2), row(5)], next: '' });
    const m = mergeFresh(l, { rows: [row(5), row(9)], next: '' }, { after: null, ordered: false });
    expect(ids(m)).toEqual([5, 9]);
  });

  it('100,000 rows: new mail merges without duplicates and quickly', () => {
    const l = loadedPages(100_000, 500);
    const t = performance.now();
    const fresh: MailPage = { rows: [row(-1), ...rows(0, 99)], next: 'c98' };
    const m = mergeFresh(l, fresh, { after: null, ordered: true });
    expect(performance.now() - t).toBeLessThan(1000);
    expect(m.rows).toHaveLength(100_001);
    expect(new Set(m.rows.map((r) => r.id)).size).toBe(100_001);
  });
});

describe('what to fetch again on mail:changed', () => {
  it('near the top: one request from the top covering the rows in view', () => {
    const l = loadedPages(300, 100);
    expect(refreshPlan(l, 0, 20, 100, 500)).toEqual([{ cursor: '', after: null, limit: 100 }]);
    expect(refreshPlan(l, 200, 230, 100, 500)).toEqual([{ cursor: '', after: null, limit: 230 }]);
  });

  it('far down: the top, and the rows in view from the nearest cursor above them', () => {
    const l = loadedPages(5000, 100);
    const plan = refreshPlan(l, 2550, 2570, 100, 500);
    expect(plan[0]).toEqual({ cursor: '', after: null, limit: 100 });
    expect(plan[1].cursor).toBe('c2499');
    expect(plan[1].limit).toBe(100);
    expect(plan[1].after).toEqual(rowKey(row(2499)));
  });
});

describe('flags and scrolling', () => {
  it('new mail above keeps the row in view where it was', () => {
    const old = rows(0, 100);
    const now = [row(-2), row(-1), ...old];
    expect(anchorScroll(old, now, 10 * 52 + 5, 52)).toBe(12 * 52 + 5);
  });

  it('at the top, the list stays at the top so new mail shows', () => {
    expect(anchorScroll(rows(0, 10), [row(-1), ...rows(0, 10)], 0, 52)).toBe(0);
  });

  it('when the row in view was removed, the next one takes its place', () => {
    const old = rows(0, 100);
    const now = old.filter((r) => ids([r])[0] !== 10);
    expect(anchorScroll(old, now, 10 * 52, 52)).toBe(9 * 52);
  });

  it('step moves the selection and stops at the ends', () => {
    const l = rows(0, 5);
    expect(ids([step(l, row(2).id, 1)!])).toEqual([3]);
    expect(ids([step(l, row(4).id, 1)!])).toEqual([4]);
    expect(ids([step(l, row(0).id, -1)!])).toEqual([0]);
    expect(ids([step(l, null, 1)!])).toEqual([0]);
    expect(step([], null, 1)).toBeNull();
  });
});
