// What the connection test's checklist says under each step, as catalogue keys with their
// values, so that every line is translated. The backend's own English detail is used only
// where it is data (addresses, a username, capability names).
import { hintKey } from '$lib/i18n/keys';
import type { Certificate, Step } from '$lib/api';
import type { StepView } from '$lib/stores/connectionTest';

export type Line = { key: string; values: Record<string, string | number> } | { text: string };

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
 * step's lines are its message and fix (see failureLines). */
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
    case 'tls':
      return s.cert ? [certLine(s.cert, formatDate)] : s.detail ? [{ text: s.detail }] : [];
    case 'imap_login':
      return s.detail ? [{ key: 'accounts.stepDetail.imap_login', values: { username: s.detail } }] : [];
    case 'capabilities':
      return s.detail ? [{ key: 'accounts.stepDetail.capabilities', values: { capabilities: s.detail } }] : [];
    case 'smtp_login': {
      const lines: Line[] = [{ key: 'accounts.stepDetail.smtp_login', values: { host: s.host, port: s.port } }];
      if (s.cert) lines.push(certLine(s.cert, formatDate));
      return lines;
    }
  }
  return [];
}

/** fixLine is the translated fix of a failed step, with its values; the backend's English
 * fix when the code is one this version does not know. */
export function fixLine(step: Step): Line | null {
  const key = hintKey(step.hintCode);
  if (key) {
    const values: Record<string, string | number> = { host: step.host, port: step.port, ...step.params };
    return { key, values };
  }
  return step.hint ? { text: step.hint } : null;
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
