// The shapes the UI works with: the generated Wails models of backend/api's DTOs
// (frontend/wailsjs/go/models.ts) with their string enums narrowed to the lists generated
// from the backend (./generated/enums.ts), so components never depend on the generated
// classes, and a field renamed or added in Go breaks the build where the UI uses it.
import type { ApiError } from './errors';
import type { api } from '../../../wailsjs/go/models';
import {
  ACCOUNT_STATUSES,
  AUTH_KINDS,
  BODY_STATES,
  CERT_REASONS,
  FOLDER_ROLES,
  LANGUAGES,
  MAILGUN_REGIONS,
  PROBLEM_CODES,
  ROLES,
  SECURITIES,
  SENDER_KINDS,
  SIGN_INS,
  SOURCES,
  STEP_NAMES,
  STEP_STATUSES,
  SYNC_PHASES,
  USERNAME_FORMS,
  VAULT_REASONS,
  type AccountStatus,
  type AuthKind,
  type BodyState,
  type CertReason,
  type FolderRole,
  type Language,
  type MailgunRegion,
  type Role,
  type Security,
  type SenderKind,
  type SignIn,
  type StepName,
  type StepStatus,
  type SyncPhase,
  type UsernameForm,
  type VaultReason,
} from './generated/enums';
import type { Model, Without } from './model';

export * from './generated/enums';

function oneOf<T extends string>(list: readonly T[]) {
  return (value: unknown): value is T => typeof value === 'string' && (list as readonly string[]).includes(value);
}

export const isRole = oneOf(ROLES);
export const isLanguage = oneOf(LANGUAGES);
export const isVaultReason = oneOf(VAULT_REASONS);

// --- Users, session and system (backend/api/dto.go) -----------------------------------

export type User = Model<api.UserDTO, { role: Role; language: Language }>;

export type SessionState = Model<
  api.SessionState,
  {
    user: User | null;
    /** The remembered language; null when it was never chosen (follow the system). */
    language: Language | null;
  }
>;

export type VaultStatus = Model<
  api.VaultStatusDTO,
  {
    /** Why it is unavailable; null when available. */
    reason: VaultReason | null;
  }
>;

export type SystemStatus = Model<api.SystemStatus, { vault: VaultStatus }>;

export type OnboardInput = Model<api.OnboardInput, { language: Language }>;

export type NewUserInput = Model<api.NewUserInput, { role: Role; language: Language }>;

// --- Email accounts (backend/api/accounts_dto.go) -------------------------------------

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

/** Advice that comes with a provider or discovered settings (backend/discovery Note*). */
export const NOTE_CODES = [
  'app_password_required',
  'app_password_if_two_factor',
  'enable_imap_first',
  'password_refused',
  'guessed',
] as const;
export type NoteCode = (typeof NOTE_CODES)[number];

/** Settings typed or changed by hand have this source. */
export const MANUAL_SOURCE = 'manual';

/** Sign-in services that replace a password: the provider's page in the system browser
 * (OAuth 2.0 with PKCE), then XOAUTH2 for IMAP and SMTP. */

/** Where a sign-in's client registration comes from: set on this computer's environment,
 * entered in Settings by a super admin, or nowhere (the sign-in is not set up). */
export type SignInClientSource = 'environment' | 'settings' | null;

/** One provider's sign-in setup (Settings › Sign in with Google and Microsoft). */
export interface SignInClient {
  provider: SignIn;
  /** A sign-in can start; otherwise the wizard explains what is missing. */
  configured: boolean;
  source: SignInClientSource;
  /** Shown to super admins only ('' for everyone else). */
  clientId: string;
  /** Google's installed-app secret is in the keychain (super admins only). */
  keyStored: boolean;
}

/** What to do with the stored installed-app secret when saving. */
export type SignInKeyChange = 'keep' | 'replace' | 'remove';

/** How an account signs in to its servers: a password, or Sign in with Google/Microsoft. */

