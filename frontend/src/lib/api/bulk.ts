// Bulk sends (F12): a template sent to every record of a filtered list, through the
// outbox at the account's daily pace. The only place that calls the Bulk bindings.
import * as Bulk from '../../../wailsjs/go/api/Bulk';
import { api } from '../../../wailsjs/go/models';
import { call } from './client';
import { toDeliverability, type Deliverability } from './deliverability';
import type { Model, Wire } from './model';
import { wireQuery, type RecordQuery } from './records';

/** Why a record cannot get the mail. */
export const BULK_REASONS = ['no_address', 'do_not_email', 'missing_value'] as const;
export type BulkReason = (typeof BULK_REASONS)[number];
export const BULK_STATES = ['running', 'paused', 'cancelled', 'done'] as const;
export type BulkState = (typeof BULK_STATES)[number];

export type BulkRecipient = Model<api.BulkRecipientDTO, { reason: BulkReason | ''; missing: string[] }>;
export type BulkPlan = Model<api.BulkPlanDTO, { sendable: BulkRecipient[]; excluded: BulkRecipient[] }>;
export type BulkPreview = Model<api.BulkPreviewDTO>;
export type BulkProgress = Model<api.BulkProgressDTO, { state: BulkState }>;
export type BulkLimit = Model<api.BulkLimitDTO>;
export interface BulkWarning {
  show: boolean;
  checked: boolean;
  report: Deliverability | null;
  acknowledgedAt: string;
}

/** What a bulk send is asked for: the account, the template and the list as shown. */
export interface BulkInput {
  accountId: number;
  templateId: number;
  list: RecordQuery;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function reason(v: unknown): BulkReason | '' {
  return (BULK_REASONS as readonly unknown[]).includes(v) ? (v as BulkReason) : '';
}

function toRecipient(r: Wire<api.BulkRecipientDTO>): BulkRecipient {
  return {
    recordId: num(r.recordId),
    title: text(r.title),
    email: text(r.email),
    name: text(r.name),
    // An unknown reason still sets the record aside: it reads as a missing value.
    reason: r.reason ? reason(r.reason) || 'missing_value' : '',
    missing: (r.missing ?? []).map(text),
    notBefore: text(r.notBefore),
  };
}

export function toPlan(p: Wire<api.BulkPlanDTO>): BulkPlan {
  return {
    total: num(p.total),
    sendable: (p.sendable ?? []).map(toRecipient),
    excluded: (p.excluded ?? []).map(toRecipient),
    perDay: num(p.perDay),
    usedToday: num(p.usedToday),
    lastSend: text(p.lastSend),
    days: num(p.days),
  };
}

export function toProgress(p: Wire<api.BulkProgressDTO>): BulkProgress {
  const state = (BULK_STATES as readonly unknown[]).includes(p.state) ? (p.state as BulkState) : 'paused';
  return {
    id: num(p.id),
    accountId: num(p.accountId),
    templateId: num(p.templateId),
    typeId: num(p.typeId),
    name: text(p.name),
    state,
    total: num(p.total),
    skipped: num(p.skipped),
    waiting: num(p.waiting),
    queued: num(p.queued),
    sent: num(p.sent),
    failed: num(p.failed),
    cancelled: num(p.cancelled),
    perDay: num(p.perDay),
    lastSend: text(p.lastSend),
    createdAt: text(p.createdAt),
  };
}

function toLimit(l: Wire<api.BulkLimitDTO>): BulkLimit {
  return { perDay: num(l.perDay), default: num(l.default), source: text(l.source), edited: Boolean(l.edited), max: num(l.max) };
}

function toWarning(w: Wire<api.BulkWarningDTO>): BulkWarning {
  return {
    show: Boolean(w.show),
    checked: Boolean(w.checked),
    report: w.report ? toDeliverability(w.report) : null,
    acknowledgedAt: text(w.acknowledgedAt),
  };
}

function wire(i: BulkInput): api.BulkInputDTO {
  return api.BulkInputDTO.createFrom({ accountId: i.accountId, templateId: i.templateId, list: wireQuery(i.list, '', 0) });
}

export const bulkApi = {
  plan: (i: BulkInput): Promise<BulkPlan> => call(async () => toPlan(await Bulk.Plan(wire(i)))),
  preview: (i: BulkInput, recordId: number, to: string): Promise<BulkPreview> =>
    call(async () => {
      const p = await Bulk.Preview(wire(i), recordId, to);
      return { recordId: num(p.recordId), to: text(p.to), subject: text(p.subject), document: text(p.document), text: text(p.text) };
    }),
  start: (i: BulkInput): Promise<number> => call(async () => num(await Bulk.Start(wire(i)))),
  pause: (id: number): Promise<void> => call(() => Bulk.Pause(id)),
  resume: (id: number): Promise<void> => call(() => Bulk.Resume(id)),
  cancel: (id: number): Promise<void> => call(() => Bulk.Cancel(id)),
  progress: (id: number): Promise<BulkProgress> => call(async () => toProgress(await Bulk.Progress(id))),
  jobs: (): Promise<BulkProgress[]> => call(async () => ((await Bulk.Jobs()) ?? []).map(toProgress)),
  limit: (accountId: number): Promise<BulkLimit> => call(async () => toLimit(await Bulk.Limit(accountId))),
  setLimit: (accountId: number, perDay: number): Promise<BulkLimit> => call(async () => toLimit(await Bulk.SetLimit(accountId, perDay))),
  warning: (accountId: number): Promise<BulkWarning> => call(async () => toWarning(await Bulk.DeliverabilityWarning(accountId))),
  acknowledge: (accountId: number): Promise<void> => call(() => Bulk.AcknowledgeWarning(accountId)),
};

/** A received mail asking to unsubscribe, from a contact who still may be written to. */
export type BulkUnsubscribe = Model<api.BulkUnsubscribeDTO>;

export const bulkUnsubscribeApi = {
  /** null when the message does not ask to unsubscribe (or its sender is already set aside). */
  request: (messageId: number): Promise<BulkUnsubscribe | null> =>
    call(async () => {
      const r = await Bulk.UnsubscribeRequest(messageId);
      return r ? { contactId: num(r.contactId), name: text(r.name), email: text(r.email) } : null;
    }),
  stopEmailing: (contactId: number): Promise<void> => call(() => Bulk.StopEmailing(contactId)),
};
