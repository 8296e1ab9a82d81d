import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../../wailsjs/go/api/Accounts', () => ({
  List: vi.fn(),
  Get: vi.fn(),
  Providers: vi.fn(),
  Discover: vi.fn(),
  Test: vi.fn(),
  CancelTest: vi.fn(),
  TrustCertificate: vi.fn(),
  Create: vi.fn(),
  Update: vi.fn(),
  SetDisabled: vi.fn(),
  Delete: vi.fn(),
  Grant: vi.fn(),
  Revoke: vi.fn(),
  Quota: vi.fn(),
  SetQuota: vi.fn(),
  SendTestEmail: vi.fn(),
  SignIn: vi.fn(),
  ReopenSignIn: vi.fn(),
  SignInAgain: vi.fn(),
  Disconnect: vi.fn(),
}));
vi.mock('../../../wailsjs/go/api/Presets', () => ({ List: vi.fn(), Save: vi.fn(), Delete: vi.fn() }));
vi.mock('../../../wailsjs/runtime/runtime', () => ({ Quit: vi.fn(), EventsOn: vi.fn(), BrowserOpenURL: vi.fn() }));

import * as Accounts from '../../../wailsjs/go/api/Accounts';
import * as Presets from '../../../wailsjs/go/api/Presets';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { accountsApi, eventsApi, presetsApi, PROBE_STEP_EVENT, toAccount, toDiscovery, toPreset, toProvider, toStep } from './accounts';
import { testAccount } from '$lib/accounts/fixtures';
import { ApiError } from './errors';
import type { AccountInput } from './types';

const server = { host: 'imap.example.test', port: 993, security: 'tls', username: 'alice@example.test' };

const accountWire = {
  id: 7,
  name: 'Contact',
  email: 'contact@example.test',
  fromName: 'Atelier Martin',
  provider: 'ovh',
  settingsSource: 'preset',
  imap: server,
  smtp: { ...server, host: 'smtp.example.test', port: 587, security: 'starttls' },
  sender: { kind: 'mailgun', domain: 'mg.example.test', region: 'eu', stream: '' },
  sendOnly: false,
  auth: 'password',
  oauthProvider: '',
  signInExpiresAt: '',
  status: 'ok',
  statusCode: '',
  lastCheck: '2026-11-22T10:00:00Z',
  disabled: false,
  createdAt: '2026-11-20T09:00:00Z',
  users: [1, 2],
};

const stepWire = {
  runId: 'r1',
  name: 'tls',
  status: 'failed',
  detail: '',
  code: 'tls_untrusted',
  error: { code: 'tls_untrusted', reason: 'tls_untrusted', params: { host: '127.0.0.1', port: 993, reason: 'unknown_authority' }, class: 'permanent' },
  hintCode: 'tls_untrusted',
  params: { host: '127.0.0.1', port: '993', sha256: 'AB' },
  cert: {
    subject: 'CN=localhost',
    issuer: 'CN=localhost',
    dnsNames: ['localhost'],
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2036-01-01T00:00:00Z',
    sha256: 'ABCDEF',
  },
  host: '127.0.0.1',
  port: 993,
  elapsedMs: 12,
};

const input: AccountInput = { ...testAccount, fromName: 'Alice' };

beforeEach(() => vi.resetAllMocks());

describe('accounts from the backend', () => {
  it('keeps every field of an account', () => {
    expect(toAccount(accountWire)).toEqual({
      ...accountWire,
      oauthProvider: null,
      signInExpiresAt: null,
      needsSignIn: false,
      statusCode: null,
      users: [1, 2],
    });
  });

  it('a disabled account reads "disabled", whatever its last check said', () => {
    expect(toAccount({ ...accountWire, disabled: true, status: 'ok' }).status).toBe('disabled');
  });

  it('an unknown status reads "not checked"; an empty last check is null; no users is []', () => {
    const a = toAccount({ ...accountWire, status: 'weird', lastCheck: '', users: null });
    expect(a).toMatchObject({ status: 'unchecked', lastCheck: null, users: [] });
  });

  it('a failed check keeps its code', () => {
    expect(toAccount({ ...accountWire, status: 'error', statusCode: 'network' })).toMatchObject({
      status: 'error',
      statusCode: 'network',
    });
  });

  it('an unknown sender reads as the account’s SMTP server; an absent one too', () => {
    expect(toAccount({ ...accountWire, sender: { kind: 'sendgrid' } }).sender.kind).toBe('smtp');
    expect(toAccount({ ...accountWire, sender: undefined }).sender).toEqual({ kind: 'smtp', domain: '', region: 'us', stream: '' });
  });

  it('an unknown security reads as TLS, never as plaintext', () => {
    expect(toAccount({ ...accountWire, imap: { ...server, security: 'none' } }).imap.security).toBe('tls');
  });
});

