import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import en from '$lib/i18n/en.json';
import fr from '$lib/i18n/fr.json';
import { flatten } from '$lib/i18n/keys';
import { COPY_STATES, OUTBOX_REASONS, OUTBOX_STATES, toOutboxCounts, toOutboxEvent, toOutboxItem } from './outbox';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const goStrings = (file: string, re: RegExp) => [...readFileSync(resolve(repo, file), 'utf8').matchAll(re)].map((m) => m[1]).sort();
const flat = { en: flatten(en), fr: flatten(fr) };

describe('outbox values from the backend', () => {
  it('the UI knows exactly the outbox’s states, reasons and Sent-copy states', () => {
    expect(goStrings('backend/outbox/types.go', /^\s*\w+\s+State\s*=\s*"([a-z_]+)"/gm)).toEqual([...OUTBOX_STATES].sort());
    expect(goStrings('backend/outbox/transport.go', /^\s*Reason\w+\s*=\s*"([a-z_]+)"/gm)).toEqual([...OUTBOX_REASONS].sort());
    expect(goStrings('backend/outbox/types.go', /^\s*Copy\w+\s+CopyState\s*=\s*"([a-z_]+)"/gm)).toEqual([...COPY_STATES].sort());
  });

  it.each([
    ...OUTBOX_STATES.flatMap((s) => [`outbox.state.${s}`, `outbox.badge.${s}`, `outbox.empty.${s}`]),
    ...OUTBOX_REASONS.map((r) => `outbox.reason.${r}`),
    ...COPY_STATES.filter((c) => c !== 'none').map((c) => `outbox.row.copy.${c}`),
  ])('%s is said in both languages, differently', (key) => {
    expect(flat.en.get(key)).toBeTruthy();
    expect(flat.fr.get(key)).toBeTruthy();
    expect(flat.fr.get(key)).not.toEqual(flat.en.get(key));
  });
});

describe('the outbox’s wire', () => {
  it('maps an item, with the safest reading of what this version does not know', () => {
    const it = toOutboxItem({ id: 3, state: 'teleported', errorCode: 'weird', errorReason: 'odd', copy: 'maybe', to: null as never, serverReply: '550 no' });
    expect(it).toMatchObject({ id: 3, state: 'sending', errorCode: 'internal', errorReason: null, copy: 'none', to: [], serverReply: '550 no' });
    expect(toOutboxItem({ state: 'failed', errorCode: '', errorReason: 'gave_up' })).toMatchObject({ errorCode: null, errorReason: 'gave_up' });
  });

  it('maps counts and events', () => {
    expect(toOutboxCounts({ possiblySent: 2, queued: 1 })).toMatchObject({ possibly_sent: 2, queued: 1, failed: 0 });
    expect(toOutboxEvent({ kind: 'item', itemId: 4, state: 'sent', code: '' })).toMatchObject({ kind: 'item', itemId: 4, state: 'sent', code: null });
    expect(toOutboxEvent({ kind: 'gossip' })).toBeNull();
  });
});
