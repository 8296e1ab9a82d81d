// Short notes at the bottom of the window ("Saved to …", an undone flag change). They are
// kept as catalogue keys, so they follow a change of language, and go away by themselves.
import { writable } from 'svelte/store';
import type { ApiError } from '$lib/api';
import type { Message } from '$lib/i18n/keys';
import type { Screen } from './navigation';

/** A link in a toast to the screen where the rest is (e.g. "Queued" → the Outbox), or a
 * button that acts at once (e.g. "Undo" after a delete). */
export type ToastAction = { label: Message; screen: Screen } | { label: Message; run: () => void };

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  message: Message;
  /** An error's technical details (the backend's words), shown on demand. */
  error: ApiError | null;
  action: ToastAction | null;
}

/** How long a toast stays: errors longer, to be read. */
export const TOAST_MS = { info: 5000, error: 9000 } as const;

const store = writable<Toast[]>([]);
let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

function dismiss(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  store.update((l) => l.filter((t) => t.id !== id));
}

function push(kind: Toast['kind'], message: Message, error: ApiError | null = null, action: ToastAction | null = null): number {
  const id = nextId++;
  // At most three at once: the oldest goes.
  store.update((l) => [...l, { id, kind, message, error, action }].slice(-3));
  timers.set(
    id,
    setTimeout(() => dismiss(id), TOAST_MS[kind]),
  );
  return id;
}

export const toasts = {
  subscribe: store.subscribe,
  info: (message: Message, action: ToastAction | null = null) => push('info', message, null, action),
  error: (message: Message, error: ApiError | null = null) => push('error', message, error),
  dismiss,
  reset(): void {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    store.set([]);
  },
};
