package deliverability

import (
	"context"
	"net"
	"strings"

	"blitiri.com.ar/go/spf"

	"mailroom/backend/fault"
)

// RFC 7208 section 4.6.4: an evaluation may cause at most 10 DNS lookups (include, a, mx,
// ptr, exists, redirect), and should fail after 2 of them found nothing.
const (
	maxLookups     = 10
	maxVoidLookups = 2
)

// postmarkReturnPath is the host a domain's pm-bounces name points at so Postmark's bounces
// (its MAIL FROM) use the domain itself, which SPF then checks and DMARC aligns.
const postmarkReturnPath = "pm.mtasv.net"

// spf checks the SPF record of the domain the path's return path uses: one record, the
// path's include, the lookup limits, no +all, and an evaluation for one of the path's
// sending addresses, with blitiri.com.ar/go/spf (through the check's resolver).
func (x *run) spf(ctx context.Context) {
	if x.path.ID == PathPostmark {
		// Postmark bounces to its own domain unless pm-bounces points at it: the From
		// domain's SPF record, if any, must only be sound for the domain's other senders.
		x.spfRecord(ctx, x.domain, "")
		x.postmarkReturnPath(ctx)
		return
	}
	domain := x.sendingDomain()
	if x.spfRecord(ctx, domain, x.wantedSPF()) {
		x.evaluate(ctx, domain, x.wantedSPF())
	}
}

// wantedSPF is the mechanism the path needs in the record.
func (x *run) wantedSPF() string {
	if x.path.Include != "" {
		return "include:" + x.path.Include
	}
	h := strings.TrimSuffix(strings.ToLower(x.account.SMTP.Host), ".")
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
		// A server given by its address: a receiver would look up "a:192.0.2.1" as a
		// name, so the address itself is what the record allows.
		if ip.To4() != nil {
			return "ip4:" + ip.String()
		}
		return "ip6:" + ip.String()
	}
	if h != "" {
		return "a:" + h
	}
	return ""
}

// ownHost reports whether want allows the account's own SMTP server (a:host, ip4:, ip6:)
// rather than a provider's include.
func ownHost(want string) bool {
	for _, p := range []string{"a:", "ip4:", "ip6:"} {
		if strings.HasPrefix(want, p) {
			return true
		}
	}
	return false
}

// spfRecord checks the record's form; it reports whether the record is sound enough to
// evaluate. want ("" for none) is the mechanism the path needs; a missing record is a
// finding only when one is wanted.
func (x *run) spfRecord(ctx context.Context, domain, want string) bool {
	records, err := x.spfRecords(ctx, domain)
	if err != nil {
		x.add(CheckSPF, FindingDNSFailed, Warning, fault.P{"name": domain}, nil)
		return false
	}
	switch {
	case len(records) == 0:
		if want != "" {
			x.add(CheckSPF, FindingSPFMissing, Failure, fault.P{"domain": domain},
				&Record{Name: domain, Type: "TXT", Value: correctedSPF(nil, want)})
		}
		return false
	case len(records) > 1:
		x.add(CheckSPF, FindingSPFMultiple, Failure, fault.P{"domain": domain, "count": len(records)},
			&Record{Name: domain, Type: "TXT", Value: correctedSPF(records, want), Replaces: records})
		return false
	}
	rec := records[0]
	fix := &Record{Name: domain, Type: "TXT", Value: correctedSPF(records, want), Replaces: records}
	sound := true
	if plusAll(rec) {
		x.add(CheckSPF, FindingSPFPlusAll, Failure, fault.P{"domain": domain}, fix)
		sound = false
	}
	w := x.walkSPF(ctx, domain)
	if include, ok := strings.CutPrefix(want, "include:"); ok && !w.seen[include] {
		x.add(CheckSPF, FindingSPFIncludeMissing, Failure, fault.P{"domain": domain, "include": include}, fix)
		sound = false
	}
	if w.lookups > maxLookups {
		x.add(CheckSPF, FindingSPFTooManyLookups, Failure, fault.P{"domain": domain, "count": w.lookups}, nil)
		sound = false
	}
	if w.void > maxVoidLookups {
		x.add(CheckSPF, FindingSPFTooManyVoid, Failure, fault.P{"domain": domain, "count": w.void}, nil)
		sound = false
	}
	x.lookups = w.lookups
	return sound
}

