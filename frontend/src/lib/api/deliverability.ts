// The deliverability check of an account's From domain (F16): run it (admins), read the
// last result (whoever may use the account). Mapped to the UI's shapes: unknown enum values
// read as the most cautious known one.
import * as Accounts from '../../../wailsjs/go/api/Accounts';
import type { api } from '../../../wailsjs/go/models';
import { call } from './client';
import {
  DELIVERABILITY_CHECKS,
  SENDING_PATHS,
  SEVERITIES,
  type DeliverabilityCheck,
  type SendingPath,
  type Severity,
} from './generated/enums';
import type { Model, Wire } from './model';

export type DnsRecord = Model<api.DNSRecordDTO>;
export type Finding = Model<
  api.FindingDTO,
  { check: DeliverabilityCheck; severity: Severity; params: Record<string, string | number>; fix: DnsRecord | null }
>;
export type Deliverability = Model<
  api.DeliverabilityDTO,
  { path: SendingPath; worst: Severity; findings: Finding[] }
>;

function oneOf<T extends string>(list: readonly T[], value: unknown, fallback: T): T {
  return typeof value === 'string' && (list as readonly string[]).includes(value) ? (value as T) : fallback;
}

function toParams(p: Wire<api.FindingDTO>['params']): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p ?? {})) {
    if (typeof v === 'number' || typeof v === 'string') out[k] = v;
    else if (v != null) out[k] = String(v);
  }
  return out;
}

export function toRecord(r: Wire<api.DNSRecordDTO> | null | undefined): DnsRecord | null {
  if (!r) return null;
  return {
    name: r.name ?? '',
    type: r.type ?? '',
    value: r.value ?? '',
    replaces: [...(r.replaces ?? [])].filter((v): v is string => typeof v === 'string'),
    placeholder: r.placeholder === true,
  };
}

export function toFinding(f: Wire<api.FindingDTO>): Finding {
  return {
    check: oneOf(DELIVERABILITY_CHECKS, f.check, 'domain'),
    code: f.code ?? '',
    // An unknown severity is shown as the worst: never hide a problem.
    severity: oneOf(SEVERITIES, f.severity, 'failure'),
    params: toParams(f.params),
    fix: toRecord(f.fix),
  };
}

export function toDeliverability(d: Wire<api.DeliverabilityDTO>): Deliverability {
  return {
    accountId: d.accountId ?? 0,
    domain: d.domain ?? '',
    path: oneOf(SENDING_PATHS, d.path, 'smtp'),
    selectors: [...(d.selectors ?? [])].filter((s): s is string => typeof s === 'string'),
    checkedAt: d.checkedAt ?? '',
    worst: oneOf(SEVERITIES, d.worst, 'failure'),
    stale: d.stale === true,
    findings: (d.findings ?? []).filter((f): f is Wire<api.FindingDTO> => f != null).map(toFinding),
  };
}

export const deliverabilityApi = {
  /** check runs the check now and keeps it; selectors: DKIM selectors read in the
   * provider's console (Postmark's), [] for the ones given last. */
  check: (accountId: number, selectors: string[] = []): Promise<Deliverability> =>
    call(async () => toDeliverability(await Accounts.CheckDeliverability(accountId, selectors))),
  /** last is the kept result, or null when the account was never checked. */
  last: (accountId: number): Promise<Deliverability | null> =>
    call(async () => {
      const d = await Accounts.Deliverability(accountId);
      return d ? toDeliverability(d) : null;
    }),
};
