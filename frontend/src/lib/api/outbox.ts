// The outbox (the durable send queue): its messages, their counts, the sent log, and the
// user's decisions (retry, cancel, mark as sent). Like client.ts, every call goes through
// `call`; every result is mapped to the UI's types, an unknown state to the safest known one.
import * as Outbox from '../../../wailsjs/go/api/Outbox';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { ApiError, ERROR_CLASSES, isErrorCode, type ErrorClass, type ErrorCode, type ErrorParams } from './errors';
import { COPY_STATES, OUTBOX_STATES, type CopyState, type OutboxState } from './generated/enums';
import { OUTBOX_CHANGED_EVENT, type OutboxEventDTO } from './generated/events';
import type { Model, Wire, Without } from './model';

export { COPY_STATES, OUTBOX_CHANGED_EVENT, OUTBOX_STATES, type CopyState, type OutboxState };

export function isOutboxState(v: unknown): v is OutboxState {
  return typeof v === 'string' && (OUTBOX_STATES as readonly string[]).includes(v);
}

/** The wire form of a failure the backend kept and shows later (backend/api FailureDTO):
 * an outbox message's, an account's sending or Sent copies, an account's sync. */
export type FailureWire = Wire<api.FailureDTO>;

/** toFailure reads a kept failure as an ApiError, worded like any other (errorText,
 * ErrorNotice): its reason and params, the server's own words as its detail; null for none.
 * A failure kept without a reason (or by an older version) reads as its code's text. */
