package probe_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/probe"
)

const (
	user     = "alice@example.test"
	password = "probe-password-1234"
)

type recorder struct {
	mu    sync.Mutex
	steps []probe.Step
}

func (r *recorder) emit(s probe.Step) {
	r.mu.Lock()
	r.steps = append(r.steps, s)
	r.mu.Unlock()
}

func srv(port int, sec accounts.Security) accounts.Server {
	return accounts.Server{Host: "127.0.0.1", Port: port, Security: sec, Username: user}
}

func TestAGoodAccountPassesEveryStepInOrder(t *testing.T) {
	ca := testcert.NewCA(t)
	cfg := ca.Leaf(t, testcert.Opts{}).ServerConfig()
	users := map[string]string{user: password}
	imapPort := testimap.Start(t, testimap.Options{TLS: cfg, ImplicitTLS: true, Users: users})
	smtpSrv := testsmtp.Start(t, testsmtp.Options{TLS: cfg, Users: users})
	p := probe.New(&connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second})
	var rec recorder
	rep := p.Run(context.Background(), probe.Target{IMAP: srv(imapPort, accounts.TLS), SMTP: srv(smtpSrv.Port, accounts.StartTLS), Login: accounts.PasswordLogin(password)}, rec.emit)
	if !rep.OK {
		t.Fatalf("report = %+v", rep)
	}
	if len(rep.Steps) != len(probe.Steps) {
		t.Fatalf("%d steps reported, want %d", len(rep.Steps), len(probe.Steps))
	}
	for i, s := range rep.Steps {
		if s.Name != probe.Steps[i] || s.Status != probe.Passed {
			t.Fatalf("step %d = %s %s", i, s.Name, s.Status)
		}
	}
	if tlsStep := rep.Steps[2]; tlsStep.Cert == nil || !strings.Contains(tlsStep.Detail, "valid until") {
		t.Fatalf("TLS step lacks the certificate: %+v", tlsStep)
	}
	if !strings.Contains(rep.Steps[4].Detail, "IMAP4rev1") {
		t.Fatalf("capabilities = %q", rep.Steps[4].Detail)
	}
	// Every step was streamed twice: running, then its result.
	if len(rec.steps) != 2*len(probe.Steps) || rec.steps[0].Status != probe.Running || rec.steps[1].Status != probe.Passed {
		t.Fatalf("streamed %d events: %+v", len(rec.steps), rec.steps)
	}
}

func TestFailuresStopAtTheirStepWithACauseAndAFix(t *testing.T) {
	ca := testcert.NewCA(t)
	good := ca.Leaf(t, testcert.Opts{}).ServerConfig()
	users := map[string]string{user: password}
	goodIMAP := testimap.Start(t, testimap.Options{TLS: good, ImplicitTLS: true, Users: users})
	selfSigned := testimap.Start(t, testimap.Options{TLS: ca.Leaf(t, testcert.Opts{SelfSigned: true}).ServerConfig(), ImplicitTLS: true, Users: users})
	noStartTLS := testimap.Start(t, testimap.Options{Users: users})
	smtpGood := testsmtp.Start(t, testsmtp.Options{TLS: good, Users: users})
	smtpPlain := testsmtp.Start(t, testsmtp.Options{Users: users})

	cases := []struct {
		name     string
		target   probe.Target
		failedAt probe.Name
		code     fault.Code
		hintCode string
		reason   string
	}{
		{"unknown host", probe.Target{IMAP: accounts.Server{Host: "nowhere.invalid", Port: 993, Security: accounts.TLS, Username: user}, SMTP: srv(smtpGood.Port, accounts.StartTLS), Login: accounts.PasswordLogin(password)},
			probe.DNS, fault.Network, "dns", "server_not_found"},
		{"iCloud wrong password", probe.Target{IMAP: srv(goodIMAP, accounts.TLS), SMTP: srv(smtpGood.Port, accounts.StartTLS), Login: accounts.PasswordLogin("bad"), Provider: "icloud"},
			probe.IMAPLogin, fault.AuthFailed, "auth_icloud", "imap_auth_failed"},
		{"Gmail wrong password", probe.Target{IMAP: srv(goodIMAP, accounts.TLS), SMTP: srv(smtpGood.Port, accounts.StartTLS), Login: accounts.PasswordLogin("bad"), Provider: "gmail"},
			probe.IMAPLogin, fault.AuthFailed, "auth_gmail", "imap_auth_failed"},
		{"self-signed certificate", probe.Target{IMAP: srv(selfSigned, accounts.TLS), SMTP: srv(smtpGood.Port, accounts.StartTLS), Login: accounts.PasswordLogin(password)},
			probe.TLS, fault.TLSUntrusted, "tls_untrusted", "tls_untrusted"},
		{"IMAP without STARTTLS", probe.Target{IMAP: srv(noStartTLS, accounts.StartTLS), SMTP: srv(smtpGood.Port, accounts.StartTLS), Login: accounts.PasswordLogin(password)},
			probe.TLS, fault.TLSRequired, "tls_required_imap", "imap_starttls_unavailable"},
		{"SMTP without STARTTLS", probe.Target{IMAP: srv(goodIMAP, accounts.TLS), SMTP: srv(smtpPlain.Port, accounts.StartTLS), Login: accounts.PasswordLogin(password)},
			probe.SMTPLogin, fault.TLSRequired, "tls_required_smtp", "smtp_starttls_unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := probe.New(&connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second})
			rep := p.Run(context.Background(), tc.target, nil)
			if rep.OK {
				t.Fatal("report OK, want a failure")
			}
			var failed *probe.Step
			for i := range rep.Steps {
				s := &rep.Steps[i]
				if s.Status == probe.Failed {
					failed = s
				} else if failed != nil && s.Status != probe.Skipped {
					t.Fatalf("step %s ran after the failure", s.Name)
				}
			}
			if failed == nil || failed.Name != tc.failedAt || failed.Code != tc.code || failed.HintCode != tc.hintCode ||
				failed.Err == nil || failed.Err.Reason != tc.reason {
				t.Fatalf("failed step = %+v; want %s/%s/%s/%s", failed, tc.failedAt, tc.code, tc.hintCode, tc.reason)
			}
			if tc.reason == "imap_auth_failed" && failed.Err.Detail == "" {
				t.Fatalf("refused login lacks the server's own words: %+v", failed.Err)
			}
			if tc.code == fault.TLSUntrusted && (failed.Cert == nil || failed.Params["sha256"] == "" || failed.Err.Params["reason"] != connect.UntrustedAuthority) {
				t.Fatalf("untrusted step lacks the certificate to show: %+v", failed)
			}
		})
	}
}
