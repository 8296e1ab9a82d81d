package discovery

// The servers the tests run on 127.0.0.1: a DNS server (github.com/miekg/dns), an HTTPS
// server for autoconfig files whose certificates come from the shared test kit's
// authority (testcert), TCP listeners standing for mail servers, and the kit's IMAP server
// (testimap). Nothing here reaches beyond the loopback interface.

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
)

// testDNS is an authoritative DNS server for whatever names a test adds.
type testDNS struct {
	addr    string
	mu      sync.Mutex
	rrs     map[string][]dns.RR // by lower-case FQDN
	queries atomic.Int64
}

func startDNS(t *testing.T) *testDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	z := &testDNS{addr: pc.LocalAddr().String(), rrs: map[string][]dns.RR{}}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: z, NotifyStartedFunc: func() { close(started) }}
	done := make(chan error, 1)
	go func() { done <- srv.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("DNS server: %v", err)
	}
	t.Cleanup(func() {
		_ = srv.Shutdown()
		if err := <-done; err != nil {
			t.Errorf("DNS server: %v", err)
		}
	})
	return z
}

// add adds records in zone-file syntax: "acme.test. 60 IN MX 10 mx.acme.test.".
func (z *testDNS) add(t *testing.T, records ...string) {
	t.Helper()
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, s := range records {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatalf("bad test record %q: %v", s, err)
		}
		name := strings.ToLower(rr.Header().Name)
		z.rrs[name] = append(z.rrs[name], rr)
	}
}

// A adds address records pointing names at 127.0.0.1.
func (z *testDNS) A(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		z.add(t, dns.Fqdn(n)+" 60 IN A 127.0.0.1")
	}
}

func (z *testDNS) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	z.queries.Add(1)
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) == 1 {
		q := req.Question[0]
		z.mu.Lock()
		rrs, exists := z.rrs[strings.ToLower(q.Name)]
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, dns.Copy(rr))
			}
		}
		z.mu.Unlock()
		if !exists {
			m.Rcode = dns.RcodeNameError
		}
	}
	_ = w.WriteMsg(m)
}

// testWeb is one HTTPS server on 127.0.0.1 serving autoconfig files for many host names
// (virtual hosting by the Host header), like the real autoconfig.DOMAIN and DOMAIN sites.
type testWeb struct {
	srv    *httptest.Server
	port   string
	mu     sync.Mutex
	routes map[string]http.HandlerFunc // "host/path"
	hits   map[string]int
	urls   []string // request URIs seen, in order
}

func startWeb(t *testing.T, ca *testcert.CA) *testWeb {
	t.Helper()
	w := &testWeb{routes: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	w.srv = httptest.NewUnstartedServer(http.HandlerFunc(w.serve))
	w.srv.TLS = ca.AnyNameConfig()
	w.srv.StartTLS()
	t.Cleanup(w.srv.Close)
	_, w.port, _ = net.SplitHostPort(w.srv.Listener.Addr().String())
	return w
}

func (w *testWeb) serve(rw http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	key := host + r.URL.Path
	w.mu.Lock()
	h := w.routes[key]
	w.hits[key]++
	w.urls = append(w.urls, host+r.URL.RequestURI())
	w.mu.Unlock()
	if h == nil {
		http.NotFound(rw, r)
		return
	}
	h(rw, r)
}

// hitCount says how often host+path was asked for.
func (w *testWeb) hitCount(hostPath string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits[hostPath]
}

// handle serves h at host+path ("autoconfig.acme.test/mail/config-v1.1.xml").
func (w *testWeb) handle(hostPath string, h http.HandlerFunc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.routes[hostPath] = h
}

// xml serves an autoconfig document at host+path.
func (w *testWeb) xml(hostPath, doc string) {
	w.handle(hostPath, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/xml")
		_, _ = rw.Write([]byte(doc))
	})
}

// templates are DefaultAutoconfigURLs with this server's port.
func (w *testWeb) templates() []string {
	return []string{
		"https://autoconfig.{domain}:" + w.port + "/mail/config-v1.1.xml?emailaddress={email}",
		"https://{domain}:" + w.port + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
}

// ispdbTemplate stands for DefaultISPDBURL: Mozilla's service at ispdb.test on this server.
func (w *testWeb) ispdbTemplate() string {
	return "https://ispdb.test:" + w.port + "/v1.1/{domain}"
}

// portDialer stands for the Internet's well-known ports on 127.0.0.1: a connection to
// 127.0.0.1:993 goes to whichever local listener the test mapped to 993; unmapped ports go
// to a port where nothing listens, so they are refused for real.
type portDialer struct {
	mu     sync.Mutex
	ports  map[int]string
	closed string
}

func newPortDialer(t *testing.T) *portDialer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	return &portDialer{ports: map[int]string{}, closed: closed}
}

