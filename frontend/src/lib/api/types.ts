// The shapes the UI works with. They mirror the DTOs of backend/api, with the string
// enums spelled out, so that components never depend on the generated classes.

export const ROLES = ['super_admin', 'admin', 'collaborator'] as const;
export type Role = (typeof ROLES)[number];

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const VAULT_REASONS = ['no_bus', 'no_service', 'locked', 'unknown'] as const;
export type VaultReason = (typeof VAULT_REASONS)[number];

export interface User {
  id: number;
  name: string;
  email: string;
  role: Role;
  language: Language;
  createdAt: string; // RFC 3339
}

export interface SessionState {
  onboarded: boolean;
  user: User | null;
  /** The remembered language; null when it was never chosen (follow the system). */
  language: Language | null;
}

export interface VaultStatus {
  available: boolean;
  /** Why it is unavailable; null when available. */
  reason: VaultReason | null;
  message: string;
}

export interface SystemStatus {
  version: string;
  dataDir: string;
  storageError: string;
  vault: VaultStatus;
}

export interface OnboardInput {
  name: string;
  email: string;
  language: Language;
}

export interface NewUserInput {
  name: string;
  email: string;
  role: Role;
  language: Language;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function isVaultReason(value: unknown): value is VaultReason {
  return typeof value === 'string' && (VAULT_REASONS as readonly string[]).includes(value);
}
