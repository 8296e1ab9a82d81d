import { describe, expect, it } from 'vitest';
import type { RecordField, RecordType } from '$lib/api';
import { FILTER_OPS } from '$lib/api';
import {
  columnLabel,
  defaultColumns,
  draftOf,
  fieldLabel,
  formatValue,
  inputOf,
  localParams,
  opInput,
  opsFor,
  parseNumber,
  sameValue,
  sortable,
  typeName,
} from './fields';

// A translation that shows which key it was asked for.
const t = (key: string, o?: { values?: Record<string, string | number> }) => (o?.values ? `${key}${JSON.stringify(o.values)}` : key);

function field(over: Partial<RecordField>): RecordField {
  return { id: 1, typeId: 3, key: 'f', label: 'F', kind: 'text', builtin: false, multiple: false, currency: '', targetTypeId: 0, choices: [], ...over };
}

const invoice: RecordType = {
  id: 3, key: 'facture', builtin: null, singular: 'Facture', plural: 'Factures', titleFieldId: 10,
  fields: [
    field({ id: 10, key: 'numero', label: 'Numéro' }),
    field({ id: 11, key: 'montant', label: 'Montant', kind: 'money', currency: 'EUR' }),
    field({ id: 12, key: 'note', label: 'Note', kind: 'long_text' }),
    field({ id: 13, key: 'echeance', label: 'Échéance', kind: 'date' }),
    field({ id: 14, key: 'payee', label: 'Payée', kind: 'checkbox' }),
    field({ id: 15, key: 'client', label: 'Client', kind: 'link', targetTypeId: 2 }),
    field({ id: 16, key: 'etat', label: 'État', kind: 'single_choice', choices: [{ id: 1, label: 'Brouillon' }, { id: 2, label: 'Envoyée' }] }),
  ],
};
const contact: RecordType = { id: 1, key: 'contact', builtin: 'contact', singular: 'Contact', plural: 'Contacts', titleFieldId: 0,
  fields: [field({ id: 1, typeId: 1, key: 'first_name', label: 'First name', builtin: true }), field({ id: 2, typeId: 1, key: 'extra', label: 'Code client' })] };

describe('names in the user’s language', () => {
  it('words built-in types and fields from the catalogue, custom ones as the admin typed them', () => {
    expect(typeName(t, contact, 'plural')).toBe('records.builtin.contact.plural');
    expect(typeName(t, invoice, 'singular')).toBe('Facture');
    expect(fieldLabel(t, contact, contact.fields[0])).toBe('records.builtin.contact.fields.first_name');
    expect(fieldLabel(t, contact, contact.fields[1])).toBe('Code client');
    expect(fieldLabel(t, invoice, invoice.fields[0])).toBe('Numéro');
    expect(columnLabel(t, invoice, 'created_at')).toBe('records.list.createdAt');
  });

  it('words a built-in field named in an error', () => {
    expect(localParams(t, contact, { field: 'First name', max: 3 })).toEqual({ field: 'records.builtin.contact.fields.first_name', max: 3 });
    expect(localParams(t, invoice, { field: 'Numéro' })).toEqual({ field: 'Numéro' });
  });

  it('words the field an error names by its key', () => {
    expect(localParams(t, contact, { field: 'first_name', fieldKey: 'first_name', max: 3 })).toEqual({
      field: 'records.builtin.contact.fields.first_name',
      fieldKey: 'first_name',
      max: 3,
    });
    expect(localParams(t, invoice, { field: 'Numéro', fieldKey: 'numero' })).toEqual({ field: 'Numéro', fieldKey: 'numero' });
    expect(localParams(t, invoice, { field: 'Gone', fieldKey: 'gone' })).toEqual({ field: 'Gone', fieldKey: 'gone' });
  });

  it('words a built-in type an error names by its key, and that type’s field', () => {
    // Deleting a type that a field of Contacts links to: the field is the contacts' one.
    expect(localParams(t, invoice, { field: 'Devis signé', fieldKey: 'devis_signe', type: 'contact', typeKey: 'contact' })).toEqual({
      field: 'Devis signé',
      fieldKey: 'devis_signe',
      type: 'records.builtin.contact.plural',
      typeKey: 'contact',
    });
    expect(localParams(t, invoice, { field: 'company', fieldKey: 'company', type: 'contact', typeKey: 'contact' })).toMatchObject({
      field: 'records.builtin.contact.fields.company',
      type: 'records.builtin.contact.plural',
    });
    expect(localParams(t, invoice, { field: 'Client', fieldKey: 'client', type: 'Factures' })).toEqual({
      field: 'Client',
      fieldKey: 'client',
      type: 'Factures',
    });
  });
});

