// The message list's rows, as pages arrive. The backend pages with a keyset cursor
// (newest first: date, then id), so a page is a stable range of the list: rows that arrive
// meanwhile never shift a later page. These functions put pages together without ever
// showing a row twice, and fold a fresh copy of part of the list (after "mail:changed")
// into what is loaded, so the list stays where the user is.
import type { MailPage, MailRow } from '$lib/api';

/** Where a row sits in a list ordered newest first: its date (unix ms), then its id. */
export interface RowKey {
  t: number;
  id: number;
}

export function rowKey(r: Pick<MailRow, 'date' | 'id'>): RowKey {
  const t = Date.parse(r.date);
  return { t: Number.isFinite(t) ? t : 0, id: r.id };
}

/** before says whether a comes before b in the list (newer, or as new with a higher id). */
export function before(a: RowKey, b: RowKey): boolean {
  return a.t !== b.t ? a.t > b.t : a.id > b.id;
}

/** A cursor the backend gave, and the key of the row it follows: asking for a page with
 * it returns the rows after that row. */
export interface Position {
  cursor: string;
  key: RowKey;
}

/** What is loaded of one list. */
export interface Loaded {
  rows: MailRow[];
  /** The cursor of the page after the last row loaded; "" when everything is loaded. */
  next: string;
  /** The cursors received so far, in list order: where a part of the list can be fetched
   * again from. */
  positions: Position[];
  /** The ids of rows, to keep each row once. appendPage adds to it in place (a list of
   * 100,000 rows would otherwise copy it at every page): a Loaded that was appended to is
   * replaced by the result, never used again. */
  ids: Set<number>;
}

export function emptyLoaded(): Loaded {
  return { rows: [], next: '', positions: [], ids: new Set() };
}

function positionsWith(positions: Position[], page: MailPage): Position[] {
  const last = page.rows[page.rows.length - 1];
  if (!page.next || !last || positions.some((p) => p.cursor === page.next)) return positions;
  const key = rowKey(last);
  return [...positions, { cursor: page.next, key }].sort((a, b) => (before(a.key, b.key) ? -1 : 1));
}

/** firstPage is a list made of its first page. */
export function firstPage(page: MailPage): Loaded {
  return appendPage(emptyLoaded(), page);
}

/** appendPage adds the page that follows what is loaded. A row already loaded is not
 * added again (a refresh may already have brought it). */
export function appendPage(loaded: Loaded, page: MailPage): Loaded {
  const ids = loaded.ids;
  const added = page.rows.filter((r) => {
    if (ids.has(r.id)) return false;
    ids.add(r.id);
    return true;
  });
  return {
    rows: added.length ? loaded.rows.concat(added) : loaded.rows,
    next: page.next,
    positions: positionsWith(loaded.positions, page),
    ids,
  };
}

export interface MergeOptions {
  /** The key of the row the fresh page follows (its cursor's position); null: the top. */
  after: RowKey | null;
  /** Whether the list is ordered by date (false: ranked search results, which are not). */
  ordered: boolean;
  /** A row to keep even when the fresh page no longer has it (the one open in the reading
   * pane: marking it read must not pull it out of an "Unread" list under the user). */
  keep?: number | null;
}

/**
 * mergeFresh folds a fresh copy of part of the list into what is loaded (after
 * "mail:changed"). The fresh page covers the rows after `after` down to its last row (or
 * to the end when it is the last page): in that range it replaces what was loaded — new
 * rows appear, removed ones go, flags are the server's — and the rows outside it stay as
 * they are, so the list keeps its length and its place. A ranked (unordered) list is
 * replaced by the fresh page.
 */
