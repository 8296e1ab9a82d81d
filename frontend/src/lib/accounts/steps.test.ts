import { describe, expect, it } from 'vitest';
import { ApiError, CERT_REASONS, ERROR_CODES, HINT_CODES, STEP_NAMES, type Certificate, type Step } from '$lib/api';
import { hasKey } from '$lib/i18n/keys';
import type { StepView } from '$lib/stores/connectionTest';
import { makeStep, testCert } from './fixtures';
import {
  detailLines,
  failureLine,
  fixLine,
  isExpired,
  notYetValid,
  serverKind,
  serverOf,
  shortName,
  tlsLine,
  type Line,
} from './steps';

const cert: Certificate = { ...testCert, sha256: 'ab' };
const step = makeStep;

const view = (s: Step): StepView => ({ name: s.name, status: s.status, step: s });
const day = (iso: string) => iso.slice(0, 10);

describe('what each passed step says', () => {
  it('DNS: the addresses found, or that an IP needs no lookup', () => {
    expect(detailLines(view(step('dns', 'ok', { detail: '192.0.2.1, 192.0.2.2' })), day)).toEqual([
      { key: 'accounts.stepDetail.dns', values: { host: 'mail.example.test', addresses: '192.0.2.1, 192.0.2.2' } },
    ]);
    expect(detailLines(view(step('dns', 'ok', { host: '127.0.0.1', detail: '127.0.0.1' })), day)).toEqual([
      { key: 'accounts.stepDetail.dnsIp', values: { host: '127.0.0.1' } },
    ]);
  });

  it('TLS: the certificate’s subject, issuer and expiry, translated', () => {
    expect(detailLines(view(step('tls', 'ok', { cert, detail: 'TLS, TLS 1.3; certificate for …' })), day)).toEqual([
      {
        key: 'accounts.stepDetail.cert',
        values: { subject: 'mail.example.test', issuer: 'Example CA', date: '2027-01-01' },
      },
    ]);
  });

  it('TLS: the version first, and that the certificate was trusted by the user', () => {
    expect(detailLines(view(step('tls', 'ok', { cert, tlsVersion: 'TLS 1.3' })), day)).toEqual([
      { key: 'accounts.stepDetail.tls', values: { version: 'TLS 1.3' } },
      { key: 'accounts.stepDetail.cert', values: { subject: 'mail.example.test', issuer: 'Example CA', date: '2027-01-01' } },
    ]);
    expect(detailLines(view(step('tls', 'ok', { cert, tlsVersion: 'TLS 1.2', trusted: true })), day)[0]).toEqual({
      key: 'accounts.stepDetail.tlsTrusted',
      values: { version: 'TLS 1.2' },
    });
  });

  it('tlsLine: the version, trusted or not; nothing when the step says neither', () => {
    expect(tlsLine(step('tls', 'ok', { tlsVersion: 'TLS 1.3' }))).toEqual({
      key: 'accounts.stepDetail.tls',
      values: { version: 'TLS 1.3' },
    });
    expect(tlsLine(step('tls', 'ok', { tlsVersion: 'TLS 1.3', trusted: true }))).toEqual({
      key: 'accounts.stepDetail.tlsTrusted',
      values: { version: 'TLS 1.3' },
    });
    expect(tlsLine(step('tls', 'ok', { trusted: true }))).toEqual({ key: 'accounts.stepDetail.trusted', values: {} });
    expect(tlsLine(step('tls', 'ok'))).toBeNull();
  });

  it('TLS with neither a certificate nor a version says nothing rather than the backend’s English detail', () => {
    expect(detailLines(view(step('tls', 'ok', { detail: 'TLS, TLS 1.3; certificate for …' })), day)).toEqual([]);
  });

  it('SMTP: where it signed in, and its certificate', () => {
    const lines = detailLines(view(step('smtp_login', 'ok', { host: 'smtp.example.test', port: 587, cert })), day);
    expect(lines[0]).toEqual({ key: 'accounts.stepDetail.smtp_login', values: { host: 'smtp.example.test', port: 587 } });
    expect(lines[1]).toMatchObject({ key: 'accounts.stepDetail.cert' });
  });

  it('SMTP: its TLS version and a certificate trusted by the user, between the two', () => {
    const s = step('smtp_login', 'ok', { host: 'smtp.example.test', port: 587, cert, tlsVersion: 'TLS 1.3', trusted: true });
    expect(detailLines(view(s), day).map((l) => ('key' in l ? l.key : l.text))).toEqual([
      'accounts.stepDetail.smtp_login',
      'accounts.stepDetail.tlsTrusted',
      'accounts.stepDetail.cert',
    ]);
  });

  it('login and capabilities: the username and the capability names', () => {
    expect(detailLines(view(step('imap_login', 'ok', { detail: 'alice@example.test' })), day)[0]).toMatchObject({
      values: { username: 'alice@example.test' },
    });
    expect(detailLines(view(step('capabilities', 'ok', { detail: 'IMAP4rev1 IDLE' })), day)[0]).toMatchObject({
      values: { capabilities: 'IMAP4rev1 IDLE' },
    });
  });

  it('a skipped step says an earlier one failed; pending and running steps say nothing', () => {
    expect(detailLines({ name: 'smtp_login', status: 'skipped', step: null }, day)).toEqual([
      { key: 'accounts.stepDetail.skipped', values: {} },
    ]);
    expect(detailLines({ name: 'dns', status: 'pending', step: null }, day)).toEqual([]);
    expect(detailLines(view(step('tcp', 'running')), day)).toEqual([]);
  });
});

