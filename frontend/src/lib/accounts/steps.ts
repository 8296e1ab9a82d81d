// What the connection test's checklist says under each step, as catalogue keys with their
// values, so that every line is translated. The backend's detail of a passed step is used
// only where it is data (addresses, a username, capability names); a failed step says what
// happened by its reason (reason.<name> with its params) and how to fix it by its hint
// code; the server's own words (the error's detail) are shown verbatim beside them.
import { hasKey, hintKey, reasonKey, statusReasonKey } from '$lib/i18n/keys';
import type { Certificate, Security, SignIn, Step, StepName } from '$lib/api';
import type { StepView } from '$lib/stores/connectionTest';
import type { Line, ServerKind } from './form';
import { SIGN_IN_NAMES } from './signin';

export type { Line };

/** certLine is the short description of a certificate: subject, issuer, expiry. */
export function certLine(cert: Certificate, formatDate: (iso: string) => string): Line {
  return {
    key: 'accounts.stepDetail.cert',
    values: { subject: shortName(cert.subject), issuer: shortName(cert.issuer), date: formatDate(cert.notAfter) },
  };
}

/** shortName keeps the common name of a distinguished name ("CN=mail.example.test,O=…"),
 * which is what people recognise; the whole name is shown with the certificate. */
export function shortName(dn: string): string {
  const m = /(?:^|,)\s*CN=([^,]+)/i.exec(dn);
  return (m ? m[1] : dn).trim();
}

/** detailLines says what a step found (when it passed) or why it was not run. A failed
 * step says what happened and how to fix it instead (see failureLine and fixLine). */
export function detailLines(view: StepView, formatDate: (iso: string) => string): Line[] {
  const s = view.step;
  if (view.status === 'skipped') return [{ key: 'accounts.stepDetail.skipped', values: {} }];
  if (view.status !== 'ok' || !s) return [];
  switch (s.name) {
    case 'dns':
      if (s.detail === s.host) return [{ key: 'accounts.stepDetail.dnsIp', values: { host: s.host } }];
      return s.detail ? [{ key: 'accounts.stepDetail.dns', values: { host: s.host, addresses: s.detail } }] : [];
    case 'tcp':
      return s.detail ? [{ key: 'accounts.stepDetail.tcp', values: { address: s.detail } }] : [];
    case 'tls': {
      const lines = [tlsLine(s), s.cert ? certLine(s.cert, formatDate) : null].filter((l): l is Line => l !== null);
      return lines;
    }
    case 'imap_login':
      return s.detail ? [{ key: 'accounts.stepDetail.imap_login', values: { username: s.detail } }] : [];
    case 'capabilities':
      return s.detail ? [{ key: 'accounts.stepDetail.capabilities', values: { capabilities: s.detail } }] : [];
    case 'postmark_sender':
    case 'mailgun_from':
      return [{ key: `accounts.stepDetail.${s.name}`, values: { from: s.params.from || s.detail } }];
    case 'mailgun_domain':
      return [{ key: 'accounts.stepDetail.mailgun_domain', values: { domain: s.params.domain || s.detail } }];
    case 'smtp_login': {
      const lines: Line[] = [{ key: 'accounts.stepDetail.smtp_login', values: { host: s.host, port: s.port } }];
      const tls = tlsLine(s);
      if (tls) lines.push(tls);
      if (s.cert) lines.push(certLine(s.cert, formatDate));
      return lines;
    }
  }
  return [];
}

/** tlsLine says how a handshake that succeeded was encrypted, and whether it was accepted
 * through a certificate the user trusted; null when the step says neither. */
export function tlsLine(s: Step): Line | null {
  if (s.tlsVersion && s.trusted) return { key: 'accounts.stepDetail.tlsTrusted', values: { version: s.tlsVersion } };
  if (s.tlsVersion) return { key: 'accounts.stepDetail.tls', values: { version: s.tlsVersion } };
  if (s.trusted) return { key: 'accounts.stepDetail.trusted', values: {} };
  return null;
}

/** API_STEPS are an API sender's checks (Postmark, Mailgun), which talk HTTPS to the
 * provider rather than to a mail server. */
export const API_STEPS: readonly StepName[] = ['postmark_sender', 'mailgun_domain', 'mailgun_from'];

export function isApiStep(name: StepName): boolean {
  return API_STEPS.includes(name);
}

/** serverKind is the mail server a step talks to: only the SMTP login is SMTP's (an API
 * sender's checks have no mail server; their encryption is the provider's HTTPS). */
export function serverKind(name: StepName): ServerKind {
  return name === 'smtp_login' ? 'smtp' : 'imap';
}

export interface FailureContext {
  formatDate: (iso: string) => string;
  /** The encryption mode tested for the step's server, when known: it tells a server
   * without STARTTLS from one without TLS on that port. */
  security?: Security | null;
  /** The account signs in with Google or Microsoft (a refused login is its sign-in's). */
  signIn?: SignIn | null;
  now?: Date;
}

