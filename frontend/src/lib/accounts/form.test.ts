import { describe, expect, it } from 'vitest';
import type { Account, Candidate, Provider } from '$lib/api';
import { hasKey } from '$lib/i18n/keys';
import {
  accountInput,
  API_SENDERS,
  domainOf,
  editSource,
  emptyPresetForm,
  formFromAccount,
  formFromCandidate,
  formToInput,
  fromOnDomain,
  inputKey,
  isApiSender,
  localPartOf,
  originLine,
  parsePort,
  portAfterSecurityChange,
  presetFormFrom,
  presetFromForm,
  presetUsername,
  providerForEmail,
  sendOnlyForm,
  settingsSourceOf,
  signInOnlyServers,
} from './form';

const candidate: Candidate = {
  imap: { host: 'ssl0.ovh.net', port: 993, security: 'tls', username: 'contact@atelier.fr' },
  smtp: { host: 'ssl0.ovh.net', port: 465, security: 'tls', username: 'contact@atelier.fr' },
  source: 'mx',
  origin: { domain: 'atelier.fr', host: 'mx1.mail.ovh.net' },
  provider: 'ovh',
  signIn: null,
  signInOnly: false,
  notes: [],
};

const account: Account = {
  id: 4,
  name: 'contact@atelier.fr',
  email: 'contact@atelier.fr',
  fromName: 'Atelier',
  provider: 'ovh',
  settingsSource: 'mx',
  imap: candidate.imap,
  smtp: candidate.smtp,
  sender: { kind: 'smtp', domain: '', region: 'us', stream: '' },
  sendOnly: false,
  auth: 'password',
  oauthProvider: null,
  signInExpiresAt: null,
  needsSignIn: false,
  status: 'ok',
  statusCode: null,
  lastCheck: null,
  disabled: false,
  createdAt: '',
  users: [1],
};

describe('addresses', () => {
  it.each([
    ['Camille@Atelier.FR', 'atelier.fr', 'Camille'],
    ['a@b@example.test', 'example.test', 'a@b'],
    ['no-at-sign', '', 'no-at-sign'],
    [' x@y.z ', 'y.z', 'x'],
  ])('%s: domain %s, local part %s', (email, domain, local) => {
    expect(domainOf(email)).toBe(domain);
    expect(localPartOf(email)).toBe(local);
  });
});

describe('ports', () => {
  it.each([
    ['993', 993],
    [' 587 ', 587],
    ['', 0],
    ['99a', 0],
    ['-1', 0],
    ['123456', 0],
  ])('"%s" reads %d', (typed, want) => {
    expect(parsePort(typed)).toBe(want);
  });

  it('switching the encryption moves a usual port to the other usual port', () => {
    expect(portAfterSecurityChange('imap', '993', 'tls', 'starttls')).toBe('143');
    expect(portAfterSecurityChange('imap', '143', 'starttls', 'tls')).toBe('993');
    expect(portAfterSecurityChange('smtp', '465', 'tls', 'starttls')).toBe('587');
    expect(portAfterSecurityChange('smtp', '587', 'starttls', 'tls')).toBe('465');
  });

  it('keeps a port the user chose', () => {
    expect(portAfterSecurityChange('imap', '10993', 'tls', 'starttls')).toBe('10993');
    expect(portAfterSecurityChange('smtp', '25', 'starttls', 'tls')).toBe('25');
    expect(portAfterSecurityChange('smtp', '587', 'starttls', 'starttls')).toBe('587');
  });
});

