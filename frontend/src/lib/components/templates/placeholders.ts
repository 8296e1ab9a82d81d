// The placeholder picker's logic: how a field is written in a template and inserted into
// a text box at the cursor.
import type { PlaceholderGroup } from '$lib/api/templates';

/** token is how a template names a field: {{facture.echeance}}. */
export function token(path: string): string {
  return `{{${path}}}`;
}

/** insertAt puts text in place of value's selection [start, end) and returns the new value
 * and where the cursor goes (after the text). */
export function insertAt(value: string, start: number | null, end: number | null, text: string): { value: string; cursor: number } {
  const s = Math.max(0, Math.min(start ?? value.length, value.length));
  const e = Math.max(s, Math.min(end ?? s, value.length));
  return { value: value.slice(0, s) + text + value.slice(e), cursor: s + text.length };
}

/** ordered puts the template's own kind of record first, then the others as the backend
 * lists them (contacts, companies, the admins' types), then the user and the account. */
export function ordered(groups: PlaceholderGroup[], typeId: number): PlaceholderGroup[] {
  const own = groups.filter((g) => typeId !== 0 && g.typeId === typeId);
  return [...own, ...groups.filter((g) => !own.includes(g))];
}
