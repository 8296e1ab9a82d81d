// Which screen is shown. The screen is kept in the URL's hash (#/records), so a reload
// stays where the user was.
import { writable } from 'svelte/store';

export const SCREENS = ['inbox', 'tofile', 'records', 'templates', 'automations', 'outbox', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export function isScreen(value: unknown): value is Screen {
  return typeof value === 'string' && (SCREENS as readonly string[]).includes(value);
}

/** screenFromHash reads "#/records"; anything else is the inbox. */
export function screenFromHash(hash: string): Screen {
  const name = hash.replace(/^#\/?/, '');
  return isScreen(name) ? name : 'inbox';
}

export function hashFor(screen: Screen): string {
  return `#/${screen}`;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** shortcutScreen maps Ctrl+1…Ctrl+7 (⌘ on macOS) to the screens, in sidebar order. */
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

export const screen = {
  subscribe: store.subscribe,
  go(to: Screen): void {
    store.set(to);
    if (typeof history !== 'undefined' && typeof location !== 'undefined' && location.hash !== hashFor(to)) {
      history.replaceState(null, '', hashFor(to));
    }
  },
  /** followHash keeps the store in step with the hash (back/forward, typed URLs). */
  followHash(): () => void {
    const onChange = () => store.set(screenFromHash(currentHash()));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  },
};
