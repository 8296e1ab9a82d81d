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
  type OutboxState,
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

/** storageError says why the data cannot be used (a reason, with the system's own words
 * as its detail); null when the database is open. */
export type SystemStatus = Model<api.SystemStatus, { vault: VaultStatus; storageError: ApiError | null }>;

export type OnboardInput = Model<api.OnboardInput, { language: Language }>;

export type NewUserInput = Model<api.NewUserInput, { role: Role; language: Language }>;

/** A user as the sign-in screen lists them: the name, and whether a password is asked. */
export type SignInUser = Model<api.SignInUserDTO>;

export type ProfileInput = Model<api.ProfileInput, { language: Language }>;

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

/** A connection's settings: TLS or STARTTLS, there is no plaintext. */
export type ServerSettings = Model<api.ServerDTO, { security: Security }>;

/** An account's sender settings: domain is Mailgun's sending domain (mg.example.com),
 * stream Postmark's message stream ("" is the server's default, outbound). Its token or
 * key is never part of them: it travels as a separate argument and never comes back. */
export type SenderSettings = Model<api.SenderDTO, { kind: SenderKind; region: MailgunRegion }>;

/** Advice that comes with a provider or discovered settings (backend/discovery Note*). */
export const NOTE_CODES = [
  'app_password_required',
  'app_password_if_two_factor',
  'enable_imap_first',
  'password_refused',
  'guessed',
  'sign_in_unsupported',
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
 * backend under runId until the account is created or signed in again). expiresAt (RFC
 * 3339) is when the provider said the sign-in stops working; null when it did not. */
export type SignInResult = Model<api.SignInDTO, { provider: SignIn; expiresAt: string | null }>;

/** An email account. A send-only one (sendOnly: no IMAP) is not synced and sends through
 * its API sender only. auth is password, or oauth: signed in with oauthProvider (no
 * password is kept); needsSignIn: that sign-in was refused or disconnected (status may read
 * disabled). statusCode is the error code of the last failed check (null when it passed or
 * never ran); dates are RFC 3339, null when unknown; users are the ids of the users who may
 * use the account. */
export type Account = Model<
  api.AccountDTO,
  {
    imap: ServerSettings;
    smtp: ServerSettings;
    sender: SenderSettings;
    auth: AuthKind;
    oauthProvider: SignIn | null;
    signInExpiresAt: string | null;
    status: AccountStatus;
    statusCode: string | null;
    lastCheck: string | null;
  }
>;

/** What the wizard and the edit form send; the password and the sender's token or key
 * travel separately. A send-only account has an empty IMAP host. Absent, sender is the
 * account's SMTP server and auth a password; signInId is the runId of a completed sign-in
 * whose grant the test and the creation use ("" keeps a saved account's). */
export type AccountInput = Model<
  api.AccountInput,
  {
    imap: ServerSettings;
    smtp: ServerSettings;
    sender?: SenderSettings;
    auth?: AuthKind;
    oauthProvider?: SignIn | null;
    signInId?: string;
  }
>;

/** Advice: code is a NoteCode, or a code this version does not know (then a general
 * advice is shown); detail is the provider's own instruction (from its automatic
 * configuration), shown verbatim, "" for most notes; url is the provider's page for what
 * the note asks (where IMAP is turned on), opened in the system's browser, "" when none. */
export type Note = Model<api.NoteDTO>;

export type Provider = Model<api.ProviderDTO, { signIn: SignIn | null; notes: Note[] }>;

/** Discovered settings: source is a Source, or one this version does not know; origin
 * holds the params of the source's sentence (accounts.origin.<source>): preset/guess
 * {domain}, catalog/autoconfig {url}, srv {imap, smtp}, mx {domain, host}. */
export type Candidate = Model<
  api.CandidateDTO,
  { imap: ServerSettings; smtp: ServerSettings; origin: Record<string, string>; signIn: SignIn | null; notes: Note[] }
>;

/** One candidate tried by a verified discovery and why it failed (error null: it passed),
 * as a reason the UI words, with the server's own words as its detail. */
export type Attempt = Model<api.AttemptDTO, { origin: Record<string, string>; error: ApiError | null }>;

/** A discovery: verified when a login succeeded with best; exchangeUrl non-empty when an
 * admin set this domain to Exchange (there are no IMAP settings); authFailed when the
 * servers were found but the password was refused; failure says why nothing verified is
 * offered (discovery_nothing_found, discovery_none_worked…). */
