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
  account_already_connected: { code: 'conflict', class: 'permanent', params: ['address'] },
  account_auth_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  account_changed_meanwhile: { code: 'conflict', class: 'permanent', params: [] },
  account_email_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  account_gone: { code: 'not_found', class: 'permanent', params: [] },
  account_mailgun_domain_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  account_mailgun_key_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  account_mailgun_region_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  account_name_too_long: { code: 'invalid_input', class: 'permanent', params: ['max'] },
  account_no_mailgun_key: { code: 'auth_failed', class: 'permanent', params: ['address'] },
  account_no_password: { code: 'auth_failed', class: 'permanent', params: ['address'] },
  account_no_postmark_token: { code: 'auth_failed', class: 'permanent', params: ['address'] },
  account_not_api_sender: { code: 'invalid_input', class: 'permanent', params: ['address'] },
  account_not_oauth: { code: 'invalid_input', class: 'permanent', params: ['address'] },
  account_oauth_address_change: { code: 'invalid_input', class: 'permanent', params: ['address'] },
  account_oauth_provider_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  account_oauth_unavailable: { code: 'internal', class: 'permanent', params: [] },
  account_or_user_gone: { code: 'not_found', class: 'permanent', params: [] },
  account_password_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  account_postmark_stream_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  account_postmark_token_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  account_revoke_unconfirmed: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  account_send_only_oauth: { code: 'invalid_input', class: 'permanent', params: [] },
  account_sender_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  account_sign_in_first: { code: 'invalid_input', class: 'permanent', params: ['provider'] },
  account_sign_in_other_address: { code: 'invalid_input', class: 'permanent', params: ['signedIn', 'address'] },
  account_sign_in_other_provider: { code: 'invalid_input', class: 'permanent', params: ['provider'] },
  already_set_up: { code: 'conflict', class: 'permanent', params: [] },
  delete_has_access: { code: 'conflict', class: 'permanent', params: ['address', 'count'] },
  delete_outbox_waiting: { code: 'conflict', class: 'permanent', params: ['address', 'count'] },
  delete_processed_mail: { code: 'conflict', class: 'permanent', params: ['address'] },
  disk_full: { code: 'store_unavailable', class: 'permanent', params: [] },
  forbidden: { code: 'forbidden', class: 'permanent', params: [] },
  internal: { code: 'internal', class: 'permanent', params: [] },
  language_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  last_super_admin: { code: 'conflict', class: 'permanent', params: [] },
  preset_domain_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  preset_exchange_url_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  preset_gone: { code: 'not_found', class: 'permanent', params: ['domain'] },
  preset_servers_and_exchange: { code: 'invalid_input', class: 'permanent', params: [] },
  preset_servers_incomplete: { code: 'invalid_input', class: 'permanent', params: [] },
  preset_servers_or_exchange_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  preset_username_form_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  quota_invalid: { code: 'invalid_input', class: 'permanent', params: ['max'] },
  quota_reached: { code: 'quota_reached', class: 'permanent', params: ['limit'] },
  role_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  server_host_invalid: { code: 'invalid_input', class: 'permanent', params: ['server'] },
  server_port_invalid: { code: 'invalid_input', class: 'permanent', params: ['server'] },
  server_security_invalid: { code: 'invalid_input', class: 'permanent', params: ['server'] },
  server_username_missing: { code: 'invalid_input', class: 'permanent', params: ['server'] },
  store_unavailable: { code: 'store_unavailable', class: 'permanent', params: [] },
  user_email_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  user_email_taken: { code: 'conflict', class: 'permanent', params: ['address'] },
  user_gone: { code: 'not_found', class: 'permanent', params: [] },
  user_name_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  user_name_too_long: { code: 'invalid_input', class: 'permanent', params: ['max'] },
  vault_locked: { code: 'vault_unavailable', class: 'permanent', params: [] },
  vault_no_bus: { code: 'vault_unavailable', class: 'permanent', params: [] },
  vault_no_service: { code: 'vault_unavailable', class: 'permanent', params: [] },
  vault_unavailable: { code: 'vault_unavailable', class: 'permanent', params: [] },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;