describe('the list', () => {
  it('shows the title first and no long text by default, five columns at most', () => {
    expect(defaultColumns(invoice)).toEqual(['numero', 'montant', 'echeance', 'payee', 'client']);
  });

  it('sorts by anything but a link', () => {
    expect(sortable(invoice.fields[5])).toBe(false);
    expect(sortable(invoice.fields[1])).toBe(true);
  });

  it('offers each kind only the conditions the backend accepts, with the input each needs', () => {
    expect(opsFor(invoice.fields[0])).toEqual(['contains', 'equals', 'is_empty', 'is_not_empty']);
    expect(opsFor(invoice.fields[1])).toEqual(['equals', 'greater', 'less', 'is_empty', 'is_not_empty']);
    expect(opsFor(invoice.fields[3])).toContain('before');
    expect(opsFor(invoice.fields[4])).toEqual(['is_checked', 'is_empty']);
    expect(opsFor(invoice.fields[5])).toEqual(['linked_to', 'is_empty', 'is_not_empty']);
    expect(opsFor(invoice.fields[6])).toEqual(['has_choice', 'is_empty', 'is_not_empty']);
    expect(opsFor('created_at')).toEqual(['before', 'after']);
    for (const f of invoice.fields) for (const op of opsFor(f)) expect(FILTER_OPS).toContain(op);
    expect(opInput('is_empty', invoice.fields[0])).toBe('none');
    expect(opInput('greater', invoice.fields[1])).toBe('number');
    expect(opInput('before', invoice.fields[3])).toBe('date');
    expect(opInput('equals', invoice.fields[3])).toBe('date');
    expect(opInput('has_choice', invoice.fields[6])).toBe('choice');
    expect(opInput('linked_to', invoice.fields[5])).toBe('record');
    expect(opInput('contains', 'title')).toBe('text');
  });

  it('formats values as text: money with its currency, dates, boxes, choices, links', () => {
    const c = { t, locale: 'fr' };
    expect(formatValue(invoice.fields[1], 1234.5, c).replace(/\s/g, ' ')).toBe('1 234,50 €');
    expect(formatValue(invoice.fields[3], '2026-03-31', c)).toBe('31 mars 2026');
    expect(formatValue(invoice.fields[4], true, c)).toBe('records.value.yes');
    expect(formatValue(invoice.fields[6], 2, c)).toBe('Envoyée');
    expect(formatValue(invoice.fields[5], [{ id: 7, typeId: 2, title: 'Atelier <b>' }], c)).toBe('Atelier <b>');
    expect(formatValue(invoice.fields[0], undefined, c)).toBe('');
    expect(formatValue(invoice.fields[4], undefined, c)).toBe('records.value.no');
    expect(formatValue(field({ kind: 'money', currency: 'XX!' }), 3, c)).toContain('XX!');
  });
});

describe('editing in place', () => {
  it('reads numbers typed in French or English; what is not a number goes as typed', () => {
    expect(parseNumber('1 234,56')).toBe(1234.56);
    expect(parseNumber('1,234.56')).toBe(1234.56);
    expect(parseNumber('12.5 €')).toBe(12.5);
    expect(parseNumber('-3')).toBe(-3);
    expect(parseNumber('douze')).toBe('douze');
    expect(parseNumber('  ')).toBe('');
  });

  it('sends what the backend takes, null to clear', () => {
    const [numero, montant, , echeance, payee, client, etat] = invoice.fields;
    expect(inputOf(numero, '  F-001 ')).toBe('F-001');
    expect(inputOf(numero, '')).toBeNull();
    expect(inputOf(montant, '1 234,5')).toBe(1234.5);
    expect(inputOf(echeance, '2026-03-31')).toBe('2026-03-31');
    expect(inputOf(payee, false)).toBe(false);
    expect(inputOf(client, [{ id: 7, typeId: 2, title: 'A' }])).toBe(7);
    expect(inputOf(client, [])).toBeNull();
    expect(inputOf({ ...client, multiple: true }, [{ id: 7, typeId: 2, title: 'A' }, { id: 8, typeId: 2, title: 'B' }])).toEqual([7, 8]);
    expect(inputOf(etat, [2])).toBe(2);
    expect(inputOf(field({ kind: 'email', multiple: true }), 'a@x.fr\n\n b@x.fr ')).toEqual(['a@x.fr', 'b@x.fr']);
  });

  it('an edit that changes nothing sends nothing', () => {
    const [numero, montant, , , payee, client] = invoice.fields;
    expect(sameValue(numero, 'F-001', draftOf(numero, 'F-001'))).toBe(true);
    expect(sameValue(numero, 'F-001', 'F-002')).toBe(false);
    expect(sameValue(montant, 10, '10,00')).toBe(true);
    expect(sameValue(payee, undefined, false)).toBe(true);
    expect(sameValue(client, [{ id: 7, typeId: 2, title: 'A' }], [{ id: 7, typeId: 2, title: 'A' }])).toBe(true);
  });
});
