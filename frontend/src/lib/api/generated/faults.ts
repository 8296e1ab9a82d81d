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
  certificate_fingerprint_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  discovery_address_domain: { code: 'invalid_input', class: 'permanent', params: [] },
  discovery_address_form: { code: 'invalid_input', class: 'permanent', params: [] },
  discovery_address_local_part: { code: 'invalid_input', class: 'permanent', params: [] },
  discovery_address_missing: { code: 'invalid_input', class: 'permanent', params: [] },
  discovery_address_not_ascii: { code: 'invalid_input', class: 'permanent', params: ['domain'] },
  discovery_address_with_name: { code: 'invalid_input', class: 'permanent', params: [] },
  discovery_none_worked: { code: 'network', class: 'permanent', params: ['count', 'domain'] },
  discovery_nothing_found: { code: 'not_found', class: 'permanent', params: ['domain'] },
  discovery_password_refused: { code: 'auth_failed', class: 'permanent', params: ['host'] },
  discovery_provider_unknown: { code: 'not_found', class: 'permanent', params: ['provider'] },
  disk_full: { code: 'store_unavailable', class: 'permanent', params: [] },
  forbidden: { code: 'forbidden', class: 'permanent', params: [] },
  imap_auth_failed: { code: 'auth_failed', class: 'permanent', params: ['host'] },
  imap_connection_lost: { code: 'network', class: 'temporary', params: ['host'] },
  imap_encryption_required: { code: 'tls_required', class: 'permanent', params: ['host'] },
  imap_login_disabled: { code: 'tls_required', class: 'permanent', params: ['host'] },
  imap_no_greeting: { code: 'network', class: 'permanent', params: ['host', 'port'] },
  imap_session_refused: { code: 'auth_failed', class: 'permanent', params: ['host'] },
  imap_starttls_unavailable: { code: 'tls_required', class: 'permanent', params: ['host', 'port'] },
  imap_stopped_answering: { code: 'network', class: 'temporary', params: ['host'] },
  imap_token_refused: { code: 'auth_failed', class: 'permanent', params: ['host', 'username'] },
  imap_unavailable: { code: 'provider_rejected', class: 'temporary', params: ['host'] },
  imap_xoauth2_unavailable: { code: 'provider_rejected', class: 'permanent', params: ['host'] },
  internal: { code: 'internal', class: 'permanent', params: [] },
  oauth_access_revoked: { code: 'auth_failed', class: 'permanent', params: ['address', 'provider'] },
  oauth_address_unknown: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  oauth_address_unverified: { code: 'auth_failed', class: 'permanent', params: ['provider', 'address'] },
  oauth_browser_failed: { code: 'internal', class: 'permanent', params: [] },
  oauth_cancelled: { code: 'auth_failed', class: 'permanent', params: ['provider'] },
  oauth_client_refused: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  oauth_code_refused: { code: 'auth_failed', class: 'permanent', params: ['provider'] },
  oauth_grant_refused: { code: 'auth_failed', class: 'permanent', params: ['provider', 'address'] },
  oauth_identity_invalid: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  oauth_identity_issuer: { code: 'provider_rejected', class: 'permanent', params: ['issuer', 'provider'] },
  oauth_identity_nonce: { code: 'auth_failed', class: 'permanent', params: ['provider'] },
  oauth_local_port: { code: 'network', class: 'permanent', params: ['address'] },
  oauth_no_code: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  oauth_no_refresh_token: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  oauth_no_saved_sign_in: { code: 'auth_failed', class: 'permanent', params: [] },
  oauth_other_address: { code: 'auth_failed', class: 'permanent', params: ['provider', 'signedIn', 'address'] },
  oauth_provider_unavailable: { code: 'network', class: 'temporary', params: ['provider', 'status'] },
  oauth_refused: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  oauth_revoke_unconfirmed: { code: 'provider_rejected', class: 'permanent', params: ['provider', 'status'] },
  oauth_saved_sign_in_unreadable: { code: 'auth_failed', class: 'permanent', params: [] },
  oauth_settings_url_invalid: { code: 'invalid_input', class: 'permanent', params: ['provider'] },
  oauth_sign_in_refused: { code: 'auth_failed', class: 'permanent', params: [] },
  oauth_state_mismatch: { code: 'auth_failed', class: 'permanent', params: [] },
  oauth_stopped: { code: 'auth_failed', class: 'permanent', params: [] },
  oauth_timeout: { code: 'auth_failed', class: 'permanent', params: ['provider', 'minutes'] },
  oauth_unreachable: { code: 'network', class: 'temporary', params: ['provider'] },
  oauth_unreadable_answer: { code: 'provider_rejected', class: 'permanent', params: ['provider'] },
  security_choice_invalid: { code: 'invalid_input', class: 'permanent', params: [] },
  server_connect_failed: { code: 'network', class: 'temporary', params: ['host', 'port'] },
  server_connection_refused: { code: 'network', class: 'permanent', params: ['host', 'port'] },
  server_not_found: { code: 'network', class: 'permanent', params: ['host'] },
  server_timeout: { code: 'network', class: 'temporary', params: ['host', 'port'] },
  smtp_auth_disabled: { code: 'provider_rejected', class: 'permanent', params: ['host'] },
  smtp_auth_failed: { code: 'auth_failed', class: 'permanent', params: ['host'] },
  smtp_encryption_required: { code: 'tls_required', class: 'permanent', params: ['host'] },
  smtp_failed: { code: 'network', class: 'temporary', params: ['host', 'port'] },
  smtp_refused: { code: 'provider_rejected', class: 'permanent', params: ['host', 'code'] },
  smtp_refused_temporarily: { code: 'provider_rejected', class: 'temporary', params: ['host', 'code'] },
  smtp_session_refused: { code: 'auth_failed', class: 'permanent', params: ['host'] },
  smtp_starttls_unavailable: { code: 'tls_required', class: 'permanent', params: ['host', 'port'] },
  smtp_timeout: { code: 'network', class: 'temporary', params: ['host', 'port'] },
  store_unavailable: { code: 'store_unavailable', class: 'permanent', params: [] },
  tls_failed: { code: 'network', class: 'temporary', params: ['host', 'port'] },
  tls_not_offered: { code: 'tls_required', class: 'permanent', params: ['host', 'port'] },
  tls_timeout: { code: 'network', class: 'temporary', params: ['host', 'port'] },
  tls_untrusted: { code: 'tls_untrusted', class: 'permanent', params: ['host', 'port', 'reason'] },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;
