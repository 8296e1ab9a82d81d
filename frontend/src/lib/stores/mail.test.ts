import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    mailApi: {
      list: vi.fn(),
      folders: vi.fn(),
      get: vi.fn(),
      setFlags: vi.fn(),
      allowRemoteImages: vi.fn(),
      saveAttachment: vi.fn(),
      draft: vi.fn(),
      send: vi.fn(),
    },
    mailEventsApi: { onSyncProgress: vi.fn(() => () => {}), onMailChanged: vi.fn(() => () => {}) },
    syncApi: { status: vi.fn(), now: vi.fn(), cancel: vi.fn() },
  };
});

import { ApiError, mailApi, type Folder, type MailPage, type MailQuery, type MailRow, type MessageView } from '$lib/api';
import { ALL_INBOXES } from '$lib/mail/folders';
import { connectMail, MARK_READ_MS, mailList, onMailChanged, openMessage, saveAttachment, setFlag, toggleFlag } from './mail';
import { mailFolders } from './mailFolders';
import { toasts } from './toasts';

const T0 = Date.parse('2026-11-22T12:00:00Z');

function row(n: number, patch: Partial<MailRow> = {}): MailRow {
  return {
    id: 1000 - n,
    accountId: 1,
    folderId: 5,
    folderRole: 'inbox',
    fromName: `S${n}`,
    fromEmail: `s${n}@x.fr`,
    toName: '',
    toEmail: '',
    recipients: 1,
    subject: `Sujet ${n}`,
    snippet: '',
    date: new Date(T0 - n * 60_000).toISOString(),
    seen: false,
    flagged: false,
    answered: false,
    hasAttachments: false,
    handled: false,
    sharedFiled: false,
    ...patch,
  };
}
const rows = (from: number, to: number, patch: Partial<MailRow> = {}) => Array.from({ length: to - from }, (_, i) => row(from + i, patch));
const names = () => get(mailList).loaded.rows.map((r) => 1000 - r.id);

function view(r: MailRow, patch: Partial<MessageView> = {}): MessageView {
  return {
    ...r,
    folderName: 'INBOX',
    messageId: '<m@x>',
    from: [{ name: r.fromName, email: r.fromEmail }],
    replyTo: [],
    to: [],
    cc: [],
    attachments: [],
    problems: [],
    bodyState: 'done',
    isHtml: false,
    document: '<!doctype html>',
    remoteImages: 0,
    remoteBlocked: false,
    remoteAlways: false,
    ...patch,
  };
}

const inbox: Folder = { id: 5, accountId: 1, name: 'INBOX', role: 'inbox', enabled: true, total: 300, unread: 10, lastSync: '' };

/** serve answers Mail.List from a list of rows, newest first, with numeric cursors. */
function serve(all: () => MailRow[]) {
  vi.mocked(mailApi.list).mockImplementation(async (_q: MailQuery, cursor = '', limit = 100): Promise<MailPage> => {
    const start = cursor ? Number(cursor) + 1 : 0;
    const list = all();
    const page = list.slice(start, start + limit);
    const end = start + page.length;
    return { rows: page, next: end < list.length ? String(end - 1) : '' };
  });
}

