package deliverability

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"

	"mailroom/backend/fault"
)

// minRSABits is the smallest RSA key receivers accept (RFC 8301 section 3.2).
const minRSABits = 1024

// dkim checks that the path's DKIM key is published at the domain it signs for and parses
// as a key. A path with known selectors (Google's, Microsoft's two, or those the user gave)
// must publish each; for the others the usual selectors are tried and the first found is
// checked.
func (x *run) dkim(ctx context.Context) {
	domain := x.sendingDomain()
	selectors, known := x.selectors, true
	if len(selectors) == 0 {
		selectors, known = x.path.Selectors, x.path.Known
	}
	if len(selectors) == 0 {
		x.add(CheckDKIM, FindingDKIMSelectorUnknown, Warning, fault.P{"domain": domain}, nil)
		return
	}
	if known {
		for _, s := range selectors {
			x.dkimSelector(ctx, domain, s, true)
		}
		return
	}
	for _, s := range selectors {
		if x.dkimSelector(ctx, domain, s, false) {
			return
		}
	}
	x.add(CheckDKIM, FindingDKIMNotFound, Warning, fault.P{"domain": domain, "selectors": strings.Join(selectors, ", ")}, nil)
}

// dkimSelector checks one selector; it reports whether a record was found there (a
// finding is added for it). must: a missing record is a failure, not a guess that missed.
func (x *run) dkimSelector(ctx context.Context, domain, selector string, must bool) bool {
	name := selector + "._domainkey." + domain
	p := fault.P{"selector": selector, "domain": domain}
	if x.path.DelegatedKeys && must {
		target, err := x.r.LookupCNAME(ctx, name)
		if err != nil && !isNotFound(err) {
			x.add(CheckDKIM, FindingDNSFailed, Warning, fault.P{"name": name}, nil)
			return false
		}
		if err != nil || strings.EqualFold(strings.TrimSuffix(target, "."), name) {
			x.add(CheckDKIM, FindingDKIMCNAMEMissing, Failure, p, x.delegatedCNAME(ctx, domain, selector))
			return false
		}
	}
	txts, err := x.txt(ctx, name)
	if err != nil {
		x.add(CheckDKIM, FindingDNSFailed, Warning, fault.P{"name": name}, nil)
		return false
	}
	var keys []string
	for _, t := range txts {
		if strings.Contains(t, "p=") || strings.HasPrefix(strings.TrimSpace(t), "v=DKIM1") {
			keys = append(keys, t)
		}
	}
	if len(keys) == 0 {
		if must {
			x.add(CheckDKIM, FindingDKIMMissing, Failure, p,
				&Record{Name: name, Type: "TXT", Value: "v=DKIM1; k=rsa; p=<…>", Placeholder: true})
		}
		return false
	}
	if len(keys) > 1 {
		x.add(CheckDKIM, FindingDKIMKeyInvalid, Failure, p, nil)
		return true
	}
	algo, bits, err := parseDKIMKey(keys[0])
	switch {
	case errors.Is(err, errKeyRevoked):
		x.add(CheckDKIM, FindingDKIMKeyRevoked, Failure, p, nil)
	case errors.Is(err, errKeyWeak):
		p["bits"] = bits
		x.add(CheckDKIM, FindingDKIMKeyWeak, Failure, p, nil)
	case err != nil:
		x.add(CheckDKIM, FindingDKIMKeyInvalid, Failure, p, nil)
	default:
		p["algorithm"], p["bits"] = algo, bits
		x.add(CheckDKIM, FindingDKIMOK, OK, p, nil)
	}
	return true
}

// delegatedCNAME is the CNAME a delegated selector needs. Microsoft 365's targets are
// selectorN-<domain with dashes>._domainkey.<tenant>.onmicrosoft.com (the older form) or
// ….<tenant>.<x>-v1.dkim.mail.microsoft (the newer): read from the other selector when it
// is published, else with the tenant for the user to fill in from the Defender portal.
func (x *run) delegatedCNAME(ctx context.Context, domain, selector string) *Record {
	name := selector + "._domainkey." + domain
	if x.path.ID != PathMicrosoft {
		return &Record{Name: name, Type: "CNAME", Value: "<…>", Placeholder: true}
	}
	other := "selector2"
	if selector == "selector2" {
		other = "selector1"
	}
	if t, err := x.r.LookupCNAME(ctx, other+"._domainkey."+domain); err == nil {
		t = strings.TrimSuffix(t, ".")
		if strings.HasPrefix(strings.ToLower(t), other+"-") {
			return &Record{Name: name, Type: "CNAME", Value: selector + t[len(other):]}
		}
	}
	dashed := strings.ReplaceAll(domain, ".", "-")
	return &Record{Name: name, Type: "CNAME", Value: selector + "-" + dashed + "._domainkey.<tenant>.onmicrosoft.com", Placeholder: true}
}

var (
	errKeyInvalid = errors.New("dkim: the key record cannot be read")
	errKeyRevoked = errors.New("dkim: the key is revoked")
	errKeyWeak    = errors.New("dkim: the key is too short")
)

// parseDKIMKey reads a DKIM key record (RFC 6376 section 3.6.1) and returns its algorithm
// and size in bits. emersion/go-msgauth's dkim package parses keys only inside Verify (its
// parsePublicKey is unexported, and a verification needs a signed message), so the tag
// list is read here, with the same rules: v=DKIM1 if present, k=rsa (the default; the key
// as SubjectPublicKeyInfo or, per erratum 3017, PKCS#1) or ed25519, an empty p= revoked,
// RSA under 1024 bits refused.
func parseDKIMKey(record string) (algorithm string, bits int, err error) {
	tags := map[string]string{}
	for _, part := range strings.Split(record, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return "", 0, errKeyInvalid
		}
		k = strings.TrimSpace(k)
		if _, dup := tags[k]; dup {
			return "", 0, errKeyInvalid
		}
		tags[k] = strings.Join(strings.Fields(v), "")
	}
	if v, ok := tags["v"]; ok && v != "DKIM1" {
		return "", 0, errKeyInvalid
	}
	p, ok := tags["p"]
	if !ok {
		return "", 0, errKeyInvalid
	}
	if p == "" {
		return "", 0, errKeyRevoked
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return "", 0, errKeyInvalid
	}
	switch k := tags["k"]; k {
	case "", "rsa":
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			pub, err = x509.ParsePKCS1PublicKey(der)
			if err != nil {
				return "", 0, errKeyInvalid
			}
		}
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return "", 0, errKeyInvalid
		}
		bits = rk.N.BitLen()
		if bits < minRSABits {
			return "rsa", bits, errKeyWeak
		}
		return "rsa", bits, nil
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			return "", 0, errKeyInvalid
		}
		return "ed25519", 256, nil
	default:
		return "", 0, errKeyInvalid
	}
}