describe('what happened at a failed step, in the user’s words', () => {
  // The step as the backend sends it: params carry the server (a step without a reason
  // this version words falls back on its code).
  const failed = (over: Partial<Step>) =>
    step(over.name ?? 'tls', 'failed', {
      host: '127.0.0.1',
      port: 10993,
      params: { host: '127.0.0.1', port: '10993' },
      ...over,
    });

  it('is its reason, worded with the reason’s params', () => {
    const error = new ApiError('auth_failed', { reason: 'imap_auth_failed', params: { host: 'imap.atelier.fr' }, detail: 'NO [AUTHENTICATIONFAILED] Invalid credentials' });
    expect(what({ name: 'imap_login', code: 'auth_failed', error })).toEqual({
      key: 'reason.imap_auth_failed',
      values: { host: 'imap.atelier.fr', port: '10993' },
    });
    const lost = new ApiError('network', { reason: 'server_timeout', params: { host: 'h.test', port: 993 } });
    expect(what({ name: 'tcp', code: 'network', error: lost })).toEqual({ key: 'reason.server_timeout', values: { host: 'h.test', port: 993 } });
    expect(hasKey('reason.imap_auth_failed') && hasKey('reason.server_timeout')).toBe(true);
  });

  it('a reason this version does not word falls back on the code', () => {
    const error = new ApiError('auth_failed', { reason: 'brand_new_reason' });
    expect(what({ name: 'imap_login', code: 'auth_failed', error })).toEqual({ key: 'accounts.failure.auth_failed', values: { host: '127.0.0.1' } });
  });
  const ctx = { formatDate: day, now: new Date('2026-06-01T00:00:00Z') };
  const what = (over: Partial<Step>, more: Partial<typeof ctx> & { security?: 'tls' | 'starttls' | null } = {}) =>
    failureLine(failed(over), { ...ctx, ...more });

  describe('an untrusted certificate, by its reason', () => {
    const untrusted = (over: Partial<Step>) => what({ code: 'tls_untrusted', hintCode: 'tls_untrusted', cert, ...over });

    it('unknown_authority: self-signed or from an unknown authority', () => {
      expect(untrusted({ certReason: 'unknown_authority' })).toEqual({
        key: 'accounts.failure.cert.unknown_authority',
        values: { host: '127.0.0.1' },
      });
    });

    it('expired: the day it expired', () => {
      const old = { ...cert, notBefore: '2024-01-01T00:00:00Z', notAfter: '2025-03-02T00:00:00Z' };
      expect(untrusted({ certReason: 'expired', cert: old })).toEqual({
        key: 'accounts.failure.cert.expired',
        values: { host: '127.0.0.1', date: '2025-03-02' },
      });
    });

    it('expired, but not valid yet (Go says expired for both): the day it starts', () => {
      const early = { ...cert, notBefore: '2026-09-01T00:00:00Z', notAfter: '2027-09-01T00:00:00Z' };
      expect(untrusted({ certReason: 'expired', cert: early })).toEqual({
        key: 'accounts.failure.cert.notYetValid',
        values: { host: '127.0.0.1', date: '2026-09-01' },
      });
    });

    it('wrong_host: the names it was issued for', () => {
      const other = { ...cert, dnsNames: ['mail.other.test', 'other.test'] };
      expect(untrusted({ certReason: 'wrong_host', cert: other })).toEqual({
        key: 'accounts.failure.cert.wrong_host',
        values: { host: '127.0.0.1', names: 'mail.other.test, other.test' },
      });
    });

    it('wrong_host without names: the common name of its subject', () => {
      const cnOnly = { ...cert, subject: 'CN=legacy.other.test,O=Other', dnsNames: [] };
      expect(untrusted({ certReason: 'wrong_host', cert: cnOnly })).toMatchObject({
        values: { names: 'legacy.other.test' },
      });
    });

    it('changed: it differs from the one the user trusted', () => {
      expect(untrusted({ certReason: 'changed' })).toEqual({
        key: 'accounts.failure.cert.changed',
        values: { host: '127.0.0.1' },
      });
    });

    it('invalid, no reason, or a reason without the certificate it needs: not valid', () => {
      const invalid = { key: 'accounts.failure.cert.invalid', values: { host: '127.0.0.1' } };
      expect(untrusted({ certReason: 'invalid' })).toEqual(invalid);
      expect(untrusted({ certReason: null })).toEqual(invalid);
      expect(untrusted({ certReason: 'expired', cert: null })).toEqual(invalid);
      expect(untrusted({ certReason: 'wrong_host', cert: null })).toEqual(invalid);
    });
  });

  it('auth_failed: the server refused the username or password', () => {
    expect(what({ name: 'imap_login', code: 'auth_failed', hintCode: 'auth_generic' })).toEqual({
      key: 'accounts.failure.auth_failed',
      values: { host: '127.0.0.1' },
    });
  });

  it('provider_rejected: the server refused (its own words stay in the technical details)', () => {
    expect(what({ name: 'smtp_login', code: 'provider_rejected', hintCode: 'provider' })).toEqual({
      key: 'accounts.failure.provider_rejected',
      values: { host: '127.0.0.1' },
    });
  });

  describe('tls_required, by the step and the encryption mode tested', () => {
    const required = (name: Step['name'], security: 'tls' | 'starttls' | null) =>
      what({ name, code: 'tls_required', hintCode: name === 'smtp_login' ? 'tls_required_smtp' : 'tls_required_imap' }, { security });

    it('STARTTLS chosen: the server does not offer STARTTLS on the port', () => {
      expect(required('tls', 'starttls')).toEqual({
        key: 'accounts.failure.tls_required.starttls',
        values: { host: '127.0.0.1', port: '10993' },
      });
      expect(required('smtp_login', 'starttls')).toMatchObject({ key: 'accounts.failure.tls_required.starttls' });
    });

    it('SSL/TLS chosen: the server did not answer with TLS on the port', () => {
      expect(required('tls', 'tls')).toMatchObject({ key: 'accounts.failure.tls_required.tls' });
      expect(required('smtp_login', 'tls')).toMatchObject({ key: 'accounts.failure.tls_required.tls' });
    });

    it('at the IMAP login: the server refuses to sign in on this connection', () => {
      expect(required('imap_login', 'tls')).toMatchObject({ key: 'accounts.failure.tls_required.login' });
    });

    it('mode unknown: the server cannot encrypt on the port', () => {
      expect(required('tls', null)).toMatchObject({ key: 'accounts.failure.tls_required.other' });
    });
  });

  describe('network, by the backend’s hint, else by the step', () => {
    it('dns: the server name was not found', () => {
      expect(what({ name: 'dns', code: 'network', hintCode: 'dns', params: { host: 'imap.typo.test', port: '993' } })).toEqual({
        key: 'accounts.failure.network.dns',
        values: { host: 'imap.typo.test', port: '993' },
      });
    });

    it('refused: the connection was refused on the port', () => {
      expect(what({ name: 'tcp', code: 'network', hintCode: 'refused' })).toEqual({
        key: 'accounts.failure.network.refused',
        values: { host: '127.0.0.1', port: '10993' },
      });
    });

    it('timeout: the server did not answer in time', () => {
      expect(what({ name: 'tcp', code: 'network', hintCode: 'timeout' })).toMatchObject({
        key: 'accounts.failure.network.timeout',
      });
      expect(what({ name: 'tls', code: 'network', hintCode: 'timeout' })).toMatchObject({
        key: 'accounts.failure.network.timeout',
      });
    });

    it.each(STEP_NAMES)('any other network failure at %s is said for that step', (name) => {
      expect(what({ name, code: 'network', hintCode: 'network' })).toMatchObject({ key: `accounts.failure.network.${name}` });
    });
  });

  it('any other code: its general message', () => {
    expect(what({ code: 'vault_unavailable', hintCode: 'generic' })).toEqual({ key: 'errors.code.vault_unavailable', values: {} });
    expect(what({ code: 'something_new' })).toEqual({ key: 'errors.code.internal', values: {} });
    expect(what({ code: null })).toEqual({ key: 'errors.code.internal', values: {} });
  });

  it('uses the step’s own server when params are missing', () => {
    expect(what({ name: 'tcp', code: 'network', hintCode: 'refused', params: {}, host: 'mail.example.test', port: 143 })).toEqual({
      key: 'accounts.failure.network.refused',
      values: { host: 'mail.example.test', port: 143 },
    });
  });

  it('every sentence it can produce is in the catalogues, and none is the backend’s English', () => {
    const produced = new Set<string>();
    for (const name of STEP_NAMES) {
      for (const code of [...ERROR_CODES, null]) {
        for (const certReason of [...CERT_REASONS, null]) {
          for (const hintCode of [...HINT_CODES, null]) {
            for (const security of ['tls', 'starttls', null] as const) {
              for (const c of [cert, { ...cert, notBefore: '2026-09-01T00:00:00Z' }, null]) {
                const line: Line = what({ name, code, certReason, hintCode, cert: c }, { security });
                produced.add('key' in line ? line.key : `text: ${line.text}`);
              }
            }
          }
        }
      }
    }
    const missing = [...produced].filter((k) => !hasKey(k));
    expect(missing).toEqual([]);
    expect(produced.size).toBeGreaterThan(20);
  });
});

