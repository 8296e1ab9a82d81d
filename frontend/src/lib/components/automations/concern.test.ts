import { get } from 'svelte/store';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordItem, RecordType } from '$lib/api';
import { toRecordAutomation } from '$lib/api/automations';
import { _, day, dayTime, setupI18n } from '$lib/i18n';
import { concernText, type ConcernContext } from './concern';

const factures = {
  id: 7,
  key: 'facture',
  builtin: null,
  singular: 'Facture',
  plural: 'Factures',
  fields: [
    { id: 1, key: 'numero', label: 'Numéro', kind: 'text', choices: [] },
    { id: 2, key: 'echeance', label: 'Échéance', kind: 'date', choices: [] },
    { id: 3, key: 'payee', label: 'Payée', kind: 'checkbox', choices: [] },
  ],
} as unknown as RecordType;

const invoice = (values: RecordItem['values']) =>
  ({ id: 9, typeId: 7, title: 'F-001', values, createdAt: '2026-11-02T10:00:00Z', updatedAt: '2026-12-06T10:00:00Z' }) as unknown as RecordItem;

let c: ConcernContext;

beforeAll(() => {
  setupI18n('fr');
  c = { t: get(_), locale: 'fr', dayTime: get(dayTime), day: get(day) };
});

describe('a record’s automations, in words', () => {
  it('does not apply: each condition the record does not meet, with its value', () => {
    const a = toRecordAutomation({
      id: 1,
      name: 'Relance J+3',
      concern: 'unmet',
      unmet: [
        { field: 'echeance', op: 'is_not_empty', value: null },
        { field: 'payee', op: 'is_empty', value: null },
      ],
    });
    expect(concernText(a, factures, invoice({ payee: true }), c)).toBe('ne s’applique pas\u00a0: Échéance est vide, Payée est Oui');
  });

  it('a condition on a field deleted since says so', () => {
    const a = toRecordAutomation({ concern: 'unmet', unmet: [{ field: 'statut', op: 'is_empty', value: null }] });
    expect(concernText(a, factures, invoice({}), c)).toBe('ne s’applique pas\u00a0: le champ « statut » n’existe plus');
  });

  it('applies: when it sends, or that it is paused', () => {
    const a = toRecordAutomation({ concern: 'applies', sendAt: '2026-12-08T08:00:00Z' });
    expect(concernText(a, factures, invoice({}), c)).toBe(`s’applique\u00a0: envoi le ${get(dayTime)('2026-12-08T08:00:00Z')}`);
    expect(concernText(toRecordAutomation({ concern: 'applies', sendAt: null }), factures, invoice({}), c)).toBe('s’applique, mais l’automatisation est en pause');
  });

  it('sent: when', () => {
    const a = toRecordAutomation({ concern: 'sent', at: '2026-12-06T09:00:00Z' });
    expect(concernText(a, factures, invoice({}), c)).toBe(`envoyé le ${get(dayTime)('2026-12-06T09:00:00Z')}`);
  });

  it('a concern this version does not know reads as not applying, never as sending', () => {
    expect(toRecordAutomation({ concern: 'later' }).concern).toBe('unmet');
  });
});