export type Discovery = Model<
  api.DiscoveryDTO,
  { best: Candidate | null; candidates: Candidate[]; attempts: Attempt[]; failure: ApiError | null }
>;

/** A server's certificate; sha256 is the lower-case hex of its SHA-256. */
export type Certificate = Model<api.CertDTO>;

/** A step of the connection test. code is the error code of a failed step (null
 * otherwise); error is what went wrong, a reason the UI words with its params and the
 * server's own answer as its detail (null unless the step failed); hintCode says how to fix
 * it (accounts.hints.*) with params; certReason says why a certificate was not trusted;
 * tlsVersion is that of a handshake that succeeded ("TLS 1.3", "" otherwise); trusted: it
 * was accepted through a certificate the user trusted. */
export type Step = Model<
  api.StepDTO,
  {
    name: StepName;
    status: StepStatus;
    code: string | null;
    error: ApiError | null;
    hintCode: HintCode | null;
    cert: Certificate | null;
    certReason: CertReason | null;
  }
>;

export type TestReport = Model<api.TestReportDTO, { steps: Step[] }>;

/** What to test: an unsaved form (accountId 0) or a saved account, whose stored password
 * is used when the password argument is empty. The run's id is the call's argument. */
export type TestTarget = Without<Model<api.TestInput, { account: AccountInput }>, 'runId'>;

export type TestEmailInput = Model<api.TestEmailInput>;

/** The test email's outcome: sent, or still in the outbox when Mailroom stopped waiting
 * (queued for a later attempt, sending, possibly sent); a refusal rejects instead. answer
 * is the server's: to the message when sent, its last refusal when queued again;
 * nextAttempt (ISO 8601) is when a message queued for later is due, "" otherwise. */
export type TestEmailResult = Model<
  api.TestEmailResultDTO,
  { state: Extract<OutboxState, 'sent' | 'queued' | 'sending' | 'possibly_sent'> }
>;

/** The accounts quota; limit 0 is no limit. */
export type Quota = Model<api.QuotaDTO>;

/** A preset's server: its username follows the preset's usernameForm. */
export type PresetServer = Without<ServerSettings, 'username'>;

type PresetFields = Model<api.PresetDTO, { imap: PresetServer; smtp: PresetServer; usernameForm: UsernameForm }>;

/** A domain preset: IMAP and SMTP servers, or an Exchange URL, never both. */
export type Preset =
  | ({ kind: 'servers' } & Without<PresetFields, 'exchangeUrl'>)
  | ({ kind: 'exchange' } & Pick<PresetFields, 'domain' | 'exchangeUrl' | 'updatedAt'>);

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

/** One of an account's signatures (F14): html as stored, sanitised in Go, with its merge
 * tags ({{user.name}}, {{user.title}}, {{user.phone}}); for the editor only, never shown as
 * HTML outside it: previews go through PreviewSignature's document and MailFrame. */
export type Signature = Model<api.SignatureDTO>;
export type SignatureInput = Model<api.SignatureInput>;
/** A user's access to an account with their defaults there (F18); signatureId 0: none. */
export type Grant = Model<api.GrantDTO>;
/** A signature the composer offers, rendered for the signed-in user (document: MailFrame). */
export type ComposeSignature = Model<api.ComposeSignatureDTO>;
/** An account the signed-in user may send from, with their defaults there. */
export type ComposeAccount = Model<api.ComposeAccountDTO, { signatures: ComposeSignature[] }>;

/** A message the composer sent is queued: committed to the outbox, whose worker sends it
 * (the Outbox screen follows it). */
export type SendResult = Without<Model<api.SentDTO>, 'state'>;

/** An account's sync state: folder is the one being synced ("" when not about one folder);
 * with phase error, error says what failed (worded by its reason, the server's words as
 * its detail; null otherwise) and retryIn the seconds until Mailroom tries again (0: not
 * until the user syncs); with phase idle, cancelled says the user cancelled the sync. */
export type SyncStatus = Model<api.SyncStatusDTO, { phase: SyncPhase; error: ApiError | null }>;

export const isFolderRole = oneOf(FOLDER_ROLES);
export const isSyncPhase = oneOf(SYNC_PHASES);
export const isProblemCode = oneOf(PROBLEM_CODES);
export const isBodyState = oneOf(BODY_STATES);
