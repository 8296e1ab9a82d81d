import { describe, expect, it } from 'vitest';
import type { Draft } from '$lib/api';
import { toEntry } from './addresses';
import {
  changed,
  checkForm,
  defaultAccount,
  defaultSignature,
  emptyForm,
  focusFor,
  formForNew,
  formFromDraft,
  signaturesOf,
  toSendInput,
} from './compose';

const draft = (patch: Partial<Draft> = {}): Draft => ({
  accountId: 2,
  to: [{ name: 'Bob', email: 'bob@example.test' }],
  cc: [],
  subject: 'Re: Newsletter',
  text: 'On Sun, Bob wrote:\n> Bonjour\n',
  quotedHtml: '',
  inReplyTo: '<a@b>',
  references: ['<a@b>'],
  ...patch,
});

describe('the composer’s form', () => {
  it('a plain-text original: its quote is in the text, under the cursor', () => {
    const f = formFromDraft(draft(), [{ id: 2 }]);
    expect(f.body).toBe('\n\nOn Sun, Bob wrote:\n> Bonjour\n');
    expect(f.quotedHtml).toBe('');
    expect(f.to).toEqual([{ name: 'Bob', email: 'bob@example.test', valid: true }]);
    expect(f).toMatchObject({ accountId: 2, subject: 'Re: Newsletter', inReplyTo: '<a@b>', references: ['<a@b>'] });
  });

  it('an HTML original: the text is the user’s alone, the quote goes below (sent once, as HTML)', () => {
    const f = formFromDraft(draft({ quotedHtml: '<blockquote>Bonjour</blockquote>' }), [{ id: 2 }]);
    expect(f.body).toBe('');
    expect(toSendInput({ ...f, body: 'Merci' })).toMatchObject({
      text: 'Merci',
      quotedHtml: '<blockquote>Bonjour</blockquote>',
      quotedText: 'On Sun, Bob wrote:\n> Bonjour\n', // the text part carries the quote too
    });
    expect(toSendInput({ ...formFromDraft(draft(), [{ id: 2 }]) }).quotedText).toBe(''); // a text original: in the body
  });

  it('an address the draft repeats is there once', () => {
    const f = formFromDraft(draft({ to: [{ name: 'Bob', email: 'bob@example.test' }, { name: '', email: 'BOB@example.test' }] }), [{ id: 2 }]);
    expect(f.to.map((e) => e.email)).toEqual(['bob@example.test']);
  });

  it('sends from the draft’s account when the user may, else from the first they may', () => {
    expect(formFromDraft(draft(), [{ id: 5 }, { id: 6 }]).accountId).toBe(5);
    expect(formFromDraft(draft(), [{ id: 6 }, { id: 2 }]).accountId).toBe(2);
  });

  it('refuses to send without a recipient, or with something that is not an address', () => {
    expect(checkForm(emptyForm(1))).toEqual({ field: 'to', kind: 'none', bad: [] });
    const f = { ...emptyForm(1), to: [toEntry({ name: '', email: 'ann@x.fr' })], cc: [toEntry({ name: '', email: 'nope' })] };
    expect(checkForm(f)).toEqual({ field: 'cc', kind: 'invalid', bad: ['nope'] });
    expect(checkForm({ ...f, cc: [] })).toBeNull();
    expect(checkForm({ ...emptyForm(1), bcc: [toEntry({ name: '', email: 'ann@x.fr' })] })).toBeNull();
  });

  it('closing asks first only when the user changed something', () => {
    const start = formFromDraft(draft(), [{ id: 2 }]);
    expect(changed(structuredClone(start), start)).toBe(false);
    expect(changed({ ...start, body: `Merci${start.body}` }, start)).toBe(true);
    expect(changed({ ...start, subject: 'Autre' }, start)).toBe(true);
    expect(changed({ ...start, to: [] }, start)).toBe(true);
    expect(changed(start, start, 'carol@')).toBe(true);
    expect(changed({ ...start, body: `${start.body}  ` }, start)).toBe(false);
  });

  it('the cursor starts in the text for a reply, in To for a forward', () => {
    expect(focusFor('reply')).toBe('body');
    expect(focusFor('reply_all')).toBe('body');
    expect(focusFor('forward')).toBe('to');
  });

  it('the addresses sent are trimmed', () => {
    const f = { ...emptyForm(1), to: [{ name: 'Ann', email: ' ann@x.fr ', valid: true }] };
    expect(toSendInput(f).to).toEqual([{ name: 'Ann', email: 'ann@x.fr' }]);
  });
});

describe('the default account and signature', () => {
  const sig = (id: number, name: string) => ({ id, name, document: `<p>${name}</p>` });
  const setup = [
    { accountId: 1, default: false, signatureId: 11, signatures: [sig(11, 'Direction'), sig(12, 'Courte')] },
    { accountId: 2, default: true, signatureId: 21, signatures: [sig(21, 'Compta')] },
    { accountId: 3, default: false, signatureId: 0, signatures: [sig(31, 'Ventes')] },
  ];

  it('a new message starts from the user’s default account with their default signature there', () => {
    const f = formForNew({ to: [{ name: 'Élise', email: 'elise@client.test' }], subject: 'Devis' }, setup, [{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(f.accountId).toBe(2);
    expect(f.signatureId).toBe(21);
    expect(f.to.map((e) => e.email)).toEqual(['elise@client.test']);
    expect(f.subject).toBe('Devis');
    expect(f.body).toBe('');
    expect(toSendInput(f).signatureId).toBe(21);
  });

  it('without a usable default account, the first usable one; without a default signature, none', () => {
    expect(defaultAccount(setup, [{ id: 3 }, { id: 1 }])).toBe(3);
    expect(defaultAccount([], [])).toBe(0);
    const f = formForNew({}, setup, [{ id: 3 }]);
    expect([f.accountId, f.signatureId]).toEqual([3, 0]);
  });

  it('each account has its own signatures and the user’s default there', () => {
    expect(signaturesOf(setup, 1).map((s) => s.name)).toEqual(['Direction', 'Courte']);
    expect(defaultSignature(setup, 1)).toBe(11);
    expect(defaultSignature(setup, 2)).toBe(21);
    expect(defaultSignature(setup, 9)).toBe(0);
    // A default that is no longer one of the account's signatures is none.
    expect(defaultSignature([{ accountId: 1, default: false, signatureId: 99, signatures: [sig(11, 'x')] }], 1)).toBe(0);
  });
});
