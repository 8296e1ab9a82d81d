import { describe, expect, it } from 'vitest';
import { MAIL_ACTIONS, mailAction, SHORTCUTS, type KeyLike } from './shortcuts';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('inbox shortcuts', () => {
  it.each([
    ['ArrowDown', 'next'],
    ['j', 'next'],
    ['ArrowUp', 'previous'],
    ['k', 'previous'],
    ['Enter', 'open'],
    ['u', 'toggleRead'],
    ['s', 'toggleFlag'],
    ['r', 'reply'],
    ['a', 'replyAll'],
    ['f', 'forward'],
    ['/', 'search'],
    ['Escape', 'back'],
  ])('%s → %s', (k, action) => {
    expect(mailAction(key(k), false)).toBe(action);
  });

  it('? opens the help (Shift is how it is typed)', () => {
    expect(mailAction(key('?', { shiftKey: true }), false)).toBe('help');
  });

  it('Ctrl+F and ⌘F find, even from a field', () => {
    expect(mailAction(key('f', { ctrlKey: true }), true)).toBe('search');
    expect(mailAction(key('f', { metaKey: true }), false)).toBe('search');
  });

  it('letters type in a field instead of acting', () => {
    for (const k of ['j', 'u', 'r', '/', 'Enter', 'Escape', 'ArrowDown']) expect(mailAction(key(k), true)).toBeNull();
  });

  it('other modifiers and capitals do nothing', () => {
    expect(mailAction(key('r', { ctrlKey: true }), false)).toBeNull();
    expect(mailAction(key('R', { shiftKey: true }), false)).toBeNull();
    expect(mailAction(key('j', { altKey: true }), false)).toBeNull();
    expect(mailAction(key('x'), false)).toBeNull();
  });

  it('the help lists every action once', () => {
    expect(SHORTCUTS.map((s) => s.action).sort()).toEqual([...MAIL_ACTIONS].sort());
  });
});
