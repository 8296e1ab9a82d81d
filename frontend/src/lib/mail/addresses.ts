// The composer's address fields: what the user types ("Ann Lee <ann@example.com>, bob@…")
// becomes a list of addresses, each checked as it is added.
import type { Address } from '$lib/api';

// A practical check, like the backend's: one @, a local part without spaces, a domain with
// a dot and no empty label. The server has the last word.
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]+$/;

export function isEmail(s: string): boolean {
  const v = s.trim();
  return EMAIL.test(v) && !v.includes('..') && !v.split('@')[1].startsWith('.');
}

/** parseAddress reads one entry: "ann@example.com", "Ann Lee <ann@example.com>",
 * "\"Lee, Ann\" <ann@example.com>" or "<ann@example.com>". */
export function parseAddress(input: string): Address {
  const s = input.trim();
  const m = /^(.*?)<([^<>]*)>\s*$/.exec(s);
  if (m) {
    let name = m[1].trim();
    if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
    return { name: name.trim(), email: m[2].trim() };
  }
  return { name: '', email: s };
}

/** splitEntries cuts typed or pasted text into entries at commas, semicolons and line
 * breaks, but not inside quotes or angle brackets ("Lee, Ann" <ann@…>). */
export function splitEntries(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (const ch of text) {
    if (ch === '"' && !angle) quoted = !quoted;
    else if (ch === '<' && !quoted) angle = true;
    else if (ch === '>' && !quoted) angle = false;
    if (!quoted && !angle && (ch === ',' || ch === ';' || ch === '\n' || ch === '\r')) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** An entry of an address field: the address, and whether it is one. */
export interface Entry extends Address {
  valid: boolean;
}

export function toEntry(a: Address): Entry {
  return { name: a.name, email: a.email, valid: isEmail(a.email) };
}

/** addEntries adds what was typed to a field's entries, leaving out an address already
 * there (whatever its case). */
export function addEntries(entries: readonly Entry[], text: string): Entry[] {
  const out = [...entries];
  for (const raw of splitEntries(text)) {
    const e = toEntry(parseAddress(raw));
    if (e.email === '') continue;
    if (out.some((x) => x.email.toLowerCase() === e.email.toLowerCase())) continue;
    out.push(e);
  }
  return out;
}

/** formatAddress writes an address for people: "Ann Lee <ann@example.com>", or the
 * address alone. */
export function formatAddress(a: Address): string {
  return a.name && a.name !== a.email ? `${a.name} <${a.email}>` : a.email;
}

/** displayName is how the list names a sender: the name, else the address. */
export function displayName(a: Address): string {
  return a.name.trim() || a.email;
}
