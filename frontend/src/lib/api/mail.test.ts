import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../../wailsjs/go/api/Mail', () => ({
  List: vi.fn(),
  Folders: vi.fn(),
  Get: vi.fn(),
  SetFlags: vi.fn(),
  AllowRemoteImages: vi.fn(),
  SaveAttachment: vi.fn(),
  Draft: vi.fn(),
  Send: vi.fn(),
}));
vi.mock('../../../wailsjs/go/api/Sync', () => ({ Status: vi.fn(), Now: vi.fn(), Cancel: vi.fn() }));
vi.mock('../../../wailsjs/runtime/runtime', () => ({ Quit: vi.fn(), EventsOn: vi.fn() }));

import * as Mail from '../../../wailsjs/go/api/Mail';
import * as Sync from '../../../wailsjs/go/api/Sync';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { ApiError } from './errors';
import { MAIL_CHANGED_EVENT, mailApi, mailEventsApi, SYNC_PROGRESS_EVENT, syncApi, toMessageView, toSyncStatus } from './mail';

const rowWire = {
  id: 7,
  accountId: 1,
  folderId: 3,
  folderRole: 'inbox',
  fromName: 'Claire',
  fromEmail: 'claire@example.test',
  toName: 'Camille',
  toEmail: 'camille@atelier.test',
  recipients: 2,
  subject: 'Devis',
  snippet: 'Bonjour',
  date: '2026-11-22T10:00:00Z',
  seen: false,
  flagged: true,
  answered: false,
  hasAttachments: true,
  handled: true,
  sharedFiled: false,
};

beforeEach(() => vi.resetAllMocks());

describe('mail calls', () => {
  it('lists a page with the query, the cursor and the limit, and maps the rows', async () => {
    vi.mocked(Mail.List).mockResolvedValue({ rows: [rowWire], next: '1700:7' } as never);
    const page = await mailApi.list(
      { accountId: 0, folderRole: 'inbox', folderId: 0, unread: true, flagged: false, search: '  zéphyr ' },
      'c1',
      50,
    );
    expect(Mail.List).toHaveBeenCalledWith(
      expect.objectContaining({ accountId: 0, folderRole: 'inbox', unread: true, search: 'zéphyr', cursor: 'c1', limit: 50 }),
    );
    expect(page).toEqual({ rows: [{ ...rowWire, folderRole: 'inbox' }], next: '1700:7' });
  });

  it('reads a missing list as empty and an unknown folder role as none', async () => {
    vi.mocked(Mail.List).mockResolvedValue({ rows: null, next: '' } as never);
    expect(await mailApi.list({ accountId: 0, folderRole: '', folderId: 0, unread: false, flagged: false, search: '' })).toEqual({
      rows: [],
      next: '',
    });
    vi.mocked(Mail.Folders).mockResolvedValue([{ id: 1, accountId: 1, name: 'Projets', role: 'projects', enabled: true, total: 3, unread: 1, lastSync: '' }] as never);
    expect((await mailApi.folders())[0].role).toBe('');
  });

  it('rejects with an ApiError carrying the backend’s code', async () => {
    vi.mocked(Mail.SetFlags).mockRejectedValue({ code: 'forbidden', reason: 'forbidden' });
    await expect(mailApi.setFlags([1], 'seen', true)).rejects.toMatchObject({ code: 'forbidden', reason: 'forbidden' });
    await expect(mailApi.setFlags([1], 'seen', true)).rejects.toBeInstanceOf(ApiError);
  });

  it('queues the composer’s message as the backend takes it', async () => {
    vi.mocked(Mail.Send).mockResolvedValue({ outboxId: 41, messageId: 'm@x', state: 'queued' } as never);
    const r = await mailApi.send({
      accountId: 2,
      to: [{ name: 'Bob', email: 'bob@example.test' }],
      cc: [],
      bcc: [],
      subject: 'Re: x',
      text: 'Merci',
      quotedHtml: '<p>q</p>',
      quotedText: '> q',
      inReplyTo: '<a@b>',
      references: ['<a@b>'],
      signatureId: 3,
    });
    expect(r).toEqual({ outboxId: 41, messageId: 'm@x' });
    expect(vi.mocked(Mail.Send).mock.calls[0][0]).toMatchObject({ accountId: 2, to: [{ name: 'Bob', email: 'bob@example.test' }], quotedHtml: '<p>q</p>', quotedText: '> q', signatureId: 3 });
  });

  it('a cancelled save is an empty path', async () => {
    vi.mocked(Mail.SaveAttachment).mockResolvedValue('' as never);
    expect(await mailApi.saveAttachment(1, '2')).toBe('');
  });
});