describe('account form ↔ what the backend takes', () => {
  it('a candidate fills the servers; the tile’s provider is used when discovery has none', () => {
    const f = formFromCandidate({ email: ' contact@atelier.fr ', fromName: ' Atelier ' }, { ...candidate, provider: '' }, 'ovh');
    expect(f).toEqual({
      name: '',
      email: 'contact@atelier.fr',
      fromName: 'Atelier',
      provider: 'ovh',
      imap: { host: 'ssl0.ovh.net', port: '993', security: 'tls', username: 'contact@atelier.fr' },
      smtp: { host: 'ssl0.ovh.net', port: '465', security: 'tls', username: 'contact@atelier.fr' },
      sender: { kind: 'smtp', domain: '', region: 'us', stream: '' },
      sendOnly: false,
      auth: 'password',
      oauthProvider: null,
      signInId: '',
    });
  });

  it('an account signed in with Google keeps its sign-in: the input says oauth, and a new sign-in is a change', () => {
    const google: Account = { ...account, auth: 'oauth', oauthProvider: 'google', signInExpiresAt: null };
    const f = formFromAccount(google);
    expect(f).toMatchObject({ auth: 'oauth', oauthProvider: 'google', signInId: '' });
    const kept = formToInput(f, 'mx');
    expect(kept).toMatchObject({ auth: 'oauth', oauthProvider: 'google', signInId: '' });
    expect(accountInput(google)).toMatchObject({ auth: 'oauth', oauthProvider: 'google', signInId: '' });
    const signed = formToInput({ ...f, signInId: 'run-2' }, 'mx');
    expect(signed.signInId).toBe('run-2');
    expect(inputKey(signed, '')).not.toBe(inputKey(kept, ''));
  });

  it('a password account never sends a sign-in, whatever the form held', () => {
    const f = { ...formFromAccount(account), oauthProvider: 'google' as const, signInId: 'stale' };
    expect(formToInput(f, 'mx')).toMatchObject({ auth: 'password', oauthProvider: null, signInId: '' });
    expect(accountInput(account)).toMatchObject({ auth: 'password', oauthProvider: null });
  });

  it('a send-only account has no servers, and its Mailgun domain starts as the address’s', () => {
    const f = sendOnlyForm({ email: ' news@atelier.fr ', fromName: '' }, 'mailgun');
    expect(f.sender).toEqual({ kind: 'mailgun', domain: 'atelier.fr', region: 'us', stream: '' });
    f.sender.domain = ' MG.Atelier.fr ';
    const input = formToInput(f, 'manual');
    expect(input.imap.host).toBe('');
    expect(input.smtp.host).toBe('');
    expect(input.sender).toEqual({ kind: 'mailgun', domain: 'mg.atelier.fr', region: 'us', stream: '' });
    expect(sendOnlyForm({ email: 'a@b.fr', fromName: '' }, 'postmark').sender.domain).toBe('');
  });

  it('an edited account keeps its sender; an API sender without SMTP settings sends none', () => {
    const f = formFromAccount({ ...account, sender: { kind: 'postmark', domain: '', region: 'us', stream: 'billing' } });
    expect(formToInput(f, 'manual').sender).toEqual({ kind: 'postmark', domain: '', region: 'us', stream: 'billing' });
    expect(accountInput({ ...account, sender: { kind: 'postmark', domain: '', region: 'us', stream: '' } }).sender?.kind).toBe('postmark');
    f.smtp.host = '';
    expect(formToInput(f, 'manual').smtp.host).toBe('');
  });

  it('a new API sender token makes the tested settings stale', () => {
    const input = formToInput(formFromAccount(account), 'manual');
    expect(inputKey(input, '', 'token-1')).not.toBe(inputKey(input, '', 'token-2'));
    expect(inputKey(input, '', '')).not.toBe(inputKey({ ...input, sender: { kind: 'mailgun', domain: 'x.fr', region: 'eu', stream: '' } }, '', ''));
  });

  it('a From on the Mailgun domain or its parent passes the early check; another does not', () => {
    expect(fromOnDomain('news@atelier.fr', 'mg.atelier.fr')).toBe(true);
    expect(fromOnDomain('news@atelier.fr', 'atelier.fr')).toBe(true);
    expect(fromOnDomain('news@mail.atelier.fr', 'atelier.fr')).toBe(true);
    expect(fromOnDomain('news@other.fr', 'mg.atelier.fr')).toBe(false);
    expect(fromOnDomain('news@atelier.fr', '')).toBe(true);
  });

  it('Postmark and Mailgun are tiles of their own, not catalogue providers', () => {
    expect(API_SENDERS.every(isApiSender)).toBe(true);
    expect(isApiSender('ovh')).toBe(false);
    expect(isApiSender(null)).toBe(false);
  });

  it('without a candidate, the servers are to type, with the usual ports and the address as username', () => {
    const f = formFromCandidate({ email: 'a@b.test', fromName: '' }, null);
    expect(f.imap).toEqual({ host: '', port: '993', security: 'tls', username: 'a@b.test' });
    expect(f.smtp).toEqual({ host: '', port: '465', security: 'tls', username: 'a@b.test' });
  });

  it('the input trims what was typed and reads ports as numbers', () => {
    const f = formFromCandidate({ email: 'contact@atelier.fr', fromName: 'Atelier' }, candidate);
    f.name = '  Contact  ';
    f.imap.host = ' SSL0.ovh.net ';
    f.smtp.port = 'abc';
    const input = formToInput(f, 'manual');
    expect(input).toMatchObject({ name: 'Contact', settingsSource: 'manual', provider: 'ovh' });
    expect(input.imap).toEqual({ host: 'SSL0.ovh.net', port: 993, security: 'tls', username: 'contact@atelier.fr' });
    expect(input.smtp.port).toBe(0); // refused by the backend, next to the field
  });

  it('settings keep their source until the user changes a server', () => {
    const f = formFromCandidate({ email: 'contact@atelier.fr', fromName: '' }, candidate);
    expect(settingsSourceOf(f, candidate)).toBe('mx');
    f.name = 'renamed'; // not a server setting
    expect(settingsSourceOf(f, candidate)).toBe('mx');
    f.imap.port = '143';
    expect(settingsSourceOf(f, candidate)).toBe('manual');
    expect(settingsSourceOf(f, null)).toBe('manual');
  });

  it('an account’s form leaves the name empty when it is the address', () => {
    expect(formFromAccount(account).name).toBe('');
    expect(formFromAccount({ ...account, name: 'Contact' }).name).toBe('Contact');
    expect(formFromAccount(account).imap.port).toBe('993');
  });

  it('an edit keeps the source while the servers are unchanged', () => {
    const f = formFromAccount(account);
    f.fromName = 'Other';
    expect(editSource(account, f)).toBe('mx');
    f.smtp.security = 'starttls';
    expect(editSource(account, f)).toBe('manual');
  });

  it('a saved account is tested with its own settings', () => {
    expect(accountInput(account)).toMatchObject({ email: account.email, imap: account.imap, settingsSource: 'mx' });
    expect(accountInput(account).imap).not.toBe(account.imap);
  });

  it('what was tested changes with the servers and the password, not with the names', () => {
    const f = formFromCandidate({ email: 'contact@atelier.fr', fromName: '' }, candidate);
    const k = inputKey(formToInput(f, 'mx'), 'pw');
    expect(inputKey(formToInput({ ...f, name: 'x', fromName: 'y' }, 'mx'), 'pw')).toBe(k);
    expect(inputKey(formToInput(f, 'mx'), 'other')).not.toBe(k);
    expect(inputKey(formToInput({ ...f, imap: { ...f.imap, port: '143' } }, 'mx'), 'pw')).not.toBe(k);
  });
});

