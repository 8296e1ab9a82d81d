import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '$lib/api';
import { fullDate, listDate, number, sizeParts } from './format';
import { MAIL_FRAME_SANDBOX, QUOTE_CSP, quoteDocument } from './frame';
import { applyStatus, fraction, working } from './sync';

const status = (patch: Partial<SyncStatus>): SyncStatus => ({
  accountId: 1,
  folder: 'INBOX',
  phase: 'headers',
  done: 0,
  total: 0,
  error: null,
  retryIn: 0,
  cancelled: false,
  seq: 0,
  ...patch,
});

describe('sync state', () => {
  it('works while connecting, fetching headers or bodies', () => {
    for (const phase of ['connecting', 'headers', 'bodies'] as const) expect(working(status({ phase }))).toBe(true);
    for (const phase of ['idle', 'error', 'stopped'] as const) expect(working(status({ phase }))).toBe(false);
    expect(working(null)).toBe(false);
  });

  it('measures headers and bodies against their total, and nothing else', () => {
    expect(fraction(status({ done: 30, total: 120 }))).toBe(0.25);
    expect(fraction(status({ phase: 'bodies', done: 5, total: 0 }))).toBeNull();
    expect(fraction(status({ phase: 'connecting', done: 1, total: 2 }))).toBeNull();
    expect(fraction(status({ done: 9, total: 4 }))).toBe(1);
  });

  it('keeps each account’s latest state', () => {
    let m = applyStatus(new Map(), status({ accountId: 1, done: 1 }));
    m = applyStatus(m, status({ accountId: 2 }));
    const m2 = applyStatus(m, status({ accountId: 1, done: 5 }));
    expect(m2.get(1)?.done).toBe(5);
    expect(m.get(1)?.done).toBe(1);
    expect(m2.size).toBe(2);
  });

  it('drops a state older than the one it holds, whatever order they arrive in', () => {
    const idle = applyStatus(new Map(), status({ phase: 'idle', seq: 9 }));
    // The last "bodies" of the sync, delivered after its "idle".
    const late = applyStatus(idle, status({ phase: 'bodies', done: 3, total: 3, seq: 8 }));
    expect(late).toBe(idle);
    expect(working(late.get(1))).toBe(false);
    const next = applyStatus(late, status({ phase: 'connecting', seq: 10 }));
    expect(next.get(1)?.phase).toBe('connecting');
    // Another account's order is its own.
    expect(applyStatus(next, status({ accountId: 2, phase: 'headers', seq: 1 })).get(2)?.phase).toBe('headers');
  });
});

describe('dates and sizes', () => {
  const now = new Date(2026, 10, 22, 15, 0);

  it('today: the time; this year: day and month; before: the date', () => {
    expect(listDate(new Date(2026, 10, 22, 9, 5).toISOString(), now, 'fr')).toBe('09:05');
    expect(listDate(new Date(2026, 10, 22, 9, 5).toISOString(), now, 'en')).toBe('9:05 AM');
    expect(listDate(new Date(2026, 2, 3, 9, 5).toISOString(), now, 'fr')).toBe('3 mars');
    expect(listDate(new Date(2026, 2, 3, 9, 5).toISOString(), now, 'en')).toBe('Mar 3');
    expect(listDate(new Date(2024, 0, 15).toISOString(), now, 'fr')).toBe('15/01/2024');
    expect(listDate('', now, 'fr')).toBe('');
    expect(listDate('1970-01-01T00:00:00Z', now, 'fr')).toBe('');
  });

  it('the full date, in words', () => {
    const s = fullDate(new Date(2026, 10, 22, 10, 5).toISOString(), 'fr');
    expect(s).toContain('dimanche 22 novembre 2026');
    expect(s).toContain('10:05');
    expect(fullDate('nope', 'fr')).toBe('');
  });

  it('sizes in the largest unit that keeps them readable', () => {
    expect(sizeParts(0)).toEqual({ value: 0, unit: 'b' });
    expect(sizeParts(900)).toEqual({ value: 900, unit: 'b' });
    expect(sizeParts(1536)).toEqual({ value: 1.5, unit: 'kb' });
    expect(sizeParts(200 * 1024)).toEqual({ value: 200, unit: 'kb' });
    expect(sizeParts(3.25 * 1024 * 1024)).toEqual({ value: 3.3, unit: 'mb' });
    expect(number(1.5, 'fr')).toBe('1,5');
  });
});

describe('the mail frame', () => {
  it('allows popups only: no scripts, no same origin', () => {
    const tokens = MAIL_FRAME_SANDBOX.split(' ');
    expect(tokens.sort()).toEqual(['allow-popups', 'allow-popups-to-escape-sandbox']);
    const forbidden = ['scripts', 'same-origin', 'forms', 'top-navigation'].map((t) => 'allow-' + t);
    expect(MAIL_FRAME_SANDBOX).not.toMatch(new RegExp(forbidden.join('|')));
  });

  it('the quote document loads nothing remote', () => {
    const doc = quoteDocument('<p>Bonjour</p>');
    expect(doc).toContain(`content="${QUOTE_CSP}"`);
    expect(QUOTE_CSP).toContain("default-src 'none'");
    expect(QUOTE_CSP).not.toMatch(/https?:/);
    expect(doc).toMatch(/<body><p>Bonjour<\/p><\/body><\/html>$/);
  });
});
