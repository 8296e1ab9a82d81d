// The account and preset forms, and their mapping to and from what the backend takes.
// Forms hold what the user types (ports as text); the backend's types hold numbers.
import {
  MANUAL_SOURCE,
  type Account,
  type AccountInput,
  type AuthKind,
  type Candidate,
  type MailgunRegion,
  type Preset,
  type Provider,
  type Security,
  type SenderKind,
  type SenderSettings,
  type ServerSettings,
  type SignIn,
  type UsernameForm,
} from '$lib/api';
import { originKey } from '$lib/i18n/keys';

export const SERVER_KINDS = ['imap', 'smtp'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** A line of text shown to the user: a catalogue key with its values, or text as is. */
export type Line = { key: string; values: Record<string, string | number> } | { text: string };

export interface ServerForm {
  host: string;
  port: string;
  security: Security;
  username: string;
}

export interface SenderForm {
  kind: SenderKind;
  domain: string;
  region: MailgunRegion;
  stream: string;
}

export interface AccountForm {
  name: string;
  email: string;
  fromName: string;
  provider: string;
  imap: ServerForm;
  smtp: ServerForm;
  /** How the account sends: its SMTP server, Postmark or Mailgun. */
  sender: SenderForm;
  /** No mailbox: an API sender is all the account has (the servers are not shown). */
  sendOnly: boolean;
  /** password, or oauth: signed in with oauthProvider; no password field is shown. */
  auth: AuthKind;
  oauthProvider: SignIn | null;
  /** The runId of the sign-in whose grant a new account takes; "" keeps a saved one's. */
  signInId: string;
}

/** passwordAuth is what a form holds when the account signs in with a password. */
export const PASSWORD_AUTH = { auth: 'password', oauthProvider: null, signInId: '' } as const;

/** The API senders the wizard offers as tiles of their own (send-only accounts), with their
 * product names, which are the same in every language. */
export const API_SENDERS = ['postmark', 'mailgun'] as const;
export type ApiSender = (typeof API_SENDERS)[number];
export const SENDER_NAMES: Record<ApiSender, string> = { postmark: 'Postmark', mailgun: 'Mailgun' };

export function isApiSender(id: string | null | undefined): id is ApiSender {
  return (API_SENDERS as readonly string[]).includes(id ?? '');
}

export function smtpSender(): SenderForm {
  return { kind: 'smtp', domain: '', region: 'us', stream: '' };
}

export function senderSettings(f: SenderForm): SenderSettings {
  return { kind: f.kind, domain: f.domain.trim().toLowerCase(), region: f.region, stream: f.stream.trim() };
}

/** sendOnlyForm is a new account that only sends, through Postmark or Mailgun. */
export function sendOnlyForm(who: { email: string; fromName: string }, kind: ApiSender): AccountForm {
  const none: ServerForm = { host: '', port: '', security: 'tls', username: '' };
  const email = who.email.trim();
  return {
    name: '',
    email,
    fromName: who.fromName.trim(),
    provider: '',
    imap: { ...none },
    smtp: { ...none },
    sender: { ...smtpSender(), kind, domain: kind === 'mailgun' ? domainOf(email) : '' },
    sendOnly: true,
    ...PASSWORD_AUTH,
  };
}

/** fromOnDomain tells whether an address is on a Mailgun sending domain or the domain it
 * is a subdomain of (news@example.com on mg.example.com): the backend checks it exactly,
 * with the public suffix list; this is the form's early warning. */
export function fromOnDomain(email: string, sendingDomain: string): boolean {
  const d = domainOf(email);
  const s = sendingDomain.trim().toLowerCase().replace(/\.$/, '');
  if (!d || !s) return true; // nothing to compare yet
  return d === s || d.endsWith(`.${s}`) || s.endsWith(`.${d}`);
}

/** The backend's names of an account's settings, in the order of the form, to put a
 * refusal next to its field. */
export const SETTINGS_FIELDS = [
  'email',
  'password',
  'name',
  'fromName',
  'imap.host',
  'imap.port',
  'imap.security',
  'imap.username',
  'smtp.host',
  'smtp.port',
  'smtp.security',
  'smtp.username',
  'senderSecret',
  'sender.kind',
  'sender.domain',
  'sender.region',
  'sender.stream',
] as const;

/** The usual ports (RFC 8314 for implicit TLS, RFC 3501 / RFC 6409 for STARTTLS). */
export const DEFAULT_PORTS: Record<ServerKind, Record<Security, number>> = {
  imap: { tls: 993, starttls: 143 },
  smtp: { tls: 465, starttls: 587 },
};

/** domainOf is the lower-case domain of an address, or "" when it has none. */
export function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).trim().toLowerCase();
}

/** localPartOf is the part of an address before the last @. */
export function localPartOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email.trim() : email.slice(0, at).trim();
}

export function emptyServerForm(kind: ServerKind, username = ''): ServerForm {
  return { host: '', port: String(DEFAULT_PORTS[kind].tls), security: 'tls', username };
}

