// Code generated from backend/api's events by `go generate ./backend/api`. DO NOT EDIT.
// The events the backend emits (Wails' EventsEmit), and the payloads Wails' models do
// not hold; the others are models' DTOs (StepDTO, SyncStatusDTO) or say so below.
import type { api } from '../../../../wailsjs/go/models';

/** Payload: a StepDTO, each step of every connection test under way. */
export const PROBE_STEP_EVENT = 'probe:step';
/** Payload: the id of an account whose settings or status changed. */
export const ACCOUNT_CHANGED_EVENT = 'account:changed';
/** Payload: a SyncStatusDTO, an account's sync state. */
export const SYNC_PROGRESS_EVENT = 'sync:progress';
/** Payload: {accountId}: an account whose messages were added, removed or changed. */
export const MAIL_CHANGED_EVENT = 'mail:changed';
/** Payload: an OutboxEventDTO. */
export const OUTBOX_CHANGED_EVENT = 'outbox:changed';
/** Payload: a SignInWaitingDTO: the browser was asked to open the provider's page. */
export const SIGN_IN_EVENT = 'oauth:waiting';
/** Payload: a RecordsChangedDTO: records, types or fields changed. */
export const RECORDS_CHANGED_EVENT = 'records:changed';
/** Payload: a FilingEventDTO: the To file count or a re-file's progress (of all mail, or of changed records' mail) changed. */
export const FILING_CHANGED_EVENT = 'filing:changed';
/** Payload: the id of a template saved, deleted or whose attachments changed. */
export const TEMPLATES_CHANGED_EVENT = 'templates:changed';
/** Payload: an AutomationEventDTO: an automation changed, a run progressed, or records wait for approval. */
export const AUTOMATIONS_CHANGED_EVENT = 'automations:changed';
/** Payload: the id of a record type whose send buttons changed. */
export const BUTTONS_CHANGED_EVENT = 'buttons:changed';
/** Payload: an ImportProgressDTO: rows read and the fraction of the file, of a validation or an import. */
export const IMPORT_PROGRESS_EVENT = 'imports:progress';
/** Payload: a BackupProgressDTO: the step a backup or a restore reached. */
export const BACKUP_PROGRESS_EVENT = 'backup:progress';
/** Payload: null: an automatic backup was written or failed. */
export const BACKUPS_CHANGED_EVENT = 'backup:changed';

export interface OutboxEventDTO {
  kind: string;
  accountId: number;
  itemId: number;
  state: string;
  failure: api.FailureDTO | null;
  paused: boolean;
}

export interface SignInWaitingDTO {
  runId: string;
  provider: string;
}

export interface RecordsChangedDTO {
  typeIds: number[];
  recordIds: number[];
}

export interface FilingEventDTO {
  toFile: number;
  progress: api.RefileProgressDTO | null;
}

export interface RefileProgressDTO {
  kind: string;
  running: boolean;
  done: number;
  total: number;
  records: number;
  cancelled: boolean;
}

export interface ImportProgressDTO {
  fileId: string;
  phase: string;
  rows: number;
  fraction: number;
}

export interface BackupProgressDTO {
  op: string;
  phase: string;
  step: number;
  steps: number;
}

export interface AutomationEventDTO {
  kind: string;
  automationId: number;
  done: number;
  total: number;
  queued: number;
  pending: number;
}