describe('the message view', () => {
  const wire = {
    ...rowWire,
    folderName: 'INBOX',
    messageId: '<a@b>',
    from: [{ name: 'Claire', email: 'claire@example.test' }],
    replyTo: null,
    to: null,
    cc: [{ name: '', email: 'x@y.z' }],
    attachments: [{ partPath: '2', filename: 'devis.pdf', contentType: 'application/pdf', size: 1234, inline: false }],
    problems: ['missing_date', ''],
    bodyState: 'done',
    isHtml: true,
    document: '<!doctype html>',
    remoteImages: 2,
    remoteBlocked: true,
    remoteAlways: false,
  };

  it('maps lists, problems and the remote images', () => {
    const v = toMessageView(wire);
    expect(v.to).toEqual([]);
    expect(v.replyTo).toEqual([]);
    expect(v.problems).toEqual(['missing_date']);
    expect(v.attachments[0]).toEqual({ partPath: '2', filename: 'devis.pdf', contentType: 'application/pdf', size: 1234, inline: false });
    expect(v).toMatchObject({ remoteImages: 2, remoteBlocked: true, bodyState: 'done' });
  });

  it('nothing is blocked when there is no remote image; an unknown body state is "not there"', () => {
    const v = toMessageView({ ...wire, remoteImages: 0, remoteBlocked: true, bodyState: 'partial' });
    expect(v.remoteBlocked).toBe(false);
    expect(v.bodyState).toBe('none');
  });

  it('asks for remote images only when told', async () => {
    vi.mocked(Mail.Get).mockResolvedValue(wire as never);
    await mailApi.get(7);
    await mailApi.get(7, true);
    expect(vi.mocked(Mail.Get).mock.calls).toEqual([
      [7, false],
      [7, true],
    ]);
  });
});

describe('sync', () => {
  it('maps a state, and drops a phase this version does not know', async () => {
    expect(toSyncStatus({ accountId: 1, folder: 'INBOX', phase: 'headers', done: 3, total: 10, error: null })).toEqual({
      accountId: 1,
      folder: 'INBOX',
      phase: 'headers',
      done: 3,
      total: 10,
      error: null,
      retryIn: 0,
      cancelled: false,
      seq: 0,
    });
    expect(toSyncStatus({ accountId: 1, folder: '', phase: 'idle', done: 0, total: 0, seq: 41 })?.seq).toBe(41);
    expect(toSyncStatus({ accountId: 1, folder: '', phase: 'thinking', done: 0, total: 0 })).toBeNull();
    vi.mocked(Sync.Status).mockResolvedValue([
      { accountId: 1, folder: '', phase: 'error', done: 0, total: 0, retryIn: 30,
        error: { code: 'network', reason: 'sync_connection_lost', params: { host: 'imap.example.fr' }, detail: '', class: 'temporary' } },
      { accountId: 2, folder: '', phase: '??', done: 0, total: 0 },
    ] as never);
    const got = await syncApi.status();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ accountId: 1, phase: 'error', retryIn: 30, cancelled: false,
      error: { code: 'network', reason: 'sync_connection_lost', params: { host: 'imap.example.fr' }, class: 'temporary' } });
  });

  it('listens to the progress and change events', () => {
    const off = vi.fn();
    const handlers: Record<string, (d: unknown) => void> = {};
    vi.mocked(EventsOn).mockImplementation((name: string, cb: (d: unknown) => void) => {
      handlers[name] = cb;
      return off;
    });
    const progress = vi.fn();
    const changed = vi.fn();
    const stop1 = mailEventsApi.onSyncProgress(progress);
    const stop2 = mailEventsApi.onMailChanged(changed);
    handlers[SYNC_PROGRESS_EVENT]({ accountId: 3, folder: 'INBOX', phase: 'bodies', done: 1, total: 2, code: '', message: '' });
    handlers[SYNC_PROGRESS_EVENT]({ accountId: 3, phase: 'nope' });
    handlers[MAIL_CHANGED_EVENT]({ accountId: 3 });
    expect(progress).toHaveBeenCalledTimes(1);
    expect(progress.mock.calls[0][0]).toMatchObject({ accountId: 3, phase: 'bodies' });
    expect(changed).toHaveBeenCalledWith(3);
    stop1();
    stop2();
    expect(off).toHaveBeenCalledTimes(2);
  });

  it('without the runtime, listening does nothing', () => {
    vi.mocked(EventsOn).mockImplementation(() => {
      throw new TypeError('window.runtime is undefined');
    });
    expect(() => mailEventsApi.onMailChanged(() => {})()).not.toThrow();
  });
});
