// The app's progress line for the past mail of changed records, rendered server-side (the
// markup and its texts) from the filing store's events.
import { render } from 'svelte/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return { ...actual, filingApi: { ...actual.filingApi, count: vi.fn() }, filingEventsApi: { onChanged: vi.fn() } };
});

import { filingApi, filingEventsApi, type FilingEvent, type RefileProgress } from '$lib/api';
import { applyLanguage, setupI18n } from '$lib/i18n';
import { recordsFiling, SHOW_AFTER_MS, toFile } from '$lib/stores/filing';
import FilingProgress from './FilingProgress.svelte';

const recs = (over: Partial<RefileProgress> = {}): RefileProgress => ({ kind: 'records', running: true, done: 1200, total: 5000, records: 2, cancelled: false, ...over });

let emit: (e: FilingEvent) => void = () => {};
let stop = () => {};

beforeEach(() => {
  setupI18n('fr');
  vi.useFakeTimers();
  toFile.reset();
  vi.mocked(filingApi.count).mockResolvedValue(0);
  vi.mocked(filingEventsApi.onChanged).mockImplementation((fn) => {
    emit = fn;
    return () => {};
  });
  const disconnect = toFile.connect();
  const off = recordsFiling.subscribe(() => {}); // the sidebar's, for as long as the app runs
  stop = () => {
    off();
    disconnect();
  };
});

afterEach(() => {
  stop();
  vi.useRealTimers();
});

const line = () => render(FilingProgress).body;

describe('FilingProgress', () => {
  it('shows nothing at first, then how many records and messages, in French and English', () => {
    emit({ toFile: 0, progress: recs() });
    expect(line()).not.toContain('filing-progress');
    vi.advanceTimersByTime(SHOW_AFTER_MS);
    // Numbers as each language writes them (French: a narrow no-break space).
    expect(line()).toContain('Classement des e‑mails de 2 fiches… 1\u202f200 / 5\u202f000');
    applyLanguage('en');
    expect(line()).toContain('Filing the emails of 2 records… 1,200 / 5,000');
  });

  it('says which records before their messages are known, and goes at the end', () => {
    emit({ toFile: 0, progress: recs({ records: 1, done: 0, total: 0 }) });
    vi.advanceTimersByTime(SHOW_AFTER_MS);
    expect(line()).toContain('Classement des e‑mails de 1 fiche…<');
    emit({ toFile: 0, progress: recs({ running: false, done: 5000 }) });
    expect(line()).not.toContain('filing-progress');
  });
});
