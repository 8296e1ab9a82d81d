// The shapes the UI works with. They mirror the DTOs of backend/api, with the string
// enums spelled out, so that components never depend on the generated classes.

import type { ApiError } from './errors';

export const ROLES = ['super_admin', 'admin', 'collaborator'] as const;
export type Role = (typeof ROLES)[number];

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const VAULT_REASONS = ['no_bus', 'no_service', 'locked', 'unknown'] as const;
export type VaultReason = (typeof VAULT_REASONS)[number];

export interface User {
  id: number;
  name: string;
  email: string;
  role: Role;
  language: Language;
  createdAt: string; // RFC 3339
}

export interface SessionState {
  onboarded: boolean;
  user: User | null;
  /** The remembered language; null when it was never chosen (follow the system). */
  language: Language | null;
}

export interface VaultStatus {
  available: boolean;
  /** Why it is unavailable; null when available. */
  reason: VaultReason | null;
  message: string;
}

export interface SystemStatus {
  version: string;
  dataDir: string;
  storageError: string;
  vault: VaultStatus;
}

export interface OnboardInput {
  name: string;
  email: string;
  language: Language;
}

export interface NewUserInput {
  name: string;
  email: string;
  role: Role;
  language: Language;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function isVaultReason(value: unknown): value is VaultReason {
  return typeof value === 'string' && (VAULT_REASONS as readonly string[]).includes(value);
}

// --- Email accounts (backend/api/accounts_dto.go) -------------------------------------

/** How a connection is protected: implicit TLS or STARTTLS. There is no plaintext. */
export const SECURITIES = ['tls', 'starttls'] as const;
export type Security = (typeof SECURITIES)[number];

/** An account's status as the list shows it (backend/accounts Status, plus disabled, and
 * needs_sign_in: an account signed in with Google or Microsoft whose sign-in was revoked or
 * expired). */
export const ACCOUNT_STATUSES = ['ok', 'error', 'needs_password', 'needs_sign_in', 'unchecked', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** The steps of a connection test, in order (backend/probe). An account that sends
 * through an API sender has that sender's checks in place of smtp_login (only those when
 * it is send-only). */
export const STEP_NAMES = [
  'dns',
  'tcp',
  'tls',
  'imap_login',
  'capabilities',
  'smtp_login',
  'postmark_sender',
  'mailgun_domain',
  'mailgun_from',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEP_STATUSES = ['running', 'ok', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The likely cause and fix of a failed step (backend/probe/hints.go). */
export const HINT_CODES = [
  'auth_gmail',
  'auth_microsoft',
  'auth_icloud',
  'auth_app_password',
  'auth_enable_imap',
  'auth_generic',
  'tls_untrusted',
  'tls_required_smtp',
  'tls_required_imap',
  'dns',
  'refused',
  'timeout',
  'network',
  'provider',
  'generic',
  // Microsoft 365's 535 5.7.139 at the SMTP step: the admin must change a setting, or the
  // account sends through an API sender.
  'smtp_auth_disabled',
  // API senders' checks.
  'postmark_token',
  'postmark_signature',
  'postmark_unconfirmed',
  'postmark_generic',
  'mailgun_key',
  'mailgun_region',
  'mailgun_from',
  'mailgun_unverified',
  'mailgun_domain',
  'api_network',
  'api_generic',
] as const;
export type HintCode = (typeof HINT_CODES)[number];

/** How an account sends: its SMTP server, or an API sender (backend/accounts SenderKind). */
export const SENDER_KINDS = ['smtp', 'postmark', 'mailgun'] as const;
export type SenderKind = (typeof SENDER_KINDS)[number];

/** Mailgun's regions: a domain exists in one only. */
export const MAILGUN_REGIONS = ['us', 'eu'] as const;
export type MailgunRegion = (typeof MAILGUN_REGIONS)[number];

/** An account's sender settings. Its token or key is never part of them: it travels as a
 * separate argument and never comes back. */
export interface SenderSettings {
  kind: SenderKind;
  /** Mailgun's sending domain, e.g. mg.example.com. */
  domain: string;
  region: MailgunRegion;
  /** Postmark's message stream; "" is the server's default (outbound). */
  stream: string;
}

/** Why a server's certificate was not trusted (backend/connect Untrusted*). */
export const CERT_REASONS = ['unknown_authority', 'expired', 'wrong_host', 'changed', 'invalid'] as const;
export type CertReason = (typeof CERT_REASONS)[number];

/** Advice that comes with a provider or discovered settings (backend/discovery Note*). */
export const NOTE_CODES = [
  'app_password_required',
  'app_password_if_two_factor',
  'enable_imap_first',
  'password_refused',
  'guessed',
] as const;
export type NoteCode = (typeof NOTE_CODES)[number];

/** Where discovered settings came from (backend/discovery Source), in priority order. */
export const SOURCES = ['preset', 'catalog', 'autoconfig', 'srv', 'mx', 'guess'] as const;
export type Source = (typeof SOURCES)[number];

/** Settings typed or changed by hand have this source. */
export const MANUAL_SOURCE = 'manual';

/** Sign-in services that replace a password: the provider's page in the system browser
 * (OAuth 2.0 with PKCE), then XOAUTH2 for IMAP and SMTP. */
export const SIGN_INS = ['google', 'microsoft'] as const;
export type SignIn = (typeof SIGN_INS)[number];

/** How an account signs in to its servers: a password, or Sign in with Google/Microsoft. */
export const AUTH_KINDS = ['password', 'oauth'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** A completed sign-in in the browser: who signed in, never the tokens (they stay in the
 * backend under runId until the account is created or signed in again). */
export interface SignInResult {
  runId: string;
  provider: SignIn;
  email: string;
  /** RFC 3339: when the provider said the sign-in stops working; null when it did not. */
  expiresAt: string | null;
}

/** How a domain preset builds the username: the whole address or the part before @. */
export const USERNAME_FORMS = ['email', 'local'] as const;
export type UsernameForm = (typeof USERNAME_FORMS)[number];

export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  username: string;
}

export interface Account {
  id: number;
  name: string;
  email: string;
  fromName: string;
  provider: string;
  settingsSource: string;
  imap: ServerSettings;
  smtp: ServerSettings;
  sender: SenderSettings;
  /** No IMAP: not synced, sends through its API sender only. */
  sendOnly: boolean;
  /** password, or oauth: signed in with oauthProvider (no password is kept). */
  auth: AuthKind;
  oauthProvider: SignIn | null;
  /** RFC 3339: when the provider said the sign-in stops working; null when unknown. */
  signInExpiresAt: string | null;
  /** An OAuth account whose sign-in was refused or disconnected (status may read disabled). */
  needsSignIn: boolean;
  status: AccountStatus;
  /** The error code of the last failed check; null when it passed or never ran. */
  statusCode: string | null;
  /** RFC 3339; null when never checked. */
  lastCheck: string | null;
  disabled: boolean;
  createdAt: string;
  /** Ids of the users who may use the account. */
  users: number[];
}

/** What the wizard and the edit form send; the password and the sender's token or key
 * travel separately. A send-only account has an empty IMAP host. */
export interface AccountInput {
  name: string;
  email: string;
  fromName: string;
  provider: string;
  settingsSource: string;
  imap: ServerSettings;
  smtp: ServerSettings;
  /** Absent: the account's SMTP server. */
  sender?: SenderSettings;
  /** Absent: password. */
  auth?: AuthKind;
  oauthProvider?: SignIn | null;
  /** The runId of a completed sign-in whose grant the test and the creation use; "" keeps
   * a saved account's. */
  signInId?: string;
}

export interface Note {
  /** A NoteCode, or a code this version does not know (then `text` is shown). */
  code: string;
  /** English text, the fallback. */
  text: string;
}

export interface Provider {
  id: string;
  name: string;
  domains: string[];
  signIn: SignIn | null;
  notes: Note[];
}

export interface Candidate {
  imap: ServerSettings;
  smtp: ServerSettings;
  /** A Source, or a source this version does not know. */
  source: string;
  /** Where exactly, for people: a URL, a DNS name, a help page, a domain. */
  origin: string;
  provider: string;
  signIn: SignIn | null;
  notes: Note[];
}

/** One candidate tried by a verified discovery; code is null when it passed. */
export interface Attempt {
  source: string;
  host: string;
  port: number;
  code: string | null;
  message: string;
}

export interface Discovery {
  /** A login succeeded with `best`. */
  verified: boolean;
  best: Candidate | null;
  candidates: Candidate[];
  attempts: Attempt[];
  /** Non-empty: an admin set this domain to Exchange; there are no IMAP settings. */
  exchangeUrl: string;
  /** The servers were found, but the password was refused. */
  authFailed: boolean;
}

export interface Certificate {
  subject: string;
  issuer: string;
  dnsNames: string[];
  notBefore: string;
  notAfter: string;
  /** Lower-case hex of the SHA-256 of the certificate. */
  sha256: string;
}

export interface Step {
  runId: string;
  name: StepName;
  status: StepStatus;
  detail: string;
  /** The error code of a failed step; null otherwise. */
  code: string | null;
  /** What went wrong, in the backend's (English) words: the server's own answer included. */
  message: string;
  /** The English fix, the fallback for hintCode. */
  hint: string;
  hintCode: HintCode | null;
  params: Record<string, string>;
  cert: Certificate | null;
  /** Why the certificate was not trusted (a tls_untrusted step); null otherwise. */
  certReason: CertReason | null;
  /** The TLS version of a handshake that succeeded ("TLS 1.3"); "" otherwise. */
  tlsVersion: string;
  /** The handshake was accepted through a certificate the user trusted. */
  trusted: boolean;
  host: string;
  port: number;
  elapsedMs: number;
}

export interface TestReport {
  runId: string;
  ok: boolean;
  steps: Step[];
}

/** What to test: an unsaved form (accountId 0) or a saved account, whose stored password
 * is used when the password argument is empty. */
export interface TestTarget {
  accountId: number;
  account: AccountInput;
}

export interface TestEmailInput {
  to: string;
  subject: string;
  body: string;
}

/** The test email's outcome: sent, or still in the outbox when Mailroom stopped waiting
 * (queued for a later attempt, sending, possibly sent). A refusal rejects instead. */
export interface TestEmailResult {
  outboxId: number;
  messageId: string;
  state: 'sent' | 'queued' | 'sending' | 'possibly_sent';
  /** The server's answer: to the message when sent, its last refusal when queued again. */
  answer: string;
  /** When the next attempt is due (ISO 8601), for a message queued for later; "" otherwise. */
  nextAttempt: string;
}

export interface Quota {
  /** 0: no limit. */
  limit: number;
  active: number;
}

/** A preset's server: its username follows the preset's usernameForm. */
export interface PresetServer {
  host: string;
  port: number;
  security: Security;
}

/** A domain preset: IMAP and SMTP servers, or an Exchange URL, never both. */
export type Preset =
  | {
      kind: 'servers';
      domain: string;
      imap: PresetServer;
      smtp: PresetServer;
      usernameForm: UsernameForm;
      updatedAt: string;
    }
  | { kind: 'exchange'; domain: string; exchangeUrl: string; updatedAt: string };

function oneOf<T extends string>(list: readonly T[]) {
  return (value: unknown): value is T => typeof value === 'string' && (list as readonly string[]).includes(value);
}

export const isSecurity = oneOf(SECURITIES);
export const isAccountStatus = oneOf(ACCOUNT_STATUSES);
export const isStepName = oneOf(STEP_NAMES);
export const isStepStatus = oneOf(STEP_STATUSES);
export const isHintCode = oneOf(HINT_CODES);
export const isSenderKind = oneOf(SENDER_KINDS);
export const isMailgunRegion = oneOf(MAILGUN_REGIONS);
export const isCertReason = oneOf(CERT_REASONS);
export const isNoteCode = oneOf(NOTE_CODES);
export const isSource = oneOf(SOURCES);
export const isSignIn = oneOf(SIGN_INS);
export const isAuthKind = oneOf(AUTH_KINDS);
export const isUsernameForm = oneOf(USERNAME_FORMS);

// --- Mail and sync (backend/api/mail_dto.go) --------------------------------------------

/** The special-use roles of folders (backend/syncer); "" is any other folder. */
export const FOLDER_ROLES = ['inbox', 'sent', 'drafts', 'archive', 'junk', 'trash'] as const;
export type FolderRole = (typeof FOLDER_ROLES)[number];

/** Where an account's sync worker is (backend/syncer Phase), in the order a sync goes. */
export const SYNC_PHASES = ['connecting', 'headers', 'bodies', 'idle', 'error', 'stopped'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

/** Defects the MIME parser found and worked around (backend/message Problem*). */
export const PROBLEM_CODES = [
  'too_large',
  'truncated',
  'header_too_large',
  'bad_header',
  'duplicate_header',
  '8bit_header',
  'bad_header_encoding',
  'bad_address',
  'bad_date',
  'missing_date',
  'bad_message_id',
  'bad_content_type',
  'broken_boundary',
  'too_deep',
  'too_many_parts',
  'bad_encoding',
  'bad_charset',
  'body_too_large',
  'bad_line_endings',
  'nul_byte',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** Whether a message's body is in the store: none (not fetched yet), done, or failed. */
export const BODY_STATES = ['none', 'done', 'failed'] as const;
export type BodyState = (typeof BODY_STATES)[number];

/** How the composer starts from a message. */
export const DRAFT_MODES = ['reply', 'reply_all', 'forward'] as const;
export type DraftMode = (typeof DRAFT_MODES)[number];

/** The flags the list and the view change. */
export type MailFlag = 'seen' | 'flagged';

export interface Address {
  name: string;
  email: string;
}

/** What the list shows: every synced folder of every account the user may read, or a
 * role across accounts (All inboxes), or one account, or one folder. */
export interface MailQuery {
  /** 0: every account the user may read. */
  accountId: number;
  /** "" with folderId 0: every synced folder. */
  folderRole: FolderRole | '';
  /** 0: not one folder. */
  folderId: number;
  unread: boolean;
  flagged: boolean;
  /** Plain words; the backend matches each as a prefix. */
  search: string;
}

export interface MailRow {
  id: number;
  accountId: number;
  folderId: number;
  folderRole: FolderRole | '';
  fromName: string;
  fromEmail: string;
  /** The first To address: the Sent list shows it instead of the sender. */
  toName: string;
  toEmail: string;
  /** How many To and Cc addresses. */
  recipients: number;
  subject: string;
  snippet: string;
  /** RFC 3339. */
  date: string;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  hasAttachments: boolean;
}

export interface MailPage {
  rows: MailRow[];
  /** The cursor of the following page; "" after the last. */
  next: string;
}

export interface Folder {
  id: number;
  accountId: number;
  name: string;
  role: FolderRole | '';
  enabled: boolean;
  total: number;
  unread: number;
  /** RFC 3339; "" when never synced. */
  lastSync: string;
}

export interface Attachment {
  partPath: string;
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
}

export interface MessageView extends MailRow {
  folderName: string;
  messageId: string;
  from: Address[];
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  attachments: Attachment[];
  /** Parse problem codes (ProblemCode, or codes this version does not know). */
  problems: string[];
  bodyState: BodyState;
  isHtml: boolean;
  /** A complete HTML document, sanitised in Go with its own CSP: only for MailFrame. */
  document: string;
  remoteImages: number;
  remoteBlocked: boolean;
  remoteAlways: boolean;
}

export interface Draft {
  accountId: number;
  to: Address[];
  cc: Address[];
  subject: string;
  /** The quoted (or forwarded) original, as text. */
  text: string;
  /** The quoted original, sanitised HTML; "" for a plain-text original. */
  quotedHtml: string;
  inReplyTo: string;
  references: string[];
}

export interface SendInput {
  accountId: number;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  text: string;
  quotedHtml: string;
  /** The quote's text version: completes the text part when quotedHtml is sent. */
  quotedText: string;
  inReplyTo: string;
  references: string[];
}

/** A message the composer sent is queued: committed to the outbox, whose worker sends it
 * (the Outbox screen follows it). */
export interface SendResult {
  outboxId: number;
  messageId: string;
}

export interface SyncStatus {
  accountId: number;
  /** The folder being synced; "" when not about one folder. */
  folder: string;
  phase: SyncPhase;
  done: number;
  total: number;
  /** With phase error: what failed (worded by its reason, the server's words as its
   * detail); null otherwise. */
  error: ApiError | null;
  /** With phase error: seconds until Mailroom tries again (0: not until the user syncs). */
  retryIn: number;
  /** With phase idle: the user cancelled the sync. */
  cancelled: boolean;
}

export const isFolderRole = oneOf(FOLDER_ROLES);
export const isSyncPhase = oneOf(SYNC_PHASES);
export const isProblemCode = oneOf(PROBLEM_CODES);
export const isBodyState = oneOf(BODY_STATES);