describe('connection test steps from the backend', () => {
  it('keeps a failed step with its certificate, fingerprint in lower case', () => {
    const s = toStep(stepWire);
    expect(s).toMatchObject({ name: 'tls', status: 'failed', code: 'tls_untrusted', hintCode: 'tls_untrusted', port: 993 });
    expect(s?.cert?.sha256).toBe('abcdef');
    expect(s?.error).toMatchObject({ code: 'tls_untrusted', reason: 'tls_untrusted', params: { host: '127.0.0.1', port: 993, reason: 'unknown_authority' } });
    expect(s && 'message' in s).toBe(false);
  });

  it('a failure carries the server’s own words as its detail; a passed step has no error', () => {
    const refused = toStep({ ...stepWire, name: 'imap_login', code: 'auth_failed', error: { code: 'auth_failed', reason: 'imap_auth_failed', params: { host: 'h' }, class: 'permanent', detail: 'NO [AUTHENTICATIONFAILED] Invalid credentials' } });
    expect(refused?.error).toMatchObject({ reason: 'imap_auth_failed', detail: 'NO [AUTHENTICATIONFAILED] Invalid credentials' });
    expect(toStep({ ...stepWire, status: 'ok', code: '', error: null })?.error).toBeNull();
  });

  it('carries why a certificate was refused, and how a handshake went', () => {
    expect(toStep({ ...stepWire, certReason: 'unknown_authority', tlsVersion: '', trusted: false })).toMatchObject({
      certReason: 'unknown_authority',
      tlsVersion: '',
      trusted: false,
    });
    expect(toStep({ ...stepWire, status: 'ok', code: '', certReason: '', tlsVersion: 'TLS 1.3', trusted: true })).toMatchObject({
      certReason: null,
      tlsVersion: 'TLS 1.3',
      trusted: true,
    });
  });

  it('a certificate reason this version does not know reads as invalid; a missing one as none', () => {
    expect(toStep({ ...stepWire, certReason: 'revoked' })?.certReason).toBe('invalid');
    expect(toStep(stepWire)).toMatchObject({ certReason: null, tlsVersion: '', trusted: false });
  });

  it('drops a step this version does not know', () => {
    expect(toStep({ ...stepWire, name: 'pop3' })).toBeNull();
    expect(toStep({ ...stepWire, status: 'maybe' })).toBeNull();
    expect(toStep(null)).toBeNull();
  });

  it('an unknown hint code of a failed step reads as the general advice', () => {
    expect(toStep({ ...stepWire, hintCode: 'brand_new' })?.hintCode).toBe('generic');
    expect(toStep({ ...stepWire, status: 'ok', hintCode: '' })?.hintCode).toBeNull();
  });

  it('a passed step has no code and no certificate', () => {
    expect(toStep({ ...stepWire, status: 'ok', code: '', cert: null, params: null })).toMatchObject({
      code: null,
      cert: null,
      params: {},
    });
  });
});

