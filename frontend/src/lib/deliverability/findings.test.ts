import { describe, expect, it } from 'vitest';
import { toDeliverability, type Finding } from '$lib/api';
import { counts, fixes, groups, needsSelector, parseSelectors, zoneLine } from './findings';

const spfFix = {
  name: 'acme-conseil.fr',
  type: 'TXT',
  value: 'v=spf1 mx include:_spf.google.com ~all',
  replaces: ['v=spf1 mx +all'],
  placeholder: false,
};

function f(check: Finding['check'], code: string, severity: Finding['severity'], fix: Finding['fix'] = null): Finding {
  return { check, code, severity, params: {}, fix };
}

describe('deliverability findings', () => {
  it('groups by check in order, the worst first, keeping the order within a severity', () => {
    const g = groups([
      f('dmarc', 'dmarc_ok', 'ok'),
      f('spf', 'spf_plus_all', 'failure', spfFix),
      f('dkim', 'dkim_ok', 'ok'),
      f('dkim', 'dkim_cname_missing', 'failure'),
      f('spf', 'spf_include_missing', 'failure', spfFix),
    ]);
    expect(g.map((x) => [x.check, x.worst, x.findings.map((y) => y.code)])).toEqual([
      ['spf', 'failure', ['spf_plus_all', 'spf_include_missing']],
      ['dkim', 'failure', ['dkim_cname_missing', 'dkim_ok']],
      ['dmarc', 'ok', ['dmarc_ok']],
    ]);
  });

  it('counts severities and lists each record to change once', () => {
    const fs = [f('spf', 'spf_plus_all', 'failure', spfFix), f('spf', 'spf_include_missing', 'failure', { ...spfFix }), f('dmarc', 'dmarc_policy_none', 'warning')];
    expect(counts(fs)).toEqual({ ok: 0, warning: 1, failure: 2 });
    expect(fixes(fs)).toEqual([spfFix]);
  });

  it('writes a record as a zone-file line: TXT quoted and split at 255, CNAME absolute', () => {
    expect(zoneLine(spfFix)).toBe('acme-conseil.fr. IN TXT "v=spf1 mx include:_spf.google.com ~all"');
    const long = 'v=DKIM1; k=rsa; p=' + 'A'.repeat(400);
    const line = zoneLine({ ...spfFix, name: 'google._domainkey.acme-conseil.fr', value: long });
    expect(line).toBe(`google._domainkey.acme-conseil.fr. IN TXT "${long.slice(0, 255)}" "${long.slice(255)}"`);
    expect(zoneLine({ name: 'pm-bounces.acme.fr', type: 'CNAME', value: 'pm.mtasv.net', replaces: [], placeholder: false })).toBe(
      'pm-bounces.acme.fr. IN CNAME pm.mtasv.net.',
    );
    expect(zoneLine({ ...spfFix, value: 'say "hi"' })).toBe('acme-conseil.fr. IN TXT "say \\"hi\\""');
  });

  it('reads typed selectors and says when one is needed', () => {
    expect(parseSelectors(' 20240312102030pm._domainkey.acme.fr., pic  pic;k1')).toEqual(['20240312102030pm', 'pic', 'k1']);
    expect(parseSelectors('   ')).toEqual([]);
    const base = { accountId: 1, domain: 'acme.fr', path: 'postmark', checkedAt: '', worst: 'warning', stale: false, selectors: [] };
    expect(needsSelector(toDeliverability({ ...base, findings: [{ check: 'dkim', code: 'dkim_selector_unknown', severity: 'warning' }] }))).toBe(true);
    expect(needsSelector(toDeliverability({ ...base, findings: [{ check: 'dkim', code: 'dkim_ok', severity: 'ok' }] }))).toBe(false);
    expect(needsSelector(null)).toBe(false);
  });

  it('maps the wire: nulls to empty lists, unknown values to the most cautious', () => {
    const d = toDeliverability({
      accountId: 3,
      domain: 'acme.fr',
      path: 'carrier_pigeon',
      worst: 'catastrophic',
      selectors: null,
      findings: [{ check: 'bimi', code: 'x', severity: 'meh', params: { count: 11, domain: 'acme.fr', odd: true }, fix: null }],
    });
    expect(d.path).toBe('smtp');
    expect(d.worst).toBe('failure');
    expect(d.selectors).toEqual([]);
    expect(d.stale).toBe(false);
    expect(d.findings).toEqual([{ check: 'domain', code: 'x', severity: 'failure', params: { count: 11, domain: 'acme.fr', odd: 'true' }, fix: null }]);
  });
});
