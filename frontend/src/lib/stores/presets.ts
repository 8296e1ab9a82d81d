// The admins' domain presets (Settings › Domain presets).
import { writable } from 'svelte/store';
import { presetsApi, toApiError, type ApiError, type Preset } from '$lib/api';
import { Freshness } from './freshness';

export type PresetsStatus = 'idle' | 'loading' | 'ready' | 'failed';

export interface PresetsData {
  items: Preset[];
  status: PresetsStatus;
  error: ApiError | null;
}

const store = writable<PresetsData>({ items: [], status: 'idle', error: null });

export function byDomain(a: Preset, b: Preset): number {
  return a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0;
}

const fresh = new Freshness<string>();

/** load fetches the presets; of several loads under way the last one answers, and a preset
 * saved or removed here meanwhile keeps the change. */
async function load(): Promise<void> {
  const mine = fresh.begin();
  store.update((s) => ({ ...s, status: 'loading', error: null }));
  try {
    const items = await presetsApi.list();
    if (!fresh.last(mine)) return;
    store.update((s) => ({ items: fresh.merge(items, s.items, mine, (p) => p.domain).sort(byDomain), status: 'ready', error: null }));
  } catch (e) {
    if (fresh.last(mine)) store.update((s) => ({ ...s, status: 'failed', error: toApiError(e) }));
  }
}

/** save creates or replaces a domain's preset. When an edit renames the domain, the old
 * preset is removed once the new one is saved. It rejects with an ApiError for the form. */
async function save(preset: Preset, replacing?: string): Promise<Preset> {
  const saved = await presetsApi.save(preset);
  if (replacing && replacing !== saved.domain) {
    await presetsApi.remove(replacing).catch(() => undefined);
    fresh.touch(replacing);
  }
  fresh.touch(saved.domain);
  store.update((s) => ({
    ...s,
    items: [...s.items.filter((p) => p.domain !== saved.domain && p.domain !== replacing), saved].sort(byDomain),
  }));
  return saved;
}

async function remove(domain: string): Promise<void> {
  await presetsApi.remove(domain);
  fresh.touch(domain);
  store.update((s) => ({ ...s, items: s.items.filter((p) => p.domain !== domain) }));
}

function reset(): void {
  fresh.reset();
  store.set({ items: [], status: 'idle', error: null });
}

export const presets = { subscribe: store.subscribe, load, save, remove, reset };
