// What the deliverability panel shows, apart from its words: findings grouped by what they
// are about (SPF, DKIM, DMARC), the worst first within each; a summary; the text a copy
// button puts on the clipboard; and whether the path needs a DKIM selector typed in.
import type { Deliverability, DeliverabilityCheck, DnsRecord, Finding, Severity } from '$lib/api';
import { DELIVERABILITY_CHECKS, SEVERITIES } from '$lib/api';

export interface FindingGroup {
  check: DeliverabilityCheck;
  worst: Severity;
  findings: Finding[];
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** groups returns the findings by check, in the checks' order, the worst first in each. */
export function groups(findings: readonly Finding[]): FindingGroup[] {
  const out: FindingGroup[] = [];
  for (const check of DELIVERABILITY_CHECKS) {
    const fs = findings.filter((f) => f.check === check);
    if (fs.length === 0) continue;
    // A stable sort: findings of the same severity keep the backend's order.
    const sorted = [...fs].sort((a, b) => rank(b.severity) - rank(a.severity));
    out.push({ check, worst: sorted[0].severity, findings: sorted });
  }
  return out;
}

/** counts says how many findings of each severity there are. */
export function counts(findings: readonly Finding[]): Record<Severity, number> {
  const out = { ok: 0, warning: 0, failure: 0 } as Record<Severity, number>;
  for (const f of findings) out[f.severity]++;
  return out;
}

/** fixes lists the records to add or change, each once (two findings may share one: a
 * missing include and +all are fixed by the same corrected SPF record). */
export function fixes(findings: readonly Finding[]): DnsRecord[] {
  const seen = new Set<string>();
  const out: DnsRecord[] = [];
  for (const f of findings) {
    if (!f.fix) continue;
    const key = `${f.fix.name}\u0000${f.fix.type}\u0000${f.fix.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f.fix);
  }
  return out;
}

/** zoneLine is the record as one zone-file line (what a DNS host's "import" accepts): a
 * TXT value quoted and split into strings of at most 255 characters. */
export function zoneLine(r: DnsRecord): string {
  const name = r.name.endsWith('.') ? r.name : `${r.name}.`;
  let value = r.value;
  if (r.type.toUpperCase() === 'TXT') {
    const parts: string[] = [];
    for (let i = 0; i < value.length || i === 0; i += 255) parts.push(`"${value.slice(i, i + 255).replace(/(["\\])/g, '\\$1')}"`);
    value = parts.join(' ');
  } else if (r.type.toUpperCase() === 'CNAME' && !value.endsWith('.') && !r.placeholder) {
    value = `${value}.`;
  }
  return `${name} IN ${r.type.toUpperCase()} ${value}`;
}

/** needsSelector says whether the user should type the DKIM selector their provider's
 * console shows (Postmark's dated one), because the check could not know it. */
export function needsSelector(d: Deliverability | null): boolean {
  return d !== null && d.findings.some((f) => f.code === 'dkim_selector_unknown' || f.code === 'dkim_not_found');
}

/** parseSelectors reads selectors typed by the user: separated by spaces or commas, a
 * full "selector._domainkey.domain" name reduced to the selector. */
export function parseSelectors(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const s = raw.trim().toLowerCase().replace(/\.$/, '').split('._domainkey')[0];
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}
