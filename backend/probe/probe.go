// Package probe is the step-by-step connection test (F4): DNS → TCP → TLS → IMAP login →
// capabilities → SMTP login. Each step is reported as it starts and ends, with what was
// found and, on failure, the likely cause and the fix in the user's words.
//
//	p := probe.New(dialer)
//	rep := p.Run(ctx, probe.Target{IMAP: acc.IMAP, SMTP: acc.SMTP, Password: pw, Provider: "icloud"},
//		func(s probe.Step) { emit("probe:step", s) })
//	if !rep.OK { … rep.Steps[len(rep.Steps)-1].Hint … }
package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
)

// Name is a step of the test.
type Name string

// The steps, in order.
const (
	DNS          Name = "dns"
	TCP          Name = "tcp"
	TLS          Name = "tls"
	IMAPLogin    Name = "imap_login"
	Capabilities Name = "capabilities"
	SMTPLogin    Name = "smtp_login"
)

// Steps lists the steps in order.
var Steps = []Name{DNS, TCP, TLS, IMAPLogin, Capabilities, SMTPLogin}

// Status of a step.
type Status string

// Step statuses.
const (
	Running Status = "running"
	Passed  Status = "ok"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Step is one step's state. Detail says what was found (addresses, TLS version,
// capabilities); on failure Code and Message say what went wrong and Hint how to fix it.
// HintCode names the hint for the UI's translation, with Params filled in.
type Step struct {
	Name     Name
	Status   Status
	Detail   string
	Code     fault.Code
	Message  string
	Hint     string
	HintCode string
	Params   map[string]string
	Cert     *connect.CertInfo // the TLS steps' certificate, also when it is not trusted
	// CertReason says why a certificate was not trusted (connect.Untrusted*); TLSVersion and
	// Trusted (accepted through the user's pin) describe a successful handshake.
	CertReason string
	TLSVersion string
	Trusted    bool
	Host       string
	Port       int
	Elapsed    time.Duration
}

// Report is the whole test.
type Report struct {
	Steps []Step
	OK    bool
	Caps  []string
}

// Target is what to test.
type Target struct {
	IMAP     accounts.Server
	SMTP     accounts.Server
	Password string
	Provider string // catalogue id, for provider-specific hints
	SkipSMTP bool
}

// Prober runs tests with a dialer.
type Prober struct{ d *connect.Dialer }

// New returns a prober. It does no I/O.
func New(d *connect.Dialer) *Prober { return &Prober{d: d} }

// Run tests the target, calling emit as each step starts and ends. It stops at the first
// failure; the remaining steps are reported as skipped.
func (p *Prober) Run(ctx context.Context, t Target, emit func(Step)) Report {
	if emit == nil {
		emit = func(Step) {}
	}
	var rep Report
	done := map[Name]bool{}
	start := func(n Name, host string, port int) (Step, time.Time) {
		s := Step{Name: n, Status: Running, Host: host, Port: port}
		emit(s)
		return s, time.Now()
	}
	finish := func(s Step, t0 time.Time, err error, detail string) bool {
		s.Elapsed = time.Since(t0)
		done[s.Name] = true
		if err != nil {
			s.Status = Failed
			s.Code = fault.CodeOf(err)
			var fe *fault.Error
			if errors.As(err, &fe) {
				s.Message = fe.Message
			} else {
				s.Message = err.Error()
			}
			var ue *connect.UntrustedError
			if errors.As(err, &ue) {
				c := ue.Cert
				s.Cert, s.CertReason = &c, ue.Reason
			}
			s.HintCode, s.Params, s.Hint = hint(s, t)
		} else {
			s.Status = Passed
			s.Detail = detail
		}
		rep.Steps = append(rep.Steps, s)
		emit(s)
		return err == nil
	}
	skipRest := func() Report {
		for _, n := range Steps {
			if !done[n] {
				s := Step{Name: n, Status: Skipped}
				rep.Steps = append(rep.Steps, s)
				emit(s)
			}
		}
		return rep
	}

	srv := t.IMAP
	// DNS
	s, t0 := start(DNS, srv.Host, srv.Port)
	addrs, err := p.d.Resolve(ctx, srv.Host)
	if !finish(s, t0, err, strings.Join(addrs, ", ")) {
		return skipRest()
	}
	// TCP
	s, t0 = start(TCP, srv.Host, srv.Port)
	conn, err := p.d.DialTCP(ctx, addrs, srv)
	detail := ""
	if err == nil {
		detail = conn.RemoteAddr().String()
	}
	if !finish(s, t0, err, detail) {
		return skipRest()
	}
	// TLS (implicit, or STARTTLS) and the greeting
	s, t0 = start(TLS, srv.Host, srv.Port)
	seen := &connect.TLSSeen{}
	c, err := p.d.IMAPHandshake(ctx, conn, srv, seen, nil, t.Password)
	s.Cert, s.TLSVersion, s.Trusted = seen.Cert(), seen.Version(), seen.Pinned()
	if !finish(s, t0, err, tlsDetail(seen, srv)) {
		return skipRest()
	}
	defer c.Close()
	// IMAP login
	s, t0 = start(IMAPLogin, srv.Host, srv.Port)
	err = p.d.IMAPLogin(c, conn, srv, t.Password)
	if !finish(s, t0, err, srv.Username) {
		return skipRest()
	}
	// Capabilities (also proves the session works after login)
	s, t0 = start(Capabilities, srv.Host, srv.Port)
	caps, err := capabilities(c, conn, p.d)
	rep.Caps = caps
	if !finish(s, t0, err, strings.Join(caps, " ")) {
		return skipRest()
	}
	c.Logout().Wait()
	// SMTP login
	if t.SkipSMTP {
		return skipRest()
	}
	s, t0 = start(SMTPLogin, t.SMTP.Host, t.SMTP.Port)
	smtpSeen := &connect.TLSSeen{}
	sc, err := p.d.SMTPLogin(ctx, t.SMTP, t.Password, smtpSeen)
	s.Cert, s.TLSVersion, s.Trusted = smtpSeen.Cert(), smtpSeen.Version(), smtpSeen.Pinned()
	if err == nil {
		sc.Close()
	}
	if !finish(s, t0, err, tlsDetail(smtpSeen, t.SMTP)) {
		return skipRest()
	}
	rep.OK = true
	return rep
}

// capsTimeout bounds the CAPABILITY command after login.
const capsTimeout = 15 * time.Second

func capabilities(c *imapclient.Client, conn net.Conn, _ *connect.Dialer) ([]string, error) {
	conn.SetDeadline(time.Now().Add(capsTimeout))
	defer conn.SetDeadline(time.Time{})
	set, err := c.Capability().Wait()
	if err != nil {
		return nil, fault.Wrap(fault.Network, "The server stopped answering after login.", err)
	}
	var out []string
	for cp := range set {
		out = append(out, string(cp))
	}
	sort.Strings(out)
	return out, nil
}

func tlsDetail(seen *connect.TLSSeen, srv accounts.Server) string {
	cert := seen.Cert()
	if cert == nil {
		return ""
	}
	mode := "TLS"
	if srv.Security == accounts.StartTLS {
		mode = "STARTTLS"
	}
	trust := ""
	if seen.Pinned() {
		trust = ", trusted by you"
	}
	return fmt.Sprintf("%s, %s; certificate for %s issued by %s, valid until %s%s", mode, seen.Version(),
		cert.Subject, cert.Issuer, cert.NotAfter.Format("2006-01-02"), trust)
}