describe('providers', () => {
  const providers: Provider[] = [
    { id: 'icloud', name: 'iCloud', domains: ['icloud.com', 'me.com'], signIn: null, signInOnly: false, notes: [] },
    { id: 'gmail', name: 'Gmail', domains: ['gmail.com'], signIn: 'google', signInOnly: false, notes: [] },
    { id: 'ovh', name: 'OVHcloud', domains: [], signIn: null, signInOnly: false, notes: [] },
  ];

  it('finds the provider of an address by its domain, ignoring case', () => {
    expect(providerForEmail(providers, 'camille@ME.com')?.id).toBe('icloud');
    expect(providerForEmail(providers, 'camille@gmail.com')?.signIn).toBe('google');
  });

  it('finds nothing for other domains or an incomplete address', () => {
    expect(providerForEmail(providers, 'camille@atelier.fr')).toBeNull();
    expect(providerForEmail(providers, 'camille@')).toBeNull();
    expect(providerForEmail(providers, 'camille')).toBeNull();
  });
});

describe('servers that take only a sign-in', () => {
  const outlook: Candidate = {
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls', username: 'camille@outlook.fr' },
    smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls', username: 'camille@outlook.fr' },
    source: 'catalog',
    origin: {},
    provider: 'outlook',
    signIn: 'microsoft',
    signInOnly: true,
    notes: [],
  };

  it('never lets a password form stand for servers found to take only a sign-in', () => {
    const form = formFromCandidate({ email: 'camille@outlook.fr', fromName: '' }, outlook);
    expect(signInOnlyServers(form, outlook)).toBe(true);
    // The same with a sign-in Mailroom does not have (an autoconfig file's OAuth2 only).
    expect(signInOnlyServers(form, { ...outlook, signIn: null, provider: '' })).toBe(true);
    // A port or a letter case changed: still the provider's servers.
    form.imap.port = '143';
    form.smtp.host = 'SMTP-mail.outlook.com ';
    expect(signInOnlyServers(form, outlook)).toBe(true);
  });

  it('lets the password back once signed in, for send-only forms, or for the user’s own servers', () => {
    const form = formFromCandidate({ email: 'camille@outlook.fr', fromName: '' }, outlook);
    expect(signInOnlyServers({ ...form, auth: 'oauth', oauthProvider: 'microsoft' }, outlook)).toBe(false);
    expect(signInOnlyServers({ ...form, sendOnly: true }, outlook)).toBe(false);
    expect(signInOnlyServers(form, { ...outlook, signInOnly: false })).toBe(false);
    expect(signInOnlyServers(form, null)).toBe(false);
    // One server still the provider's: a password cannot work there.
    form.imap.host = 'imap.atelier.fr';
    expect(signInOnlyServers(form, outlook)).toBe(true);
    form.smtp.host = 'smtp.atelier.fr';
    expect(signInOnlyServers(form, outlook)).toBe(false);
  });
});

