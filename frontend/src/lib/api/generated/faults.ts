// Code generated from backend/fault's definitions by `go generate ./backend/api`. DO NOT EDIT.
// Every error the backend sends has one of these codes and reasons; the catalogues in
// src/lib/i18n/reasons/ word each reason in French and English with these params.

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

export const ERROR_CLASSES = ['permanent', 'temporary', 'possibly_sent'] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface ReasonInfo {
  code: ErrorCode;
  class: ErrorClass;
  params: readonly string[];
}

export const REASONS = {
  account_not_granted: { code: 'not_found', class: 'permanent', params: [] },
  attachment_folder_unwritable: { code: 'invalid_input', class: 'permanent', params: [] },
  attachment_save_incomplete: { code: 'network', class: 'temporary', params: [] },
  attachment_save_unavailable: { code: 'internal', class: 'permanent', params: [] },
  disk_full: { code: 'store_unavailable', class: 'permanent', params: [] },
  draft_mode_unknown: { code: 'invalid_input', class: 'permanent', params: ['mode'] },
  folder_gone: { code: 'not_found', class: 'permanent', params: [] },
  folder_inbox_always_synced: { code: 'invalid_input', class: 'permanent', params: [] },
  forbidden: { code: 'forbidden', class: 'permanent', params: [] },
  internal: { code: 'internal', class: 'permanent', params: [] },
  mail_account_disabled: { code: 'conflict', class: 'permanent', params: ['address'] },
  mail_cursor_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  mail_message_gone: { code: 'not_found', class: 'permanent', params: [] },
  mail_no_recipient: { code: 'invalid_input', class: 'permanent', params: [] },
  mail_too_many_selected: { code: 'invalid_input', class: 'permanent', params: ['count'] },
  outbox_filter_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  outbox_item_unavailable: { code: 'not_found', class: 'permanent', params: [] },
  session_language_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  session_not_set_up: { code: 'forbidden', class: 'permanent', params: [] },
  setup_certificate_not_shown: { code: 'not_found', class: 'permanent', params: ['host'] },
  setup_mailgun_key_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_password_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_postmark_token_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_run_id_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_signin_account_uses_password: { code: 'invalid_input', class: 'permanent', params: ['address'] },
  setup_signin_expired: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_signin_first: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_signin_other_address: { code: 'invalid_input', class: 'permanent', params: ['signedIn', 'address'] },
  setup_signin_over: { code: 'not_found', class: 'permanent', params: [] },
  setup_signin_provider_unknown: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_signin_unavailable: { code: 'internal', class: 'permanent', params: [] },
  setup_test_email_no_recipient: { code: 'invalid_input', class: 'permanent', params: [] },
  setup_test_email_refused: { code: 'provider_rejected', class: 'permanent', params: [] },
  setup_test_email_too_long: { code: 'invalid_input', class: 'permanent', params: [] },
  store_unavailable: { code: 'store_unavailable', class: 'permanent', params: [] },
  user_remove_self: { code: 'conflict', class: 'permanent', params: [] },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;
