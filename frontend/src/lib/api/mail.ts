// Mail (the unified inbox, the message view, flags, attachments, the composer) and the
// sync engine's state and events. Like client.ts, every call goes through `call`, so every
// rejection reaches the UI as an ApiError, and every result is mapped to the UI's types:
// a missing list is empty, an unknown enum value becomes the safest known one.
import * as Mail from '../../../wailsjs/go/api/Mail';
import * as Sync from '../../../wailsjs/go/api/Sync';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { MAIL_CHANGED_EVENT, SYNC_PROGRESS_EVENT } from './generated/events';
import type { Wire } from './model';
import { toFailure, type FailureWire } from './outbox';
import {
  isBodyState,
  isFolderRole,
  isSyncPhase,
  type Address,
  type Attachment,
  type ComposeAccount,
  type Draft,
  type DraftMode,
  type Folder,
  type FolderRole,
  type MailFlag,
  type MailPage,
  type MailQuery,
  type MailRow,
  type MessageView,
  type SendInput,
  type SendResult,
  type SyncStatus,
} from './types';

export { MAIL_CHANGED_EVENT, SYNC_PROGRESS_EVENT };

// --- from the wire ------------------------------------------------------------------

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function role(v: unknown): FolderRole | '' {
  return isFolderRole(v) ? v : '';
}

// A list the backend may leave null; fn reads each element's wire shape.
function list<W, T>(v: readonly W[] | null | undefined, fn: (x: W) => T): T[] {
  return Array.isArray(v) ? v.map((x) => fn(x)) : [];
}

export function toAddress(a: Wire<api.AddressDTO> | null | undefined): Address {
  return { name: text(a?.name), email: text(a?.email) };
}

export function toMailRow(r: Wire<api.MailRowDTO>): MailRow {
  return {
    id: num(r.id),
    accountId: num(r.accountId),
    folderId: num(r.folderId),
    folderRole: role(r.folderRole),
    fromName: text(r.fromName),
    fromEmail: text(r.fromEmail),
    toName: text(r.toName),
    toEmail: text(r.toEmail),
    recipients: num(r.recipients),
    subject: text(r.subject),
    snippet: text(r.snippet),
    date: text(r.date),
    seen: r.seen === true,
    flagged: r.flagged === true,
    answered: r.answered === true,
    hasAttachments: r.hasAttachments === true,
    handled: r.handled === true,
    sharedFiled: r.sharedFiled === true,
  };
}

export function toMailPage(p: Wire<api.MailPageDTO> | null | undefined): MailPage {
  return { rows: list(p?.rows, toMailRow), next: text(p?.next) };
}

export function toFolder(f: Wire<api.FolderDTO>): Folder {
  return {
    id: num(f.id),
    accountId: num(f.accountId),
    name: text(f.name),
    role: role(f.role),
    enabled: f.enabled === true,
    total: num(f.total),
    unread: num(f.unread),
    lastSync: text(f.lastSync),
  };
}

function toAttachment(a: Wire<api.AttachmentDTO>): Attachment {
  return {
    partPath: text(a?.partPath),
    filename: text(a?.filename),
    contentType: text(a?.contentType),
    size: num(a?.size),
    inline: a?.inline === true,
  };
}

export function toMessageView(m: Wire<api.MessageViewDTO>): MessageView {
  const remoteImages = num(m.remoteImages);
  return {
    ...toMailRow(m),
    folderName: text(m.folderName),
    messageId: text(m.messageId),
    from: list(m.from, toAddress),
    replyTo: list(m.replyTo, toAddress),
    to: list(m.to, toAddress),
    cc: list(m.cc, toAddress),
    attachments: list(m.attachments, toAttachment),
    problems: list(m.problems, text).filter(Boolean),
    // A state this version does not know: the body is not there to show.
    bodyState: isBodyState(m.bodyState) ? m.bodyState : 'none',
    isHtml: m.isHtml === true,
    document: text(m.document),
    remoteImages,
    remoteBlocked: m.remoteBlocked === true && remoteImages > 0,
    remoteAlways: m.remoteAlways === true,
  };
}

export function toDraft(d: Wire<api.DraftDTO>): Draft {
  return {
    accountId: num(d.accountId),
    to: list(d.to, toAddress),
    cc: list(d.cc, toAddress),
    subject: text(d.subject),
    text: text(d.text),
    quotedHtml: text(d.quotedHtml),
    inReplyTo: text(d.inReplyTo),
    references: list(d.references, text).filter(Boolean),
  };
}

/** toSyncStatus maps an account's sync state; it returns null for a phase this version
 * does not know. */
export function toSyncStatus(s: Wire<api.SyncStatusDTO> | null | undefined): SyncStatus | null {
  if (!s || !isSyncPhase(s.phase)) return null;
  return {
    accountId: num(s.accountId),
    folder: text(s.folder),
    phase: s.phase,
    done: Math.max(0, num(s.done)),
    total: Math.max(0, num(s.total)),
    error: s.phase === 'error' ? toFailure(s.error) : null,
    retryIn: Math.max(0, num(s.retryIn)),
    cancelled: s.cancelled === true,
    seq: Math.max(0, num(s.seq)),
  };
}

