import { describe, expect, it } from 'vitest';
import { canManageAccounts, canManageUsers, canSeeUsers, canSetQuota } from './permissions';

describe('permissions', () => {
  it.each([
    ['super_admin', true, true],
    ['admin', true, false],
    ['collaborator', false, false],
    [undefined, false, false],
  ] as const)('%s: sees users %s, manages users %s', (role, see, manage) => {
    expect(canSeeUsers(role)).toBe(see);
    expect(canManageUsers(role)).toBe(manage);
  });

  it.each([
    ['super_admin', true, true],
    ['admin', true, false],
    ['collaborator', false, false],
    [undefined, false, false],
  ] as const)('%s: manages accounts and presets %s, sets the quota %s', (role, manage, quota) => {
    expect(canManageAccounts(role)).toBe(manage);
    expect(canSetQuota(role)).toBe(quota);
  });
});
