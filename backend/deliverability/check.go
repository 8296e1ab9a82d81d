package deliverability

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// Severity says how much a finding matters.
type Severity string

// The severities, from best to worst.
const (
	OK      Severity = "ok"
	Warning Severity = "warning" // mail may go to spam, or a later change would break it
	Failure Severity = "failure" // receivers may refuse or junk the mail as it stands
)

// Severities lists every severity, best first.
var Severities = []Severity{OK, Warning, Failure}

func (s Severity) rank() int { return slices.Index(Severities, s) }

// Check names the three mechanisms a finding is about.
type Check string

// The checks, in the order the findings come.
const (
	CheckDomain Check = "domain"
	CheckSPF    Check = "spf"
	CheckDKIM   Check = "dkim"
	CheckDMARC  Check = "dmarc"
)

// Checks lists the checks in order.
var Checks = []Check{CheckDomain, CheckSPF, CheckDKIM, CheckDMARC}

// Record is a DNS record to add or change: the exact name, type and value to enter at the
// domain's DNS host.
type Record struct {
	Name  string `json:"name"`  // fully qualified, without the final dot
	Type  string `json:"type"`  // TXT, CNAME
	Value string `json:"value"` // as entered at the DNS host (a TXT value without quotes)
	// Replaces holds the current values this record replaces (two SPF records merged into
	// one: both); empty for a record to add.
	Replaces []string `json:"replaces,omitempty"`
	// Placeholder: part of Value is for the user to fill from the provider's console (a
	// DKIM key only the provider knows), marked with "…".
	Placeholder bool `json:"placeholder,omitempty"`
}

// Finding is one result of the check: a code (a reason of reasons.go) with its params, a
// severity, and the record that fixes it (nil when there is nothing to change).
type Finding struct {
	Check    Check    `json:"check"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Params   fault.P  `json:"params"`
	Fix      *Record  `json:"fix,omitempty"`
}

// Report is the result of one check of an account.
type Report struct {
	AccountID int64
	Domain    string // the From address's domain
	Path      PathID
	Selectors []string // DKIM selectors given by the user, reused when checked again
	CheckedAt time.Time
	Findings  []Finding
}

// Worst is the report's worst severity (OK for no findings).
func (r Report) Worst() Severity {
	w := OK
	for _, f := range r.Findings {
		if f.Severity.rank() > w.rank() {
			w = f.Severity
		}
	}
	return w
}

// Input is what the user may add to a check: DKIM selectors only a provider's console
// shows (Postmark's dated selector, a custom Google prefix). Empty: the ones given last.
type Input struct {
	Selectors []string
}

// AccountSource reads accounts (accounts.Registry).
type AccountSource interface {
	Get(ctx context.Context, id int64) (accounts.Account, error)
}

// Deps are what the checker uses.
type Deps struct {
	DB       *store.DB
	Accounts AccountSource
	// Resolver asks every DNS question (ResolverFor(discovery's resolver)); nil: the system's.
	Resolver Resolver
	Log      *slog.Logger
}

// Options tune the checker; zero values take the defaults.
type Options struct {
	// StaleAfter is how old a result may be before a send asks for a new one (7 days).
	StaleAfter time.Duration
	// Timeout bounds one check (30 s).
	Timeout time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Defaults.
const (
	DefaultStaleAfter = 7 * 24 * time.Hour
	DefaultTimeout    = 30 * time.Second
)

// Checker runs and keeps deliverability checks.
type Checker struct {
	d Deps
	o Options
}

// New returns a checker. It does no I/O.
func New(d Deps, o Options) *Checker {
	if d.Resolver == nil {
		d.Resolver = ResolverFor(nil)
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Checker{d: d, o: o}
}

// Check checks the account's From domain against the path it sends through, keeps the
// result (replacing the last one) and returns it.
func (c *Checker) Check(ctx context.Context, accountID int64, in Input) (Report, error) {
	a, err := c.d.Accounts.Get(ctx, accountID)
	if err != nil {
		return Report{}, err
	}
	selectors := cleanSelectors(in.Selectors)
	if len(selectors) == 0 {
		if last, ok, err := c.Last(ctx, accountID); err == nil && ok {
			selectors = last.Selectors
		}
	}
	r, err := c.Run(ctx, a, Input{Selectors: selectors})
	if err != nil {
		return Report{}, err
	}
	if err := c.save(ctx, r); err != nil {
		return Report{}, err
	}
	return r, nil
}

// Run checks the account without keeping the result.
func (c *Checker) Run(ctx context.Context, a accounts.Account, in Input) (Report, error) {
	domain := DomainOf(a.Email)
	if domain == "" {
		return Report{}, ErrNoDomain.New(fault.P{"address": a.Email})
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	path := PathOf(a)
	r := Report{AccountID: a.ID, Domain: domain, Path: path.ID, Selectors: cleanSelectors(in.Selectors), CheckedAt: c.o.Now().Truncate(time.Millisecond)}
	if isProviderDomain(domain) {
		r.Findings = []Finding{{Check: CheckDomain, Code: FindingDomainManaged.Name, Severity: OK, Params: fault.P{"domain": domain}}}
		return r, nil
	}
	run := &run{r: c.d.Resolver, path: path, account: a, domain: domain, selectors: r.Selectors}
	run.spf(ctx)
	run.dkim(ctx)
	run.dmarc(ctx)
	r.Findings = run.findings
	return r, nil
}

// Stale reports whether a kept result should be run again before a send: it is older than
// StaleAfter, or the account now sends from another domain or through another path.
func (c *Checker) Stale(r Report, a accounts.Account) bool {
	return c.o.Now().Sub(r.CheckedAt) > c.o.StaleAfter || r.Domain != DomainOf(a.Email) || r.Path != PathOf(a).ID
}

// BeforeSend is what a bulk or automated send asks first: the last result (ok false when
// the account was never checked) and whether it is stale. It never blocks a send: the
// caller shows the findings as a warning and may run Check again.
func (c *Checker) BeforeSend(ctx context.Context, accountID int64) (r Report, ok, stale bool, err error) {
	a, err := c.d.Accounts.Get(ctx, accountID)
	if err != nil {
		return Report{}, false, false, err
	}
	r, ok, err = c.Last(ctx, accountID)
	if err != nil || !ok {
		return r, ok, true, err
	}
	return r, true, c.Stale(r, a), nil
}

// DomainOf returns the lower-case domain of an address ("" without one).
func DomainOf(address string) string {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(address[at+1:])), ".")
}

// orgDomain is the organisational domain (RFC 7489: the public suffix plus one label).
func orgDomain(domain string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return domain
	}
	return org
}

func cleanSelectors(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		s = strings.TrimSuffix(s, ".")
		if i := strings.Index(s, "._domainkey"); i >= 0 {
			s = s[:i]
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// run is one check in progress.
type run struct {
	r         Resolver
	path      Path
	account   accounts.Account
	domain    string
	selectors []string
	findings  []Finding
	lookups   int // the SPF record's DNS lookups, for spf_pass
	txtCache  map[string]txtAnswer
}

func (x *run) add(check Check, reason *fault.Reason, sev Severity, p fault.P, fix *Record) {
	x.findings = append(x.findings, Finding{Check: check, Code: reason.Name, Severity: sev, Params: p, Fix: fix})
}

// sendingDomain is Mailgun's sending domain (its return path and where its DKIM key
// lives), or the From domain.
func (x *run) sendingDomain() string {
	if x.account.Sender.Kind == accounts.Mailgun {
		if d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(x.account.Sender.Domain), ".")); d != "" {
			return d
		}
	}
	return x.domain
}