// --- to the wire --------------------------------------------------------------------

/** Rows per page when the caller does not say. */
export const PAGE_SIZE = 100;

export function toWireQuery(q: MailQuery, cursor: string, limit: number): api.MailQueryDTO {
  return api.MailQueryDTO.createFrom({
    accountId: q.accountId,
    folderRole: q.folderRole,
    folderId: q.folderId,
    unread: q.unread,
    flagged: q.flagged,
    search: q.search.trim(),
    cursor,
    limit,
  });
}

const wireAddresses = (as: Address[]) => as.map((a) => ({ name: a.name, email: a.email }));

export function toWireSend(s: SendInput): api.SendInput {
  return api.SendInput.createFrom({
    accountId: s.accountId,
    to: wireAddresses(s.to),
    cc: wireAddresses(s.cc),
    bcc: wireAddresses(s.bcc),
    subject: s.subject,
    text: s.text,
    quotedHtml: s.quotedHtml,
    quotedText: s.quotedText,
    inReplyTo: s.inReplyTo,
    references: [...s.references],
    signatureId: s.signatureId,
  });
}

export function toComposeAccount(a: Wire<api.ComposeAccountDTO>): ComposeAccount {
  return {
    accountId: num(a.accountId),
    default: a.default === true,
    signatureId: num(a.signatureId),
    signatures: list(a.signatures, (x) => ({ id: num(x.id), name: text(x.name), document: text(x.document) })),
  };
}

// --- the calls ----------------------------------------------------------------------

export const mailApi = {
  /** list returns a page of the list; pass the previous page's next as cursor. */
  list: (q: MailQuery, cursor = '', limit = PAGE_SIZE): Promise<MailPage> =>
    call(async () => toMailPage(await Mail.List(toWireQuery(q, cursor, limit)))),
  folders: (): Promise<Folder[]> => call(async () => ((await Mail.Folders()) ?? []).map(toFolder)),
  /** get returns a message ready to show; showRemote shows its remote images this time. */
  get: (id: number, showRemote = false): Promise<MessageView> => call(async () => toMessageView(await Mail.Get(id, showRemote))),
  setFlags: (ids: number[], flag: MailFlag, value: boolean): Promise<void> => call(() => Mail.SetFlags(ids, flag, value)),
  /** allowRemoteImages always shows remote images from a sender, or stops doing so. */
  allowRemoteImages: (email: string, always: boolean): Promise<void> => call(() => Mail.AllowRemoteImages(email, always)),
  /** saveAttachment asks where to save and saves; it resolves to the path, "" when the
   * user cancelled. */
  saveAttachment: (id: number, partPath: string): Promise<string> =>
    call(async () => text(await Mail.SaveAttachment(id, partPath))),
  /** composeSetup: the accounts the user may send from, their default one, and on each
   * their default signature and the account's signatures rendered for them. */
  composeSetup: (): Promise<ComposeAccount[]> => call(async () => ((await Mail.ComposeSetup()) ?? []).map(toComposeAccount)),
  draft: (id: number, mode: DraftMode): Promise<Draft> => call(async () => toDraft(await Mail.Draft(id, mode))),
  send: (input: SendInput): Promise<SendResult> =>
    call(async () => {
      const r = await Mail.Send(toWireSend(input));
      return { outboxId: num(r?.outboxId), messageId: text(r?.messageId) };
    }),
};

export const syncApi = {
  status: (): Promise<SyncStatus[]> =>
    call(async () => ((await Sync.Status()) ?? []).map(toSyncStatus).filter((s): s is SyncStatus => s !== null)),
  now: (accountId: number): Promise<void> => call(() => Sync.Now(accountId)),
  cancel: (accountId: number): Promise<void> => call(() => Sync.Cancel(accountId)),
  /** setFolderSynced turns a folder's sync on (its mail is fetched at once) or off (its
   * local copy is forgotten; the server keeps the mail). */
  setFolderSynced: (folderId: number, synced: boolean): Promise<void> =>
    call(() => Sync.SetFolderSynced(folderId, synced)),
};

/** listen subscribes to a runtime event; without the runtime (tests, a plain browser) it
 * listens to nothing. */
function listen<T>(name: string, fn: (data: T) => void): () => void {
  try {
    const off = EventsOn(name, fn);
    return typeof off === 'function' ? off : () => {};
  } catch {
    return () => {};
  }
}

export const mailEventsApi = {
  /** onSyncProgress calls fn with every account's sync state as it changes; it returns
   * the function that stops listening. */
  onSyncProgress(fn: (status: SyncStatus) => void): () => void {
    return listen<Wire<api.SyncStatusDTO>>(SYNC_PROGRESS_EVENT, (data) => {
      const s = toSyncStatus(data);
      if (s) fn(s);
    });
  },
  /** onMailChanged calls fn with the account whose messages were added, removed or changed. */
  onMailChanged(fn: (accountId: number) => void): () => void {
    return listen<{ accountId?: number } | null>(MAIL_CHANGED_EVENT, (data) => fn(num(data?.accountId)));
  },
};
