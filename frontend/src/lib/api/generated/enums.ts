// Code generated from the backend's lists by `go generate ./backend/api`. DO NOT EDIT.
// The string enums the backend sends and accepts; src/lib/api/types.ts builds the UI's
// types on them, and the catalogue tests check each value is worded in both languages.

/** What a user may do, from most to least powerful (backend/users). */
export const ROLES = ['super_admin', 'admin', 'collaborator'] as const;
export type Role = (typeof ROLES)[number];

/** The languages the UI ships in (backend/users). */
export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Why secure storage is unavailable (backend/vault). */
export const VAULT_REASONS = ['no_bus', 'no_service', 'locked', 'unknown'] as const;
export type VaultReason = (typeof VAULT_REASONS)[number];

/** How a connection is protected: implicit TLS or STARTTLS; there is no plaintext (backend/accounts). */
export const SECURITIES = ['tls', 'starttls'] as const;
export type Security = (typeof SECURITIES)[number];

/** How an account sends: its SMTP server, or an API sender (backend/accounts). */
export const SENDER_KINDS = ['smtp', 'postmark', 'mailgun'] as const;
export type SenderKind = (typeof SENDER_KINDS)[number];

/** Mailgun's regions: a domain exists in one only (backend/accounts). */
export const MAILGUN_REGIONS = ['us', 'eu'] as const;
export type MailgunRegion = (typeof MAILGUN_REGIONS)[number];

