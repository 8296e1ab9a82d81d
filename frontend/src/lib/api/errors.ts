// Every failure of a backend call reaches the UI as an ApiError: a stable code and reason
// (generated from backend/fault into ./generated/faults.ts), the reason's named params,
// whether retrying may help (class), the form field it concerns, and a server's own words
// (detail) to show verbatim beside the translation. The backend's English text is never
// sent: the UI words every reason itself (src/lib/i18n/reasons/).
import { ERROR_CLASSES, ERROR_CODES, REASONS, type ErrorClass, type ErrorCode, type Reason } from './generated/faults';

export { ERROR_CLASSES, ERROR_CODES, REASONS, type ErrorClass, type ErrorCode, type Reason };

export type ErrorParams = Record<string, string | number>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REASONS, value);
}

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'string' && (ERROR_CLASSES as readonly string[]).includes(value);
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  /** The reason the UI words; a reason this version does not know reads as its code's. */
  readonly reason: string;
  readonly params: ErrorParams;
  readonly class: ErrorClass;
  readonly field?: string;
  /** A server's own words (an SMTP reply, a provider's JSON), shown verbatim. */
  readonly detail?: string;

  /** init is the reason and its params…, or (in tests and for local failures) a text for
   * the console only; field is the form field, for the second form. */
  constructor(
    code: ErrorCode,
    init: string | { reason?: string; params?: ErrorParams; class?: ErrorClass; field?: string; detail?: string; cause?: string } = {},
    field?: string,
  ) {
    if (typeof init === 'string') init = { cause: init, field };
    // The Error's message is for the console and logs only; components never show it.
    super(init.cause ?? init.reason ?? code);
    this.name = 'ApiError';
    this.code = code;
    this.reason = init.reason ?? code;
    this.params = init.params ?? {};
    this.class = init.class ?? 'permanent';
    if (init.field) this.field = init.field;
    if (init.detail) this.detail = init.detail;
  }
}

function params(value: unknown): ErrorParams {
  const out: ErrorParams = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
    else if (v !== null && v !== undefined) out[k] = String(v);
  }
  return out;
}

/**
 * toApiError turns whatever a call rejected with into an ApiError. The backend rejects
 * with {code, reason, params?, class, field?, detail?}; anything else (a string from the
 * runtime, an Error such as a call timeout, a code this version does not know) is an
 * internal error, its text kept for the console only.
 */
export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  if (reason instanceof Error) return new ApiError('internal', { reason: 'internal', cause: reason.message });
  if (typeof reason === 'string') return new ApiError('internal', { reason: 'internal', cause: reason });
  if (reason !== null && typeof reason === 'object') {
    const r = reason as Record<string, unknown>;
    if (!isErrorCode(r.code)) return new ApiError('internal', { reason: 'internal', cause: describe(reason) });
    return new ApiError(r.code, {
      reason: typeof r.reason === 'string' && r.reason !== '' ? r.reason : r.code,
      params: params(r.params),
      class: isErrorClass(r.class) ? r.class : 'permanent',
      field: typeof r.field === 'string' && r.field !== '' ? r.field : undefined,
      detail: typeof r.detail === 'string' && r.detail !== '' ? r.detail : undefined,
    });
  }
  return new ApiError('internal', { reason: 'internal', cause: String(reason) });
}

function describe(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
