import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api/automations', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api/automations')>();
  return { ...actual, automationsApi: { list: vi.fn() }, automationsEventsApi: { onChanged: vi.fn() } };
});

import { automationsApi, automationsEventsApi, toAutomation, type Automation, type AutomationEvent } from '$lib/api/automations';
import { mayChange, noticeShown, pendingApprovals, REFRESH_MS, waitingOf } from './automations';
import { screen } from './navigation';

const auto = (id: number, name: string, pending: number): Automation => toAutomation({ id, name, pending, trigger: 'date' });
const flush = () => new Promise((r) => setTimeout(r, 0));
const event = (over: Partial<AutomationEvent>): AutomationEvent => ({ kind: 'pending', automationId: 1, done: 0, total: 0, queued: 0, pending: 0, ...over });

let emit: (e: AutomationEvent) => void = () => {};

beforeEach(() => {
  vi.resetAllMocks();
  pendingApprovals.reset();
  vi.mocked(automationsEventsApi.onChanged).mockImplementation((fn) => {
    emit = fn;
    return () => (emit = () => {});
  });
  vi.mocked(automationsApi.list).mockResolvedValue([auto(1, 'Bienvenue', 0), auto(2, 'Relance J+3', 3)]);
});

afterEach(() => vi.useRealTimers());

describe('what automations hold for approval', () => {
  it('sums the automations waiting, in the list’s order', () => {
    expect(waitingOf([auto(1, 'A', 2), auto(2, 'B', 0), auto(3, 'C', 5)])).toEqual({
      count: 7,
      automations: [
        { id: 1, name: 'A', pending: 2 },
        { id: 3, name: 'C', pending: 5 },
      ],
    });
    expect(waitingOf([])).toEqual({ count: 0, automations: [] });
  });

  it('reads the count when the shell connects: a catch-up at start held them before the UI listened', async () => {
    const off = pendingApprovals.connect();
    await flush();
    expect(get(pendingApprovals)).toMatchObject({ count: 3, automations: [{ id: 2, name: 'Relance J+3', pending: 3 }] });
    off();
  });

  it('follows the events that may change it, a burst read once; not a run’s progress', async () => {
    vi.useFakeTimers();
    const off = pendingApprovals.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(automationsApi.list).toHaveBeenCalledTimes(1);
    emit(event({ kind: 'run', done: 1, total: 40 }));
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(automationsApi.list).toHaveBeenCalledTimes(1);
    vi.mocked(automationsApi.list).mockResolvedValue([auto(2, 'Relance J+3', 3), auto(3, 'Relance J+10', 25)]);
    emit(event({ kind: 'pending', automationId: 3, pending: 25 }));
    emit(event({ kind: 'run', done: 40, total: 40 }));
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(automationsApi.list).toHaveBeenCalledTimes(2);
    expect(get(pendingApprovals).count).toBe(28);
    off();
    emit(event({ kind: 'pending' }));
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(automationsApi.list).toHaveBeenCalledTimes(2);
  });

  it('mayChange: every event but a run still going', () => {
    expect(mayChange(event({ kind: 'pending' }))).toBe(true);
    expect(mayChange(event({ kind: 'changed' }))).toBe(true);
    expect(mayChange(event({ kind: 'run', done: 3, total: 3 }))).toBe(true);
    expect(mayChange(event({ kind: 'run', done: 1, total: 3 }))).toBe(false);
  });

  it('the notice shows to those who may approve, away from the Automations screen, until put off while no more wait', async () => {
    await pendingApprovals.load();
    const s = () => get(pendingApprovals);
    expect(noticeShown(s(), 'inbox', true)).toBe(true);
    expect(noticeShown(s(), 'inbox', false)).toBe(false);
    expect(noticeShown(s(), 'automations', true)).toBe(false);
    pendingApprovals.dismiss();
    expect(noticeShown(s(), 'inbox', true)).toBe(false);
    vi.mocked(automationsApi.list).mockResolvedValue([auto(2, 'Relance J+3', 4)]);
    await pendingApprovals.load();
    expect(noticeShown(s(), 'inbox', true)).toBe(true);
    // Nothing waits any more: the next wait shows it again, however small.
    pendingApprovals.dismiss();
    vi.mocked(automationsApi.list).mockResolvedValue([auto(2, 'Relance J+3', 0)]);
    await pendingApprovals.load();
    expect(s()).toMatchObject({ count: 0, dismissed: 0 });
    vi.mocked(automationsApi.list).mockResolvedValue([auto(2, 'Relance J+3', 1)]);
    await pendingApprovals.load();
    expect(noticeShown(s(), 'records', true)).toBe(true);
  });

  it('opens the Automations screen on the first automation waiting, once', async () => {
    await pendingApprovals.load();
    screen.go('records');
    pendingApprovals.open();
    expect(get(screen)).toBe('automations');
    expect(pendingApprovals.take()).toBe(2);
    expect(pendingApprovals.take()).toBeNull();
  });

  it('a count that cannot be read keeps the last one', async () => {
    await pendingApprovals.load();
    vi.mocked(automationsApi.list).mockRejectedValue(new Error('store unavailable'));
    await pendingApprovals.load();
    expect(get(pendingApprovals).count).toBe(3);
  });
});
