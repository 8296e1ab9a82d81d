// Every failure of a backend call reaches the UI as an ApiError: a stable code that the
// UI translates, the backend's message (English, shown only as a secondary detail) and,
// for form errors, the field it concerns.

/** The codes the backend may return (backend/fault). Keep in step with the catalogues. */
export const ERROR_CODES = [
  'forbidden',
  'not_found',
  'invalid_input',
  'conflict',
  'auth_failed',
  'tls_untrusted',
  'tls_required',
  'network',
  'quota_reached',
  'provider_rejected',
  'vault_unavailable',
  'store_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (field) this.field = field;
  }
}

/**
 * toApiError turns whatever a call rejected with into an ApiError. The backend rejects
 * with {code, message, field?}; anything else (a string from the runtime, an Error such
 * as a call timeout, a code this version does not know) is an internal error whose text
 * is kept as the detail.
 */
export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  if (reason instanceof Error) return new ApiError('internal', reason.message);
  if (typeof reason === 'string') return new ApiError('internal', reason);
  if (reason !== null && typeof reason === 'object') {
    const r = reason as Record<string, unknown>;
    const message = typeof r.message === 'string' ? r.message : '';
    if (!isErrorCode(r.code)) {
      return new ApiError('internal', message || describe(reason));
    }
    const field = typeof r.field === 'string' && r.field !== '' ? r.field : undefined;
    return new ApiError(r.code, message, field);
  }
  return new ApiError('internal', String(reason));
}

function describe(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
