package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"
)

// srvService is one RFC 6186 / RFC 8314 service name and the security it implies.
type srvService struct {
	name     string
	security Security
}

// The services of RFC 6186 (and _submissions of RFC 8314), implicit TLS first.
var (
	imapServices = []srvService{{"imaps", TLS}, {"imap", STARTTLS}}
	smtpServices = []srvService{{"submissions", TLS}, {"submission", STARTTLS}}
)

// srvSource reads the domain's RFC 6186 SRV records.
type srvSource struct{ resolver Resolver }

func (srvSource) kind() Source { return SourceSRV }

func (s srvSource) find(ctx context.Context, a address) ([]Candidate, error) {
	var (
		imap, smtp         Server
		imapOK, smtpOK     bool
		imapErr, smtpErr   error
		imapName, smtpName string
		wg                 sync.WaitGroup
	)
	wg.Go(func() { imap, imapName, imapOK, imapErr = s.best(ctx, a, imapServices) })
	wg.Go(func() { smtp, smtpName, smtpOK, smtpErr = s.best(ctx, a, smtpServices) })
	wg.Wait()
	if !imapOK || !smtpOK {
		return nil, errors.Join(imapErr, smtpErr)
	}
	return []Candidate{{IMAP: imap, SMTP: smtp, Origin: Origin{"imap": imapName, "smtp": smtpName}}}, nil
}

// owner is the DNS name of the service's SRV records for domain.
func (s srvService) owner(domain string) string { return "_" + s.name + "._tcp." + domain }

// best looks the services up and returns the most preferred offered server, with the DNS
// name it came from. Records of all the services compete on priority (RFC 6186 §3.4); at
// equal priority implicit TLS wins (RFC 8314 §5.1), then the higher weight. A "." target
// means "not offered" (RFC 2782) and is skipped.
func (s srvSource) best(ctx context.Context, a address, services []srvService) (Server, string, bool, error) {
	type rec struct {
		srv *net.SRV
		svc srvService
	}
	lists := make([][]rec, len(services))
	errs := make([]error, len(services))
	var wg sync.WaitGroup
	for i, svc := range services {
		wg.Go(func() {
			_, rs, err := s.resolver.LookupSRV(ctx, svc.name, "tcp", a.Domain)
			if err != nil {
				errs[i] = fmt.Errorf("discovery: SRV %s: %w", svc.owner(a.Domain), err)
			}
			for _, r := range rs {
				if r == nil || r.Port == 0 || normalizeHost(r.Target) == "" {
					continue // "." target: this service is not offered
				}
				lists[i] = append(lists[i], rec{r, svc})
			}
		})
	}
	wg.Wait()
	all := slices.Concat(lists...)
	if len(all) == 0 {
		return Server{}, "", false, errors.Join(errs...)
	}
	slices.SortStableFunc(all, func(x, y rec) int {
		if x.srv.Priority != y.srv.Priority {
			return int(x.srv.Priority) - int(y.srv.Priority)
		}
		if d := securityRank(x.svc.security) - securityRank(y.svc.security); d != 0 {
			return d
		}
		return int(y.srv.Weight) - int(x.srv.Weight)
	})
	r := all[0]
	return Server{Host: r.srv.Target, Port: int(r.srv.Port), Security: r.svc.security, Username: userAddress},
		r.svc.owner(a.Domain), true, nil
}

// mxSource maps the domain's MX hosts to the catalogue's providers by their MX keys (the
// ISPDB's domains and the hand-written catalogue's: Google, Microsoft, Yahoo, OVH,
// Infomaniak…): the most preferred MX that matches wins.
type mxSource struct{ resolver Resolver }

func (mxSource) kind() Source { return SourceMX }

func (s mxSource) find(ctx context.Context, a address) ([]Candidate, error) {
	mxs, err := s.resolver.LookupMX(ctx, a.Domain)
	if err != nil {
		return nil, fmt.Errorf("discovery: MX %s: %w", a.Domain, err)
	}
	mxs = slices.DeleteFunc(slices.Clone(mxs), func(m *net.MX) bool { return m == nil })
	slices.SortStableFunc(mxs, func(x, y *net.MX) int { return int(x.Pref) - int(y.Pref) })
	for _, mx := range mxs {
		host := normalizeHost(mx.Host)
		e, ok := catalogByMX(host)
		if !ok {
			continue
		}
		if c, ok := e.candidate(a.Domain, SourceMX, Origin{"domain": a.Domain, "host": host}); ok {
			return []Candidate{c}, nil
		}
	}
	return nil, nil
}

// guess is a usual server name and port.
type guess struct {
	prefix   string
	port     int
	security Security
}

// The guesses, best first: implicit TLS, then STARTTLS.
var (
	imapGuesses = []guess{{"imap.", 993, TLS}, {"mail.", 993, TLS}, {"imap.", 143, STARTTLS}}
	smtpGuesses = []guess{{"smtp.", 465, TLS}, {"mail.", 465, TLS}, {"smtp.", 587, STARTTLS}}
)

// guessSource tries the usual server names; a guess is kept only if its host resolves and
// a TCP connection to it opens within the probe bound.
type guessSource struct {
	resolver Resolver
	dialer   Dialer
	timeout  time.Duration
}

func (guessSource) kind() Source { return SourceGuess }

func (s guessSource) find(ctx context.Context, a address) ([]Candidate, error) {
	all := slices.Concat(imapGuesses, smtpGuesses)
	ok := make([]bool, len(all))
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, g := range all {
		wg.Go(func() { errs[i] = s.probe(ctx, g.prefix+a.Domain, g.port); ok[i] = errs[i] == nil })
	}
	wg.Wait()
	pick := func(from int, gs []guess) (Server, bool) {
		for j, g := range gs {
			if ok[from+j] {
				return Server{Host: g.prefix + a.Domain, Port: g.port, Security: g.security, Username: userAddress}, true
			}
		}
		return Server{}, false
	}
	imap, ok1 := pick(0, imapGuesses)
	smtp, ok2 := pick(len(imapGuesses), smtpGuesses)
	if !ok1 || !ok2 {
		return nil, errors.Join(errs...)
	}
	return []Candidate{{
		IMAP:   imap,
		SMTP:   smtp,
		Origin: Origin{"domain": a.Domain},
		Notes: []Note{{Code: NoteGuessed,
			Text: "These settings were guessed from the usual server names of " + a.Domain + ": the connection test will confirm them."}},
	}}, nil
}

// probe resolves host and opens (then closes) a TCP connection to one of its addresses.
func (s guessSource) probe(ctx context.Context, host string, port int) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	c, err := resolvingDialer{resolver: s.resolver, dialer: s.dialer}.DialContext(ctx, "tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	if err != nil {
		return fmt.Errorf("discovery: guess %s:%d: %w", host, port, err)
	}
	return c.Close()
}
