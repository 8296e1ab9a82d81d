import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../../wailsjs/go/api/Buttons', () => ({
  List: vi.fn(),
  Save: vi.fn(),
  Delete: vi.fn(),
  ForRecord: vi.fn(),
  Prepare: vi.fn(),
  Send: vi.fn(async () => ({ outboxId: 9, messageId: 'm@x', state: 'queued' })),
}));
vi.mock('../../../wailsjs/runtime/runtime', () => ({ EventsOn: vi.fn() }));

import * as Buttons from '../../../wailsjs/go/api/Buttons';
import { buttonsApi, toButtonMail, toRecordButtons } from './buttons';

const input = { accountId: 2, to: [{ name: 'Julien', email: 'julien@atelier.test' }], cc: [], bcc: [], subject: 'Relance', text: 'Bonjour Julien,', quotedHtml: '', quotedText: '', inReplyTo: '', references: [], signatureId: 0 };
const ctx = { buttonId: 1, recordId: 42, html: '<p>Bonjour <strong>Julien</strong>,</p>', text: 'Bonjour Julien,' };

describe('buttons api', () => {
  beforeEach(() => vi.mocked(Buttons.Send).mockClear());

  it('sends the template’s HTML while the text is as rendered', async () => {
    expect(await buttonsApi.send(ctx, input)).toEqual({ outboxId: 9, messageId: 'm@x' });
    const sent = vi.mocked(Buttons.Send).mock.calls[0][0];
    expect(sent.html).toBe(ctx.html);
    expect(sent.buttonId).toBe(1);
    expect(sent.recordId).toBe(42);
    expect(sent.mail.to).toEqual([{ name: 'Julien', email: 'julien@atelier.test' }]);
  });

  it('sends the text as written once it was edited', async () => {
    await buttonsApi.send(ctx, { ...input, text: 'Bonjour Julien, un mot de plus.' });
    expect(vi.mocked(Buttons.Send).mock.calls[0][0].html).toBe('');
  });

  it('reads a record’s buttons and sends as Go sends them, nil lists and problems included', () => {
    const r = toRecordButtons({
      buttons: [
        { id: 1, label: 'Envoyer la relance', problem: null },
        { id: 2, label: 'Écrire', problem: { code: 'invalid_input', reason: 'button_no_address', params: { record: 'F-2' }, class: 'permanent', field: '' } },
      ],
      sends: [{ id: 5, buttonId: 1, label: 'Relance envoyée', sentAt: '2026-11-12T09:00:00Z', sentBy: 'Camille', state: 'sent', filed: true }],
    });
    expect(r.buttons[0].problem).toBeNull();
    expect(r.buttons[1].problem?.reason).toBe('button_no_address');
    expect(r.sends[0]).toMatchObject({ label: 'Relance envoyée', sentBy: 'Camille', state: 'sent', filed: true, subject: '' });
    expect(toRecordButtons({ buttons: null, sends: null })).toEqual({ buttons: [], sends: [] });
    expect(toButtonMail({ to: null, attachments: null }).to).toEqual([]);
  });
});