beforeEach(() => {
  vi.resetAllMocks();
  mailList.reset();
  openMessage.reset();
  mailFolders.reset();
  toasts.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the list', () => {
  it('loads the first page of All inboxes, then the next pages as asked', async () => {
    serve(() => rows(0, 250));
    await mailList.reload();
    expect(get(mailList)).toMatchObject({ status: 'ready', choice: ALL_INBOXES });
    expect(names()).toHaveLength(100);
    expect(vi.mocked(mailApi.list).mock.calls[0][0]).toMatchObject({ accountId: 0, folderRole: 'inbox', folderId: 0 });
    await mailList.loadMore();
    await mailList.loadMore();
    expect(names()).toEqual([...Array(250).keys()]);
    expect(get(mailList).loaded.next).toBe('');
    await mailList.loadMore();
    expect(mailApi.list).toHaveBeenCalledTimes(3);
  });

  it('a new search starts over from the top; an older answer arriving late is dropped', async () => {
    let resolveOld: (p: MailPage) => void = () => {};
    vi.mocked(mailApi.list).mockImplementationOnce(() => new Promise((r) => (resolveOld = r)));
    const first = mailList.reload();
    vi.mocked(mailApi.list).mockResolvedValueOnce({ rows: [row(7)], next: '' });
    const gen = get(mailList).generation;
    await mailList.show({ filters: { search: 'zéphyr' } });
    resolveOld({ rows: rows(0, 100), next: '99' });
    await first;
    expect(names()).toEqual([7]);
    expect(get(mailList).generation).toBe(gen + 1);
    expect(vi.mocked(mailApi.list).mock.calls[1][0]).toMatchObject({ search: 'zéphyr' });
  });

  it('a failed page stops the automatic loading until the user retries', async () => {
    serve(() => rows(0, 300));
    await mailList.reload();
    vi.mocked(mailApi.list).mockRejectedValueOnce(new ApiError('network', 'reset'));
    await mailList.loadMore();
    expect(get(mailList).moreError?.code).toBe('network');
    await mailList.loadMore();
    expect(mailApi.list).toHaveBeenCalledTimes(2);
    await mailList.loadMore(true);
    expect(names()).toHaveLength(200);
    expect(get(mailList).moreError).toBeNull();
  });

  it('mail:changed brings new mail on top and keeps what is loaded and the selection', async () => {
    let all = rows(0, 300);
    serve(() => all);
    vi.mocked(mailApi.folders).mockResolvedValue([inbox]);
    await mailList.reload();
    await mailList.loadMore();
    mailList.select(row(150).id);
    mailList.setView(140, 160);
    all = [row(-1), ...all.map((r) => (r.id === row(3).id ? { ...r, seen: true } : r))];
    await onMailChanged(1);
    const d = get(mailList);
    expect(names().slice(0, 3)).toEqual([-1, 0, 1]);
    expect(names()).toHaveLength(201);
    expect(new Set(names()).size).toBe(201);
    expect(d.loaded.rows.find((r) => r.id === row(3).id)?.seen).toBe(true);
    expect(d.selected).toBe(row(150).id);
    expect(get(mailFolders).items).toEqual([inbox]);
  });

  it('changes arriving during a refresh make one more refresh, not one each', async () => {
    serve(() => rows(0, 50));
    await mailList.reload();
    vi.mocked(mailApi.list).mockClear();
    await Promise.all([mailList.refresh(), mailList.refresh(), mailList.refresh()]);
    expect(mailApi.list).toHaveBeenCalledTimes(2);
  });
});

describe('flags', () => {
  beforeEach(async () => {
    serve(() => rows(0, 5));
    vi.mocked(mailApi.folders).mockResolvedValue([inbox]);
    await mailList.reload();
    await mailFolders.load();
  });

  it('a flag changes at once, with the unread count, then the backend is told', async () => {
    vi.mocked(mailApi.setFlags).mockResolvedValue(undefined);
    const done = setFlag([row(1).id, row(2).id], 'seen', true);
    expect(get(mailList).loaded.rows.filter((r) => r.seen).map((r) => 1000 - r.id)).toEqual([1, 2]);
    expect(get(mailFolders).items[0].unread).toBe(8);
    expect(await done).toBe(true);
    expect(mailApi.setFlags).toHaveBeenCalledWith([row(1).id, row(2).id], 'seen', true);
  });

  it('a refused change goes back, with a toast that says so', async () => {
    vi.mocked(mailApi.setFlags).mockRejectedValue(new ApiError('network', 'connection reset'));
    expect(await toggleFlag(row(0).id, 'flagged')).toBe(false);
    expect(get(mailList).loaded.rows[0].flagged).toBe(false);
    const t = get(toasts);
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ kind: 'error', message: { key: 'mail.flags.flagFailed' } });
    expect(t[0].error?.message).toBe('connection reset');
  });

  it('a refused "read" restores the unread count', async () => {
    vi.mocked(mailApi.setFlags).mockRejectedValue(new ApiError('internal', 'x'));
    await setFlag([row(0).id], 'seen', true);
    expect(get(mailFolders).items[0].unread).toBe(10);
    expect(get(mailList).loaded.rows[0].seen).toBe(false);
  });

  it('nothing to change asks nothing', async () => {
    await setFlag([row(0).id], 'seen', false);
    expect(mailApi.setFlags).not.toHaveBeenCalled();
  });
});

