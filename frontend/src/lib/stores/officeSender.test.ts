import { describe, expect, it } from 'vitest';
import type { Account } from '$lib/api';
import { toAccount } from '$lib/api/accounts';
import { composerAccounts } from './officeSender';

const own: Account[] = [toAccount({ id: 3, email: 'moi@cabinet.test', fromName: 'Moi' })];
const office = { accountId: 7, userId: 1, address: 'contact@cabinet.test', fromName: 'Cabinet Martin', forMe: true };

describe('composerAccounts', () => {
  it('keeps the user’s own accounts', () => {
    expect(composerAccounts(own, office)).toEqual(own);
  });
  it('offers the office sender to someone with no account of their own', () => {
    const got = composerAccounts([], office);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ id: 7, email: 'contact@cabinet.test', fromName: 'Cabinet Martin' });
  });
  it('offers nothing when the office sender is not theirs or not chosen', () => {
    expect(composerAccounts([], { ...office, forMe: false })).toEqual([]);
    expect(composerAccounts([], { ...office, accountId: 0 })).toEqual([]);
    expect(composerAccounts([], null)).toEqual([]);
  });
});