// evaluate runs the SPF evaluation for one of the path's sending addresses.
func (x *run) evaluate(ctx context.Context, domain, want string) {
	ip := x.sendingAddress(ctx)
	if ip == nil {
		x.add(CheckSPF, FindingSPFNotEvaluated, Warning, fault.P{"domain": domain}, nil)
		return
	}
	res, _ := spf.CheckHostWithSender(ip, "", "postmaster@"+domain, spf.WithResolver(x.r), spf.WithContext(ctx))
	p := fault.P{"domain": domain, "address": ip.String()}
	switch res {
	case spf.Pass:
		p["count"] = x.lookups
		x.add(CheckSPF, FindingSPFPass, OK, p, nil)
	case spf.TempError:
		x.add(CheckSPF, FindingDNSFailed, Warning, fault.P{"name": domain}, nil)
	case spf.PermError:
		x.add(CheckSPF, FindingSPFInvalid, Failure, fault.P{"domain": domain}, nil)
	default:
		p["result"] = string(res)
		var fix *Record
		if records, err := x.spfRecords(ctx, domain); err == nil && len(records) == 1 && ownHost(want) {
			if v := correctedSPF(records, want); v != records[0] {
				fix = &Record{Name: domain, Type: "TXT", Value: v, Replaces: records}
			}
		}
		x.add(CheckSPF, FindingSPFNotAuthorised, Failure, p, fix)
	}
}

// postmarkReturnPath checks pm-bounces.<domain> → pm.mtasv.net, then evaluates SPF there.
func (x *run) postmarkReturnPath(ctx context.Context) {
	name := "pm-bounces." + x.domain
	target, err := x.r.LookupCNAME(ctx, name)
	if err != nil && !isNotFound(err) {
		x.add(CheckSPF, FindingDNSFailed, Warning, fault.P{"name": name}, nil)
		return
	}
	if !strings.EqualFold(strings.TrimSuffix(target, "."), postmarkReturnPath) {
		x.add(CheckSPF, FindingPostmarkReturnPathMissing, Warning, fault.P{"name": name, "domain": x.domain},
			&Record{Name: name, Type: "CNAME", Value: postmarkReturnPath})
		return
	}
	x.add(CheckSPF, FindingPostmarkReturnPathOK, OK, fault.P{"name": name, "domain": x.domain}, nil)
	x.lookups = x.walkSPF(ctx, name).lookups
	x.evaluate(ctx, name, "")
}

// sendingAddress is one address the path sends from: the first one its provider's SPF
// record publishes, or the account's SMTP host's (IPv4 first).
func (x *run) sendingAddress(ctx context.Context) net.IP {
	if x.path.Ranges != "" {
		return x.firstRange(ctx, x.path.Ranges, 0)
	}
	if x.account.SMTP.Host == "" {
		return nil
	}
	addrs, err := x.r.LookupIPAddr(ctx, x.account.SMTP.Host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if a.IP.To4() != nil {
			return a.IP
		}
	}
	if len(addrs) > 0 {
		return addrs[0].IP
	}
	return nil
}

func (x *run) firstRange(ctx context.Context, domain string, depth int) net.IP {
	if depth > maxLookups {
		return nil
	}
	records, err := x.spfRecords(ctx, domain)
	if err != nil || len(records) != 1 {
		return nil
	}
	for _, term := range strings.Fields(records[0])[1:] {
		m := mechanism(term)
		for _, pre := range []string{"ip4:", "ip6:"} {
			if v, ok := strings.CutPrefix(m, pre); ok {
				v, _, _ = strings.Cut(v, "/")
				if ip := net.ParseIP(v); ip != nil {
					return ip
				}
			}
		}
		if t, ok := includeTarget(m); ok {
			if ip := x.firstRange(ctx, t, depth+1); ip != nil {
				return ip
			}
		}
	}
	return nil
}

// spfWalk counts what an evaluation would look up: every include, a, mx, ptr, exists and
// redirect (RFC 7208 4.6.4), and those that found nothing (void lookups).
type spfWalk struct {
	lookups, void int
	seen          map[string]bool // every domain included or redirected to
}

