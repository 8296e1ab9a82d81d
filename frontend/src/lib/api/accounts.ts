// Email accounts, domain presets and the connection test's events. Like client.ts, every
// call goes through `call`, so every rejection reaches the UI as an ApiError, and every
// result is mapped to the UI's types (unknown enum values become the safest known one).
import * as Accounts from '../../../wailsjs/go/api/Accounts';
import * as Presets from '../../../wailsjs/go/api/Presets';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call, isWebAddress } from './client';
import { toApiError, type ApiError } from './errors';
import { PROBE_STEP_EVENT, SIGN_IN_EVENT, type SignInWaitingDTO } from './generated/events';
import type { Wire } from './model';
import {
  isAccountStatus,
  isAuthKind,
  isCertReason,
  isHintCode,
  isMailgunRegion,
  isSecurity,
  isSenderKind,
  isSignIn,
  isStepName,
  isStepStatus,
  isUsernameForm,
  type Account,
  type AccountInput,
  type Grant,
  type Signature,
  type SignatureInput,
  type Attempt,
  type Candidate,
  type Certificate,
  type CertReason,
  type Discovery,
  type Note,
  type Preset,
  type PresetServer,
  type Provider,
  type Quota,
  type SenderSettings,
  type SignIn,
  type SignInResult,
  type ServerSettings,
  type Step,
  type TestEmailInput,
  type TestEmailResult,
  type TestReport,
  type TestTarget,
} from './types';

export { PROBE_STEP_EVENT, SIGN_IN_EVENT };

export function toSignature(s: Wire<api.SignatureDTO>): Signature {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return { id: Number(s?.id) || 0, accountId: Number(s?.accountId) || 0, name: str(s?.name), html: str(s?.html), updatedAt: str(s?.updatedAt) };
}

// --- from the wire ------------------------------------------------------------------

export function toServer(s: Wire<api.ServerDTO> | null | undefined): ServerSettings {
  return {
    host: s?.host ?? '',
    port: Number.isInteger(s?.port) ? (s?.port as number) : 0,
    // The backend only knows TLS and STARTTLS; anything else would be a bug, and TLS is
    // the safe reading.
    security: isSecurity(s?.security) ? s.security : 'tls',
    username: s?.username ?? '',
  };
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function orNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function toNotes(list: Wire<api.NoteDTO[]> | undefined): Note[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => ({ code: text(n?.code), detail: text(n?.detail), url: isWebAddress(text(n?.url)) ? text(n?.url) : '' }));
}

/** toSender reads an account's sender; an unknown kind reads as its SMTP server, the
 * account's own. */
export function toSender(s: Wire<api.SenderDTO> | null | undefined): SenderSettings {
  return {
    kind: isSenderKind(s?.kind) ? s.kind : 'smtp',
    domain: text(s?.domain),
    region: isMailgunRegion(s?.region) ? s.region : 'us',
    stream: text(s?.stream),
  };
}

export function toAccount(a: Wire<api.AccountDTO>): Account {
  const disabled = Boolean(a.disabled);
  return {
    id: Number(a.id) || 0,
    name: text(a.name),
    email: text(a.email),
    fromName: text(a.fromName),
    provider: text(a.provider),
    settingsSource: text(a.settingsSource),
    imap: toServer(a.imap),
    smtp: toServer(a.smtp),
    sender: toSender(a.sender),
    sendOnly: a.sendOnly === true,
    auth: isAuthKind(a.auth) ? a.auth : 'password',
    oauthProvider: isSignIn(a.oauthProvider) ? a.oauthProvider : null,
    signInExpiresAt: orNull(a.signInExpiresAt),
    needsSignIn: a.needsSignIn === true,
    status: disabled ? 'disabled' : isAccountStatus(a.status) ? a.status : 'unchecked',
    statusCode: orNull(a.statusCode),
    lastCheck: orNull(a.lastCheck),
    disabled,
    createdAt: text(a.createdAt),
    users: Array.isArray(a.users) ? [...a.users] : [],
  };
}

export function toProvider(p: Wire<api.ProviderDTO>): Provider {
  return {
    id: text(p.id),
    name: text(p.name),
    domains: Array.isArray(p.domains) ? p.domains.map((d) => d.toLowerCase()) : [],
    signIn: isSignIn(p.signIn) ? p.signIn : null,
    signInOnly: p.signInOnly === true,
    notes: toNotes(p.notes),
  };
}