describe('the fix of a failed step', () => {
  it('is translated from its hint code, with the server and its params', () => {
    const s = step('tls', 'failed', { hintCode: 'tls_untrusted', params: { host: '127.0.0.1', port: '10993', sha256: 'ab' } });
    expect(fixLine(s)).toEqual({
      key: 'accounts.hints.tls_untrusted',
      values: { host: '127.0.0.1', port: '10993', sha256: 'ab' },
    });
  });

  it('falls back to the step’s own server when params are missing', () => {
    expect(fixLine(step('tcp', 'failed', { hintCode: 'refused' }))).toEqual({
      key: 'accounts.hints.refused',
      values: { host: 'mail.example.test', port: 993 },
    });
  });

  it('is the general advice for a hint this version does not know, never a text of the backend', () => {
    expect(fixLine(step('tcp', 'failed'))).toMatchObject({ key: 'accounts.hints.generic' });
    expect(fixLine(step('tcp', 'ok'))).toBeNull();
  });
  it('a login refused to an account signed in with Google or Microsoft: sign in again, not the password hints', () => {
    const refused = step('imap_login', 'failed', { code: 'auth_failed', hintCode: 'auth_generic', params: { host: 'imap.gmail.com' } });
    expect(fixLine(refused, 'google')).toEqual({ key: 'accounts.oauth.fixSignIn', values: { provider: 'Google' } });
    expect(fixLine(refused, null)).toMatchObject({ key: 'accounts.hints.auth_generic' });
    expect(hasKey('accounts.oauth.fixSignIn')).toBe(true);
    const what = failureLine(refused, { formatDate: day, signIn: 'microsoft' });
    expect(what).toEqual({ key: 'accounts.failure.auth_failed_signIn', values: { host: 'imap.gmail.com', provider: 'Microsoft' } });
    expect(hasKey('accounts.failure.auth_failed_signIn')).toBe(true);
    expect(failureLine(refused, { formatDate: day })).toEqual({ key: 'accounts.failure.auth_failed', values: { host: 'imap.gmail.com' } });
    // Another failure of a signed-in account keeps its own fix.
    const tls = step('tls', 'failed', { code: 'tls_untrusted', hintCode: 'tls_untrusted', params: { host: 'h' } });
    expect(fixLine(tls, 'google')).toMatchObject({ key: 'accounts.hints.tls_untrusted' });
  });
});

