// The composer's form, from a prepared draft (Mail.Draft) to what Mail.Send takes.
//
// The quote. The backend's Send builds the HTML part as the text typed, turned into HTML,
// followed by the quoted HTML; the text part is the text typed. So:
// - a plain-text original (no quotedHtml): its text quote goes in the text area, under the
//   cursor, and is sent as typed — edit it or cut it like any text;
// - an HTML original: the text area holds only what the user writes, and the quote is shown
//   read-only under it, in the sandboxed mail frame, exactly as the HTML part will carry
//   it. Putting its text version in the text area too would send the quote twice in the
//   HTML part; it goes separately (quotedText) and the backend adds it to the text part.
import type { Account, Address, ComposeAccount, ComposeSignature, Draft, DraftMode, SendInput } from '$lib/api';
import { toEntry, type Entry } from './addresses';

/** entries turns a draft's addresses into a field's entries, each address once. */
function entries(as: readonly Address[]): Entry[] {
  const seen = new Set<string>();
  return as.map(toEntry).filter((e) => {
    const k = e.email.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface ComposeForm {
  accountId: number;
  to: Entry[];
  cc: Entry[];
  bcc: Entry[];
  subject: string;
  /** What the user writes (with, for a plain-text original, the quote under it). */
  body: string;
  /** The quote shown under the text area and sent as HTML; "" when none. */
  quotedHtml: string;
  /** That quote as text, for the text part; "" when none. */
  quotedText: string;
  inReplyTo: string;
  references: string[];
  /** The signature of accountId added under the text (0: none). It is not in body: the
   * composer shows it as its own block, rendered for the sender, so changing the account
   * or the signature replaces that block and never touches what the user wrote; the
   * backend renders it again with the sender's profile when the message is written. */
  signatureId: number;
}

export function emptyForm(accountId = 0): ComposeForm {
  return {
    accountId,
    to: [],
    cc: [],
    bcc: [],
    subject: '',
    body: '',
    quotedHtml: '',
    quotedText: '',
    inReplyTo: '',
    references: [],
    signatureId: 0,
  };
}

/** defaultAccount is the account a new message starts from: the user's default one when it
 * is usable, else the first usable account (0: none). setup is Mail.ComposeSetup's. */
export function defaultAccount(setup: readonly ComposeAccount[], usable: readonly Pick<Account, 'id'>[]): number {
  const ok = (id: number) => usable.some((a) => a.id === id);
  return setup.find((a) => a.default && ok(a.accountId))?.accountId ?? usable[0]?.id ?? 0;
}

/** signaturesOf lists the signatures offered on an account. */
export function signaturesOf(setup: readonly ComposeAccount[], accountId: number): ComposeSignature[] {
  return setup.find((a) => a.accountId === accountId)?.signatures ?? [];
}

/** defaultSignature is the user's default signature on an account, when it is still one of
 * the account's (0: none). */
export function defaultSignature(setup: readonly ComposeAccount[], accountId: number): number {
  const a = setup.find((x) => x.accountId === accountId);
  if (!a || !a.signatures.some((s) => s.id === a.signatureId)) return 0;
  return a.signatureId;
}

/** What another screen may start a new message with ("compose to a record"). */
export interface ComposePrefill {
  to?: readonly Address[];
  cc?: readonly Address[];
  subject?: string;
  body?: string;
}

/** formForNew prefills a new message from the user's default account and its default
 * signature. */
export function formForNew(prefill: ComposePrefill, setup: readonly ComposeAccount[], usable: readonly Pick<Account, 'id'>[]): ComposeForm {
  const accountId = defaultAccount(setup, usable);
  return {
    ...emptyForm(accountId),
    to: entries(prefill.to ?? []),
    cc: entries(prefill.cc ?? []),
    subject: prefill.subject ?? '',
    body: prefill.body ?? '',
    signatureId: defaultSignature(setup, accountId),
  };
}

/** formFromDraft prefills the composer. The cursor goes at the start of body: above the
 * quote. usable are the accounts the user may send from: the draft's account when it is
 * one of them, else the first. */
export function formFromDraft(d: Draft, usable: readonly Pick<Account, 'id'>[]): ComposeForm {
  const accountId = usable.some((a) => a.id === d.accountId) ? d.accountId : (usable[0]?.id ?? d.accountId);
  return {
    accountId,
    to: entries(d.to),
    cc: entries(d.cc),
    bcc: [],
    subject: d.subject,
    body: d.quotedHtml ? '' : d.text ? `\n\n${d.text}` : '',
    quotedHtml: d.quotedHtml,
    quotedText: d.quotedHtml ? d.text : '',
    inReplyTo: d.inReplyTo,
    references: [...d.references],
    signatureId: 0,
  };
}

const addrs = (l: Entry[]): Address[] => l.map((e) => ({ name: e.name, email: e.email.trim() }));

export function toSendInput(f: ComposeForm): SendInput {
  return {
    accountId: f.accountId,
    to: addrs(f.to),
    cc: addrs(f.cc),
    bcc: addrs(f.bcc),
    subject: f.subject,
    text: f.body,
    quotedHtml: f.quotedHtml,
    quotedText: f.quotedHtml ? f.quotedText : '',
    inReplyTo: f.inReplyTo,
    references: [...f.references],
    signatureId: f.signatureId,
  };
}

export type RecipientField = 'to' | 'cc' | 'bcc';

/** What is wrong before sending: a field with an address that is not one, or no
 * recipient at all (on "to"). */
export interface ComposeProblem {
  field: RecipientField;
  kind: 'invalid' | 'none';
  /** The addresses that are not addresses. */
  bad: string[];
}

export function checkForm(f: ComposeForm): ComposeProblem | null {
  for (const field of ['to', 'cc', 'bcc'] as const) {
    const bad = f[field].filter((e) => !e.valid).map((e) => e.email);
    if (bad.length) return { field, kind: 'invalid', bad };
  }
  if (f.to.length + f.cc.length + f.bcc.length === 0) return { field: 'to', kind: 'none', bad: [] };
  return null;
}

function sameEntries(a: Entry[], b: Entry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.email === b[i].email && e.name === b[i].name);
}

/** changed says whether the user made the draft theirs (typed, added or removed an
 * address, changed the subject): closing it then asks first. pending is what is typed
 * in an address field and not added yet. */
export function changed(f: ComposeForm, start: ComposeForm, pending = ''): boolean {
  return (
    pending.trim() !== '' ||
    f.body.trim() !== start.body.trim() ||
    f.subject.trim() !== start.subject.trim() ||
    !sameEntries(f.to, start.to) ||
    !sameEntries(f.cc, start.cc) ||
    !sameEntries(f.bcc, start.bcc)
  );
}

/** focusFor is where the cursor starts: a forward needs a recipient first; a reply, words. */
export function focusFor(mode: DraftMode | 'new'): 'to' | 'body' {
  return mode === 'forward' || mode === 'new' ? 'to' : 'body';
}