func (d *portDialer) route(port int, to string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ports[port] = to
}

func (d *portDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host != "127.0.0.1" {
		return nil, fmt.Errorf("test dialer: refusing to leave the loopback interface (%s)", addr)
	}
	port, _ := strconv.Atoi(p)
	d.mu.Lock()
	to, ok := d.ports[port]
	d.mu.Unlock()
	if !ok {
		to = d.closed
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, to)
}

// listen starts a TCP listener that accepts and closes connections, standing for a mail
// server's port, and returns its address.
func listen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	})
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return l.Addr().String()
}

// startIMAP runs the shared test kit's IMAP server (plain: the verifier below speaks no
// TLS) with one user, and returns its address.
func startIMAP(t *testing.T, user, password string) string {
	t.Helper()
	port := testimap.Start(t, testimap.Options{Users: map[string]string{user: password}})
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// loginVerifier checks a candidate by logging in to its IMAP server (plain TCP: the
// stub has no TLS), as the connection test does for real. It records what it checked.
type loginVerifier struct {
	resolver Resolver
	dialer   Dialer
	password string

	mu      sync.Mutex
	checked []string // IMAP hosts, in order
}

func (v *loginVerifier) Check(ctx context.Context, c Candidate) error {
	v.mu.Lock()
	v.checked = append(v.checked, c.IMAP.Host)
	v.mu.Unlock()
	conn, err := resolvingDialer{resolver: v.resolver, dialer: v.dialer}.DialContext(ctx, "tcp",
		net.JoinHostPort(c.IMAP.Host, strconv.Itoa(c.IMAP.Port)))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	greeting, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(greeting, "* OK") {
		return fmt.Errorf("greeting %q: %w", greeting, err)
	}
	fmt.Fprintf(conn, "a1 LOGIN %s %s\r\n", c.IMAP.Username, v.password)
	var reply string
	for err == nil && !strings.HasPrefix(reply, "a1 ") { // untagged lines come first
		reply, err = r.ReadString('\n')
	}
	switch {
	case err != nil:
		return fmt.Errorf("login: %w", err)
	case strings.HasPrefix(reply, "a1 OK"):
		return nil
	case strings.Contains(reply, "[AUTHENTICATIONFAILED]"):
		return fmt.Errorf("login: %s: %w", strings.TrimSpace(reply), ErrAuth)
	default:
		return fmt.Errorf("login: %s", strings.TrimSpace(reply))
	}
}

func (v *loginVerifier) hosts() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.checked...)
}

// presetMap is an in-memory Presets.
type presetMap map[string]*Candidate

func (p presetMap) PresetFor(_ context.Context, domain string) (*Candidate, error) {
	return p[domain], nil
}

// env is a test's whole local Internet.
type env struct {
	dns     *testDNS
	ca      *testcert.CA
	web     *testWeb
	dialer  *portDialer
	presets presetMap
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ca := testcert.NewCA(t)
	return &env{dns: startDNS(t), ca: ca, web: startWeb(t, ca), dialer: newPortDialer(t), presets: presetMap{}}
}

func (e *env) resolver() Resolver { return NewDNSServerResolver(e.dns.addr) }

// options points every external endpoint at the local servers.
func (e *env) options() Options {
	r := e.resolver()
	return Options{
		Presets:        e.presets,
		Resolver:       r,
		HTTPClient:     NewHTTPClient(r, e.ca.Pool()),
		AutoconfigURLs: e.web.templates(),
		ISPDBURL:       e.web.ispdbTemplate(),
		Dialer:         e.dialer,
	}
}

// autoconfigXML is a clientConfig document with one IMAP and one SMTP server.
func autoconfigXML(imapHost string, imapPort int, imapSocket, smtpHost string, smtpPort int, smtpSocket, user string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example">
    <displayName>Example</displayName>
    <incomingServer type="imap">
      <hostname>%s</hostname><port>%d</port><socketType>%s</socketType>
      <username>%s</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>%s</hostname><port>%d</port><socketType>%s</socketType>
      <username>%s</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`, imapHost, imapPort, imapSocket, user, smtpHost, smtpPort, smtpSocket, user)
}