export function serverForm(s: ServerSettings): ServerForm {
  return { host: s.host, port: s.port > 0 ? String(s.port) : '', security: s.security, username: s.username };
}

/** parsePort reads a typed port; anything but digits is 0, which the backend refuses
 * next to the field. */
export function parsePort(port: string): number {
  const p = port.trim();
  return /^\d{1,5}$/.test(p) ? Number(p) : 0;
}

export function serverSettings(f: ServerForm): ServerSettings {
  return { host: f.host.trim(), port: parsePort(f.port), security: f.security, username: f.username.trim() };
}

/** portAfterSecurityChange follows a change of TLS mode: a port that was the usual one of
 * the old mode becomes the usual one of the new mode; any other port is kept. */
export function portAfterSecurityChange(kind: ServerKind, port: string, from: Security, to: Security): string {
  if (from === to) return port;
  return parsePort(port) === DEFAULT_PORTS[kind][from] ? String(DEFAULT_PORTS[kind][to]) : port;
}

/** formFromCandidate fills the settings of a discovered candidate, or leaves the servers
 * to type (with the usual ports and the address as username) when nothing was found. */
export function formFromCandidate(
  who: { email: string; fromName: string; name?: string },
  candidate: Candidate | null,
  provider = '',
): AccountForm {
  const email = who.email.trim();
  return {
    name: who.name ?? '',
    email,
    fromName: who.fromName.trim(),
    provider: candidate?.provider || provider,
    imap: candidate ? serverForm(candidate.imap) : emptyServerForm('imap', email),
    smtp: candidate ? serverForm(candidate.smtp) : emptyServerForm('smtp', email),
    sender: smtpSender(),
    sendOnly: false,
    ...PASSWORD_AUTH,
  };
}

export function formFromAccount(a: Account): AccountForm {
  return {
    // The backend names an account after its address when no name is given: show the
    // field empty then, so a change of address is not left with the old name.
    name: a.name === a.email ? '' : a.name,
    email: a.email,
    fromName: a.fromName,
    provider: a.provider,
    imap: serverForm(a.imap),
    smtp: a.smtp.host ? serverForm(a.smtp) : emptyServerForm('smtp', a.email),
    sender: { ...a.sender },
    sendOnly: a.sendOnly,
    auth: a.auth,
    oauthProvider: a.auth === 'oauth' ? a.oauthProvider : null,
    signInId: '',
  };
}

/** accountInput is a saved account's settings, as a connection test takes them. */
export function accountInput(a: Account): AccountInput {
  return {
    name: a.name,
    email: a.email,
    fromName: a.fromName,
    provider: a.provider,
    settingsSource: a.settingsSource,
    imap: { ...a.imap },
    smtp: { ...a.smtp },
    sender: { ...a.sender },
    auth: a.auth,
    oauthProvider: a.auth === 'oauth' ? a.oauthProvider : null,
    signInId: '',
  };
}

/** editSource is where an edited account's settings come from: unchanged servers keep
 * their source; changed ones were entered by hand. */
export function editSource(a: Account, form: AccountForm): string {
  const eq = (x: ServerSettings, y: ServerSettings) =>
    x.host.toLowerCase() === y.host.toLowerCase() && x.port === y.port && x.security === y.security && x.username === y.username;
  return eq(serverSettings(form.imap), a.imap) && eq(serverSettings(form.smtp), a.smtp) ? a.settingsSource : MANUAL_SOURCE;
}

/** sameServers reports whether the form still holds the candidate's servers. */
export function sameServers(form: AccountForm, c: Candidate): boolean {
  const eq = (a: ServerSettings, b: ServerSettings) =>
    a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.security === b.security && a.username === b.username;
  return eq(serverSettings(form.imap), c.imap) && eq(serverSettings(form.smtp), c.smtp);
}

/** signInOnlyServers reports whether the form would connect with a password to a server
 * found to take only its provider's sign-in (OAuth 2.0; from the provider table or an
 * autoconfig file): a password cannot work there, so no password field is shown and nothing
 * is tested with one; the user is sent to the sign-in, or told Mailroom lacks it. Once the
 * user put other hosts in both servers, they are the user's own and the password is back. */
export function signInOnlyServers(form: AccountForm, c: Candidate | null): boolean {
  if (!c?.signInOnly || form.auth === 'oauth' || form.sendOnly) return false;
  const same = (a: ServerForm, b: ServerSettings) => a.host.trim().toLowerCase() === b.host.toLowerCase();
  return same(form.imap, c.imap) || same(form.smtp, c.smtp);
}

/** settingsSourceOf says where the form's settings come from: the candidate's source while
 * they are unchanged, else "manual". */
export function settingsSourceOf(form: AccountForm, candidate: Candidate | null): string {
  return candidate && candidate.source && sameServers(form, candidate) ? candidate.source : MANUAL_SOURCE;
}

