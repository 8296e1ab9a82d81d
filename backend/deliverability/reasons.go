package deliverability

import "mailroom/backend/fault"

// The findings' codes. A finding is not an error: it is defined as a reason so that its
// name and params are part of the generated contract (src/lib/api/generated/faults.ts) and
// the UI's tests check that it is worded in French and English with the params sent here
// (frontend/src/lib/i18n/reasons/deliverability.json). Their fault code is InvalidInput
// ("something in the domain's records must change"); the UI reads only the name.
//
// {domain} is the domain whose record is read (the From domain, its organisational domain
// for DMARC, Mailgun's sending domain for SPF and DKIM); {include} an SPF include;
// {selector} a DKIM selector; {address} an IP address of the sending path; {count} a number.
var (
	// FindingDomainManaged: the From address is at a mailbox provider's own domain.
	FindingDomainManaged = finding("deliverability_domain_managed", "{domain} belongs to the mailbox provider, which keeps its records")

	FindingSPFMissing        = finding("spf_missing", "{domain} publishes no SPF record")
	FindingSPFMultiple       = finding("spf_multiple", "{domain} publishes {count} SPF records; only one is allowed")
	FindingSPFIncludeMissing = finding("spf_include_missing", "the SPF record of {domain} does not include {include}")
	FindingSPFPlusAll        = finding("spf_plus_all", "the SPF record of {domain} ends with +all: anyone may send as {domain}")
	FindingSPFTooManyLookups = finding("spf_too_many_lookups", "the SPF record of {domain} needs {count} DNS lookups; at most 10 are allowed")
	FindingSPFTooManyVoid    = finding("spf_too_many_void_lookups", "the SPF record of {domain} names {count} domains that do not exist; at most 2 are allowed")
	FindingSPFNotAuthorised  = finding("spf_not_authorised", "the SPF record of {domain} does not allow {address} ({result})")
	FindingSPFInvalid        = finding("spf_invalid", "the SPF record of {domain} cannot be read")
	FindingSPFPass           = finding("spf_pass", "the SPF record of {domain} allows the sending servers ({address}), in {count} lookups")
	FindingSPFNotEvaluated   = finding("spf_not_evaluated", "no sending address of this path could be found to check the SPF record of {domain}")

	FindingPostmarkReturnPathMissing = finding("postmark_return_path_missing", "{name} does not point at pm.mtasv.net")
	FindingPostmarkReturnPathOK      = finding("postmark_return_path_ok", "{name} points at pm.mtasv.net")
	FindingMailgunAligned            = finding("mailgun_return_path_aligned", "Mailgun's return path {sending} aligns with {domain}")
	FindingMailgunUnaligned          = finding("mailgun_return_path_unaligned", "Mailgun's return path {sending} does not align with {domain}")

	FindingDKIMOK              = finding("dkim_ok", "the DKIM key {selector} of {domain} is published ({algorithm}, {bits} bits)")
	FindingDKIMMissing         = finding("dkim_missing", "the DKIM key {selector} of {domain} is not published")
	FindingDKIMNotFound        = finding("dkim_not_found", "no DKIM key of {domain} was found under the usual selectors ({selectors})")
	FindingDKIMSelectorUnknown = finding("dkim_selector_unknown", "the DKIM selector of {domain} for this path is not known yet")
	FindingDKIMKeyInvalid      = finding("dkim_key_invalid", "the DKIM key {selector} of {domain} cannot be read")
	FindingDKIMKeyRevoked      = finding("dkim_key_revoked", "the DKIM key {selector} of {domain} is revoked (empty p=)")
	FindingDKIMKeyWeak         = finding("dkim_key_weak", "the DKIM key {selector} of {domain} has {bits} bits; at least 1024 are needed")
	FindingDKIMCNAMEMissing    = finding("dkim_cname_missing", "{selector}._domainkey.{domain} does not point at the provider's key")

	FindingDMARCMissing    = finding("dmarc_missing", "{domain} publishes no DMARC record")
	FindingDMARCMultiple   = finding("dmarc_multiple", "{domain} publishes {count} DMARC records; only one is allowed")
	FindingDMARCInvalid    = finding("dmarc_invalid", "the DMARC record of {domain} cannot be read")
	FindingDMARCPolicyNone = finding("dmarc_policy_none", "the DMARC policy of {domain} is none: failing mail is delivered anyway")
	FindingDMARCOK         = finding("dmarc_ok", "the DMARC policy of {domain} is {policy} (DKIM alignment {adkim}, SPF alignment {aspf})")

	FindingDNSFailed = finding("deliverability_dns_failed", "the DNS server did not answer for {name}")
)

// Failures of the check itself.
var (
	// ErrNoDomain: the account's address has no domain to check.
	ErrNoDomain = fault.Define("deliverability_no_domain", fault.InvalidInput, "{address} has no domain to check")
)

func finding(name, english string) *fault.Reason {
	return fault.Define(name, fault.InvalidInput, english)
}
