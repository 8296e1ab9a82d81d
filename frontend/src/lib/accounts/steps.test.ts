import { describe, expect, it } from 'vitest';
import type { Certificate, Step, StepName, StepStatus } from '$lib/api';
import type { StepView } from '$lib/stores/connectionTest';
import { detailLines, fixLine, isExpired, serverOf, shortName } from './steps';

const cert: Certificate = {
  subject: 'CN=mail.example.test,O=Atelier Martin',
  issuer: 'CN=Example CA,O=Example',
  dnsNames: ['mail.example.test'],
  notBefore: '2026-01-01T00:00:00Z',
  notAfter: '2027-01-01T00:00:00Z',
  sha256: 'ab',
};

function step(name: StepName, status: StepStatus, over: Partial<Step> = {}): Step {
  return {
    runId: 'r',
    name,
    status,
    detail: '',
    code: null,
    message: '',
    hint: '',
    hintCode: null,
    params: {},
    cert: null,
    host: 'mail.example.test',
    port: 993,
    elapsedMs: 5,
    ...over,
  };
}

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

  it('TLS without a certificate falls back to the backend’s detail', () => {
    expect(detailLines(view(step('tls', 'ok', { detail: 'TLS 1.3' })), day)).toEqual([{ text: 'TLS 1.3' }]);
  });

  it('SMTP: where it signed in, and its certificate', () => {
    const lines = detailLines(view(step('smtp_login', 'ok', { host: 'smtp.example.test', port: 587, cert })), day);
    expect(lines[0]).toEqual({ key: 'accounts.stepDetail.smtp_login', values: { host: 'smtp.example.test', port: 587 } });
    expect(lines[1]).toMatchObject({ key: 'accounts.stepDetail.cert' });
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

  it('is the English hint for a code this version does not know, or nothing', () => {
    expect(fixLine(step('tcp', 'failed', { hint: 'Try later.' }))).toEqual({ text: 'Try later.' });
    expect(fixLine(step('tcp', 'failed'))).toBeNull();
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

  it('isExpired compares the end of validity with now', () => {
    expect(isExpired(cert, new Date('2026-06-01'))).toBe(false);
    expect(isExpired(cert, new Date('2027-06-01'))).toBe(true);
    expect(isExpired({ ...cert, notAfter: 'not a date' })).toBe(false);
  });
});
