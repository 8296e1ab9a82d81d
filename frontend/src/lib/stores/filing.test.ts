import { get, writable } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    filingApi: { ...actual.filingApi, count: vi.fn(), toFile: vi.fn(), settings: vi.fn() },
    filingEventsApi: { onChanged: vi.fn() },
  };
});

import { filingApi, filingEventsApi, type FilingEvent, type FilingSettings, type RefileProgress } from '$lib/api';
import { delayedProgress, recordsFiling, SHOW_AFTER_MS, toFile } from './filing';

const all = (over: Partial<RefileProgress> = {}): RefileProgress => ({ kind: 'all', running: true, done: 0, total: 5000, records: 0, cancelled: false, ...over });
const recs = (over: Partial<RefileProgress> = {}): RefileProgress => ({ kind: 'records', running: true, done: 0, total: 5000, records: 2, cancelled: false, ...over });
const settings = (progress: RefileProgress): FilingSettings => ({ types: [], domains: [], progress });

// connect listens; emit plays the backend's filing:changed.
let emit: (e: FilingEvent) => void = () => {};
let disconnect = () => {};

beforeEach(() => {
  vi.resetAllMocks();
  toFile.reset();
  vi.mocked(filingApi.count).mockResolvedValue(0);
  vi.mocked(filingEventsApi.onChanged).mockImplementation((fn) => {
    emit = fn;
    return () => {};
  });
  disconnect = toFile.connect();
});

afterEach(() => {
  disconnect();
  vi.useRealTimers();
});

describe('the re-files the filing store follows', () => {
  it('tells a re-file of all mail (Settings, with Stop) from one of changed records’ mail (the progress line)', () => {
    emit({ toFile: 3, progress: all({ done: 500 }) });
    emit({ toFile: 3, progress: recs({ done: 1200 }) });
    emit({ toFile: 2, progress: null });
    expect(get(toFile)).toMatchObject({ count: 2, progress: { kind: 'all', done: 500 }, records: { kind: 'records', done: 1200 } });
  });

  it('takes the re-file running when Settings opens, before its next event', async () => {
    vi.mocked(filingApi.settings).mockResolvedValue(settings(all({ done: 1200 })));
    await toFile.settings();
    expect(get(toFile).progress).toMatchObject({ running: true, done: 1200 });
  });

  it('keeps an event heard while Settings was read: it is newer', async () => {
    let answer: (s: FilingSettings) => void = () => {};
    vi.mocked(filingApi.settings).mockReturnValue(new Promise((r) => (answer = r)));
    const read = toFile.settings();
    emit({ toFile: 0, progress: all({ running: false, done: 5000, total: 5000 }) });
    answer(settings(all({ done: 1200 })));
    await read;
    expect(get(toFile).progress).toMatchObject({ running: false, done: 5000 });
  });
});

describe('delayedProgress', () => {
  function follow(src: ReturnType<typeof writable<RefileProgress | null>>) {
    const seen: (RefileProgress | null)[] = [];
    const off = delayedProgress(src).subscribe((p) => seen.push(p));
    return { seen, off, last: () => seen[seen.length - 1] };
  }

  it('says nothing of a few messages filed at once', () => {
    vi.useFakeTimers();
    const src = writable<RefileProgress | null>(null);
    const f = follow(src);
    src.set(recs({ total: 3 }));
    vi.advanceTimersByTime(40);
    src.set(recs({ total: 3, done: 3, running: false }));
    vi.advanceTimersByTime(SHOW_AFTER_MS * 2);
    expect(f.seen.every((p) => p === null)).toBe(true);
    f.off();
  });

  it('shows a longer one after a moment, follows it, and goes at its end', () => {
    vi.useFakeTimers();
    const src = writable<RefileProgress | null>(null);
    const f = follow(src);
    src.set(recs({ total: 0 })); // the messages not known yet
    src.set(recs({ done: 0 }));
    vi.advanceTimersByTime(SHOW_AFTER_MS - 1);
    expect(f.last()).toBeNull();
    vi.advanceTimersByTime(1);
    expect(f.last()).toMatchObject({ done: 0, total: 5000 });
    src.set(recs({ done: 1200 }));
    expect(f.last()).toMatchObject({ done: 1200, total: 5000 });
    src.set(recs({ done: 5000, running: false }));
    expect(f.last()).toBeNull();
    // The next one waits its moment again.
    src.set(recs({ done: 0 }));
    expect(f.last()).toBeNull();
    vi.advanceTimersByTime(SHOW_AFTER_MS);
    expect(f.last()).toMatchObject({ running: true });
    f.off();
  });

  it('recordsFiling follows the events of changed records’ mail, not a re-file of all mail', () => {
    vi.useFakeTimers();
    const seen: (RefileProgress | null)[] = [];
    const off = recordsFiling.subscribe((p) => seen.push(p));
    emit({ toFile: 0, progress: all() });
    vi.advanceTimersByTime(SHOW_AFTER_MS);
    expect(seen[seen.length - 1]).toBeNull();
    emit({ toFile: 0, progress: recs({ done: 500 }) });
    vi.advanceTimersByTime(SHOW_AFTER_MS);
    expect(seen[seen.length - 1]).toMatchObject({ kind: 'records', done: 500, records: 2 });
    emit({ toFile: 0, progress: recs({ done: 5000, running: false }) });
    expect(seen[seen.length - 1]).toBeNull();
    off();
  });
});
