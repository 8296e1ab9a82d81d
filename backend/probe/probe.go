// Package probe is the step-by-step connection test (F4): DNS → TCP → TLS → IMAP login →
// capabilities → SMTP login, or, for an account that sends through an API sender, the
// sender's checks in place of the SMTP login (Target.API; a send-only account has only
// those). Each step is reported as it starts and ends, with what was found and, on
// failure, the likely cause and the fix in the user's words.
//
//	p := probe.New(dialer)
//	rep := p.Run(ctx, probe.Target{IMAP: acc.IMAP, SMTP: acc.SMTP, Login: accounts.PasswordLogin(pw), Provider: "icloud"},
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

	// API senders' checks (see Check; backend/senders builds them).
	PostmarkSender Name = "postmark_sender" // the server token, and the From as a confirmed sender signature
	MailgunDomain  Name = "mailgun_domain"  // the sending domain's state in its region
	MailgunFrom    Name = "mailgun_from"    // the From on the sending domain
)

// Steps lists the IMAP and SMTP steps in order.
var Steps = []Name{DNS, TCP, TLS, IMAPLogin, Capabilities, SMTPLogin}

// Check is one check of an API sender, run as a step of its own. Run returns what it found
// (for Detail) or an error in the user's words (a *fault.Error, whose Field the hint uses).
// Params go to the hint's translation (e.g. from, domain, region).
type Check struct {
	Name   Name
	Host   string // the API's host, shown with the step
	Params map[string]string
	Run    func(ctx context.Context) (detail string, err error)
}

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
	Login    accounts.Login // a password, or OAuth access tokens (XOAUTH2)
	Provider string         // catalogue id, for provider-specific hints
	// From is the account's address: the SMTP step ends with MAIL FROM:<From> and RSET
	// (nothing is sent) to prove the session after the sign-in; "" uses NOOP.
	From     string
	SkipSMTP bool
	// API are the account's API sender checks, run in place of the SMTP login. With no IMAP
	// server (IMAP.Host "": a send-only account) they are the whole test.
	API []Check
}

// plan lists the steps a target's test runs, in order.
func (t Target) plan() []Name {
	var out []Name
	if t.IMAP.Host != "" {
		out = append(out, DNS, TCP, TLS, IMAPLogin, Capabilities)
	}
	if len(t.API) > 0 {
		for _, c := range t.API {
			out = append(out, c.Name)
		}
	} else if !t.SkipSMTP {
		out = append(out, SMTPLogin)
	}
	return out
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
	var params map[string]string // the running API check's, for its hint
	finish := func(s Step, t0 time.Time, err error, detail string) bool {
		s.Elapsed = time.Since(t0)
		done[s.Name] = true
		if err != nil {
			s.Status = Failed
			s.Code = fault.CodeOf(err)
			var fe *fault.Error
			if errors.As(err, &fe) {
				s.Message = fe.Message
				if fe.Detail != "" { // a provider's own words (Postmark's, Mailgun's answer)
					s.Message += " — " + fe.Detail
				}
			} else {
				s.Message = err.Error()
			}
			var ue *connect.UntrustedError
			if errors.As(err, &ue) {
				c := ue.Cert
				s.Cert, s.CertReason = &c, ue.Reason
			}
			s.HintCode, s.Params, s.Hint = hint(s, t, err, params)
		} else {
			s.Status = Passed
			s.Detail = detail
		}
		rep.Steps = append(rep.Steps, s)
		emit(s)
		return err == nil
	}
	skipRest := func() Report {
		for _, n := range t.plan() {
			if !done[n] {
				s := Step{Name: n, Status: Skipped}
				rep.Steps = append(rep.Steps, s)
				emit(s)
			}
		}
		return rep
	}

	if t.IMAP.Host == "" {
		return p.runAPI(ctx, t, &rep, start, finish, &params, skipRest)
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
	c, err := p.d.IMAPHandshake(ctx, conn, srv, seen, nil, t.Login.Password)
	s.Cert, s.TLSVersion, s.Trusted = seen.Cert(), seen.Version(), seen.Pinned()
	if !finish(s, t0, err, tlsDetail(seen, srv)) {
		return skipRest()
	}
	defer c.Close()
	// IMAP login
	s, t0 = start(IMAPLogin, srv.Host, srv.Port)
	err = p.d.IMAPLogin(ctx, c, conn, srv, t.Login)
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
	if len(t.API) > 0 {
		return p.runAPI(ctx, t, &rep, start, finish, &params, skipRest)
	}
	// SMTP login
	if t.SkipSMTP {
		return skipRest()
	}
	s, t0 = start(SMTPLogin, t.SMTP.Host, t.SMTP.Port)
	smtpSeen := &connect.TLSSeen{}
	err = p.d.SMTPCheck(ctx, t.SMTP, t.Login, t.From, smtpSeen)
	s.Cert, s.TLSVersion, s.Trusted = smtpSeen.Cert(), smtpSeen.Version(), smtpSeen.Pinned()
	if !finish(s, t0, err, tlsDetail(smtpSeen, t.SMTP)) {
		return skipRest()
	}
	rep.OK = true
	return rep
}

// runAPI runs the API sender's checks, each as a step.
func (p *Prober) runAPI(ctx context.Context, t Target, rep *Report,
	start func(Name, string, int) (Step, time.Time), finish func(Step, time.Time, error, string) bool,
	params *map[string]string, skipRest func() Report) Report {
	for _, c := range t.API {
		*params = c.Params
		port := 0
		if c.Host != "" {
			port = 443 // the APIs are HTTPS
		}
		s, t0 := start(c.Name, c.Host, port)
		detail, err := c.Run(ctx)
		if !finish(s, t0, err, detail) {
			return skipRest()
		}
	}
	rep.OK = true
	return *rep
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
