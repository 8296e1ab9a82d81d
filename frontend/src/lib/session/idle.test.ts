import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkInterval, IdleClock, touchInterval, watchIdle } from './idle';

describe('IdleClock', () => {
  function clock(limitMs: number) {
    let t = 1_000_000;
    const onIdle = vi.fn();
    const touch = vi.fn();
    const c = new IdleClock({ limitMs, onIdle, touch, now: () => t });
    return { c, onIdle, touch, advance: (ms: number) => (t += ms) };
  }

  it('locks once the limit has passed without activity, and only once', () => {
    const { c, onIdle, advance } = clock(60_000);
    advance(59_999);
    expect(c.tick()).toBe(false);
    advance(1);
    expect(c.tick()).toBe(true);
    advance(120_000);
    expect(c.tick()).toBe(false);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('activity starts the count again', () => {
    const { c, onIdle, advance } = clock(60_000);
    for (let i = 0; i < 10; i++) {
      advance(50_000);
      c.activity();
      c.tick();
    }
    expect(onIdle).not.toHaveBeenCalled();
    advance(60_000);
    c.tick();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('reports activity to the backend at most every touch interval, well within the limit', () => {
    const { c, touch, advance } = clock(60_000);
    // A mouse moving all the time for 35 s: one report every 10 s, not one per event.
    for (let ms = 0; ms < 35_000; ms += 50) {
      advance(50);
      c.activity();
    }
    expect(touch).toHaveBeenCalledTimes(3);
  });

  it('after locking, activity neither reports nor unlocks', () => {
    const { c, touch, onIdle, advance } = clock(3_000);
    advance(3_000);
    c.tick();
    advance(5_000);
    c.activity();
    expect(touch).not.toHaveBeenCalled();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('reports often enough for short limits, and checks at least every second', () => {
    expect(touchInterval(60_000)).toBe(10_000);
    expect(touchInterval(3_000)).toBe(1_000);
    expect(touchInterval(300)).toBe(200);
    expect(checkInterval(3_600_000)).toBe(1_000);
    expect(checkInterval(2_000)).toBe(500);
  });
});

describe('watchIdle', () => {
  afterEach(() => vi.useRealTimers());

  it('locks after the limit unless keyboard or mouse events come, and stops listening then', () => {
    vi.useFakeTimers();
    const target = new EventTarget();
    const onIdle = vi.fn();
    const touch = vi.fn();
    const stop = watchIdle(target as unknown as Window, { limitMs: 3_000, onIdle, touch });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(2_000);
      target.dispatchEvent(new Event(i % 2 ? 'keydown' : 'mousemove'));
    }
    expect(onIdle).not.toHaveBeenCalled();
    expect(touch).toHaveBeenCalled();
    // The limit, plus at most one check interval (750 ms for 3 s).
    vi.advanceTimersByTime(2_900);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(850);
    expect(onIdle).toHaveBeenCalledTimes(1);
    const touches = touch.mock.calls.length;
    target.dispatchEvent(new Event('keydown'));
    vi.advanceTimersByTime(10_000);
    expect(touch).toHaveBeenCalledTimes(touches);
    expect(onIdle).toHaveBeenCalledTimes(1);
    stop();
  });

  it('stop removes the timer: no lock after it', () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const stop = watchIdle(new EventTarget() as unknown as Window, { limitMs: 1_000, onIdle, touch: vi.fn() });
    stop();
    vi.advanceTimersByTime(5_000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
