// Filing (F10): which records each message belongs to. "To file" by correspondent, a
// message's records and suggestions, a record's timeline, the ignored addresses and, for
// admins, the filed types and the free-mail exceptions. The only place that calls the
// Filing bindings; every result is mapped to the UI's types.
import * as Filing from '../../../wailsjs/go/api/Filing';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import {
  FILING_OPS,
  FILING_PROGRESS_KINDS,
  LINK_ORIGINS,
  SHARING_STATES,
  type FilingOp,
  type FilingProgressKind,
  type FolderRole,
  type LinkOrigin,
  type SharingState,
} from './generated/enums';
import { FILING_CHANGED_EVENT, type FilingEventDTO } from './generated/events';
import { toMailRow } from './mail';
import type { Model, Wire } from './model';
import { isFolderRole, type MailRow } from './types';

export { FILING_CHANGED_EVENT, FILING_OPS, FILING_PROGRESS_KINDS, LINK_ORIGINS, SHARING_STATES, type FilingOp, type FilingProgressKind, type LinkOrigin, type SharingState };

/** A correspondent of "To file": an external address and its messages, newest first. */
export type Correspondent = Model<api.CorrespondentDTO, { messages: MailRow[] }>;
export type ToFilePage = Model<api.ToFilePageDTO, { groups: Correspondent[] }>;
/** A record a message is filed to, and how (by the rules, or by hand). */
export type FiledLink = Model<api.FiledLinkDTO, { origin: LinkOrigin }>;
export type Suggestion = Model<api.SuggestionDTO>;
export type MessageRecords = Model<api.MessageRecordsDTO, { links: FiledLink[]; suggestions: Suggestion[] }>;
export type TimelineMessage = Model<api.TimelineMessageDTO, { row: MailRow; origin: LinkOrigin }>;
export type Thread = Model<api.ThreadDTO, { messages: TimelineMessage[] }>;
export type TimelinePage = Model<api.TimelinePageDTO, { threads: Thread[] }>;
export type Ignored = Model<api.IgnoredDTO>;
/** A type of your own filed through its contacts and companies; openFieldId 0: every
 * record is open. */
export type FiledType = Model<api.FiledTypeDTO, { openOp: FilingOp | '' }>;
export type DomainException = Model<api.DomainExceptionDTO>;
/** A re-file: of all mail (kind all: Settings, with Stop) or of the past mail of changed
 * records (kind records: the app's progress line). */
export type RefileProgress = Model<api.RefileProgressDTO, { kind: FilingProgressKind }>;
export type FilingSettings = Model<api.FilingSettingsDTO, { types: FiledType[]; domains: DomainException[]; progress: RefileProgress }>;
/** Whether a synced folder shares "filed" and "handled" with the mailbox's other
 * workstations (IMAP keywords on the server), keeps them here only, or is not synced yet. */