/** failureLine is what happened at a failed step, in the user's words: its reason with
 * the reason's params (an untrusted certificate is described from the certificate itself,
 * with its dates); a reason this version does not word falls back on the step's code. */
export function failureLine(step: Step, ctx: FailureContext): Line {
  const host = step.params.host || step.host;
  const at = { host, port: step.params.port || step.port };
  const err = step.error;
  // An untrusted certificate is said from the certificate itself, with its dates; a refused
  // sign-in with Google or Microsoft as such (the password hints do not apply).
  const signInRefused = ctx.signIn && step.code === 'auth_failed' && !isApiStep(step.name);
  if (err && step.code !== 'tls_untrusted' && !signInRefused && hasKey(`reason.${err.reason}`)) {
    return { key: reasonKey(err), values: { ...at, ...err.params } };
  }
  if (isApiStep(step.name) && step.code !== 'network') {
    // The provider refused: its token or key, or what it thinks of the sender.
    const what = step.code === 'auth_failed' ? 'auth_failed' : 'refused';
    return { key: `accounts.failure.api.${step.name}.${what}`, values: {} };
  }
  switch (step.code) {
    case 'tls_untrusted':
      return certFailureLine(step, host, ctx);
    case 'auth_failed':
      if (ctx.signIn) return { key: 'accounts.failure.auth_failed_signIn', values: { host, provider: SIGN_IN_NAMES[ctx.signIn] } };
      return { key: 'accounts.failure.auth_failed', values: { host } };
    case 'provider_rejected':
      return { key: 'accounts.failure.provider_rejected', values: { host } };
    case 'tls_required':
      return { key: `accounts.failure.tls_required.${tlsRequiredCase(step.name, ctx.security)}`, values: at };
    case 'network':
      return { key: `accounts.failure.network.${networkCase(step)}`, values: at };
  }
  // Not a connection failure (the keychain, the data…): the code's general message.
  return { key: statusReasonKey(step.code), values: {} };
}

function certFailureLine(step: Step, host: string, ctx: FailureContext): Line {
  const cert = step.cert;
  switch (step.certReason) {
    case 'unknown_authority':
    case 'changed':
      return { key: `accounts.failure.cert.${step.certReason}`, values: { host } };
    case 'expired':
      if (!cert) break;
      // Go reports a certificate not valid yet as expired too.
      if (notYetValid(cert, ctx.now)) {
        return { key: 'accounts.failure.cert.notYetValid', values: { host, date: ctx.formatDate(cert.notBefore) } };
      }
      return { key: 'accounts.failure.cert.expired', values: { host, date: ctx.formatDate(cert.notAfter) } };
    case 'wrong_host': {
      const names = cert ? (cert.dnsNames.length ? cert.dnsNames.join(', ') : shortName(cert.subject)) : '';
      if (!names) break;
      return { key: 'accounts.failure.cert.wrong_host', values: { host, names } };
    }
  }
  return { key: 'accounts.failure.cert.invalid', values: { host } };
}

/** tlsRequiredCase tells why a server could not encrypt: at the TLS step or the SMTP
 * login, by the mode tested (no STARTTLS offered, or no TLS on the port); at the IMAP
 * login, the server refused to sign in on the connection. */
function tlsRequiredCase(name: StepName, security: Security | null | undefined): string {
  if (name === 'imap_login') return 'login';
  if ((name === 'tls' || name === 'smtp_login') && security) return security;
  return 'other';
}

/** networkCase names a network failure: the hint tells a name not found, a refused
 * connection and a timeout apart; anything else is said per step. */
function networkCase(step: Step): string {
  if (step.hintCode === 'dns' || step.hintCode === 'refused' || step.hintCode === 'timeout') return step.hintCode;
  return step.name;
}

/** fixLine is the worded fix of a failed step, with its values; a fix this version does
 * not know reads as the general advice. */
export function fixLine(step: Step, signIn: SignIn | null = null): Line | null {
  // A refused sign-in with Google or Microsoft: the password hints do not apply.
  if (signIn && step.code === 'auth_failed' && !isApiStep(step.name)) {
    return { key: 'accounts.oauth.fixSignIn', values: { provider: SIGN_IN_NAMES[signIn] } };
  }
  if (step.status !== 'failed' && !step.hintCode) return null;
  const values: Record<string, string | number> = { host: step.host, port: step.port, ...step.params };
  return { key: hintKey(step.hintCode), values };
}

/** serverOf is "host:port", as the trust action names it. */
export function serverOf(step: { host: string; port: number }): string {
  return step.host.includes(':') ? `[${step.host}]:${step.port}` : `${step.host}:${step.port}`;
}

/** isExpired reports whether a certificate's validity ended before now. */
export function isExpired(cert: Certificate, now: Date = new Date()): boolean {
  const end = Date.parse(cert.notAfter);
  return Number.isFinite(end) && end < now.getTime();
}

/** notYetValid reports whether a certificate's validity starts after now. */
export function notYetValid(cert: Certificate, now: Date = new Date()): boolean {
  const start = Date.parse(cert.notBefore);
  return Number.isFinite(start) && start > now.getTime();
}
