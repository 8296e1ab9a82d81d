import { describe, expect, it } from 'vitest';
import { insertAt, ordered, token } from './placeholders';

describe('placeholder picker', () => {
  it('writes a field as the template names it', () => {
    expect(token('facture.echeance')).toBe('{{facture.echeance}}');
  });

  it('inserts at the cursor, replacing the selection', () => {
    expect(insertAt('Bonjour ,', 8, 8, '{{contact.first_name}}')).toEqual({ value: 'Bonjour {{contact.first_name}},', cursor: 30 });
    expect(insertAt('Facture XXX', 8, 11, '{{facture.numero}}')).toEqual({ value: 'Facture {{facture.numero}}', cursor: 26 });
    expect(insertAt('abc', null, null, 'X')).toEqual({ value: 'abcX', cursor: 4 });
    expect(insertAt('abc', 10, 2, 'X')).toEqual({ value: 'abcX', cursor: 4 });
  });

  it('offers the template’s own kind of record first', () => {
    const g = (key: string, typeId: number) => ({ key, label: key, typeId, fields: [] });
    const groups = [g('contact', 1), g('company', 2), g('facture', 3), g('user', 0), g('account', 0)];
    expect(ordered(groups, 3).map((x) => x.key)).toEqual(['facture', 'contact', 'company', 'user', 'account']);
    expect(ordered(groups, 0).map((x) => x.key)).toEqual(['contact', 'company', 'facture', 'user', 'account']);
  });
});
