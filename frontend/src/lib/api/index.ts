// src/lib/api is the only importer of the generated Wails bindings (frontend/wailsjs).
export { ApiError, ERROR_CODES, isErrorCode, toApiError, type ErrorCode } from './errors';
export * from './types';
export { appApi, call, isWebAddress, onSessionEnded, SESSION_ENDED_REASONS, sessionApi, systemApi, usersApi } from './client';
export { accountsApi, eventsApi, presetsApi, PROBE_STEP_EVENT } from './accounts';
export { MAIL_CHANGED_EVENT, mailApi, mailEventsApi, PAGE_SIZE, SYNC_PROGRESS_EVENT, syncApi } from './mail';
export {
  COPY_STATES,
  emptyCounts,
  OUTBOX_CHANGED_EVENT,
  OUTBOX_PAGE_SIZE,
  OUTBOX_STATES,
  isOutboxState,
  outboxApi,
  outboxEventsApi,
  toFailure,
  type CopyState,
  type OutboxCounts,
  type OutboxEvent,
  type OutboxItem,
  type OutboxPage,
  type OutboxQuery,
  type FailureWire,
  type OutboxState,
} from './outbox';
export {
  deliverabilityApi,
  toDeliverability,
  toFinding,
  type Deliverability,
  type DnsRecord,
  type Finding,
} from './deliverability';