func (x *run) walkSPF(ctx context.Context, domain string) spfWalk {
	w := spfWalk{seen: map[string]bool{}}
	x.walk(ctx, domain, &w, 0)
	return w
}

func (x *run) walk(ctx context.Context, domain string, w *spfWalk, depth int) {
	if depth > maxLookups || w.lookups > 2*maxLookups {
		return
	}
	records, err := x.spfRecords(ctx, domain)
	if err != nil || len(records) != 1 {
		return
	}
	for _, term := range strings.Fields(records[0])[1:] {
		m := mechanism(term)
		if t, ok := includeTarget(m); ok {
			w.lookups++
			w.seen[t] = true
			if strings.Contains(t, "%") { // a macro: its target depends on the message
				continue
			}
			sub, err := x.spfRecords(ctx, t)
			if err == nil && len(sub) == 0 {
				w.void++
				continue
			}
			x.walk(ctx, t, w, depth+1)
			continue
		}
		name, _, _ := strings.Cut(m, ":")
		name, _, _ = strings.Cut(name, "/")
		switch name {
		case "a", "mx", "ptr", "exists":
			w.lookups++
		}
	}
}

// spfRecords returns the SPF records of domain (none when it has no TXT record); err only
// for a DNS failure.
func (x *run) spfRecords(ctx context.Context, domain string) ([]string, error) {
	txts, err := x.txt(ctx, domain)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range txts {
		l := strings.ToLower(t)
		if l == "v=spf1" || strings.HasPrefix(l, "v=spf1 ") {
			out = append(out, strings.Join(strings.Fields(t), " "))
		}
	}
	return out, nil
}

// txt returns the TXT records at name (none for a name without any), asked once per check.
func (x *run) txt(ctx context.Context, name string) ([]string, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if c, ok := x.txtCache[name]; ok {
		return c.txts, c.err
	}
	txts, err := x.r.LookupTXT(ctx, name)
	if isNotFound(err) {
		txts, err = nil, nil
	}
	if x.txtCache == nil {
		x.txtCache = map[string]txtAnswer{}
	}
	x.txtCache[name] = txtAnswer{txts, err}
	return txts, err
}

type txtAnswer struct {
	txts []string
	err  error
}

// mechanism is a term without its qualifier, in lower case.
func mechanism(term string) string {
	return strings.TrimLeft(strings.ToLower(term), "+-~?")
}

// includeTarget is the domain an include: or redirect= term names.
func includeTarget(m string) (string, bool) {
	if t, ok := strings.CutPrefix(m, "include:"); ok {
		return strings.TrimSuffix(t, "."), true
	}
	if t, ok := strings.CutPrefix(m, "redirect="); ok {
		return strings.TrimSuffix(t, "."), true
	}
	return "", false
}

func plusAll(record string) bool {
	for _, t := range strings.Fields(strings.ToLower(record))[1:] {
		if t == "all" || t == "+all" {
			return true
		}
	}
	return false
}

// correctedSPF is the one record that replaces records: their terms merged (each once),
// want added before the final all, +all (or a bare all) turned into ~all, and ~all added
// when the records end with neither all nor redirect.
func correctedSPF(records []string, want string) string {
	var terms []string
	all, redirect := "", ""
	has := func(t string) bool {
		for _, x := range terms {
			if strings.EqualFold(x, t) || mechanism(x) == mechanism(t) {
				return true
			}
		}
		return false
	}
	for _, r := range records {
		for _, t := range strings.Fields(r)[1:] {
			m := mechanism(t)
			switch {
			case m == "all":
				if all == "" {
					all = t
				}
			case strings.HasPrefix(m, "redirect="):
				if redirect == "" {
					redirect = t
				}
			case !has(t):
				terms = append(terms, t)
			}
		}
	}
	if want != "" && !has(want) {
		terms = append(terms, want)
	}
	switch {
	case all == "" && redirect != "":
		terms = append(terms, redirect)
	case all == "" || all == "all" || all == "+all":
		terms = append(terms, "~all")
	default:
		terms = append(terms, all)
	}
	return strings.Join(append([]string{"v=spf1"}, terms...), " ")
}