describe('discovery from the backend', () => {
  it('no best candidate, nulls for lists', () => {
    const d = toDiscovery({ verified: false, best: null, candidates: null, attempts: null, exchangeUrl: '', authFailed: false });
    expect(d).toEqual({ verified: false, best: null, candidates: [], attempts: [], exchangeUrl: '', authFailed: false, failure: null });
  });

  it('an attempt that passed has no error; one that failed, its reason and the server’s words', () => {
    const d = toDiscovery({
      verified: true,
      best: { imap: server, smtp: server, source: 'preset', origin: { domain: 'example.test' }, provider: '', signIn: '', notes: [{ code: 'enable_imap_first', detail: 'Allow IMAP once.' }] },
      candidates: [],
      attempts: [
        { source: 'preset', origin: { domain: 'example.test' }, host: 'h', port: 993, error: null },
        { source: 'guess', origin: null, host: 'g', port: 993, error: { code: 'network', reason: 'server_connection_refused', params: { host: 'g', port: 993 }, class: 'permanent' } },
      ],
      exchangeUrl: '',
      authFailed: false,
    });
    expect(d.best).toMatchObject({ source: 'preset', origin: { domain: 'example.test' }, signIn: null, notes: [{ code: 'enable_imap_first', detail: 'Allow IMAP once.' }] });
    expect(d.attempts.map((a) => a.error?.reason ?? null)).toEqual([null, 'server_connection_refused']);
    expect(d.attempts[1]).toMatchObject({ origin: {}, error: { code: 'network', params: { host: 'g', port: 993 } } });
  });

  it('a sign-in-only candidate, a note with its provider’s page (only a web address is kept)', () => {
    const d = toDiscovery({
      verified: false, exchangeUrl: '', authFailed: false, candidates: [], attempts: [],
      best: {
        imap: server, smtp: server, source: 'catalog', origin: { url: 'https://x.test' }, provider: 'outlook', signIn: 'microsoft', signInOnly: true,
        notes: [
          { code: 'enable_imap_first', detail: '', url: 'https://webmail.example.test/imap' },
          { code: 'enable_imap_first', detail: '', url: 'javascript:alert(1)' },
        ],
      },
    });
    expect(d.best).toMatchObject({ signIn: 'microsoft', signInOnly: true });
    expect(d.best?.notes.map((n) => n.url)).toEqual(['https://webmail.example.test/imap', '']);
    expect(toProvider({ id: 'outlook', name: 'Outlook', domains: [], signIn: 'microsoft', signInOnly: true, notes: [] }).signInOnly).toBe(true);
    expect(toProvider({ id: 'gmx', name: 'GMX', domains: [], signIn: '', notes: [] } as never).signInOnly).toBe(false);
  });

  it('nothing found: the failure says so, for the domain', () => {
    const d = toDiscovery({
      verified: false, best: null, candidates: [], attempts: [], exchangeUrl: '', authFailed: false,
      failure: { code: 'not_found', reason: 'discovery_nothing_found', params: { domain: 'atelier.fr' }, class: 'permanent' },
    });
    expect(d.failure).toMatchObject({ reason: 'discovery_nothing_found', params: { domain: 'atelier.fr' } });
  });
});

describe('presets', () => {
  it('an Exchange preset has no servers', () => {
    expect(toPreset({ domain: 'corp.test', imap: null, smtp: null, usernameForm: '', exchangeUrl: 'https://x', updatedAt: '' })).toEqual({
      kind: 'exchange',
      domain: 'corp.test',
      exchangeUrl: 'https://x',
      updatedAt: '',
    });
  });

  it('a servers preset keeps host, port and security; an unknown username form is the whole address', () => {
    const p = toPreset({ domain: 'example.test', imap: server, smtp: server, usernameForm: '??', exchangeUrl: '', updatedAt: 'u' });
    expect(p).toEqual({
      kind: 'servers',
      domain: 'example.test',
      imap: { host: server.host, port: 993, security: 'tls' },
      smtp: { host: server.host, port: 993, security: 'tls' },
      usernameForm: 'email',
      updatedAt: 'u',
    });
  });

  it('saving sends servers or an Exchange URL, never both', async () => {
    vi.mocked(Presets.Save).mockImplementation(async (p) => p);
    await presetsApi.save({ kind: 'exchange', domain: 'corp.test', exchangeUrl: 'https://x', updatedAt: '' });
    const sent = vi.mocked(Presets.Save).mock.calls[0][0];
    expect(sent.imap).toBeFalsy();
    expect(sent.smtp).toBeFalsy();
    expect(sent.exchangeUrl).toBe('https://x');

    await presetsApi.save({
      kind: 'servers',
      domain: 'example.test',
      imap: { host: 'i', port: 993, security: 'tls' },
      smtp: { host: 's', port: 587, security: 'starttls' },
      usernameForm: 'local',
      updatedAt: '',
    });
    const sent2 = vi.mocked(Presets.Save).mock.calls[1][0];
    expect(sent2).toMatchObject({ exchangeUrl: '', usernameForm: 'local', imap: { host: 'i' }, smtp: { port: 587 } });
  });
});

