// The automations (F13): rules that send a template from records, once per record and
// date, at an hour of the day. The only place that calls the Automations bindings.
import * as Automations from '../../../wailsjs/go/api/Automations';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { toApiError, type ApiError } from './errors';
import {
  AUTOMATION_CONCERNS,
  AUTOMATION_ENTRY_STATES,
  AUTOMATION_TRIGGERS,
  type AutomationConcern,
  type AutomationEntryState,
  type AutomationTrigger,
} from './generated/enums';
import { AUTOMATIONS_CHANGED_EVENT, type AutomationEventDTO } from './generated/events';
import type { Model, Wire } from './model';
import { toFilter, type RecordFilter } from './records';

export {
  AUTOMATION_CONCERNS,
  AUTOMATION_ENTRY_STATES,
  AUTOMATION_TRIGGERS,
  AUTOMATIONS_CHANGED_EVENT,
  type AutomationConcern,
  type AutomationEntryState,
  type AutomationTrigger,
};

/** The value a "changed" trigger waits for: text, a number, a choice's id, or a box checked (true) or not. */
export type TriggerValue = string | number | boolean | null;

export type AutomationInput = Model<api.AutomationInputDTO, { trigger: AutomationTrigger; value: TriggerValue; conditions: RecordFilter[] }>;
export type Automation = Model<
  api.AutomationDTO,
  { trigger: AutomationTrigger; value: TriggerValue; conditions: RecordFilter[]; lastRunAt: string | null; updatedAt: string }
>;
export type AutomationOutcome = Model<api.AutomationOutcomeDTO, { problem: ApiError | null }>;
export type AutomationDryRun = Model<api.AutomationDryRunDTO, { items: AutomationOutcome[] }>;
export type AutomationEntry = Model<api.AutomationEntryDTO, { state: AutomationEntryState; problem: ApiError | null; at: string }>;
export type AutomationRun = Model<api.AutomationRunDTO>;
/** An automation of a record's kind and whether it concerns the record now (see RecordAutomationDTO). */
export type RecordAutomation = Model<
  api.RecordAutomationDTO,
  {
    trigger: AutomationTrigger;
    value: TriggerValue;
    conditions: RecordFilter[];
    lastRunAt: string | null;
    updatedAt: string;
    concern: AutomationConcern;
    sendAt: string | null;
    at: string | null;
    unmet: RecordFilter[];
    problem: ApiError | null;
  }
>;
export type RecordAutomations = Model<api.RecordAutomationsDTO, { automations: RecordAutomation[]; entries: AutomationEntry[] }>;
export type AutomationEvent = AutomationEventDTO;

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function trigger(v: unknown): AutomationTrigger {
  return (AUTOMATION_TRIGGERS as readonly string[]).includes(text(v)) ? (v as AutomationTrigger) : 'date';
}

function state(v: unknown): AutomationEntryState {
  return (AUTOMATION_ENTRY_STATES as readonly string[]).includes(text(v)) ? (v as AutomationEntryState) : 'blocked';
}

function concern(v: unknown): AutomationConcern {
  // A concern this version does not know says nothing it cannot back: "does not apply".
  return (AUTOMATION_CONCERNS as readonly string[]).includes(text(v)) ? (v as AutomationConcern) : 'unmet';
}

function filters(v: unknown): RecordFilter[] {
  return Array.isArray(v) ? v.map(toFilter).filter((f): f is RecordFilter => f !== null) : [];
}

function value(v: unknown): TriggerValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
}

export function toAutomation(w: Wire<api.AutomationDTO> | null | undefined): Automation {
  return {
    id: num(w?.id),
    name: text(w?.name),
    typeId: num(w?.typeId),
    trigger: trigger(w?.trigger),
    fieldKey: text(w?.fieldKey),
    offsetDays: num(w?.offsetDays),
    value: value(w?.value),
    conditions: filters(w?.conditions),
    templateId: num(w?.templateId),
    recipientField: text(w?.recipientField),
    recipientRole: text(w?.recipientRole),
    accountId: num(w?.accountId),
    hour: num(w?.hour),
    timezone: text(w?.timezone) || 'UTC',
    threshold: num(w?.threshold),
    enabled: w?.enabled === true,
    pending: num(w?.pending),
    lastRunAt: text(w?.lastRunAt) || null,
    updatedAt: text(w?.updatedAt),
  };
}

export function toRecordAutomation(w: Wire<api.RecordAutomationDTO> | null | undefined): RecordAutomation {
  return {
    ...toAutomation(w),
    concern: concern(w?.concern),
    triggerValue: text(w?.triggerValue),
    sendAt: text(w?.sendAt) || null,
    at: text(w?.at) || null,
    unmet: filters(w?.unmet),
    problem: w?.problem ? toApiError(w.problem) : null,
  };
}