export type FolderSharing = Model<api.FolderSharingDTO, { state: SharingState; role: FolderRole | '' }>;
export interface FilingEvent {
  toFile: number;
  progress: RefileProgress | null;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
function list<W, T>(v: readonly W[] | null | undefined, fn: (x: W) => T): T[] {
  return Array.isArray(v) ? v.map(fn) : [];
}
/** An origin this version does not know reads as automatic (the backend decides anyway). */
function origin(v: unknown): LinkOrigin {
  return (LINK_ORIGINS as readonly unknown[]).includes(v) ? (v as LinkOrigin) : 'auto';
}

export function toCorrespondent(c: Wire<api.CorrespondentDTO>): Correspondent {
  return {
    email: text(c.email),
    name: text(c.name),
    domain: text(c.domain),
    freemail: c.freemail === true,
    count: num(c.count),
    latest: text(c.latest),
    messages: list(c.messages, toMailRow),
  };
}

export function toToFilePage(p: Wire<api.ToFilePageDTO> | null | undefined): ToFilePage {
  return { groups: list(p?.groups, toCorrespondent), total: num(p?.total) };
}

export function toMessageRecords(m: Wire<api.MessageRecordsDTO> | null | undefined): MessageRecords {
  return {
    links: list(m?.links, (l) => ({ recordId: num(l.recordId), typeId: num(l.typeId), title: text(l.title), origin: origin(l.origin) })),
    suggestions: list(m?.suggestions, (s) => ({ recordId: num(s.recordId), typeId: num(s.typeId), title: text(s.title), score: num(s.score) })),
  };
}

export function toTimelinePage(p: Wire<api.TimelinePageDTO> | null | undefined): TimelinePage {
  return {
    total: num(p?.total),
    threads: list(p?.threads, (t) => ({
      latest: text(t.latest),
      messages: list(t.messages, (m) => ({ row: toMailRow(m.row ?? {}), origin: origin(m.origin) })),
    })),
  };
}

/** A progress of no kind this version knows reads as the re-file of all mail (Settings'). */
function toProgress(p: Wire<api.RefileProgressDTO> | null | undefined): RefileProgress {
  const kind = (FILING_PROGRESS_KINDS as readonly unknown[]).includes(p?.kind) ? (p?.kind as FilingProgressKind) : 'all';
  return {
    kind,
    running: p?.running === true,
    done: num(p?.done),
    total: num(p?.total),
    records: num(p?.records),
    cancelled: p?.cancelled === true,
  };
}

function toFiledType(t: Wire<api.FiledTypeDTO>): FiledType {
  const op = (FILING_OPS as readonly unknown[]).includes(t.openOp) ? (t.openOp as FilingOp) : '';
  return { typeId: num(t.typeId), openFieldId: num(t.openFieldId), openOp: op, openValue: text(t.openValue), keyFieldId: num(t.keyFieldId) };
}

export function toFilingSettings(s: Wire<api.FilingSettingsDTO> | null | undefined): FilingSettings {
  return {
    types: list(s?.types, toFiledType),
    domains: list(s?.domains, (d) => ({ domain: text(d.domain), free: d.free === true, listed: d.listed === true })),
    progress: toProgress(s?.progress),
  };
}

/** A state this version does not know reads as unknown. */
export function toFolderSharing(f: Wire<api.FolderSharingDTO>): FolderSharing {
  const state = (SHARING_STATES as readonly unknown[]).includes(f.state) ? (f.state as SharingState) : 'unknown';
  return { accountId: num(f.accountId), folderId: num(f.folderId), name: text(f.name), role: isFolderRole(f.role) ? f.role : '', state };
}

/** An account's sharing, in one word: every folder known shares (shared), none does
 * (local), some do and some don't (mixed), or nothing is known yet (unknown). */
export type AccountSharing = SharingState | 'mixed';

export function accountSharing(folders: readonly FolderSharing[], accountId: number): { state: AccountSharing; local: FolderSharing[] } {
  const mine = folders.filter((f) => f.accountId === accountId);
  const local = mine.filter((f) => f.state === 'local');
  const shared = mine.some((f) => f.state === 'shared');
  const state: AccountSharing = local.length && shared ? 'mixed' : local.length ? 'local' : shared ? 'shared' : 'unknown';
  return { state, local };
}

export const TIMELINE_PAGE_SIZE = 50;
export const TO_FILE_PAGE_SIZE = 50;

export const filingApi = {
  count: (): Promise<number> => call(async () => num(await Filing.Count())),
  toFile: (offset = 0, limit = TO_FILE_PAGE_SIZE): Promise<ToFilePage> => call(async () => toToFilePage(await Filing.ToFile(offset, limit))),
  messageRecords: (messageId: number): Promise<MessageRecords> => call(async () => toMessageRecords(await Filing.MessageRecords(messageId))),
  fileTo: (messageIds: number[], recordId: number): Promise<void> => call(() => Filing.FileTo([...messageIds], recordId)),
  unfile: (messageId: number, recordId: number): Promise<void> => call(() => Filing.Unfile(messageId, recordId)),
  timeline: (recordId: number, offset = 0, limit = TIMELINE_PAGE_SIZE): Promise<TimelinePage> =>
    call(async () => toTimelinePage(await Filing.Timeline(recordId, offset, limit))),
  /** ignore sets an address or a domain aside; it resolves to the normalised value, for unignore. */
  ignore: (value: string): Promise<string> => call(async () => text(await Filing.Ignore(value))),
  unignore: (value: string): Promise<void> => call(() => Filing.Unignore(value)),
  ignored: (): Promise<Ignored[]> =>
    call(async () => list(await Filing.Ignored(), (x) => ({ value: text(x.value), kind: text(x.kind), at: text(x.at) }))),
  settings: (): Promise<FilingSettings> => call(async () => toFilingSettings(await Filing.Settings())),
  setFiledType: (t: FiledType, on: boolean): Promise<void> => call(() => Filing.SetFiledType(api.FiledTypeDTO.createFrom({ ...t }), on)),
  /** setDomainException treats a domain as free-mail (free) or as a company's; it resolves
   * to the normalised domain. */
  setDomainException: (domain: string, free: boolean): Promise<string> => call(async () => text(await Filing.SetDomainException(domain, free))),
  removeDomainException: (domain: string): Promise<void> => call(() => Filing.RemoveDomainException(domain)),
  refile: (): Promise<void> => call(() => Filing.Refile()),
  /** sharing lists the synced folders of the caller's accounts with their sharing state. */
  sharing: (): Promise<FolderSharing[]> => call(async () => list(await Filing.Sharing(), toFolderSharing)),
  /** setHandled marks messages handled (or not): here at once, on the server for colleagues
   * where the folder takes Mailroom's keywords. */
  setHandled: (messageIds: number[], handled: boolean): Promise<void> => call(() => Filing.SetHandled([...messageIds], handled)),
  cancelRefile: (): Promise<void> => call(() => Filing.CancelRefile()),
};

export const filingEventsApi = {
  /** onChanged calls fn when the "To file" count or a re-file's progress changes; it
   * returns the function that stops listening (nothing without the runtime). */
  onChanged(fn: (e: FilingEvent) => void): () => void {
    try {
      const off = EventsOn(FILING_CHANGED_EVENT, (data: Wire<FilingEventDTO> | null) =>
        fn({ toFile: num(data?.toFile), progress: data?.progress ? toProgress(data.progress) : null }),
      );
      return typeof off === 'function' ? off : () => {};
    } catch {
      return () => {};
    }
  },
};
