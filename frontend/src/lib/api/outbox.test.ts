import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import en from '$lib/i18n/en.json';
import fr from '$lib/i18n/fr.json';
import { flatten } from '$lib/i18n/keys';
import { COPY_STATES, OUTBOX_STATES, toFailure, toOutboxCounts, toOutboxEvent, toOutboxItem } from './outbox';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const goStrings = (file: string, re: RegExp) => [...readFileSync(resolve(repo, file), 'utf8').matchAll(re)].map((m) => m[1]).sort();
const flat = { en: flatten(en), fr: flatten(fr) };

describe('outbox values from the backend', () => {
  it('the UI knows exactly the outbox’s states and Sent-copy states', () => {
    expect(goStrings('backend/outbox/types.go', /^\s*\w+\s+State\s*=\s*"([a-z_]+)"/gm)).toEqual([...OUTBOX_STATES].sort());
    expect(goStrings('backend/outbox/types.go', /^\s*Copy\w+\s+CopyState\s*=\s*"([a-z_]+)"/gm)).toEqual([...COPY_STATES].sort());
  });

  it.each([
    ...OUTBOX_STATES.flatMap((s) => [`outbox.state.${s}`, `outbox.badge.${s}`, `outbox.empty.${s}`]),
    ...COPY_STATES.filter((c) => c !== 'none').map((c) => `outbox.row.copy.${c}`),
  ])('%s is said in both languages, differently', (key) => {
    expect(flat.en.get(key)).toBeTruthy();
    expect(flat.fr.get(key)).toBeTruthy();
    expect(flat.fr.get(key)).not.toEqual(flat.en.get(key));
  });
});

describe('the outbox’s wire', () => {
  it('maps an item, with the safest reading of what this version does not know', () => {
    const it = toOutboxItem({ id: 3, state: 'teleported', error: { code: 'weird', reason: '', params: {}, detail: '550 no', class: '' }, copy: 'maybe', to: null as never });
    expect(it).toMatchObject({ id: 3, state: 'sending', error: { code: 'internal', reason: 'internal', detail: '550 no' }, copy: 'none', to: [], copyError: null });
    expect(toOutboxItem({ state: 'queued' }).error).toBeNull();
  });

  it('reads a kept failure as an error worded by its reason, with its params and the server’s words', () => {
    const f = toFailure({ code: 'provider_rejected', reason: 'smtp_recipient_refused', detail: '550 5.1.1 unknown',
      params: { host: 'smtp.example.fr', count: 1, recipients: 'x@example.fr', odd: { a: 1 } } });
    expect(f).toMatchObject({ code: 'provider_rejected', reason: 'smtp_recipient_refused', detail: '550 5.1.1 unknown', class: 'permanent',
      params: { host: 'smtp.example.fr', count: 1, recipients: 'x@example.fr', odd: '[object Object]' } });
    // A row an older version kept without a reason reads as its code's general text.
    expect(toFailure({ code: 'network', reason: '' })).toMatchObject({ code: 'network', reason: 'network' });
    expect(toFailure({ code: '', reason: '' })).toBeNull();
    expect(toFailure({ code: 'network', reason: 'sync_connection_lost', class: 'temporary' })?.class).toBe('temporary');
  });

  it('maps counts and events', () => {
    expect(toOutboxCounts({ possiblySent: 2, queued: 1 })).toMatchObject({ possibly_sent: 2, queued: 1, failed: 0 });
    expect(toOutboxEvent({ kind: 'item', itemId: 4, state: 'sent', failure: null })).toMatchObject({ kind: 'item', itemId: 4, state: 'sent', failure: null, paused: false });
    expect(toOutboxEvent({ kind: 'account', accountId: 2, failure: { code: 'auth_failed', reason: 'postmark_token' }, paused: true })).toMatchObject({
      kind: 'account', failure: { code: 'auth_failed', reason: 'postmark_token' }, paused: true });
    expect(toOutboxEvent({ kind: 'gossip' })).toBeNull();
  });
});