describe('calls', () => {
  it('a test sends the run id, the account id and the settings, and the password apart', async () => {
    vi.mocked(Accounts.Test).mockResolvedValue({ runId: 'r1', ok: true, steps: [stepWire] } as never);
    const rep = await accountsApi.test('r1', { accountId: 3, account: input }, '');
    const [sent, password] = vi.mocked(Accounts.Test).mock.calls[0];
    expect(sent).toMatchObject({ runId: 'r1', accountId: 3, account: { email: 'alice@example.test', smtp: { security: 'starttls' } } });
    expect(password).toBe('');
    expect(rep.steps).toHaveLength(1);
  });

  it('an API sender’s token travels apart from the settings, which carry only its kind, domain and region', async () => {
    vi.mocked(Accounts.Create).mockResolvedValue(accountWire as never);
    const mg = { ...input, sender: { kind: 'mailgun' as const, domain: ' mg.example.test ', region: 'eu' as const, stream: 'x' } };
    await accountsApi.create(mg, 'imap-pw', 'key-secret');
    const [sent, password, secret] = vi.mocked(Accounts.Create).mock.calls[0];
    expect(sent.sender).toEqual({ kind: 'mailgun', domain: 'mg.example.test', region: 'eu', stream: '' });
    expect(JSON.stringify(sent)).not.toContain('key-secret');
    expect([password, secret]).toEqual(['imap-pw', 'key-secret']);

    vi.mocked(Accounts.Update).mockResolvedValue(accountWire as never);
    await accountsApi.update(7, input, '');
    expect(vi.mocked(Accounts.Update).mock.calls[0].slice(2)).toEqual(['', '']);
    expect(vi.mocked(Accounts.Update).mock.calls[0][1].sender).toEqual({ kind: 'smtp', domain: '', region: 'us', stream: '' });
  });

  it('a refused delete rejects with the conflict', async () => {
    vi.mocked(Accounts.Delete).mockRejectedValue({ code: 'conflict', message: '1 user(s) still have access' });
    await expect(accountsApi.remove(3)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('the quota is numbers, 0 without a limit', async () => {
    vi.mocked(Accounts.Quota).mockResolvedValue({ limit: 0, active: 2 } as never);
    await expect(accountsApi.quota()).resolves.toEqual({ limit: 0, active: 2 });
  });

  it('a test email failure keeps the server’s words', async () => {
    vi.mocked(Accounts.SendTestEmail).mockRejectedValue({ code: 'provider_rejected', reason: 'smtp_refused', class: 'permanent', detail: '554 5.7.1 Relay denied' });
    const err = await accountsApi.sendTestEmail(1, { to: 'a@b.c', subject: 's', body: 'b' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ reason: 'smtp_refused', detail: '554 5.7.1 Relay denied' });
  });

  it('an account signed in with Google reads oauth, its provider and its expiry; unknown values read safely', () => {
    const a = toAccount({ ...accountWire, auth: 'oauth', oauthProvider: 'google', signInExpiresAt: '2026-12-01T10:00:00Z', status: 'needs_sign_in' });
    expect(a).toMatchObject({ auth: 'oauth', oauthProvider: 'google', signInExpiresAt: '2026-12-01T10:00:00Z', status: 'needs_sign_in' });
    const b = toAccount({ ...accountWire, auth: 'kerberos', oauthProvider: 'yahoo', signInExpiresAt: '' });
    expect(b).toMatchObject({ auth: 'password', oauthProvider: null, signInExpiresAt: null });
    expect(toAccount({ ...accountWire, auth: undefined }).auth).toBe('password');
  });

  it('a sign-in passes run id, provider and address, and comes back without tokens', async () => {
    vi.mocked(Accounts.SignIn).mockResolvedValue({ runId: 'r9', provider: 'google', email: 'ana@gmail.com', expiresAt: '' } as never);
    await expect(accountsApi.signIn('r9', 'google', 'ana@gmail.com')).resolves.toEqual({
      runId: 'r9',
      provider: 'google',
      email: 'ana@gmail.com',
      expiresAt: null,
    });
    expect(Accounts.SignIn).toHaveBeenCalledWith('r9', 'google', 'ana@gmail.com');
  });

  it('a sign-in’s refusal keeps its field, reason and params (another address signed in)', async () => {
    vi.mocked(Accounts.SignIn).mockRejectedValue({ code: 'invalid_input', field: 'email', reason: 'signin_other_address', params: { signedIn: 'b@gmail.com', address: 'a@gmail.com' } });
    const err = await accountsApi.signIn('r1', 'google', 'a@gmail.com').catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'email', reason: 'signin_other_address', params: { signedIn: 'b@gmail.com', address: 'a@gmail.com' } });
  });

  it('an OAuth account is created with its sign-in’s run id and no password; a password account sends none', async () => {
    vi.mocked(Accounts.Create).mockResolvedValue(accountWire as never);
    await accountsApi.create({ ...input, auth: 'oauth', oauthProvider: 'microsoft', signInId: 'r5' }, '');
    expect(vi.mocked(Accounts.Create).mock.calls[0][0]).toMatchObject({ auth: 'oauth', oauthProvider: 'microsoft', signInId: 'r5' });
    await accountsApi.create({ ...input, oauthProvider: 'google', signInId: 'stale' }, 'pw');
    expect(vi.mocked(Accounts.Create).mock.calls[1][0]).toMatchObject({ auth: 'password', oauthProvider: '', signInId: '' });
  });

  it('sign in again, reopen and disconnect pass their arguments; disconnect says whether the provider revoked', async () => {
    vi.mocked(Accounts.SignInAgain).mockResolvedValue({ ...accountWire, auth: 'oauth', oauthProvider: 'google', status: 'unchecked' } as never);
    await expect(accountsApi.signInAgain(7, 'r2')).resolves.toMatchObject({ id: 7, status: 'unchecked' });
    expect(Accounts.SignInAgain).toHaveBeenCalledWith(7, 'r2');
    vi.mocked(Accounts.ReopenSignIn).mockResolvedValue();
    await accountsApi.reopenSignIn('r2');
    expect(Accounts.ReopenSignIn).toHaveBeenCalledWith('r2');
    vi.mocked(Accounts.Disconnect).mockResolvedValue({ revoked: false } as never);
    await expect(accountsApi.disconnect(7, false)).resolves.toEqual({ revoked: false });
    expect(Accounts.Disconnect).toHaveBeenCalledWith(7, false);
  });

  it('trusting passes host, port and fingerprint', async () => {
    vi.mocked(Accounts.TrustCertificate).mockResolvedValue();
    await accountsApi.trustCertificate('127.0.0.1', 993, 'ab');
    expect(Accounts.TrustCertificate).toHaveBeenCalledWith('127.0.0.1', 993, 'ab');
  });
});

describe('oauth:waiting events', () => {
  it('passes the run id of each sign-in waiting in the browser; stopping twice calls the runtime once', () => {
    const off = vi.fn();
    let handler: (d: unknown) => void = () => {};
    vi.mocked(EventsOn).mockImplementation((name, cb) => {
      expect(name).toBe('oauth:waiting');
      handler = cb;
      return off;
    });
    const seen: string[] = [];
    const stop = eventsApi.onSignInWaiting((id) => seen.push(id));
    handler({ runId: 'r1', provider: 'google' });
    handler(null);
    expect(seen).toEqual(['r1', '']);
    stop();
    stop();
    expect(off).toHaveBeenCalledTimes(1);
  });
});

describe('probe:step events', () => {
  it('listens to probe:step, maps each step and drops unknown ones', () => {
    const off = vi.fn();
    let handler: (d: unknown) => void = () => {};
    vi.mocked(EventsOn).mockImplementation((name, cb) => {
      expect(name).toBe(PROBE_STEP_EVENT);
      handler = cb;
      return off;
    });
    const seen: string[] = [];
    const stop = eventsApi.onProbeStep((s) => seen.push(`${s.name}:${s.status}`));
    handler(stepWire);
    handler({ ...stepWire, name: 'unknown' });
    expect(seen).toEqual(['tls:failed']);
    stop();
    expect(off).toHaveBeenCalled();
  });

  it('without the runtime, listening does nothing and does not throw', () => {
    vi.mocked(EventsOn).mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'EventsOnMultiple')");
    });
    const stop = eventsApi.onProbeStep(() => {});
    expect(() => stop()).not.toThrow();
  });
});