/** A completed sign-in in the browser: who signed in, never the tokens (they stay in the
 * backend under runId until the account is created or signed in again). */
export interface SignInResult {
  runId: string;
  provider: SignIn;
  email: string;
  /** RFC 3339: when the provider said the sign-in stops working; null when it did not. */
  expiresAt: string | null;
}

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
  /** A NoteCode, or a code this version does not know (then a general advice is shown). */
  code: string;
  /** The provider's own instruction (from its automatic configuration), shown verbatim;
   * "" for most notes. */
  detail: string;
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
  /** Where exactly: the params of the source's sentence (accounts.origin.<source>):
   * preset/guess {domain}, catalog/autoconfig {url}, srv {imap, smtp}, mx {domain, host}. */
  origin: Record<string, string>;
  provider: string;
  signIn: SignIn | null;
  notes: Note[];
}

/** One candidate tried by a verified discovery and why it failed (error null: it passed),
 * as a reason the UI words, with the server's own words as its detail. */
export interface Attempt {
  source: string;
  origin: Record<string, string>;
  host: string;
  port: number;
  error: ApiError | null;
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
  /** Why nothing verified is offered (discovery_nothing_found, discovery_none_worked…). */
  failure: ApiError | null;
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
  /** What went wrong: a reason the UI words with its params, and the server's own answer
   * as its detail; null unless the step failed. */
  error: ApiError | null;
  /** How to fix it, worded by the UI with params (accounts.hints.*). */
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

export type Address = Model<api.AddressDTO>;

/** What the list shows: every synced folder of every account the user may read (accountId
 * 0), or a role across accounts (All inboxes; folderRole "" with folderId 0: every synced
 * folder), or one account, or one folder. search holds plain words, each matched as a
 * prefix. The page's cursor and size are the call's arguments. */
export type MailQuery = Without<Model<api.MailQueryDTO, { folderRole: FolderRole | '' }>, 'cursor' | 'limit'>;

/** A row of the list: toName/toEmail are the first To address (the Sent list shows it),
 * recipients counts To and Cc, date is RFC 3339. */
export type MailRow = Model<api.MailRowDTO, { folderRole: FolderRole | '' }>;

/** A page of the list; next is the following page's cursor, "" after the last. */
export type MailPage = Model<api.MailPageDTO, { rows: MailRow[] }>;

/** A folder; lastSync is RFC 3339, "" when never synced. */
export type Folder = Model<api.FolderDTO, { role: FolderRole | '' }>;

export type Attachment = Model<api.AttachmentDTO>;

/** A message ready to show. document is a complete HTML document, sanitised in Go with its
 * own CSP: only for MailFrame. problems are parse problem codes (ProblemCode, or codes this
 * version does not know). */
export type MessageView = Model<api.MessageViewDTO, { folderRole: FolderRole | ''; bodyState: BodyState }>;

/** A reply or forward to start the composer with: text is the quoted (or forwarded)
 * original as text, quotedHtml the same as sanitised HTML ("" for a plain-text original). */
export type Draft = Model<api.DraftDTO>;

/** What the composer sends; quotedText, the quote's text version, completes the text part
 * when quotedHtml is sent. */
export type SendInput = Model<api.SendInput>;

/** A message the composer sent is queued: committed to the outbox, whose worker sends it
 * (the Outbox screen follows it). */
export type SendResult = Without<Model<api.SentDTO>, 'state'>;

/** An account's sync state: folder is the one being synced ("" when not about one
 * folder); code is an error code (ErrorCode, or one this version does not know) with phase
 * error, null otherwise; message says, for people in English, the error or a note such as
 * "Sync cancelled.". */
export type SyncStatus = Model<api.SyncStatusDTO, { phase: SyncPhase; code: string | null }>;

export const isFolderRole = oneOf(FOLDER_ROLES);
export const isSyncPhase = oneOf(SYNC_PHASES);
export const isProblemCode = oneOf(PROBLEM_CODES);
export const isBodyState = oneOf(BODY_STATES);