export function mergeFresh(loaded: Loaded, fresh: MailPage, opts: MergeOptions): Loaded {
  const keepRow = opts.keep != null ? loaded.rows.find((r) => r.id === opts.keep) : undefined;
  if (!opts.ordered) {
    const rows = [...fresh.rows];
    if (keepRow && !rows.some((r) => r.id === keepRow.id)) {
      const i = loaded.rows.indexOf(keepRow);
      rows.splice(Math.min(i, rows.length), 0, keepRow);
    }
    return firstPage({ rows, next: fresh.next });
  }

  const complete = fresh.next === '';
  const last = fresh.rows[fresh.rows.length - 1];
  if (!last && !complete) return loaded; // an empty page with more after it: nothing to learn
  const lastKey = last ? rowKey(last) : null;
  const afterStart = (k: RowKey) => opts.after === null || before(opts.after, k);
  // Rows the fresh page speaks for: after its cursor, and not past its last row.
  const inRange = (k: RowKey) => afterStart(k) && (complete || lastKey === null || !before(lastKey, k));

  const freshIds = new Set(fresh.rows.map((r) => r.id));
  const head: MailRow[] = [];
  const tail: MailRow[] = [];
  const middle = [...fresh.rows];
  const all = loaded.rows;
  for (let i = 0; i < all.length; i++) {
    const r = all[i];
    if (freshIds.has(r.id)) continue;
    if (tail.length > 0) {
      // Past the fresh page's range: the rest of a list ordered by date is too.
      for (; i < all.length; i++) if (!freshIds.has(all[i].id)) tail.push(all[i]);
      break;
    }
    const k = rowKey(r);
    if (inRange(k)) {
      if (r.id === keepRow?.id) {
        const at = middle.findIndex((m) => before(k, rowKey(m)));
        middle.splice(at < 0 ? middle.length : at, 0, r);
      }
    } else if (afterStart(k)) {
      tail.push(r);
    } else {
      head.push(r);
    }
  }
  const rows = head.concat(middle, tail);
  const next = tail.length > 0 ? loaded.next : fresh.next;
  // Cursors are positions in the list, valid whatever changed: they all stay.
  return { rows, next, positions: positionsWith(loaded.positions, fresh), ids: new Set(rows.map((r) => r.id)) };
}

/** A request that fetches a part of the list again. */
export interface RefreshRequest {
  cursor: string;
  after: RowKey | null;
  limit: number;
}

/**
 * refreshPlan is what to fetch again after "mail:changed" for a list scrolled to show
 * rows [first, last): always the top (new mail arrives there), and the rows in view when
 * they are further down, from the nearest cursor above them. maxLimit is the backend's
 * largest page.
 */
export function refreshPlan(
  loaded: Loaded,
  first: number,
  last: number,
  pageSize: number,
  maxLimit: number,
): RefreshRequest[] {
  const rows = loaded.rows;
  const end = Math.min(Math.max(last, 0), rows.length);
  if (end <= maxLimit) return [{ cursor: '', after: null, limit: Math.min(maxLimit, Math.max(pageSize, end)) }];
  const plan: RefreshRequest[] = [{ cursor: '', after: null, limit: pageSize }];
  const firstRow = rows[Math.min(first, rows.length - 1)];
  if (!firstRow) return plan;
  const firstKey = rowKey(firstRow);
  // The nearest known position above the first row in view.
  let from: Position | null = null;
  for (const p of loaded.positions) if (before(p.key, firstKey)) from = p;
  if (!from) return [{ cursor: '', after: null, limit: maxLimit }];
  const fromKey = from.key;
  const startIndex = rows.findIndex((r) => before(fromKey, rowKey(r)));
  const need = end - (startIndex < 0 ? first : startIndex);
  plan.push({ cursor: from.cursor, after: from.key, limit: Math.min(maxLimit, Math.max(pageSize, need)) });
  return plan;
}

/** withRows is loaded with its rows changed in place (flags): same ids, same order. */
export function withRows(loaded: Loaded, rows: MailRow[]): Loaded {
  return { ...loaded, rows };
}

/**
 * anchorScroll is the scroll position that keeps the first row in view where it was after
 * the rows changed (new mail above it, a removed row): the list does not jump under the
 * user. At the very top it stays at the top, so new mail shows.
 */
export function anchorScroll(oldRows: MailRow[], newRows: MailRow[], scrollTop: number, rowHeight: number): number {
  if (scrollTop <= 0 || oldRows.length === 0) return Math.max(0, scrollTop);
  const first = Math.floor(scrollTop / rowHeight);
  const offset = scrollTop - first * rowHeight;
  const index = new Map(newRows.map((r, i) => [r.id, i]));
  // The first row in view, or the nearest one below it that is still there.
  for (let i = first; i < oldRows.length; i++) {
    const j = index.get(oldRows[i].id);
    if (j !== undefined) return Math.max(0, (j - (i - first)) * rowHeight + offset);
  }
  return scrollTop;
}

/** step is the row delta rows away from the one with id (the first or last row when none
 * is selected), or null for an empty list. */
export function step(rows: MailRow[], id: number | null, delta: number): MailRow | null {
  if (rows.length === 0) return null;
  const i = id === null ? -1 : rows.findIndex((r) => r.id === id);
  if (i < 0) return delta >= 0 ? rows[0] : rows[rows.length - 1];
  return rows[Math.min(Math.max(i + delta, 0), rows.length - 1)];
}
