package deliverability

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/miekg/dns"

	"mailroom/backend/discovery"
)

// Resolver answers the questions the check asks: TXT (SPF, DKIM, DMARC), CNAME (DKIM
// selectors delegated to a provider, Postmark's return path), and the MX, address and PTR
// lookups an SPF evaluation may need. *net.Resolver implements it, and so does it
// blitiri.com.ar/go/spf's DNSResolver.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// ResolverFor returns the resolver that asks what r asks: the same DNS server when r is
// discovery's configured one (MAILROOM_DNS_SERVER), the system's otherwise. So every
// lookup of the check goes where discovery's and the connections' go.
func ResolverFor(r discovery.Resolver) Resolver {
	switch r := r.(type) {
	case *discovery.DNSServerResolver:
		return serverResolver{r}
	case Resolver:
		return r
	default:
		return net.DefaultResolver
	}
}

// serverResolver adds the TXT, CNAME and PTR questions to discovery's DNS server resolver
// (whose MX and address lookups it reuses), asking the same server and no other.
type serverResolver struct {
	*discovery.DNSServerResolver
}

// maxCNAMEChain bounds how many CNAMEs a lookup follows.
const maxCNAMEChain = 8

func (r serverResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	var out []string
	err := r.follow(ctx, name, dns.TypeTXT, func(rr dns.RR) {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	})
	if err == nil && len(out) == 0 {
		err = notFound(name, r.Addr)
	}
	return out, err
}

func (r serverResolver) LookupCNAME(ctx context.Context, host string) (string, error) {
	rrs, err := r.query(ctx, host, dns.TypeCNAME)
	if err != nil {
		return "", err
	}
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			return c.Target, nil
		}
	}
	// Like net.Resolver: a name that is not an alias is its own canonical name.
	return dns.Fqdn(host), nil
}

func (r serverResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	addrs, err := r.LookupHost(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]net.IPAddr, 0, len(addrs))
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip != nil {
			out = append(out, net.IPAddr{IP: ip})
		}
	}
	return out, nil
}

func (r serverResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	var out []string
	err = r.follow(ctx, rev, dns.TypePTR, func(rr dns.RR) {
		if p, ok := rr.(*dns.PTR); ok {
			out = append(out, p.Ptr)
		}
	})
	if err == nil && len(out) == 0 {
		err = notFound(addr, r.Addr)
	}
	return out, err
}

// follow asks for qtype at name and calls each with the records of that type, asking
// again at a CNAME's target when the server answered only the alias.
func (r serverResolver) follow(ctx context.Context, name string, qtype uint16, each func(dns.RR)) error {
	for range maxCNAMEChain {
		rrs, err := r.query(ctx, name, qtype)
		if err != nil {
			return err
		}
		target, found := "", false
		for _, rr := range rrs {
			switch rr := rr.(type) {
			case *dns.CNAME:
				target = rr.Target
			default:
				if rr.Header().Rrtype == qtype {
					found = true
					each(rr)
				}
			}
		}
		if found || target == "" {
			return nil
		}
		name = target
	}
	return &net.DNSError{Err: "too many CNAMEs", Name: name, Server: r.Addr}
}

// query asks one question over UDP, again over TCP when the answer was truncated.
func (r serverResolver) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	c := &dns.Client{Net: "udp", Timeout: discovery.DNSQueryTimeout}
	in, _, err := c.ExchangeContext(ctx, m, r.Addr)
	if err == nil && in.Truncated {
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, r.Addr)
	}
	if err != nil {
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
		return nil, &net.DNSError{Err: err.Error(), Name: name, Server: r.Addr, IsTimeout: timeout, IsTemporary: true}
	}
	switch in.Rcode {
	case dns.RcodeSuccess:
		return in.Answer, nil
	case dns.RcodeNameError:
		return nil, notFound(name, r.Addr)
	default:
		return nil, &net.DNSError{Err: "server answered " + dns.RcodeToString[in.Rcode], Name: name, Server: r.Addr, IsTemporary: true}
	}
}

func notFound(name, server string) error {
	return &net.DNSError{Err: "no such host", Name: name, Server: server, IsNotFound: true}
}

// isNotFound reports whether err says the name has no record of the type asked.
func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}
