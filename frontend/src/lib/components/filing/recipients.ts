// Who "Write" on a record's page writes to: a contact's first address; for a company or a
// record of your own, the first of its contacts that has one (a contact linked to it, or
// a contact of its company). The sender is the user's default account: the first one they
// may send from.
import type { LinkRef, RecordDetail, RecordType } from '$lib/api';
import type { Entry } from '$lib/mail/addresses';
import { isEmail } from '$lib/mail/addresses';

/** primaryEmail is a contact's first address, or "". */
export function primaryEmail(values: Record<string, unknown>): string {
  const v = values.emails;
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' && isEmail(first.trim()) ? first.trim() : '';
}

function links(v: unknown): LinkRef[] {
  return Array.isArray(v) ? v.filter((x): x is LinkRef => typeof x === 'object' && x !== null && 'id' in x && 'typeId' in x) : [];
}

/** related lists, in order of preference, the contacts and then the companies a record
 * points to or is pointed at by. */
export function related(detail: RecordDetail, contactType: number, companyType: number): { contacts: number[]; companies: number[] } {
  const contacts: number[] = [];
  const companies: number[] = [];
  const add = (r: { id: number; typeId: number }) => {
    if (r.typeId === contactType && !contacts.includes(r.id)) contacts.push(r.id);
    if (r.typeId === companyType && !companies.includes(r.id)) companies.push(r.id);
  };
  for (const b of detail.backlinks) for (const r of b.records) add(r);
  for (const v of Object.values(detail.record.values)) for (const r of links(v)) add(r);
  return { contacts, companies };
}

/** recipientsFor finds whom to write to from a record's page; get reads a record. It
 * resolves to one entry, or none when no contact with an address is at hand. */
export async function recipientsFor(
  detail: RecordDetail,
  types: readonly RecordType[],
  get: (id: number) => Promise<RecordDetail>,
): Promise<Entry[]> {
  const contactType = types.find((t) => t.builtin === 'contact')?.id ?? -1;
  const companyType = types.find((t) => t.builtin === 'company')?.id ?? -1;
  const entry = (d: RecordDetail): Entry[] => {
    const email = primaryEmail(d.record.values);
    return email ? [{ name: d.record.title, email, valid: true }] : [];
  };
  if (detail.record.typeId === contactType) return entry(detail);
  const seen = new Set<number>([detail.record.id]);
  const tryContacts = async (ids: number[]): Promise<Entry[]> => {
    for (const id of ids.slice(0, 10)) {
      if (seen.has(id)) continue;
      seen.add(id);
      const found = entry(await get(id));
      if (found.length) return found;
    }
    return [];
  };
  const { contacts, companies } = related(detail, contactType, companyType);
  const direct = await tryContacts(contacts);
  if (direct.length) return direct;
  for (const id of companies.slice(0, 3)) {
    if (seen.has(id)) continue;
    seen.add(id);
    const company = await get(id);
    const found = await tryContacts(related(company, contactType, companyType).contacts);
    if (found.length) return found;
  }
  return [];
}
