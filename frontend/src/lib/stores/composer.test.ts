import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return { ...actual, mailApi: { draft: vi.fn(), send: vi.fn(), composeSetup: vi.fn() } };
});

import { ApiError, mailApi, type Draft } from '$lib/api';
import { composer, composeTo } from './composer';
import { toasts } from './toasts';

const draft: Draft = {
  accountId: 3,
  to: [{ name: 'Bob', email: 'bob@example.test' }],
  cc: [],
  subject: 'Re: Devis',
  text: 'Bob wrote:\n> ok\n',
  quotedHtml: '',
  inReplyTo: '<a@b>',
  references: ['<a@b>'],
};

beforeEach(() => {
  vi.resetAllMocks();
  composer.reset();
});

describe('the composer', () => {
  it('prepares a reply from the backend’s draft', async () => {
    vi.mocked(mailApi.draft).mockResolvedValue(draft);
    const p = composer.start(9, 'reply', [{ id: 3 }]);
    expect(get(composer).status).toBe('loading');
    await p;
    expect(mailApi.draft).toHaveBeenCalledWith(9, 'reply');
    expect(get(composer)).toMatchObject({ status: 'editing', mode: 'reply', sourceId: 9, start: { subject: 'Re: Devis', accountId: 3 } });
  });

  it('says when the draft cannot be prepared', async () => {
    vi.mocked(mailApi.draft).mockRejectedValue(new ApiError('not_found', 'gone'));
    await composer.start(9, 'forward', [{ id: 3 }]);
    expect(get(composer)).toMatchObject({ status: 'unavailable', error: { code: 'not_found' } });
  });

  it('a queued message closes the composer and says so, with a way to the Outbox', async () => {
    toasts.reset();
    vi.mocked(mailApi.draft).mockResolvedValue(draft);
    await composer.start(9, 'reply', [{ id: 3 }]);
    vi.mocked(mailApi.send).mockResolvedValue({ outboxId: 12, messageId: 'm@x' });
    const form = { ...get(composer).start, body: 'Merci' };
    expect(await composer.send(form)).toBe(true);
    expect(get(composer).status).toBe('closed');
    expect(get(toasts)).toMatchObject([
      { kind: 'info', message: { key: 'mail.compose.queued' }, action: { label: { key: 'mail.compose.openOutbox' }, screen: 'outbox' } },
    ]);
    expect(vi.mocked(mailApi.send).mock.calls[0][0]).toMatchObject({ accountId: 3, text: 'Merci', inReplyTo: '<a@b>' });
    expect(composer.wouldLose(form)).toBe(false);
    toasts.reset();
  });

  it('a refused send keeps the form editable, with the server’s words', async () => {
    vi.mocked(mailApi.draft).mockResolvedValue(draft);
    await composer.start(9, 'reply', [{ id: 3 }]);
    vi.mocked(mailApi.send).mockRejectedValue(new ApiError('provider_rejected', { reason: 'smtp_message_refused', detail: '554 5.7.1 Relay access denied' }));
    const form = { ...get(composer).start, body: 'Merci' };
    expect(await composer.send(form)).toBe(false);
    expect(get(composer)).toMatchObject({ status: 'editing', error: { code: 'provider_rejected', reason: 'smtp_message_refused', detail: '554 5.7.1 Relay access denied' } });
    expect(composer.wouldLose(form)).toBe(true);
    expect(composer.wouldLose(get(composer).start)).toBe(false);
  });

  it('a draft that arrives after the composer was closed is dropped', async () => {
    let resolve: (d: Draft) => void = () => {};
    vi.mocked(mailApi.draft).mockImplementation(() => new Promise((r) => (resolve = r)));
    const p = composer.start(9, 'reply', [{ id: 3 }]);
    composer.close();
    resolve(draft);
    await p;
    expect(get(composer).status).toBe('closed');
  });
});

describe('signatures and the default account', () => {
  const sig = (id: number, name: string) => ({ id, name, document: `<p>${name}</p>` });
  const setup = [
    { accountId: 3, default: false, signatureId: 31, signatures: [sig(31, 'Contact')] },
    { accountId: 5, default: true, signatureId: 52, signatures: [sig(51, 'Courte'), sig(52, 'Compta')] },
  ];

  it('composeTo starts a new message to a record from the default account, with its default signature', async () => {
    vi.mocked(mailApi.composeSetup).mockResolvedValue(setup);
    const p = composeTo([{ name: 'Élise Morel', email: 'elise@client.test' }], { subject: 'Votre commande' });
    expect(get(composer)).toMatchObject({ status: 'loading', mode: 'new' });
    await p;
    expect(get(composer)).toMatchObject({
      status: 'editing',
      mode: 'new',
      setup,
      start: { accountId: 5, signatureId: 52, subject: 'Votre commande', to: [{ email: 'elise@client.test' }] },
    });
    vi.mocked(mailApi.send).mockResolvedValue({ outboxId: 1, messageId: 'm@x' });
    await composer.send({ ...get(composer).start, body: 'Bonjour' });
    expect(vi.mocked(mailApi.send).mock.calls[0][0]).toMatchObject({ accountId: 5, signatureId: 52, text: 'Bonjour' });
  });

  it('a reply starts from the account the message came to, with the user’s default signature there', async () => {
    vi.mocked(mailApi.composeSetup).mockResolvedValue(setup);
    vi.mocked(mailApi.draft).mockResolvedValue(draft);
    await composer.start(9, 'reply', [{ id: 3 }, { id: 5 }]);
    expect(get(composer).start).toMatchObject({ accountId: 3, signatureId: 31 });
  });

  it('a reply to an account the user may not send from starts from their default account', async () => {
    vi.mocked(mailApi.composeSetup).mockResolvedValue(setup);
    vi.mocked(mailApi.draft).mockResolvedValue({ ...draft, accountId: 8 });
    await composer.start(9, 'reply', [{ id: 3 }, { id: 5 }]);
    expect(get(composer).start).toMatchObject({ accountId: 5, signatureId: 52 });
  });

  it('without the setup (a failure), the composer still opens, without a signature', async () => {
    vi.mocked(mailApi.composeSetup).mockRejectedValue(new ApiError('internal', 'internal'));
    await composer.compose({}, [{ id: 3 }]);
    expect(get(composer)).toMatchObject({ status: 'editing', setup: [], start: { accountId: 3, signatureId: 0 } });
  });
});
