import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return { ...actual, mailApi: { draft: vi.fn(), send: vi.fn() } };
});

import { ApiError, mailApi, type Draft } from '$lib/api';
import { composer } from './composer';
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
