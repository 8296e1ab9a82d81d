import { describe, expect, it } from 'vitest';
import { hashFor, isScreen, neighbourScreen, screenFromHash, sectionFromHash, SCREENS, shortcutScreen } from './navigation';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('navigation', () => {
  it('lists only the screens whose feature works, in sidebar order', () => {
    expect(SCREENS).toEqual(['inbox', 'tofile', 'records', 'templates', 'automations', 'outbox', 'settings']);
    // A screen that never was: an old link to it shows the inbox.
    for (const hidden of ['calendar']) {
      expect(isScreen(hidden)).toBe(false);
      expect(screenFromHash(`#/${hidden}`)).toBe('inbox');
    }
  });

  it('Ctrl+1…7 (or ⌘) open the screens in order', () => {
    SCREENS.forEach((s, i) => expect(shortcutScreen(key(String(i + 1), { ctrlKey: true }))).toBe(s));
    expect(shortcutScreen(key('2', { ctrlKey: true }))).toBe('tofile');
    expect(shortcutScreen(key('3', { ctrlKey: true }))).toBe('records');
    expect(shortcutScreen(key('4', { ctrlKey: true }))).toBe('templates');
    expect(shortcutScreen(key('5', { ctrlKey: true }))).toBe('automations');
    expect(shortcutScreen(key('7', { metaKey: true }))).toBe('settings');
  });

  it('ignores digits without Ctrl, with other modifiers, and past the last screen', () => {
    expect(shortcutScreen(key('1'))).toBeNull();
    expect(shortcutScreen(key('1', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(shortcutScreen(key('1', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(shortcutScreen(key('8', { ctrlKey: true }))).toBeNull();
    expect(shortcutScreen(key('a', { ctrlKey: true }))).toBeNull();
  });

  it('arrow keys move along the sidebar and wrap around', () => {
    expect(neighbourScreen('inbox', 'ArrowDown')).toBe('tofile');
    expect(neighbourScreen('tofile', 'ArrowDown')).toBe('records');
    expect(neighbourScreen('records', 'ArrowDown')).toBe('templates');
    expect(neighbourScreen('templates', 'ArrowDown')).toBe('automations');
    expect(neighbourScreen('automations', 'ArrowDown')).toBe('outbox');
    expect(neighbourScreen('inbox', 'ArrowUp')).toBe('settings');
    expect(neighbourScreen('settings', 'ArrowDown')).toBe('inbox');
    expect(neighbourScreen('outbox', 'Home')).toBe('inbox');
    expect(neighbourScreen('outbox', 'End')).toBe('settings');
    expect(neighbourScreen('outbox', 'Enter')).toBeNull();
  });

  it('reads and writes the screen in the URL hash', () => {
    for (const s of SCREENS) expect(screenFromHash(hashFor(s))).toBe(s);
    expect(screenFromHash('')).toBe('inbox');
    expect(screenFromHash('#/nowhere')).toBe('inbox');
    expect(screenFromHash('#outbox')).toBe('outbox');
  });

  it('a link may lead to a section of a screen', () => {
    expect(hashFor('settings', 'accounts')).toBe('#/settings/accounts');
    expect(screenFromHash('#/settings/accounts')).toBe('settings');
    expect(sectionFromHash('#/settings/accounts')).toBe('accounts');
    expect(sectionFromHash('#/settings')).toBeNull();
    expect(sectionFromHash('#/settings/nowhere')).toBeNull();
    expect(sectionFromHash('#/inbox/accounts')).toBeNull();
    expect(screenFromHash('#/nowhere/accounts')).toBe('inbox');
  });
});
