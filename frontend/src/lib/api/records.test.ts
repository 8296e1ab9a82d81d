import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import en from '$lib/i18n/en.json';
import fr from '$lib/i18n/fr.json';
import { flatten } from '$lib/i18n/keys';
import { FIELD_KINDS, FILTER_OPS, toDetail, toField, toRecord, toRecordPage, toRecordType, toValue, toView, wireQuery } from './records';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const flat = { en: flatten(en), fr: flatten(fr) };

describe('records values from the backend are worded', () => {
  // The built-in fields as the migration seeds them: (type id, key).
  const sql = readFileSync(resolve(repo, 'backend/store/migrations/0011_records.sql'), 'utf8');
  const builtins = [...sql.slice(sql.indexOf('INSERT INTO record_fields')).matchAll(/^\s*\((1|2), '([a-z_]+)',\s+'/gm)].map((m) => [m[1] === '1' ? 'contact' : 'company', m[2]]);

  it('reads the seeded built-in fields', () => {
    expect(builtins.length).toBe(14);
  });

  it.each(builtins)('the built-in field %s.%s has a name in both languages', (type, key) => {
    for (const lang of ['en', 'fr'] as const) expect(flat[lang].get(`records.builtin.${type}.fields.${key}`), lang).toBeTruthy();
  });

  it.each([...FIELD_KINDS.map((k) => `records.editor.kinds.${k}`), ...FILTER_OPS.map((o) => `records.filters.ops.${o}`)])('%s is said in both languages', (key) => {
    expect(flat.en.get(key)).toBeTruthy();
    expect(flat.fr.get(key)).toBeTruthy();
    expect(flat.fr.get(key)).not.toEqual(flat.en.get(key));
  });
});

describe('the records’ wire', () => {
  it('maps a type, reading a kind this version does not know as text', () => {
    const t = toRecordType({
      id: 3, key: 'facture', builtin: '', singular: 'Facture', plural: 'Factures', titleFieldId: 9,
      fields: [
        { id: 9, typeId: 3, key: 'numero', label: 'Numéro', kind: 'text', builtin: false, multiple: false, currency: '', targetTypeId: 0, choices: null },
        { id: 10, typeId: 3, key: 'x', label: 'X', kind: 'hologram', choices: [{ id: 1, label: 'A' }] },
      ],
    });
    expect(t).toMatchObject({ id: 3, builtin: null, titleFieldId: 9, fields: [{ key: 'numero', kind: 'text', choices: [] }, { key: 'x', kind: 'text', choices: [{ id: 1, label: 'A' }] }] });
    expect(toRecordType({ builtin: 'company' }).builtin).toBe('company');
    expect(toRecordType({ builtin: 'robot' }).builtin).toBeNull();
    expect(toField(null)).toMatchObject({ id: 0, kind: 'text', multiple: false, choices: [] });
  });

  it('reads values: text, numbers, a checked box, choices, links; drops what is not a value', () => {
    const r = toRecord({
      id: 5, typeId: 3, title: 'F-001',
      values: { numero: 'F-001', montant: 1234.5, payee: true, tags: [1, 2], client: [{ id: 7, typeId: 2, title: 'Atelier' }], bad: { a: 1 }, none: null, nan: Number.NaN, empty: [] },
    });
    expect(r.values).toEqual({ numero: 'F-001', montant: 1234.5, payee: true, tags: [1, 2], client: [{ id: 7, typeId: 2, title: 'Atelier' }] });
    expect(toRecord(null)).toMatchObject({ id: 0, values: {}, deletedAt: '', importId: 0 });
    expect(toValue([{ id: 0 }, { id: 4, title: 'B' }])).toEqual([{ id: 4, typeId: 0, title: 'B' }]);
  });

  it('a page after the first has no total', () => {
    expect(toRecordPage({ records: null, next: 'abc', total: -1 })).toEqual({ records: [], next: 'abc', total: -1 });
    expect(toRecordPage({ records: [{ id: 1 }], next: '' }).total).toBe(-1);
    expect(toRecordPage({ records: [], next: '', total: 0 }).total).toBe(0);
  });

  it('maps a record’s page with its backlinks', () => {
    const d = toDetail({ record: { id: 2, title: 'Atelier' }, backlinks: [{ fieldId: 12, typeId: 3, records: [{ id: 5, typeId: 3, title: 'F-001' }, null as never], total: 1 }] });
    expect(d.backlinks).toEqual([{ fieldId: 12, typeId: 3, records: [{ id: 5, typeId: 3, title: 'F-001' }], total: 1 }]);
  });

  it('keeps only the filters it knows in a saved view', () => {
    const v = toView({ id: 1, typeId: 3, name: 'Impayées', columns: ['numero', ''], sort: { field: 'echeance', desc: true },
      filters: [{ field: 'payee', op: 'is_empty', value: null }, { field: 'x', op: 'teleport', value: 1 }, { field: 'montant', op: 'greater', value: { no: 1 } }] });
    expect(v).toEqual({ id: 1, typeId: 3, name: 'Impayées', columns: ['numero'], sort: { field: 'echeance', desc: true }, search: '',
      filters: [{ field: 'payee', op: 'is_empty', value: null }, { field: 'montant', op: 'greater', value: null }] });
  });

  it('sends a query with its cursor and size, the search trimmed', () => {
    const q = wireQuery({ typeId: 3, search: ' fac ', sort: { field: 'montant', desc: true }, filters: [{ field: 'payee', op: 'is_checked', value: null }], columns: ['numero'] }, 'cur', 100);
    expect({ ...q }).toEqual({ typeId: 3, search: 'fac', sort: { field: 'montant', desc: true }, filters: [{ field: 'payee', op: 'is_checked', value: null }], columns: ['numero'], cursor: 'cur', limit: 100 });
  });
});
