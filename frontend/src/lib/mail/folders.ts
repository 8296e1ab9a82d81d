// The folder column: "All inboxes", then each account the user reads with its synced
// folders (Inbox, Sent, the other special ones, then the rest by name), and what the list
// shows for each choice.
import type { Account, Folder, FolderRole, MailQuery } from '$lib/api';

/** What the list shows: a role across accounts (accountId 0), or one account's folder. */
export interface MailboxChoice {
  accountId: number;
  folderRole: FolderRole | '';
  folderId: number;
}

export const ALL_INBOXES: MailboxChoice = { accountId: 0, folderRole: 'inbox', folderId: 0 };

export function folderChoice(f: Folder): MailboxChoice {
  return { accountId: f.accountId, folderRole: '', folderId: f.id };
}

export function sameChoice(a: MailboxChoice, b: MailboxChoice): boolean {
  return a.accountId === b.accountId && a.folderRole === b.folderRole && a.folderId === b.folderId;
}

export interface Filters {
  unread: boolean;
  flagged: boolean;
  search: string;
}

export function toQuery(c: MailboxChoice, f: Filters): MailQuery {
  return { ...c, unread: f.unread, flagged: f.flagged, search: f.search.trim() };
}

/** The order of folders within an account: special ones first, the rest by name. */
const ROLE_ORDER: Record<FolderRole | '', number> = { inbox: 0, sent: 1, drafts: 2, archive: 3, junk: 4, trash: 5, '': 6 };

export function byRoleThenName(a: Folder, b: Folder): number {
  const r = ROLE_ORDER[a.role] - ROLE_ORDER[b.role];
  if (r !== 0) return r;
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id - b.id;
}

export interface AccountFolders {
  account: Pick<Account, 'id' | 'name' | 'email'>;
  /** Its synced folders, in column order. */
  folders: Folder[];
}

/** readable are the accounts whose mail the user sees: granted to them and not disabled
 * (as the backend decides for Mail.List). */
export function readable(accounts: readonly Account[], userId: number | null | undefined): Account[] {
  if (userId == null) return [];
  return accounts.filter((a) => !a.disabled && a.users.includes(userId));
}

/** folderGroups puts each readable account's synced folders under it, in the accounts'
 * order. An account without folders yet (its first sync has not listed them) is there,
 * empty. */
export function folderGroups(accounts: readonly Account[], folders: readonly Folder[]): AccountFolders[] {
  return accounts.map((a) => ({
    account: { id: a.id, name: a.name, email: a.email },
    folders: folders.filter((f) => f.accountId === a.id && f.enabled).sort(byRoleThenName),
  }));
}

/** unreadIn counts the unread messages of the folders with a role, across accounts. */
export function unreadIn(folders: readonly Folder[], role: FolderRole): number {
  return folders.filter((f) => f.enabled && f.role === role).reduce((n, f) => n + f.unread, 0);
}

/** folderNameKey is the catalogue key naming a special folder, or null for a folder
 * named by its own name. */
export function folderNameKey(role: FolderRole | ''): string | null {
  return role ? `mail.folders.${role}` : null;
}

/** shortName is the last part of a folder's path ("Projects/2026" → "2026"). */
export function shortName(name: string): string {
  const parts = name.split(/[/.]/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : name;
}