describe('the open message', () => {
  beforeEach(async () => {
    serve(() => rows(0, 5));
    await mailList.reload();
    vi.mocked(mailApi.setFlags).mockResolvedValue(undefined);
  });

  it('is marked read after a moment, like a mail client', async () => {
    vi.useFakeTimers();
    vi.mocked(mailApi.get).mockResolvedValue(view(row(1)));
    await openMessage.open(row(1).id);
    expect(get(openMessage).view?.id).toBe(row(1).id);
    vi.advanceTimersByTime(MARK_READ_MS - 10);
    expect(mailApi.setFlags).not.toHaveBeenCalled();
    vi.advanceTimersByTime(20);
    expect(mailApi.setFlags).toHaveBeenCalledWith([row(1).id], 'seen', true);
    expect(get(openMessage).view?.seen).toBe(true);
    expect(get(mailList).loaded.rows[1].seen).toBe(true);
  });

  it('moving on before the moment leaves it unread', async () => {
    vi.useFakeTimers();
    vi.mocked(mailApi.get).mockImplementation(async (id: number) => view(row(1000 - id)));
    await openMessage.open(row(1).id);
    await openMessage.open(row(2).id);
    vi.advanceTimersByTime(MARK_READ_MS + 10);
    expect(mailApi.setFlags).toHaveBeenCalledTimes(1);
    expect(mailApi.setFlags).toHaveBeenCalledWith([row(2).id], 'seen', true);
  });

  it('marking it read or unread by hand stops the timer', async () => {
    vi.useFakeTimers();
    vi.mocked(mailApi.get).mockResolvedValue(view(row(1), { seen: true }));
    await openMessage.open(row(1).id);
    vi.mocked(mailApi.get).mockResolvedValue(view(row(3)));
    await openMessage.close();
    await openMessage.open(row(3).id);
    await toggleFlag(row(3).id, 'seen');
    vi.mocked(mailApi.setFlags).mockClear();
    vi.advanceTimersByTime(MARK_READ_MS + 10);
    expect(mailApi.setFlags).not.toHaveBeenCalled();
  });

  it('Show images fetches it again with remote images, for this viewing only', async () => {
    vi.mocked(mailApi.get).mockResolvedValue(view(row(0), { remoteImages: 1, remoteBlocked: true }));
    await openMessage.open(row(0).id);
    vi.mocked(mailApi.get).mockResolvedValue(view(row(0), { remoteImages: 1, remoteBlocked: false }));
    await openMessage.showImages();
    expect(vi.mocked(mailApi.get).mock.calls.at(-1)).toEqual([row(0).id, true]);
    expect(get(openMessage)).toMatchObject({ showRemote: true, view: { remoteBlocked: false } });
    vi.mocked(mailApi.get).mockResolvedValue(view(row(1)));
    await openMessage.open(row(1).id);
    expect(vi.mocked(mailApi.get).mock.calls.at(-1)).toEqual([row(1).id, false]);
  });

  it('Always show from a sender is saved, then the message is read again', async () => {
    vi.mocked(mailApi.get).mockResolvedValue(view(row(0), { remoteImages: 1, remoteBlocked: true }));
    await openMessage.open(row(0).id);
    vi.mocked(mailApi.allowRemoteImages).mockResolvedValue(undefined);
    vi.mocked(mailApi.get).mockResolvedValue(view(row(0), { remoteImages: 1, remoteBlocked: false, remoteAlways: true }));
    await openMessage.alwaysShow('s0@x.fr', true);
    expect(mailApi.allowRemoteImages).toHaveBeenCalledWith('s0@x.fr', true);
    expect(get(openMessage).view?.remoteAlways).toBe(true);
    expect(get(openMessage).busy).toBe(false);
  });

  it('a body that arrives later shows on mail:changed', async () => {
    vi.mocked(mailApi.folders).mockResolvedValue([]);
    vi.mocked(mailApi.get).mockResolvedValue(view(row(0), { bodyState: 'none' }));
    await openMessage.open(row(0).id);
    vi.mocked(mailApi.get).mockResolvedValue(view(row(0), { bodyState: 'done' }));
    await onMailChanged(1);
    expect(get(openMessage).view?.bodyState).toBe('done');
  });

  it('a message that cannot be opened says why', async () => {
    vi.mocked(mailApi.get).mockRejectedValue(new ApiError('not_found', 'gone'));
    await openMessage.open(row(0).id);
    expect(get(openMessage)).toMatchObject({ status: 'failed', error: { code: 'not_found' } });
  });
});

