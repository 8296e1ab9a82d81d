// Accounts, steps and certificates as the backend takes and sends them, for the tests of
// the accounts code and of the connection test.
import type { AccountInput, Certificate, Step, StepName, StepStatus } from '$lib/api';

export const testCert: Certificate = {
  subject: 'CN=mail.example.test,O=Atelier Martin',
  issuer: 'CN=Example CA,O=Example',
  dnsNames: ['mail.example.test'],
  notBefore: '2026-01-01T00:00:00Z',
  notAfter: '2027-01-01T00:00:00Z',
  sha256: 'ab'.repeat(32),
};

/** makeStep is one step of a test of mail.example.test:993, with what over changes. */
export function makeStep(name: StepName, status: StepStatus, over: Partial<Step> = {}): Step {
  return {
    runId: 'run-1',
    name,
    status,
    detail: '',
    code: null,
    error: null,
    hintCode: null,
    params: {},
    cert: null,
    certReason: null,
    tlsVersion: '',
    trusted: false,
    host: 'mail.example.test',
    port: 993,
    elapsedMs: 1,
    ...over,
  };
}

/** testAccount is an unsaved account of the mail test environment (127.0.0.1). */
export const testAccount: AccountInput = {
  name: '',
  email: 'alice@example.test',
  fromName: '',
  provider: '',
  settingsSource: 'preset',
  imap: { host: '127.0.0.1', port: 993, security: 'tls', username: 'alice@example.test' },
  smtp: { host: '127.0.0.1', port: 587, security: 'starttls', username: 'alice@example.test' },
};
