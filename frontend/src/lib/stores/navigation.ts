// Which screen is shown. The screen is kept in the URL's hash (#/outbox), so a reload
// stays where the user was. A section of a screen may follow (#/settings/accounts): the
// screen then brings that section into view.
import { writable } from 'svelte/store';

// The screens, in sidebar order (Ctrl+1… follow it). A screen is listed only once its
// feature works, with one line here (between the inbox and the outbox) and its view in
// Shell.svelte.
export const SCREENS = [
  'inbox',
  'tofile',
  'records',
  'templates',
  'automations',
  'outbox',
  'settings',
] as const;
export type Screen = (typeof SCREENS)[number];

export function isScreen(value: unknown): value is Screen {
  return typeof value === 'string' && (SCREENS as readonly string[]).includes(value);
}

/** The sections a link may lead to, by screen. */
export const SECTIONS: Partial<Record<Screen, readonly string[]>> = {
  settings: ['profile', 'accounts', 'presets', 'signin', 'language', 'users', 'locking', 'vault', 'about'],
};

function hashParts(hash: string): string[] {
  return hash.replace(/^#\/?/, '').split('/');
}

/** screenFromHash reads "#/outbox" (or "#/settings/accounts"); anything else is the inbox. */
export function screenFromHash(hash: string): Screen {
  const name = hashParts(hash)[0];
  return isScreen(name) ? name : 'inbox';
}

/** sectionFromHash reads the section of "#/settings/accounts"; null when there is none
 * or the screen has no such section. */
export function sectionFromHash(hash: string): string | null {
  const [name, sec] = hashParts(hash);
  if (!isScreen(name) || !sec) return null;
  return SECTIONS[name]?.includes(sec) ? sec : null;
}

export function hashFor(screen: Screen, section?: string | null): string {
  return section ? `#/${screen}/${section}` : `#/${screen}`;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** shortcutScreen maps Ctrl+1, Ctrl+2… (⌘ on macOS) to the screens, in sidebar order. */
export function shortcutScreen(e: KeyLike): Screen | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return null;
  if (!/^[1-9]$/.test(e.key)) return null;
  return SCREENS[Number(e.key) - 1] ?? null;
}

/** neighbourScreen is where arrow keys, Home and End move within the sidebar. */
export function neighbourScreen(current: Screen, key: string): Screen | null {
  const i = SCREENS.indexOf(current);
  switch (key) {
    case 'ArrowDown':
      return SCREENS[(i + 1) % SCREENS.length];
    case 'ArrowUp':
      return SCREENS[(i - 1 + SCREENS.length) % SCREENS.length];
    case 'Home':
      return SCREENS[0];
    case 'End':
      return SCREENS[SCREENS.length - 1];
  }
  return null;
}

function currentHash(): string {
  return typeof location === 'undefined' ? '' : location.hash;
}

const store = writable<Screen>(screenFromHash(currentHash()));
const sectionStore = writable<string | null>(sectionFromHash(currentHash()));

/** section is the section of the current screen a link asked for, or null. */
export const section = { subscribe: sectionStore.subscribe };

export const screen = {
  subscribe: store.subscribe,
  /** go shows a screen, and brings one of its sections into view when given. */
  go(to: Screen, sec: string | null = null): void {
    store.set(to);
    sectionStore.set(sec);
    const hash = hashFor(to, sec);
    if (typeof history !== 'undefined' && typeof location !== 'undefined' && location.hash !== hash) {
      history.replaceState(null, '', hash);
    }
  },
  /** followHash keeps the store in step with the hash (back/forward, typed URLs). */
  followHash(): () => void {
    const onChange = () => {
      store.set(screenFromHash(currentHash()));
      sectionStore.set(sectionFromHash(currentHash()));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  },
};
