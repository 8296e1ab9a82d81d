import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    accountsApi: {
      list: vi.fn(),
      get: vi.fn(),
      quota: vi.fn(),
      providers: vi.fn(),
      create: vi.fn(),
      update: vi.fn(),
      setDisabled: vi.fn(),
      remove: vi.fn(),
      signInAgain: vi.fn(),
      disconnect: vi.fn(),
      grant: vi.fn(),
      revoke: vi.fn(),
      setQuota: vi.fn(),
    },
  };
});

import { accountsApi, ApiError, type Account, type AccountInput } from '$lib/api';
import { accounts, quotaFull } from './accounts';

function account(id: number, name: string, over: Partial<Account> = {}): Account {
  const server = { host: 'imap.example.test', port: 993, security: 'tls' as const, username: name };
  return {
    id,
    name,
    email: `${name.toLowerCase()}@example.test`,
    fromName: '',
    provider: '',
    settingsSource: 'preset',
    imap: server,
    smtp: server,
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
    createdAt: '2026-11-22T10:00:00Z',
    users: [1],
    ...over,
  };
}

const contact = account(1, 'Contact');
const factures = account(2, 'factures');
const alice = account(3, 'Alice');
const input = { email: 'new@example.test' } as AccountInput;
const names = () => get(accounts).items.map((a) => a.name);

beforeEach(async () => {
  vi.resetAllMocks();
  accounts.reset();
  vi.mocked(accountsApi.list).mockResolvedValue([contact, factures, alice]);
  vi.mocked(accountsApi.quota).mockResolvedValue({ limit: 5, active: 3 });
  await accounts.load();
});

