import { describe, expect, it } from 'vitest';
import type { RecordDetail, RecordType } from '$lib/api';
import { primaryEmail, recipientsFor, related } from './recipients';

const types = [
  { id: 1, builtin: 'contact' },
  { id: 2, builtin: 'company' },
  { id: 3, builtin: null },
] as unknown as RecordType[];

function rec(id: number, typeId: number, title: string, values: Record<string, unknown> = {}, backlinks: RecordDetail['backlinks'] = []): RecordDetail {
  return { record: { id, typeId, title, values } as RecordDetail['record'], backlinks };
}

const db: Record<number, RecordDetail> = {
  10: rec(10, 1, 'Claire Dubois', { emails: ['claire@fournisseur.example', 'c@perso.example'] }),
  11: rec(11, 1, 'Sans Adresse', {}),
  20: rec(20, 2, 'Fournisseur', { domains: ['fournisseur.example'] }, [{ fieldId: 6, typeId: 1, records: [{ id: 11, typeId: 1, title: 'Sans Adresse' }, { id: 10, typeId: 1, title: 'Claire Dubois' }], total: 2 }]),
  30: rec(30, 3, 'FAC-1', { client: [{ id: 20, typeId: 2, title: 'Fournisseur' }] }),
  31: rec(31, 3, 'FAC-2', {}),
};
const get = async (id: number) => db[id];

describe('whom Write on a record writes to', () => {
  it('a contact: its first valid address', async () => {
    expect(primaryEmail({ emails: [' claire@fournisseur.example '] })).toBe('claire@fournisseur.example');
    expect(primaryEmail({ emails: ['pas une adresse'] })).toBe('');
    expect(await recipientsFor(db[10], types, get)).toEqual([{ name: 'Claire Dubois', email: 'claire@fournisseur.example', valid: true }]);
    expect(await recipientsFor(db[11], types, get)).toEqual([]);
  });

  it('a company: its first contact with an address', async () => {
    expect(related(db[20], 1, 2)).toEqual({ contacts: [11, 10], companies: [] });
    expect((await recipientsFor(db[20], types, get)).map((e) => e.email)).toEqual(['claire@fournisseur.example']);
  });

  it('a record of your own: the contacts of the company it links to; none when nothing is linked', async () => {
    expect((await recipientsFor(db[30], types, get)).map((e) => e.email)).toEqual(['claire@fournisseur.example']);
    expect(await recipientsFor(db[31], types, get)).toEqual([]);
  });
});
