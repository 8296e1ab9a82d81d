package deliverability

import (
	"context"
	"regexp"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
)

// dmarc reads the DMARC record of the From domain, or of its organisational domain (public
// suffix list), with emersion/go-msgauth: one record that parses, its policy (none is a
// warning: it asks receivers to deliver failing mail anyway), and its alignment modes —
// with, for Mailgun, whether its return path (the sending domain) aligns with the From
// domain (Postmark's is told with its return path, in the SPF findings).
func (x *run) dmarc(ctx context.Context) {
	org := orgDomain(x.domain)
	at := x.domain
	records, err := x.dmarcRecords(ctx, at)
	if err == nil && len(records) == 0 && org != x.domain {
		at = org
		records, err = x.dmarcRecords(ctx, at)
	}
	name := "_dmarc." + at
	if err != nil {
		x.add(CheckDMARC, FindingDNSFailed, Warning, fault.P{"name": name}, nil)
		return
	}
	switch {
	case len(records) == 0:
		x.add(CheckDMARC, FindingDMARCMissing, Warning, fault.P{"domain": org},
			&Record{Name: "_dmarc." + org, Type: "TXT", Value: "v=DMARC1; p=none; rua=mailto:postmaster@" + org})
		x.mailgunAlignment(dmarc.AlignmentRelaxed)
		return
	case len(records) > 1:
		x.add(CheckDMARC, FindingDMARCMultiple, Failure, fault.P{"domain": at, "count": len(records)}, nil)
		return
	}
	rec, err := dmarc.Parse(records[0])
	if err != nil {
		x.add(CheckDMARC, FindingDMARCInvalid, Failure, fault.P{"domain": at}, nil)
		return
	}
	policy := rec.Policy
	if at != x.domain && rec.SubdomainPolicy != "" {
		policy = rec.SubdomainPolicy
	}
	if policy == dmarc.PolicyNone {
		x.add(CheckDMARC, FindingDMARCPolicyNone, Warning, fault.P{"domain": at},
			&Record{Name: name, Type: "TXT", Value: withQuarantine(records[0]), Replaces: records})
	} else {
		x.add(CheckDMARC, FindingDMARCOK, OK, fault.P{"domain": at, "policy": string(policy),
			"adkim": mode(rec.DKIMAlignment), "aspf": mode(rec.SPFAlignment)}, nil)
	}
	x.mailgunAlignment(rec.SPFAlignment)
}

func (x *run) dmarcRecords(ctx context.Context, domain string) ([]string, error) {
	txts, err := x.txt(ctx, "_dmarc."+domain)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range txts {
		if strings.HasPrefix(strings.TrimSpace(t), "v=DMARC1") {
			out = append(out, strings.TrimSpace(t))
		}
	}
	return out, nil
}

// mailgunAlignment says whether Mailgun's return path (its sending domain) aligns with
// the From domain for DMARC's SPF alignment: the same domain always; a subdomain of the
// same organisational domain only in relaxed mode.
func (x *run) mailgunAlignment(aspf dmarc.AlignmentMode) {
	if x.account.Sender.Kind != accounts.Mailgun {
		return
	}
	sending := x.sendingDomain()
	p := fault.P{"domain": x.domain, "sending": sending}
	if sending == x.domain || aspf != dmarc.AlignmentStrict && orgDomain(sending) == orgDomain(x.domain) {
		x.add(CheckDMARC, FindingMailgunAligned, OK, p, nil)
		return
	}
	x.add(CheckDMARC, FindingMailgunUnaligned, Warning, p, nil)
}

// mode is an alignment mode as the UI words it: "s" (strict) or "r" (relaxed, the default).
func mode(m dmarc.AlignmentMode) string {
	if m == dmarc.AlignmentStrict {
		return "s"
	}
	return "r"
}

var policyNone = regexp.MustCompile(`(?i)(^|;)(\s*)p\s*=\s*none`)

// withQuarantine is a DMARC record with p=none turned into p=quarantine, the rest kept.
func withQuarantine(record string) string {
	return policyNone.ReplaceAllString(record, "${1}${2}p=quarantine")
}
