package probe_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/probe"
	"mailroom/backend/store"
)

// These tests run against the project's real Dovecot and Postfix (scripts/testenv), which
// `make test` starts; testenv.Mail fails them when the servers are missing under
// MAILROOM_REQUIRE_INTEGRATION=1.

func realServer(addr, user string, sec accounts.Security) accounts.Server {
	host, port := testenv.HostPort(addr)
	return accounts.Server{Host: host, Port: port, Security: sec, Username: user}
}

func TestRealServersAcceptTheRightPasswordOverTLSAndSTARTTLS(t *testing.T) {
	env := testenv.Mail(t)
	u := env.User()
	p := probe.New(&connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second})
	for _, tc := range []struct {
		name       string
		imap, smtp accounts.Server
	}{
		{"IMAPS and submission with STARTTLS", realServer(env.IMAPSAddr, u.Address, accounts.TLS), realServer(env.SMTPAddr, u.Address, accounts.StartTLS)},
		{"IMAP with STARTTLS and submissions over TLS", realServer(env.IMAPAddr, u.Address, accounts.StartTLS), realServer(env.SMTPSAddr, u.Address, accounts.TLS)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := p.Run(context.Background(), probe.Target{IMAP: tc.imap, SMTP: tc.smtp, Login: accounts.PasswordLogin(u.Password)}, nil)
			if !rep.OK {
				t.Fatalf("report = %+v", rep.Steps)
			}
			found := map[string]bool{}
			for _, c := range rep.Caps {
				found[c] = true
			}
			for _, want := range []string{"IDLE", "CONDSTORE", "SPECIAL-USE"} {
				if !found[want] {
					t.Errorf("Dovecot's capabilities after login lack %s: %v", want, rep.Caps)
				}
			}
		})
	}
}

func TestRealServersRefuseAWrongPassword(t *testing.T) {
	env := testenv.Mail(t)
	u := env.User()
	d := &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second}
	rep := probe.New(d).Run(context.Background(), probe.Target{
		IMAP: realServer(env.IMAPSAddr, u.Address, accounts.TLS), SMTP: realServer(env.SMTPAddr, u.Address, accounts.StartTLS), Login: accounts.PasswordLogin("not-the-password")}, nil)
	if rep.OK || rep.Steps[3].Name != probe.IMAPLogin || rep.Steps[3].Code != fault.AuthFailed {
		t.Fatalf("IMAP with a wrong password: %+v", rep.Steps)
	}
	// Postfix (through Dovecot's SASL) refuses it too.
	_, err := d.SMTPLogin(context.Background(), realServer(env.SMTPAddr, u.Address, accounts.StartTLS), accounts.PasswordLogin("not-the-password"), nil)
	if !fault.Is(err, fault.AuthFailed) {
		t.Fatalf("SMTP with a wrong password: %v", err)
	}
}

func TestRealServerCertificatesAreRefusedUnlessPinnedAndAChangeAsksAgain(t *testing.T) {
	env := testenv.Mail(t)
	u := env.User()
	ca := testcert.NewCA(t)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pins := connect.NewPins(db)
	// Each proxy terminates TLS with a certificate of the case's choosing and forwards to
	// Dovecot's IMAP port: the IMAP conversation is the real server's.
	cases := []struct {
		name   string
		cert   *testcert.Cert
		reason string
	}{
		{"expired", ca.Leaf(t, testcert.Opts{NotAfter: time.Now().Add(-72 * time.Hour)}), connect.UntrustedExpired},
		{"wrong host", ca.Leaf(t, testcert.Opts{Hosts: []string{"imap.somewhere-else.test"}}), connect.UntrustedHost},
		{"self-signed", ca.Leaf(t, testcert.Opts{SelfSigned: true}), connect.UntrustedAuthority},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := testcert.Proxy(t, tc.cert, env.IMAPAddr)
			srv := accounts.Server{Host: "127.0.0.1", Port: port, Security: accounts.TLS, Username: u.Address}
			d := &connect.Dialer{RootCAs: ca.Pool(), Pins: pins, Timeout: 10 * time.Second}
			_, err := d.IMAP(context.Background(), srv, accounts.PasswordLogin(u.Password), nil)
			var ue *connect.UntrustedError
			if !fault.Is(err, fault.TLSUntrusted) || !errors.As(err, &ue) || ue.Reason != tc.reason {
				t.Fatalf("before pinning: %v; want tls_untrusted (%s)", err, tc.reason)
			}
			if err := pins.Trust(context.Background(), "127.0.0.1", port, ue.Cert, 0); err != nil {
				t.Fatal(err)
			}
			c, err := d.IMAP(context.Background(), srv, accounts.PasswordLogin(u.Password), nil)
			if err != nil {
				t.Fatalf("after pinning: %v", err)
			}
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatalf("select through the pinned connection: %v", err)
			}
			c.Close()
		})
	}
	t.Run("pinned then changed", func(t *testing.T) {
		first := ca.Leaf(t, testcert.Opts{SelfSigned: true})
		port := testcert.Proxy(t, ca.Leaf(t, testcert.Opts{SelfSigned: true}), env.IMAPAddr)
		if err := pins.Trust(context.Background(), "127.0.0.1", port, connect.CertInfo{SHA256: first.SHA256, Subject: "CN=first", Issuer: "CN=first", NotAfter: first.Leaf.NotAfter}, 0); err != nil {
			t.Fatal(err)
		}
		d := &connect.Dialer{RootCAs: ca.Pool(), Pins: pins, Timeout: 10 * time.Second}
		_, err := d.IMAP(context.Background(), accounts.Server{Host: "127.0.0.1", Port: port, Security: accounts.TLS, Username: u.Address}, accounts.PasswordLogin(u.Password), nil)
		var ue *connect.UntrustedError
		if !errors.As(err, &ue) || ue.Reason != connect.UntrustedChanged {
			t.Fatalf("changed certificate: %v", err)
		}
	})
}

func TestRealServersWithoutSTARTTLSAreRefusedNeverUsedInTheClear(t *testing.T) {
	env := testenv.Mail(t)
	u := env.User()
	var log strings.Builder
	t.Run("Dovecot offering no STARTTLS", func(t *testing.T) {
		d := &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second, Debug: &log,
			LocalAddr: &net.TCPAddr{IP: net.ParseIP(env.IMAPNoTLSFrom)}}
		_, err := d.IMAP(context.Background(), realServer(env.IMAPAddr, u.Address, accounts.StartTLS), accounts.PasswordLogin(u.Password), nil)
		if !fault.Is(err, fault.TLSRequired) {
			t.Fatalf("err = %v; want tls_required\n%s", err, log.String())
		}
	})
	t.Run("Postfix offering no STARTTLS", func(t *testing.T) {
		d := &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second, Debug: &log}
		_, err := d.SMTPLogin(context.Background(), realServer(env.SMTPNoTLSAddr, u.Address, accounts.StartTLS), accounts.PasswordLogin(u.Password), nil)
		if !fault.Is(err, fault.TLSRequired) {
			t.Fatalf("err = %v; want tls_required\n%s", err, log.String())
		}
	})
	// The client never sent a login (LOGIN ***, masked by the redactor) nor an AUTH command.
	if strings.Contains(log.String(), "LOGIN ***") || strings.Contains(log.String(), "C: AUTH") || strings.Contains(log.String(), u.Password) {
		t.Fatalf("credentials went out in the clear:\n%s", log.String())
	}
}