export function toCandidate(c: Wire<api.CandidateDTO>): Candidate {
  return {
    imap: toServer(c.imap),
    smtp: toServer(c.smtp),
    source: text(c.source),
    origin: textMap(c.origin),
    provider: text(c.provider),
    signIn: isSignIn(c.signIn) ? c.signIn : null,
    signInOnly: c.signInOnly === true,
    notes: toNotes(c.notes),
  };
}


/** textMap keeps the string values of a params object (an origin's). */
function textMap(m: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (m === null || typeof m !== 'object') return out;
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** errorOrNull reads an error the backend sent inside a result (a step's, an attempt's):
 * null when there is none. */
function errorOrNull(e: unknown): ApiError | null {
  return e === null || e === undefined ? null : toApiError(e);
}

export function toDiscovery(d: Wire<api.DiscoveryDTO>): Discovery {
  const attempts: Attempt[] = (d.attempts ?? []).map((a) => ({
    source: text(a.source),
    origin: textMap(a.origin),
    host: text(a.host),
    port: Number(a.port) || 0,
    error: errorOrNull(a.error),
  }));
  return {
    verified: Boolean(d.verified),
    best: d.best ? toCandidate(d.best) : null,
    candidates: (d.candidates ?? []).map(toCandidate),
    attempts,
    exchangeUrl: text(d.exchangeUrl),
    authFailed: Boolean(d.authFailed),
    failure: errorOrNull(d.failure),
  };
}

function toCertificate(c: Wire<api.CertDTO> | null | undefined): Certificate | null {
  if (!c || !c.sha256) return null;
  return {
    subject: text(c.subject),
    issuer: text(c.issuer),
    dnsNames: Array.isArray(c.dnsNames) ? [...c.dnsNames] : [],
    notBefore: text(c.notBefore),
    notAfter: text(c.notAfter),
    sha256: c.sha256.toLowerCase(),
  };
}


/** toCertReason reads why a certificate was refused: "" is none; a reason this version
 * does not know reads as "invalid", the plainest true statement. */
function toCertReason(r: unknown): CertReason | null {
  if (typeof r !== 'string' || r === '') return null;
  return isCertReason(r) ? r : 'invalid';
}

/** toStep maps one step; it returns null for a step this version does not know. */
export function toStep(s: Wire<api.StepDTO> | null | undefined): Step | null {
  if (!s || !isStepName(s.name) || !isStepStatus(s.status)) return null;
  return {
    runId: text(s.runId),
    name: s.name,
    status: s.status,
    detail: text(s.detail),
    code: orNull(s.code),
    error: s.status === 'failed' ? errorOrNull(s.error) : null,
    // A fix this version does not know reads as the general advice.
    hintCode: isHintCode(s.hintCode) ? s.hintCode : s.status === 'failed' ? 'generic' : null,
    params: textMap(s.params),
    cert: toCertificate(s.cert),
    certReason: toCertReason(s.certReason),
    tlsVersion: text(s.tlsVersion),
    trusted: s.trusted === true,
    host: text(s.host),
    port: Number(s.port) || 0,
    elapsedMs: Number(s.elapsedMs) || 0,
  };
}

export function toTestReport(r: Wire<api.TestReportDTO>): TestReport {
  return {
    runId: text(r.runId),
    ok: Boolean(r.ok),
    steps: (r.steps ?? []).map(toStep).filter((s): s is Step => s !== null),
  };
}

function toPresetServer(s: Wire<api.ServerDTO>): PresetServer {
  const { host, port, security } = toServer(s);
  return { host, port, security };
}

export function toPreset(p: Wire<api.PresetDTO>): Preset {
  if (p.exchangeUrl) {
    return { kind: 'exchange', domain: text(p.domain), exchangeUrl: p.exchangeUrl, updatedAt: text(p.updatedAt) };
  }
  return {
    kind: 'servers',
    domain: text(p.domain),
    imap: toPresetServer(p.imap ?? {}),
    smtp: toPresetServer(p.smtp ?? {}),
    usernameForm: isUsernameForm(p.usernameForm) ? p.usernameForm : 'email',
    updatedAt: text(p.updatedAt),
  };
}

// --- to the wire --------------------------------------------------------------------

function toWireServer(s: ServerSettings): api.ServerDTO {
  return api.ServerDTO.createFrom({ host: s.host, port: s.port, security: s.security, username: s.username });
}

export function toWireAccount(a: AccountInput): api.AccountInput {
  return api.AccountInput.createFrom({
    name: a.name,
    email: a.email,
    fromName: a.fromName,
    provider: a.provider,
    settingsSource: a.settingsSource,
    imap: toWireServer(a.imap),
    smtp: toWireServer(a.smtp),
    sender: api.SenderDTO.createFrom(toWireSender(a.sender)),
    auth: a.auth ?? 'password',
    oauthProvider: a.auth === 'oauth' ? (a.oauthProvider ?? '') : '',
    signInId: a.auth === 'oauth' ? (a.signInId ?? '') : '',
  });
}

/** toSignIn reads a completed sign-in; the provider is the one asked for when the answer
 * names none this version knows. */
export function toSignIn(s: Wire<api.SignInDTO> | null | undefined, asked: SignIn): SignInResult {
  return {
    runId: text(s?.runId),
    provider: isSignIn(s?.provider) ? s.provider : asked,
    email: text(s?.email),
    expiresAt: orNull(s?.expiresAt),
  };
}

function toWireSender(s: SenderSettings | undefined): SenderSettings {
  if (!s || s.kind === 'smtp') return { kind: 'smtp', domain: '', region: 'us', stream: '' };
  if (s.kind === 'postmark') return { kind: 'postmark', domain: '', region: 'us', stream: s.stream.trim() };
  return { kind: 'mailgun', domain: s.domain.trim(), region: s.region, stream: '' };
}

export function toWirePreset(p: Preset): api.PresetDTO {
  if (p.kind === 'exchange') {
    return api.PresetDTO.createFrom({ domain: p.domain, usernameForm: '', exchangeUrl: p.exchangeUrl, updatedAt: '' });
  }
  const server = (s: PresetServer) => ({ host: s.host, port: s.port, security: s.security, username: '' });
  return api.PresetDTO.createFrom({
    domain: p.domain,
    imap: server(p.imap),
    smtp: server(p.smtp),
    usernameForm: p.usernameForm,
    exchangeUrl: '',
    updatedAt: '',
  });
}

// --- the calls ----------------------------------------------------------------------

export const accountsApi = {
  list: (): Promise<Account[]> => call(async () => ((await Accounts.List()) ?? []).map(toAccount)),
  get: (id: number): Promise<Account> => call(async () => toAccount(await Accounts.Get(id))),
  providers: (): Promise<Provider[]> => call(async () => ((await Accounts.Providers()) ?? []).map(toProvider)),
  discover: (email: string, password: string): Promise<Discovery> =>
    call(async () => toDiscovery(await Accounts.Discover(email, password))),
  /** senderSecret is the API sender's token or key; "" uses the saved account's. */
  test: (runId: string, target: TestTarget, password: string, senderSecret = ''): Promise<TestReport> =>
    call(async () =>
      toTestReport(
        await Accounts.Test(
          api.TestInput.createFrom({ runId, accountId: target.accountId, account: toWireAccount(target.account) }),
          password,
          senderSecret,
        ),
      ),
    ),
  cancelTest: (runId: string): Promise<void> => call(() => Accounts.CancelTest(runId)),
  trustCertificate: (host: string, port: number, sha256: string): Promise<void> =>
    call(() => Accounts.TrustCertificate(host, port, sha256)),
  create: (input: AccountInput, password: string, senderSecret = ''): Promise<Account> =>
    call(async () => toAccount(await Accounts.Create(toWireAccount(input), password, senderSecret))),
  /** An empty password or senderSecret keeps the stored one. */
  update: (id: number, input: AccountInput, password: string, senderSecret = ''): Promise<Account> =>
    call(async () => toAccount(await Accounts.Update(id, toWireAccount(input), password, senderSecret))),
  /** signIn opens the provider's page in the system browser and waits (minutes) for the
   * browser to come back; cancelTest(runId) stops the wait. */
  signIn: (runId: string, provider: SignIn, email: string): Promise<SignInResult> =>
    call(async () => toSignIn(await Accounts.SignIn(runId, provider, email), provider)),
  reopenSignIn: (runId: string): Promise<void> => call(() => Accounts.ReopenSignIn(runId)),
  /** signInAgain signs a saved account in again with its address; it is enabled again,
   * unchecked. */
  signInAgain: (id: number, runId: string): Promise<Account> =>
    call(async () => toAccount(await Accounts.SignInAgain(id, runId))),
  /** disconnect revokes the sign-in where the provider allows it (revoked), deletes the
   * tokens and disables the account; keepMail false removes its mail from this computer. */
  disconnect: (id: number, keepMail: boolean): Promise<{ revoked: boolean }> =>
    call(async () => ({ revoked: (await Accounts.Disconnect(id, keepMail))?.revoked === true })),
  setDisabled: (id: number, disabled: boolean): Promise<void> => call(() => Accounts.SetDisabled(id, disabled)),
  remove: (id: number): Promise<void> => call(() => Accounts.Delete(id)),
  grant: (accountId: number, userId: number): Promise<void> => call(() => Accounts.Grant(accountId, userId)),
  revoke: (accountId: number, userId: number): Promise<void> => call(() => Accounts.Revoke(accountId, userId)),
  /** signatures lists an account's signatures (at most three), html for the editor. */
  signatures: (accountId: number): Promise<Signature[]> =>
    call(async () => ((await Accounts.Signatures(accountId)) ?? []).map(toSignature)),
  /** saveSignature creates (id 0) or changes a signature; a fourth is refused. */
  saveSignature: (input: SignatureInput): Promise<Signature> =>
    call(async () => toSignature(await Accounts.SaveSignature(api.SignatureInput.createFrom({ ...input })))),
  deleteSignature: (accountId: number, id: number): Promise<void> => call(() => Accounts.DeleteSignature(accountId, id)),
  /** previewSignature: the document of a signature as the signed-in user would send it. */
  previewSignature: (html: string): Promise<string> => call(async () => String((await Accounts.PreviewSignature(html)) ?? '')),
  /** grants: who has access to an account, with their defaults there. */
  grants: (accountId: number): Promise<Grant[]> =>
    call(async () =>
      ((await Accounts.Grants(accountId)) ?? []).map((g) => ({
        userId: Number(g.userId) || 0,
        default: g.default === true,
        signatureId: Number(g.signatureId) || 0,
      })),
    ),
  /** setDefaults: whether the account is the user's default one, and their default signature there (0: none). */
  setDefaults: (accountId: number, userId: number, isDefault: boolean, signatureId: number): Promise<void> =>
    call(() => Accounts.SetDefaults(accountId, userId, isDefault, signatureId)),
  quota: (): Promise<Quota> =>
    call(async () => {
      const q = await Accounts.Quota();
      return { limit: Number(q?.limit) || 0, active: Number(q?.active) || 0 };
    }),
  setQuota: (limit: number): Promise<void> => call(() => Accounts.SetQuota(limit)),
  sendTestEmail: (id: number, input: TestEmailInput): Promise<TestEmailResult> =>
    call(async () => {
      const r = await Accounts.SendTestEmail(id, input);
      const state = r?.state;
      return {
        outboxId: Number(r?.outboxId) || 0,
        messageId: text(r?.messageId),
        // An unknown state is taken as still queued: the Outbox screen says the rest.
        state: state === 'sent' || state === 'sending' || state === 'possibly_sent' ? state : 'queued',
        answer: text(r?.answer),
        nextAttempt: text(r?.nextAttempt),
      };
    }),
};

export const presetsApi = {
  list: (): Promise<Preset[]> => call(async () => ((await Presets.List()) ?? []).map(toPreset)),
  save: (preset: Preset): Promise<Preset> => call(async () => toPreset(await Presets.Save(toWirePreset(preset)))),
  remove: (domain: string): Promise<void> => call(() => Presets.Delete(domain)),
};

export const eventsApi = {
  /** onSignInWaiting calls fn with the runId of each sign-in whose page the browser was
   * asked to open; it returns the function that stops listening. */
  onSignInWaiting(fn: (runId: string) => void): () => void {
    try {
      const off = EventsOn(SIGN_IN_EVENT, (data: Wire<SignInWaitingDTO> | null) => fn(text(data?.runId)));
      if (typeof off !== 'function') return () => {};
      // Once only: the runtime's own function throws when called again.
      let on = true;
      return () => {
        if (on) off();
        on = false;
      };
    } catch {
      return () => {};
    }
  },
  /** onProbeStep calls fn with every step of every connection test under way; it returns
   * the function that stops listening. Without the runtime (tests, a plain browser) it
   * listens to nothing. */
  onProbeStep(fn: (step: Step) => void): () => void {
    try {
      const off = EventsOn(PROBE_STEP_EVENT, (data: Wire<api.StepDTO>) => {
        const step = toStep(data);
        if (step) fn(step);
      });
      return typeof off === 'function' ? off : () => {};
    } catch {
      return () => {};
    }
  },
};
