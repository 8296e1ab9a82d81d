import { describe, expect, it } from 'vitest';
import type { Account, Folder } from '$lib/api';
import { testAccount } from '$lib/accounts/fixtures';
import { ALL_INBOXES, folderChoice, folderGroups, readable, sameChoice, shortName, toQuery, unreadIn } from './folders';

function folder(id: number, accountId: number, name: string, role: Folder['role'], unread = 0, enabled = true): Folder {
  return { id, accountId, name, role, enabled, total: 10, unread, lastSync: '' };
}

const acc = (id: number, name: string, patch: Partial<Account> = {}): Account => ({
  ...testAccount,
  id,
  name,
  email: `${name}@x.fr`,
  sender: { kind: 'smtp', domain: '', region: 'us', stream: '' },
  sendOnly: false,
  auth: 'password',
  oauthProvider: null,
  signInExpiresAt: null,
  needsSignIn: false,
  status: 'ok',
  statusCode: null,
  lastCheck: null,
  disabled: false,
  createdAt: '2026-11-01T00:00:00Z',
  users: [1],
  ...patch,
});

describe('the folder column', () => {
  it('shows the accounts the user reads: granted to them and enabled', () => {
    const list = [acc(1, 'contact'), acc(2, 'factures', { users: [2] }), acc(3, 'old', { disabled: true })];
    expect(readable(list, 1).map((a) => a.id)).toEqual([1]);
    expect(readable(list, null)).toEqual([]);
  });

  it('lists Inbox, Sent, the special folders, then the others by name; unsynced ones are left out', () => {
    const folders = [
      folder(5, 1, 'Projets', ''),
      folder(4, 1, 'Trash', 'trash'),
      folder(3, 1, 'Sent', 'sent'),
      folder(2, 1, 'INBOX', 'inbox'),
      folder(6, 1, 'Archives', ''),
      folder(7, 1, 'Junk', 'junk', 0, false),
      folder(8, 2, 'INBOX', 'inbox'),
    ];
    const groups = folderGroups([acc(1, 'contact'), acc(9, 'new')], folders);
    expect(groups.map((g) => g.account.id)).toEqual([1, 9]);
    expect(groups[0].folders.map((f) => f.id)).toEqual([2, 3, 4, 6, 5]);
    expect(groups[1].folders).toEqual([]);
  });

  it('All inboxes counts the unread of every inbox', () => {
    const folders = [folder(1, 1, 'INBOX', 'inbox', 3), folder(2, 2, 'INBOX', 'inbox', 4), folder(3, 1, 'Sent', 'sent', 9)];
    expect(unreadIn(folders, 'inbox')).toBe(7);
  });

  it('a choice becomes the list’s query, with the filters', () => {
    expect(toQuery(ALL_INBOXES, { unread: true, flagged: false, search: '  zéphyr ' })).toEqual({
      accountId: 0,
      folderRole: 'inbox',
      folderId: 0,
      unread: true,
      flagged: false,
      search: 'zéphyr',
    });
    const f = folderChoice(folder(3, 2, 'Sent', 'sent'));
    expect(f).toEqual({ accountId: 2, folderRole: '', folderId: 3 });
    expect(sameChoice(f, { ...f })).toBe(true);
    expect(sameChoice(f, ALL_INBOXES)).toBe(false);
  });

  it('names a nested folder by its last part', () => {
    expect(shortName('Projets/2026')).toBe('2026');
    expect(shortName('INBOX.Clients')).toBe('Clients');
    expect(shortName('Archives')).toBe('Archives');
  });
});