export function formToInput(form: AccountForm, settingsSource: string): AccountInput {
  const none: ServerSettings = { host: '', port: 0, security: 'tls', username: '' };
  const sender = senderSettings(form.sender);
  // A send-only account has no servers; an account sending through an API keeps its
  // SMTP settings (for a switch back) only when they are filled in.
  const smtp = form.sendOnly || (sender.kind !== 'smtp' && !form.smtp.host.trim()) ? none : serverSettings(form.smtp);
  return {
    name: form.name.trim(),
    email: form.email.trim(),
    fromName: form.fromName.trim(),
    provider: form.provider,
    settingsSource,
    imap: form.sendOnly ? none : serverSettings(form.imap),
    smtp,
    sender,
    auth: form.auth,
    oauthProvider: form.auth === 'oauth' ? form.oauthProvider : null,
    signInId: form.auth === 'oauth' ? form.signInId : '',
  };
}

/** inputKey identifies what a connection test tested, to know whether the form changed
 * since (then the test must run again before connecting). */
export function inputKey(input: AccountInput, password: string, senderSecret = ''): string {
  return JSON.stringify([
    input.email,
    input.imap,
    input.smtp,
    input.sender ?? null,
    password,
    senderSecret,
    input.auth ?? 'password',
    input.signInId ?? '',
  ]);
}

// --- providers ----------------------------------------------------------------------

/** The wizard's "Other (IMAP/SMTP)" tile: no provider in the catalogue. */
export const OTHER_PROVIDER = 'other';

/** providerForEmail finds the catalogue's provider hosting an address's domain. */
export function providerForEmail(providers: readonly Provider[], email: string): Provider | null {
  const domain = domainOf(email);
  if (!domain) return null;
  return providers.find((p) => p.domains.includes(domain)) ?? null;
}

/** ORIGIN_PARAMS are the params each source's origin sentence needs (discovery.Origin). */
const ORIGIN_PARAMS: Record<string, readonly string[]> = {
  preset: ['domain'],
  catalog: ['url'],
  autoconfig: ['url'],
  srv: ['imap', 'smtp'],
  mx: ['domain', 'host'],
  guess: ['domain'],
};

/** originLine says where exactly a candidate came from, worded from its source and the
 * origin's params (a URL, the DNS names, the domain); the domain of the address looked up
 * stands in when the origin does not name one. null when there is nothing to say. */
export function originLine(c: Pick<Candidate, 'source' | 'origin'>, email: string): Line | null {
  const key = originKey(c.source);
  const needs = ORIGIN_PARAMS[c.source];
  if (!key || !needs) return null;
  const values: Record<string, string> = { ...c.origin };
  const domain = domainOf(email);
  if (!values.domain && domain) values.domain = domain;
  return needs.every((p) => values[p]) ? { key, values } : null;
}

/** signInNeeded is the sign-in a provider or candidate would need instead of a password. */
export function signInNeeded(p: { signIn: SignIn | null } | null | undefined): SignIn | null {
  return p?.signIn ?? null;
}

// --- domain presets -----------------------------------------------------------------

export type PresetKind = Preset['kind'];

export interface PresetServerForm {
  host: string;
  port: string;
  security: Security;
}

export interface PresetForm {
  domain: string;
  kind: PresetKind;
  imap: PresetServerForm;
  smtp: PresetServerForm;
  usernameForm: UsernameForm;
  exchangeUrl: string;
}

export function emptyPresetForm(): PresetForm {
  return {
    domain: '',
    kind: 'servers',
    imap: { host: '', port: String(DEFAULT_PORTS.imap.tls), security: 'tls' },
    smtp: { host: '', port: String(DEFAULT_PORTS.smtp.tls), security: 'tls' },
    usernameForm: 'email',
    exchangeUrl: '',
  };
}

export function presetFormFrom(p: Preset): PresetForm {
  const form = emptyPresetForm();
  form.domain = p.domain;
  form.kind = p.kind;
  if (p.kind === 'exchange') {
    form.exchangeUrl = p.exchangeUrl;
  } else {
    form.imap = { host: p.imap.host, port: String(p.imap.port), security: p.imap.security };
    form.smtp = { host: p.smtp.host, port: String(p.smtp.port), security: p.smtp.security };
    form.usernameForm = p.usernameForm;
  }
  return form;
}

/** presetFromForm keeps only the chosen kind: servers or an Exchange URL, never both. */
export function presetFromForm(f: PresetForm): Preset {
  const domain = f.domain.trim().replace(/^@/, '').toLowerCase();
  if (f.kind === 'exchange') {
    return { kind: 'exchange', domain, exchangeUrl: f.exchangeUrl.trim(), updatedAt: '' };
  }
  const server = (s: PresetServerForm) => ({ host: s.host.trim(), port: parsePort(s.port), security: s.security });
  return { kind: 'servers', domain, imap: server(f.imap), smtp: server(f.smtp), usernameForm: f.usernameForm, updatedAt: '' };
}

/** presetUsername is the username a preset gives an address. */
export function presetUsername(form: UsernameForm, email: string): string {
  return form === 'local' ? localPartOf(email) : email.trim();
}