export function toFailure(w: FailureWire | null | undefined): ApiError | null {
  if (!w || (!w.code && !w.reason)) return null;
  const params: ErrorParams = {};
  for (const [k, v] of Object.entries(w.params ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    else if (v !== null && v !== undefined) params[k] = String(v);
  }
  const c = code(w.code) ?? 'internal';
  const cls = (ERROR_CLASSES as readonly string[]).includes(text(w.class)) ? (w.class as ErrorClass) : undefined;
  return new ApiError(c, { reason: text(w.reason) || c, params, detail: text(w.detail) || undefined, class: cls });
}

/** A message of the outbox. to holds every envelope recipient (To, Cc and Bcc); attempts
 * count since it was queued or last retried; nextAttempt (ISO 8601) is "" unless it waits
 * after a temporary failure; error is the last failure (its reason, params, and the
 * server's own words when it refused: "550 5.1.1 …") or null; reply is the server's answer
 * when sent; copyError says why the Sent copy was refused, or null; queuedBy is the user
 * who queued it (0: Mailroom itself). */
export type OutboxItem = Model<
  api.OutboxItemDTO,
  { state: OutboxState; error: ApiError | null; copy: CopyState; copyError: ApiError | null }
>;

export type OutboxPage = Model<api.OutboxPageDTO, { items: OutboxItem[] }>;

export type OutboxCounts = Record<OutboxState, number>;

/** Which messages: states empty is every state, accountId 0 every account the user may
 * use. The page's cursor and size are the call's arguments. */
export type OutboxQuery = Without<Model<api.OutboxQueryDTO, { states: OutboxState[] }>, 'cursor' | 'limit'>;

/** What the outbox:changed event says; the UI re-reads what it shows. Kind account or
 * copies: failure is the trouble (null when it is over) and paused says nothing is tried
 * again until the user acts; kind item: failure says why it failed. */
export type OutboxEvent = Model<
  OutboxEventDTO,
  { kind: 'item' | 'counts' | 'account' | 'copies'; state: OutboxState | null; failure: ApiError | null }
>;

// --- from the wire ------------------------------------------------------------------

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function code(v: unknown): ErrorCode | null {
  if (v === '' || v === null || v === undefined) return null;
  // A code this version does not know is still a failure.
  return isErrorCode(v) ? v : 'internal';
}

export function toOutboxItem(w: Wire<api.OutboxItemDTO> | null | undefined): OutboxItem {
  const copy = text(w?.copy);
  return {
    id: num(w?.id),
    accountId: num(w?.accountId),
    accountName: text(w?.accountName),
    // Unknown: shown as sending, the state in which the user can do nothing rash.
    state: isOutboxState(w?.state) ? w.state : 'sending',
    messageId: text(w?.messageId),
    from: text(w?.from),
    to: Array.isArray(w?.to) ? w.to.map(text).filter(Boolean) : [],
    subject: text(w?.subject),
    size: num(w?.size),
    attempts: num(w?.attempts),
    nextAttempt: text(w?.nextAttempt),
    error: toFailure(w?.error),
    reply: text(w?.reply),
    copy: (COPY_STATES as readonly string[]).includes(copy) ? (copy as CopyState) : 'none',
    copyError: toFailure(w?.copyError),
    createdAt: text(w?.createdAt),
    updatedAt: text(w?.updatedAt),
    sentAt: text(w?.sentAt),
    queuedBy: num(w?.queuedBy),
  };
}

export function toOutboxPage(p: Wire<api.OutboxPageDTO> | null | undefined): OutboxPage {
  return {
    items: Array.isArray(p?.items) ? p.items.map((x) => toOutboxItem(x)) : [],
    next: text(p?.next),
  };
}

export function emptyCounts(): OutboxCounts {
  return { queued: 0, sending: 0, possibly_sent: 0, failed: 0, sent: 0, cancelled: 0 };
}

export function toOutboxCounts(c: Wire<api.OutboxCountsDTO> | null | undefined): OutboxCounts {
  return {
    queued: num(c?.queued),
    sending: num(c?.sending),
    possibly_sent: num(c?.possiblySent),
    failed: num(c?.failed),
    sent: num(c?.sent),
    cancelled: num(c?.cancelled),
  };
}

const EVENT_KINDS = ['item', 'counts', 'account', 'copies'] as const;

export function toOutboxEvent(w: Wire<OutboxEventDTO> | null | undefined): OutboxEvent | null {
  const kind = text(w?.kind);
  if (!(EVENT_KINDS as readonly string[]).includes(kind)) return null;
  return {
    kind: kind as OutboxEvent['kind'],
    accountId: num(w?.accountId),
    itemId: num(w?.itemId),
    state: isOutboxState(w?.state) ? w.state : null,
    failure: toFailure(w?.failure),
    paused: w?.paused === true,
  };
}

/** Rows per page when the caller does not say. */
export const OUTBOX_PAGE_SIZE = 50;

function wireQuery(q: Partial<OutboxQuery>, cursor: string, limit: number): api.OutboxQueryDTO {
  return api.OutboxQueryDTO.createFrom({ states: [...(q.states ?? [])], accountId: q.accountId ?? 0, cursor, limit });
}

// --- the calls ----------------------------------------------------------------------

export const outboxApi = {
  /** list returns a page of the outbox, newest first; pass the previous page's next as cursor. */
  list: (q: Partial<OutboxQuery>, cursor = '', limit = OUTBOX_PAGE_SIZE): Promise<OutboxPage> =>
    call(async () => toOutboxPage(await Outbox.List(wireQuery(q, cursor, limit)))),
  /** sentLog returns the sent messages, the last sent first. */
  sentLog: (accountId = 0, cursor = '', limit = OUTBOX_PAGE_SIZE): Promise<OutboxPage> =>
    call(async () => toOutboxPage(await Outbox.SentLog(wireQuery({ accountId }, cursor, limit)))),
  counts: (): Promise<OutboxCounts> => call(async () => toOutboxCounts(await Outbox.Counts())),
  get: (id: number): Promise<OutboxItem> => call(async () => toOutboxItem(await Outbox.Get(id))),
  retry: (id: number): Promise<void> => call(() => Outbox.Retry(id)),
  cancel: (id: number): Promise<void> => call(() => Outbox.Cancel(id)),
  markSent: (id: number): Promise<void> => call(() => Outbox.MarkSent(id)),
};

export const outboxEventsApi = {
  /** onChanged calls fn with every change of the outbox; it returns the function that
   * stops listening. Without the runtime (tests, a plain browser) it listens to nothing. */
  onChanged(fn: (e: OutboxEvent) => void): () => void {
    try {
      const off = EventsOn(OUTBOX_CHANGED_EVENT, (data: Wire<OutboxEventDTO>) => {
        const e = toOutboxEvent(data);
        if (e) fn(e);
      });
      return typeof off === 'function' ? off : () => {};
    } catch {
      return () => {};
    }
  },
};
