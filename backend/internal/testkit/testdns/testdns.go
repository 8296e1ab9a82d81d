// Package testdns is an in-process DNS server for tests: it answers, over UDP and TCP on
// 127.0.0.1, from the records a test adds in zone-file syntax, and answers like a recursive
// resolver would for a CNAME (the CNAME, then the target's records of the asked type).
//
//	z := testdns.New(t)
//	z.Add(t, "acme.test. 300 IN TXT \"v=spf1 include:_spf.google.com ~all\"")
//	r := discovery.NewDNSServerResolver(z.Addr)
//
// A name without records answers NXDOMAIN; a name with records of other types answers
// NOERROR with no answer (NODATA). Answers over 512 bytes on UDP (without EDNS0) are
// truncated so the client asks again over TCP, as with a real server.
package testdns

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// Server is a running DNS server. Its methods are safe for concurrent use.
type Server struct {
	// Addr is "127.0.0.1:port", the same port over UDP and TCP.
	Addr string

	mu      sync.Mutex
	rrs     map[string][]dns.RR // by lower-case FQDN
	queries atomic.Int64
	refresh func(*Server)
	udp     *dns.Server
	tcp     *dns.Server
}

// New starts a server for the test and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("DNS server: %v", err)
		}
	})
	return s
}

// Option changes how Start starts a server.
type Option func(*Server)

// WithRefresh calls f before each question is answered (outside the server's lock), so f
// may bring the records up to date first (Replace): cmd/testdns re-reads its zone file
// there when the file changed, so an answer never predates a write that came before it.
func WithRefresh(f func(*Server)) Option { return func(s *Server) { s.refresh = f } }

// Start starts a server on addr ("127.0.0.1:0" for any free port; the TCP listener takes
// the UDP port chosen).
func Start(addr string, opts ...Option) (*Server, error) {
	pc, ln, err := listen(addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: pc.LocalAddr().String(), rrs: map[string][]dns.RR{}}
	for _, o := range opts {
		o(s)
	}
	s.udp = &dns.Server{PacketConn: pc, Handler: s}
	s.tcp = &dns.Server{Listener: ln, Handler: s}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		done := make(chan error, 1)
		go func() { done <- srv.ActivateAndServe() }()
		select {
		case <-started:
		case err := <-done:
			_ = s.Close()
			return nil, fmt.Errorf("testdns: %w", err)
		}
	}
	return s, nil
}

// listen opens the UDP socket, then the TCP listener on the same port. A free UDP port may
// be taken over TCP by another process: with port 0, another port is tried (a few times).
func listen(addr string) (net.PacketConn, net.Listener, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	tries := 1
	if port == "0" {
		tries = 20
	}
	for i := 0; ; i++ {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		_ = pc.Close()
		if i+1 >= tries {
			return nil, nil, err
		}
	}
}

// Close stops the server.
func (s *Server) Close() error {
	var errs []error
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		if srv != nil {
			if err := srv.Shutdown(); err != nil && !strings.Contains(err.Error(), "not started") {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Add adds records in zone-file syntax ("acme.test. 60 IN MX 10 mx.acme.test."); a
// malformed record fails the test.
func (s *Server) Add(t testing.TB, records ...string) {
	t.Helper()
	if err := s.AddRecords(records...); err != nil {
		t.Fatal(err)
	}
}

// AddRecords adds records in zone-file syntax; blank lines and lines starting with ";" are
// skipped.
func (s *Server) AddRecords(records ...string) error {
	var parsed []dns.RR
	for _, r := range records {
		r = strings.TrimSpace(r)
		if r == "" || strings.HasPrefix(r, ";") {
			continue
		}
		rr, err := dns.NewRR(r)
		if err != nil {
			return fmt.Errorf("testdns: bad record %q: %w", r, err)
		}
		if rr == nil {
			continue
		}
		parsed = append(parsed, rr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range parsed {
		name := strings.ToLower(rr.Header().Name)
		s.rrs[name] = append(s.rrs[name], rr)
	}
	return nil
}

// ParseZone reads records in zone-file syntax (RFC 1035: $ORIGIN, $TTL, relative names,
// comments, parentheses) with miekg/dns's zone parser; origin is the zone's origin when
// the file sets none ("" for the root), file names the source in errors.
func ParseZone(r io.Reader, origin, file string) ([]dns.RR, error) {
	zp := dns.NewZoneParser(r, dns.Fqdn(origin), file)
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("testdns: %w", err)
	}
	return out, nil
}

// Replace puts rrs in place of every record the server holds, at once: a question asked
// meanwhile gets the old records or the new ones, never a mix.
func (s *Server) Replace(rrs []dns.RR) {
	m := map[string][]dns.RR{}
	for _, rr := range rrs {
		name := strings.ToLower(rr.Header().Name)
		m[name] = append(m[name], rr)
	}
	s.mu.Lock()
	s.rrs = m
	s.mu.Unlock()
}

// Remove deletes the records of type rrtype ("TXT", "CNAME"…) at name; "" removes them all.
func (s *Server) Remove(name, rrtype string) {
	name = strings.ToLower(dns.Fqdn(name))
	t := dns.StringToType[strings.ToUpper(rrtype)]
	s.mu.Lock()
	defer s.mu.Unlock()
	var keep []dns.RR
	for _, rr := range s.rrs[name] {
		if rrtype != "" && rr.Header().Rrtype != t {
			keep = append(keep, rr)
		}
	}
	if len(keep) == 0 {
		delete(s.rrs, name)
		return
	}
	s.rrs[name] = keep
}

// Queries is how many questions the server has answered.
func (s *Server) Queries() int64 { return s.queries.Load() }

// ServeDNS answers one question.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	if s.refresh != nil {
		s.refresh(s)
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) == 1 {
		q := req.Question[0]
		s.mu.Lock()
		m.Answer, m.Rcode = s.answer(strings.ToLower(q.Name), q.Qtype, 0)
		s.mu.Unlock()
	}
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if o := req.IsEdns0(); o != nil {
			size = int(o.UDPSize())
		}
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// answer returns the records of type qtype at name, following CNAMEs (at most 8).
func (s *Server) answer(name string, qtype uint16, depth int) ([]dns.RR, int) {
	rrs, exists := s.rrs[name]
	if !exists {
		return nil, dns.RcodeNameError
	}
	var out []dns.RR
	for _, rr := range rrs {
		if rr.Header().Rrtype == qtype {
			out = append(out, dns.Copy(rr))
		}
	}
	if len(out) > 0 || qtype == dns.TypeCNAME {
		return out, dns.RcodeSuccess
	}
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok && depth < 8 {
			rest, rcode := s.answer(strings.ToLower(c.Target), qtype, depth+1)
			return append([]dns.RR{dns.Copy(c)}, rest...), rcode
		}
	}
	return nil, dns.RcodeSuccess
}
