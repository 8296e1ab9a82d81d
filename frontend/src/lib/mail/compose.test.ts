import { describe, expect, it } from 'vitest';
import type { Draft } from '$lib/api';
import { toEntry } from './addresses';
import { changed, checkForm, emptyForm, focusFor, formFromDraft, toSendInput } from './compose';

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