describe('attachments and events', () => {
  it('a saved attachment says where; a cancelled one says nothing', async () => {
    vi.mocked(mailApi.saveAttachment).mockResolvedValueOnce('/home/camille/devis.pdf').mockResolvedValueOnce('');
    expect(await saveAttachment(1, '2')).toBe('/home/camille/devis.pdf');
    expect(await saveAttachment(1, '2')).toBe('');
    expect(get(toasts).map((t) => t.message)).toEqual([{ key: 'mail.attachments.saved', values: { path: '/home/camille/devis.pdf' } }]);
  });

  it('connectMail listens to both events and stops', async () => {
    const { mailEventsApi } = await import('$lib/api');
    const off = vi.fn();
    vi.mocked(mailEventsApi.onSyncProgress).mockReturnValue(off);
    vi.mocked(mailEventsApi.onMailChanged).mockReturnValue(off);
    const stop = connectMail();
    expect(mailEventsApi.onSyncProgress).toHaveBeenCalled();
    expect(mailEventsApi.onMailChanged).toHaveBeenCalled();
    stop();
    expect(off).toHaveBeenCalledTimes(2);
  });
});

describe('changes during the first load', () => {
  it('a change announced while the first page loads refreshes once it is there', async () => {
    let resolve: (p: MailPage) => void = () => {};
    vi.mocked(mailApi.list).mockImplementationOnce(() => new Promise((r) => (resolve = r)));
    vi.mocked(mailApi.folders).mockResolvedValue([]);
    const first = mailList.reload();
    await onMailChanged(1);
    serve(() => [row(-1), ...rows(0, 3)]);
    resolve({ rows: rows(0, 3), next: '' });
    await first;
    await vi.waitFor(() => expect(names()).toEqual([-1, 0, 1, 2]));
  });
});

describe('overlapping reads of the open message', () => {
  it('only the latest read is shown, whatever order the answers come in', async () => {
    serve(() => rows(0, 3));
    await mailList.reload();
    vi.mocked(mailApi.get).mockResolvedValueOnce(view(row(0), { remoteImages: 1, remoteBlocked: true }));
    await openMessage.open(row(0).id);
    let stale: (v: MessageView) => void = () => {};
    vi.mocked(mailApi.get).mockImplementationOnce(() => new Promise((r) => (stale = r)));
    const older = openMessage.reload();
    vi.mocked(mailApi.allowRemoteImages).mockResolvedValue(undefined);
    vi.mocked(mailApi.get).mockResolvedValueOnce(view(row(0), { remoteImages: 1, remoteBlocked: false, remoteAlways: true }));
    await openMessage.alwaysShow('s0@x.fr', true);
    stale(view(row(0), { remoteImages: 1, remoteBlocked: true }));
    await older;
    expect(get(openMessage).view).toMatchObject({ remoteBlocked: false, remoteAlways: true });
  });
});
