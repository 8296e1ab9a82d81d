import { describe, expect, it } from 'vitest';
import { canManageUsers, canSeeUsers } from './permissions';

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
});