describe('accounts', () => {
  it('lists accounts by name, ignoring case, with the quota', () => {
    expect(get(accounts)).toMatchObject({ status: 'ready', quota: { limit: 5, active: 3 } });
    expect(names()).toEqual(['Alice', 'Contact', 'factures']);
  });

  it('of two loads under way, the last one answers, whatever order their answers come in', async () => {
    let answerFirst: (a: Account[]) => void = () => {};
    vi.mocked(accountsApi.list)
      .mockReturnValueOnce(new Promise((r) => (answerFirst = r)))
      .mockResolvedValueOnce([{ ...alice, status: 'needs_sign_in' }]);
    const first = accounts.load();
    await accounts.load();
    answerFirst([contact, factures, alice]);
    await first;
    expect(get(accounts).items).toEqual([{ ...alice, status: 'needs_sign_in' }]);
    expect(get(accounts).status).toBe('ready');
  });

  it('a list read before an account was refreshed or removed here does not bring its old state back', async () => {
    let answer: (a: Account[]) => void = () => {};
    vi.mocked(accountsApi.list).mockReturnValueOnce(new Promise((r) => (answer = r)));
    const loading = accounts.load();
    vi.mocked(accountsApi.get).mockResolvedValue({ ...alice, status: 'needs_sign_in' });
    await accounts.refresh(alice.id);
    vi.mocked(accountsApi.remove).mockResolvedValue();
    await accounts.remove(factures.id);
    answer([contact, factures, alice]);
    await loading;
    expect(names()).toEqual(['Alice', 'Contact']);
    expect(get(accounts).items[0].status).toBe('needs_sign_in');
  });

  it('keeps the error when the list is refused', async () => {
    vi.mocked(accountsApi.list).mockRejectedValue(new ApiError('forbidden', 'no'));
    await accounts.load();
    expect(get(accounts).status).toBe('failed');
    expect(get(accounts).error?.code).toBe('forbidden');
  });

  it('a new account appears in its place and counts in the quota', async () => {
    vi.mocked(accountsApi.create).mockResolvedValue(account(4, 'Bureau'));
    vi.mocked(accountsApi.quota).mockResolvedValue({ limit: 5, active: 4 });
    await accounts.create(input, 'pw');
    expect(accountsApi.create).toHaveBeenCalledWith(input, 'pw', '');
    expect(names()).toEqual(['Alice', 'Bureau', 'Contact', 'factures']);
    expect(get(accounts).quota?.active).toBe(4);
  });

  it('over the quota, nothing is added and the refusal reaches the form', async () => {
    vi.mocked(accountsApi.create).mockRejectedValue(new ApiError('quota_reached', 'The quota of 3 is reached.'));
    await expect(accounts.create(input, 'pw')).rejects.toMatchObject({ code: 'quota_reached' });
    expect(names()).toHaveLength(3);
  });

  it('an update replaces the account; an empty password keeps the stored one', async () => {
    vi.mocked(accountsApi.update).mockResolvedValue({ ...contact, name: 'Accueil' });
    await accounts.update(contact.id, input, '');
    expect(accountsApi.update).toHaveBeenCalledWith(contact.id, input, '', '');
    expect(names()).toEqual(['Accueil', 'Alice', 'factures']);
  });

  it('disabling shows at once and frees a place in the quota', async () => {
    vi.mocked(accountsApi.setDisabled).mockResolvedValue();
    vi.mocked(accountsApi.get).mockResolvedValue({ ...contact, disabled: true, status: 'disabled' });
    vi.mocked(accountsApi.quota).mockResolvedValue({ limit: 5, active: 2 });
    await accounts.setDisabled(contact.id, true);
    expect(accountsApi.setDisabled).toHaveBeenCalledWith(contact.id, true);
    expect(get(accounts).items.find((a) => a.id === contact.id)).toMatchObject({ disabled: true, status: 'disabled' });
    expect(get(accounts).quota?.active).toBe(2);
  });

  it('signing in again puts the enabled, unchecked account in the list and counts it in the quota', async () => {
    const google = { ...contact, auth: 'oauth' as const, oauthProvider: 'google' as const };
    vi.mocked(accountsApi.signInAgain).mockResolvedValue({ ...google, status: 'unchecked' });
    vi.mocked(accountsApi.quota).mockResolvedValue({ limit: 5, active: 3 });
    await expect(accounts.signInAgain(contact.id, 'run-1')).resolves.toMatchObject({ status: 'unchecked' });
    expect(accountsApi.signInAgain).toHaveBeenCalledWith(contact.id, 'run-1');
    expect(get(accounts).items.find((a) => a.id === contact.id)?.status).toBe('unchecked');
  });

  it('disconnecting says whether the provider revoked, and the list shows the account disabled', async () => {
    vi.mocked(accountsApi.disconnect).mockResolvedValue({ revoked: false });
    vi.mocked(accountsApi.get).mockResolvedValue({ ...contact, disabled: true, status: 'disabled' });
    vi.mocked(accountsApi.quota).mockResolvedValue({ limit: 5, active: 2 });
    await expect(accounts.disconnect(contact.id, false)).resolves.toEqual({ revoked: false });
    expect(accountsApi.disconnect).toHaveBeenCalledWith(contact.id, false);
    expect(get(accounts).items.find((a) => a.id === contact.id)).toMatchObject({ disabled: true, status: 'disabled' });
    expect(get(accounts).quota?.active).toBe(2);
  });

  it('enabling over the quota is refused and changes nothing', async () => {
    vi.mocked(accountsApi.setDisabled).mockRejectedValue(new ApiError('quota_reached', 'full'));
    await expect(accounts.setDisabled(alice.id, false)).rejects.toMatchObject({ code: 'quota_reached' });
    expect(get(accounts).items.find((a) => a.id === alice.id)?.disabled).toBe(false);
  });

  it('a refused delete keeps the account; a delete removes it', async () => {
    vi.mocked(accountsApi.remove).mockRejectedValueOnce(new ApiError('conflict', '1 user(s) still have access')).mockResolvedValueOnce();
    await expect(accounts.remove(contact.id)).rejects.toMatchObject({ code: 'conflict' });
    expect(names()).toContain('Contact');
    vi.mocked(accountsApi.quota).mockResolvedValue({ limit: 5, active: 2 });
    await accounts.remove(contact.id);
    expect(names()).toEqual(['Alice', 'factures']);
    expect(get(accounts).quota?.active).toBe(2);
  });

  it('granting and revoking access reload the account’s users', async () => {
    vi.mocked(accountsApi.grant).mockResolvedValue();
    vi.mocked(accountsApi.get).mockResolvedValue({ ...contact, users: [1, 2] });
    await accounts.grant(contact.id, 2);
    expect(accountsApi.grant).toHaveBeenCalledWith(contact.id, 2);
    expect(get(accounts).items.find((a) => a.id === contact.id)?.users).toEqual([1, 2]);
    vi.mocked(accountsApi.revoke).mockResolvedValue();
    vi.mocked(accountsApi.get).mockResolvedValue({ ...contact, users: [2] });
    await accounts.revoke(contact.id, 1);
    expect(get(accounts).items.find((a) => a.id === contact.id)?.users).toEqual([2]);
  });

  it('the provider tiles are fetched once', async () => {
    vi.mocked(accountsApi.providers).mockResolvedValue([{ id: 'icloud', name: 'iCloud', domains: [], signIn: null, signInOnly: false, notes: [] }]);
    await accounts.loadProviders();
    await accounts.loadProviders();
    expect(accountsApi.providers).toHaveBeenCalledTimes(1);
    expect(get(accounts).providers).toHaveLength(1);
  });

  it('a new limit shows with the count', async () => {
    vi.mocked(accountsApi.setQuota).mockResolvedValue();
    vi.mocked(accountsApi.quota).mockResolvedValue({ limit: 10, active: 3 });
    await accounts.setQuota(10);
    expect(accountsApi.setQuota).toHaveBeenCalledWith(10);
    expect(get(accounts).quota).toEqual({ limit: 10, active: 3 });
  });
});

describe('quotaFull', () => {
  it.each([
    [null, false],
    [{ limit: 0, active: 40 }, false],
    [{ limit: 5, active: 4 }, false],
    [{ limit: 5, active: 5 }, true],
    [{ limit: 2, active: 3 }, true],
  ])('%j → %s', (q, want) => {
    expect(quotaFull(q)).toBe(want);
  });
});
