// What the UI offers to each role. The backend checks every call anyway; this only
// avoids showing buttons that would be refused.
import type { Role } from '$lib/api';

/** canSeeUsers: super admins and admins see the list of users (admins to grant access). */
export function canSeeUsers(role: Role | undefined): boolean {
  return role === 'super_admin' || role === 'admin';
}

/** canManageUsers: only super admins add users, change roles and remove users. */
export function canManageUsers(role: Role | undefined): boolean {
  return role === 'super_admin';
}

/** canManageAccounts: super admins and admins connect, change and remove email accounts,
 * grant access to them and keep the domain presets. Collaborators only see their own. */
export function canManageAccounts(role: Role | undefined): boolean {
  return role === 'super_admin' || role === 'admin';
}

/** canSetQuota: only super admins set the quota of active accounts. */
export function canSetQuota(role: Role | undefined): boolean {
  return role === 'super_admin';
}

/** canDefineRecordTypes: admins (and super admins) create types and fields, import records
 * and empty the trash; everyone signed in reads and edits records. */
export function canDefineRecordTypes(role: Role | undefined): boolean {
  return role === 'super_admin' || role === 'admin';
}
