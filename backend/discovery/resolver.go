package discovery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Resolver answers the DNS questions discovery asks. *net.Resolver implements it; so does
// *DNSServerResolver, which asks one given server (tests run one on 127.0.0.1).
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupSRV(ctx context.Context, service, proto, name string) (cname string, addrs []*net.SRV, err error)
	LookupHost(ctx context.Context, host string) (addrs []string, err error)
}

// SystemResolver is the operating system's resolver (net.DefaultResolver).
func SystemResolver() Resolver { return net.DefaultResolver }

// Bounds of the DNS server resolver and of the autoconfig HTTP client.
const (
	// DNSQueryTimeout bounds one DNS exchange with the server (UDP, then TCP if truncated).
	DNSQueryTimeout = 3 * time.Second
	// httpDialTimeout bounds a TCP connect to an autoconfig server.
	httpDialTimeout = 3 * time.Second
	// httpTLSHandshakeTimeout bounds the TLS handshake with an autoconfig server.
	httpTLSHandshakeTimeout = 3 * time.Second
	// maxRedirects is how many redirects an autoconfig fetch follows.
	maxRedirects = 3
)

// DNSServerResolver asks the DNS server at Addr ("127.0.0.1:5353", "[::1]:53") and no
// other: no hosts file, no search domains. It does no I/O until asked.
type DNSServerResolver struct {
	Addr string
}

// NewDNSServerResolver returns a resolver that asks the DNS server at addr.
func NewDNSServerResolver(addr string) *DNSServerResolver { return &DNSServerResolver{Addr: addr} }

// LookupMX returns the MX records of name, most preferred first.
func (r *DNSServerResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := r.query(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	var out []*net.MX
	for _, rr := range rrs {
		if mx, ok := rr.(*dns.MX); ok {
			out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
		}
	}
	if len(out) == 0 {
		return nil, r.notFound(name)
	}
	slices.SortStableFunc(out, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
	return out, nil
}

// LookupSRV returns the SRV records of _service._proto.name (or of name itself when
// service and proto are empty, as net.Resolver does), ordered by priority, then weight.
func (r *DNSServerResolver) LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	target := name
	if service != "" || proto != "" {
		target = "_" + service + "._" + proto + "." + name
	}
	target = dns.Fqdn(target)
	rrs, err := r.query(ctx, target, dns.TypeSRV)
	if err != nil {
		return "", nil, err
	}
	var out []*net.SRV
	for _, rr := range rrs {
		if s, ok := rr.(*dns.SRV); ok {
			out = append(out, &net.SRV{Target: s.Target, Port: s.Port, Priority: s.Priority, Weight: s.Weight})
		}
	}
	if len(out) == 0 {
		return "", nil, r.notFound(target)
	}
	orderSRV(out)
	return target, out, nil
}

// LookupHost returns the IPv4 and IPv6 addresses of host.
func (r *DNSServerResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{host}, nil
	}
	type answer struct {
		rrs []dns.RR
		err error
	}
	v6 := make(chan answer, 1)
	go func() {
		rrs, err := r.query(ctx, host, dns.TypeAAAA)
		v6 <- answer{rrs, err}
	}()
	rrs4, err4 := r.query(ctx, host, dns.TypeA)
	a6 := <-v6
	var out []string
	for _, rr := range append(rrs4, a6.rrs...) {
		switch rr := rr.(type) {
		case *dns.A:
			out = append(out, rr.A.String())
		case *dns.AAAA:
			out = append(out, rr.AAAA.String())
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if err4 != nil {
		return nil, err4
	}
	if a6.err != nil {
		return nil, a6.err
	}
	return nil, r.notFound(host)
}

// query asks one question over UDP, again over TCP when the answer was truncated.
func (r *DNSServerResolver) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	c := &dns.Client{Net: "udp", Timeout: DNSQueryTimeout}
	in, _, err := c.ExchangeContext(ctx, m, r.Addr)
	if err == nil && in.Truncated {
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, r.Addr)
	}
	if err != nil {
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
		return nil, &net.DNSError{Err: err.Error(), Name: name, Server: r.Addr, IsTimeout: timeout}
	}
	switch in.Rcode {
	case dns.RcodeSuccess:
		return in.Answer, nil
	case dns.RcodeNameError:
		return nil, r.notFound(name)
	default:
		return nil, &net.DNSError{Err: "server answered " + dns.RcodeToString[in.Rcode], Name: name, Server: r.Addr}
	}
}

func (r *DNSServerResolver) notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, Server: r.Addr, IsNotFound: true}
}

// orderSRV sorts SRV records by priority (lowest first), then weight (highest first): a
// deterministic reading of RFC 2782, so the same domain gives the same settings each time.
func orderSRV(rs []*net.SRV) {
	slices.SortStableFunc(rs, func(a, b *net.SRV) int {
		if a.Priority != b.Priority {
			return int(a.Priority) - int(b.Priority)
		}
		return int(b.Weight) - int(a.Weight)
	})
}

// NewHTTPClient returns the client autoconfig fetches use by default: host names are
// resolved through r (so a configured DNS server applies to autoconfig too), certificates
// are verified against roots (nil: the system's), no proxy is used, redirects stay on
// HTTPS and are limited, nothing is kept alive between searches, and each request takes
// at most SourceTimeout.
func NewHTTPClient(r Resolver, roots *x509.CertPool) *http.Client {
	if r == nil {
		r = SystemResolver()
	}
	return &http.Client{
		Timeout: SourceTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           resolvingDialer{resolver: r, dialer: &net.Dialer{Timeout: httpDialTimeout}}.DialContext,
			TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   httpTLSHandshakeTimeout,
			ResponseHeaderTimeout: SourceTimeout,
			DisableKeepAlives:     true,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("discovery: more than %d redirects", maxRedirects)
			}
			if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return errors.New("discovery: refusing a redirect from HTTPS to HTTP")
			}
			return nil
		},
	}
}

// resolvingDialer dials a host name at the addresses a Resolver gives, one after another.
type resolvingDialer struct {
	resolver Resolver
	dialer   Dialer
}

func (d resolvingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := d.resolver.LookupHost(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, ip := range ips {
		c, err := d.dialer.DialContext(ctx, network, net.JoinHostPort(ip, port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("dial %s: %w", strings.TrimSuffix(host, "."), errors.Join(errs...))
}