export function toEntry(w: Wire<api.AutomationEntryDTO> | null | undefined): AutomationEntry {
  return {
    automationId: num(w?.automationId),
    automationName: text(w?.automationName),
    recordId: num(w?.recordId),
    title: text(w?.title),
    value: text(w?.value),
    state: state(w?.state),
    recipient: text(w?.recipient),
    outboxId: num(w?.outboxId),
    outboxState: text(w?.outboxState),
    subject: text(w?.subject),
    problem: w?.problem ? toApiError(w.problem) : null,
    at: text(w?.at),
  };
}

function toOutcome(w: Wire<api.AutomationOutcomeDTO> | null | undefined): AutomationOutcome {
  return {
    recordId: num(w?.recordId),
    title: text(w?.title),
    value: text(w?.value),
    name: text(w?.name),
    email: text(w?.email),
    subject: text(w?.subject),
    pending: w?.pending === true,
    problem: w?.problem ? toApiError(w.problem) : null,
  };
}

function toRun(w: Wire<api.AutomationRunDTO> | null | undefined): AutomationRun {
  return { due: num(w?.due), queued: num(w?.queued), blocked: num(w?.blocked), pending: num(w?.pending) };
}

/** The input of an automation as stored (what the editor starts from). */
export function inputOf(a: Automation): AutomationInput {
  return {
    id: a.id,
    name: a.name,
    typeId: a.typeId,
    trigger: a.trigger,
    fieldKey: a.fieldKey,
    offsetDays: a.offsetDays,
    value: a.value,
    conditions: a.conditions.map((c) => ({ ...c })),
    templateId: a.templateId,
    recipientField: a.recipientField,
    recipientRole: a.recipientRole,
    accountId: a.accountId,
    hour: a.hour,
    timezone: a.timezone,
    threshold: a.threshold,
    enabled: a.enabled,
  };
}

/** The user's time zone, as the system reports it. */
export function localTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export const automationsApi = {
  list: (typeId = 0): Promise<Automation[]> => call(async () => ((await Automations.List(typeId)) ?? []).map(toAutomation)),
  get: (id: number): Promise<Automation> => call(async () => toAutomation(await Automations.Get(id))),
  save: (a: AutomationInput): Promise<Automation> =>
    call(async () => toAutomation(await Automations.Save(api.AutomationInputDTO.createFrom({ ...a, conditions: a.conditions.map((c) => ({ ...c })) })))),
  remove: (id: number): Promise<void> => call(() => Automations.Delete(id)),
  pause: (id: number): Promise<void> => call(() => Automations.Pause(id)),
  resume: (id: number): Promise<void> => call(() => Automations.Resume(id)),
  dryRun: (id: number): Promise<AutomationDryRun> =>
    call(async () => {
      const d = await Automations.DryRun(id);
      return { total: num(d?.total), items: (d?.items ?? []).map(toOutcome) };
    }),
  runNow: (id: number): Promise<AutomationRun> => call(async () => toRun(await Automations.RunNow(id))),
  log: (id: number, offset = 0, limit = 100): Promise<AutomationEntry[]> => call(async () => ((await Automations.Log(id, offset, limit)) ?? []).map(toEntry)),
  pending: (id: number): Promise<AutomationEntry[]> => call(async () => ((await Automations.Pending(id)) ?? []).map(toEntry)),
  /** approve sends the waiting records of recordIds, or all of them when empty. */
  approve: (id: number, recordIds: number[] = []): Promise<AutomationRun> => call(async () => toRun(await Automations.Approve(id, recordIds))),
  /** skip declines the waiting records of recordIds, or all of them when empty. */
  skip: (id: number, recordIds: number[] = []): Promise<number> => call(async () => num(await Automations.Skip(id, recordIds))),
  forRecord: (recordId: number): Promise<RecordAutomations> =>
    call(async () => {
      const r = await Automations.ForRecord(recordId);
      return { automations: (r?.automations ?? []).map(toRecordAutomation), entries: (r?.entries ?? []).map(toEntry) };
    }),
};

export const automationsEventsApi = {
  /** onChanged calls fn with every automations:changed event; it returns the function that
   * stops listening. Without the runtime (tests, a plain browser) it listens to nothing. */
  onChanged(fn: (e: AutomationEvent) => void): () => void {
    try {
      const off = EventsOn(AUTOMATIONS_CHANGED_EVENT, (e: AutomationEventDTO) => fn(e));
      return typeof off === 'function' ? off : () => {};
    } catch {
      return () => {};
    }
  },
};