describe('where settings came from', () => {
  it('words each source with its origin’s params, never a sentence of the backend', () => {
    const url = 'https://autoconfig.atelier.fr/mail/config-v1.1.xml';
    expect(originLine({ source: 'autoconfig', origin: { url } }, 'a@atelier.fr')).toEqual({
      key: 'accounts.origin.autoconfig',
      values: { url, domain: 'atelier.fr' },
    });
    expect(originLine(candidate, 'a@atelier.fr')).toEqual({
      key: 'accounts.origin.mx',
      values: { domain: 'atelier.fr', host: 'mx1.mail.ovh.net' },
    });
    expect(originLine({ source: 'srv', origin: { imap: '_imaps._tcp.atelier.fr', smtp: '_submissions._tcp.atelier.fr' } }, 'a@atelier.fr')).toMatchObject({
      key: 'accounts.origin.srv',
      values: { imap: '_imaps._tcp.atelier.fr', smtp: '_submissions._tcp.atelier.fr' },
    });
  });

  it('a domain preset and usual server names: the origin’s domain, else the address’s', () => {
    expect(originLine({ source: 'preset', origin: { domain: 'atelier.fr' } }, 'a@other.fr')).toEqual({
      key: 'accounts.origin.preset',
      values: { domain: 'atelier.fr' },
    });
    expect(originLine({ source: 'guess', origin: {} }, 'a@Atelier.fr')).toEqual({
      key: 'accounts.origin.guess',
      values: { domain: 'atelier.fr' },
    });
  });

  it('nothing to show without the params its sentence needs, or for an unknown source', () => {
    expect(originLine({ source: 'catalog', origin: {} }, 'a@atelier.fr')).toBeNull();
    expect(originLine({ source: 'preset', origin: {} }, 'nobody')).toBeNull();
    expect(originLine({ source: 'brand_new', origin: { url: 'https://x.test' } }, 'a@atelier.fr')).toBeNull();
  });

  it.each(['preset', 'catalog', 'autoconfig', 'srv', 'mx', 'guess'])('the %s sentence is in the catalogues', (source) => {
    expect(hasKey(`accounts.origin.${source}`)).toBe(true);
  });
});

describe('preset form ↔ preset', () => {
  it('a new preset offers the usual ports with TLS and the whole address as username', () => {
    expect(emptyPresetForm()).toMatchObject({
      kind: 'servers',
      imap: { port: '993', security: 'tls' },
      smtp: { port: '465', security: 'tls' },
      usernameForm: 'email',
    });
  });

  it('the servers choice sends servers only', () => {
    const f = emptyPresetForm();
    f.domain = ' @Example.TEST ';
    f.imap.host = 'imap.example.test';
    f.smtp = { host: 'smtp.example.test', port: '587', security: 'starttls' };
    f.exchangeUrl = 'https://left.over/from/the/other/choice';
    expect(presetFromForm(f)).toEqual({
      kind: 'servers',
      domain: 'example.test',
      imap: { host: 'imap.example.test', port: 993, security: 'tls' },
      smtp: { host: 'smtp.example.test', port: 587, security: 'starttls' },
      usernameForm: 'email',
      updatedAt: '',
    });
  });

  it('the Exchange choice sends the URL only', () => {
    const f = emptyPresetForm();
    f.domain = 'corp.test';
    f.kind = 'exchange';
    f.imap.host = 'typed.before.switching';
    f.exchangeUrl = ' https://mail.corp.test/EWS/Exchange.asmx ';
    expect(presetFromForm(f)).toEqual({
      kind: 'exchange',
      domain: 'corp.test',
      exchangeUrl: 'https://mail.corp.test/EWS/Exchange.asmx',
      updatedAt: '',
    });
  });

  it('a saved preset opens in the form as it was', () => {
    const p = presetFromForm({
      ...emptyPresetForm(),
      domain: 'example.test',
      imap: { host: 'i', port: '10993', security: 'tls' },
      smtp: { host: 's', port: '10587', security: 'starttls' },
      usernameForm: 'local',
    });
    expect(presetFromForm(presetFormFrom(p))).toEqual(p);
    const ex = presetFormFrom({ kind: 'exchange', domain: 'corp.test', exchangeUrl: 'https://x', updatedAt: '' });
    expect(ex).toMatchObject({ kind: 'exchange', exchangeUrl: 'https://x', domain: 'corp.test' });
  });

  it('shows the username a preset gives an address', () => {
    expect(presetUsername('email', 'camille@example.test')).toBe('camille@example.test');
    expect(presetUsername('local', 'camille@example.test')).toBe('camille');
  });
});