/** How an account signs in: a password, or Sign in with Google/Microsoft (backend/accounts). */
export const AUTH_KINDS = ['password', 'oauth'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** An account's status as the list shows it: the last check's, needs_sign_in (an OAuth sign-in revoked or expired) and disabled (backend/api). */
export const ACCOUNT_STATUSES = ['unchecked', 'ok', 'error', 'needs_password', 'needs_sign_in', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** How a domain preset builds the username: the whole address or the part before @ (backend/accounts). */
export const USERNAME_FORMS = ['email', 'local'] as const;
export type UsernameForm = (typeof USERNAME_FORMS)[number];

/** The steps of a connection test, in order; an API sender's checks replace smtp_login (backend/probe). */
export const STEP_NAMES = ['dns', 'tcp', 'tls', 'imap_login', 'capabilities', 'smtp_login', 'postmark_sender', 'mailgun_domain', 'mailgun_from'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** The statuses of a connection test's step (backend/probe). */
export const STEP_STATUSES = ['running', 'ok', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Why a server's certificate was not trusted (backend/connect). */
export const CERT_REASONS = ['unknown_authority', 'expired', 'wrong_host', 'changed', 'invalid'] as const;
export type CertReason = (typeof CERT_REASONS)[number];

/** Where discovered settings came from, in priority order (backend/discovery). */
export const SOURCES = ['preset', 'catalog', 'autoconfig', 'srv', 'mx', 'guess'] as const;
export type Source = (typeof SOURCES)[number];

/** Sign-in services that replace a password (OAuth 2.0 in the system browser, then XOAUTH2) (backend/discovery). */
export const SIGN_INS = ['google', 'microsoft'] as const;
export type SignIn = (typeof SIGN_INS)[number];

/** Where an account's sync worker is, in the order a sync goes (backend/syncer). */
export const SYNC_PHASES = ['connecting', 'headers', 'bodies', 'idle', 'error', 'stopped'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

/** The special-use roles of folders; "" is any other folder (backend/syncer). */
export const FOLDER_ROLES = ['inbox', 'sent', 'drafts', 'archive', 'junk', 'trash'] as const;
export type FolderRole = (typeof FOLDER_ROLES)[number];

/** Whether a message's body is in the store: none (not fetched yet), done, or failed (backend/syncer). */
export const BODY_STATES = ['none', 'done', 'failed'] as const;
export type BodyState = (typeof BODY_STATES)[number];

/** The flags the list and the view change (backend/syncer). */
export const MAIL_FLAGS = ['seen', 'flagged'] as const;
export type MailFlag = (typeof MAIL_FLAGS)[number];

/** Defects the MIME parser found and worked around (backend/message). */
export const PROBLEM_CODES = ['too_large', 'truncated', 'header_too_large', 'bad_header', 'duplicate_header', '8bit_header', 'bad_header_encoding', 'bad_address', 'bad_date', 'missing_date', 'bad_message_id', 'bad_content_type', 'broken_boundary', 'too_deep', 'too_many_parts', 'bad_encoding', 'bad_charset', 'body_too_large', 'bad_line_endings', 'nul_byte'] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** How the composer starts from a message (backend/api). */
export const DRAFT_MODES = ['reply', 'reply_all', 'forward'] as const;
export type DraftMode = (typeof DRAFT_MODES)[number];

/** The states of an outbox message, in the order the Outbox screen shows them (backend/outbox). */
export const OUTBOX_STATES = ['queued', 'sending', 'possibly_sent', 'failed', 'sent', 'cancelled'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** The kinds of a record field (domain: the companies' built-in domains only) (backend/records). */
export const FIELD_KINDS = ['text', 'long_text', 'number', 'money', 'date', 'date_time', 'checkbox', 'single_choice', 'multiple_choice', 'email', 'phone', 'url', 'domain', 'link'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** The conditions of a records list's filters (backend/records). */
export const FILTER_OPS = ['is_empty', 'is_not_empty', 'equals', 'contains', 'before', 'after', 'greater', 'less', 'is_checked', 'has_choice', 'linked_to'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** What an import does with a row matching a record already there (backend/records). */
export const DEDUPES = ['update', 'skip', 'create'] as const;
export type Dedupe = (typeof DEDUPES)[number];

/** The formats a list exports to (vcard: contacts only) (backend/api). */
export const EXPORT_FORMATS = ['csv', 'vcard'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where a sent message's copy in the IMAP Sent folder is (backend/outbox). */
export const COPY_STATES = ['none', 'pending', 'done', 'failed'] as const;
export type CopyState = (typeof COPY_STATES)[number];

/** How much a deliverability finding matters, best first (backend/deliverability). */
export const SEVERITIES = ['ok', 'warning', 'failure'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a deliverability finding is about, in the order they come (backend/deliverability). */
export const DELIVERABILITY_CHECKS = ['domain', 'spf', 'dkim', 'dmarc'] as const;
export type DeliverabilityCheck = (typeof DELIVERABILITY_CHECKS)[number];

/** The operators of a filed type's open condition (paid unchecked…) (backend/filing). */
export const FILING_OPS = ['checked', 'unchecked', 'equals', 'not_equals', 'empty', 'not_empty'] as const;
export type FilingOp = (typeof FILING_OPS)[number];

/** How a message was filed to a record: by the rules (auto), by hand (manual) or by a send from the record (sent) (backend/filing). */
export const LINK_ORIGINS = ['auto', 'manual', 'sent'] as const;
export type LinkOrigin = (typeof LINK_ORIGINS)[number];

/** What a re-file's progress is for: all mail (Settings, with Stop) or the past mail of changed records (backend/filing). */
export const FILING_PROGRESS_KINDS = ['all', 'records'] as const;
export type FilingProgressKind = (typeof FILING_PROGRESS_KINDS)[number];

/** Whether a folder shares filed and handled with the mailbox's other workstations (IMAP keywords), keeps them here only, or is not synced yet (backend/filing). */
export const SHARING_STATES = ['shared', 'local', 'unknown'] as const;
export type SharingState = (typeof SHARING_STATES)[number];

/** When an automation sends: a date passed (or ahead), a record created, a field changed to a value (backend/automations). */
export const AUTOMATION_TRIGGERS = ['date', 'created', 'changed'] as const;
export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[number];

/** The states of an automation's ledger rows: queued in the outbox, waiting for approval, skipped, blocked (with why) (backend/automations). */
export const AUTOMATION_ENTRY_STATES = ['queued', 'pending', 'skipped', 'blocked'] as const;
export type AutomationEntryState = (typeof AUTOMATION_ENTRY_STATES)[number];

/** Whether an automation concerns a record now, as its page says: it applies (and when it sends), sent, waiting for approval, blocked, skipped, or not (conditions unmet, created before it, unchanged since it) (backend/automations). */
export const AUTOMATION_CONCERNS = ['applies', 'sent', 'pending', 'blocked', 'skipped', 'unmet', 'created_before', 'unchanged'] as const;
export type AutomationConcern = (typeof AUTOMATION_CONCERNS)[number];

/** The paths an account's mail leaves through, as the deliverability check knows them (backend/deliverability). */
export const SENDING_PATHS = ['smtp', 'google', 'microsoft365', 'postmark', 'mailgun_us', 'mailgun_eu', 'ovh', 'infomaniak'] as const;
export type SendingPath = (typeof SENDING_PATHS)[number];