describe('helpers', () => {
  it('shortName keeps the common name of a distinguished name', () => {
    expect(shortName('CN=localhost')).toBe('localhost');
    expect(shortName('O=Example, CN=mail.example.test, C=FR')).toBe('mail.example.test');
    expect(shortName('Example Corp')).toBe('Example Corp');
  });

  it('serverOf writes host:port, IPv6 in brackets', () => {
    expect(serverOf({ host: '127.0.0.1', port: 993 })).toBe('127.0.0.1:993');
    expect(serverOf({ host: '::1', port: 993 })).toBe('[::1]:993');
  });

  it('serverKind: only the last step talks to the SMTP server', () => {
    expect(STEP_NAMES.map(serverKind)).toEqual(['imap', 'imap', 'imap', 'imap', 'imap', 'smtp', 'imap', 'imap', 'imap']);
  });

  it('notYetValid compares the start of validity with now', () => {
    expect(notYetValid(cert, new Date('2025-12-31'))).toBe(true);
    expect(notYetValid(cert, new Date('2026-06-01'))).toBe(false);
    expect(notYetValid({ ...cert, notBefore: 'not a date' })).toBe(false);
  });

  it('isExpired compares the end of validity with now', () => {
    expect(isExpired(cert, new Date('2026-06-01'))).toBe(false);
    expect(isExpired(cert, new Date('2027-06-01'))).toBe(true);
    expect(isExpired({ ...cert, notAfter: 'not a date' })).toBe(false);
  });
});
