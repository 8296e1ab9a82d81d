package connect_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/store"
)

const (
	user     = "alice@example.test"
	password = "p4ss-w0rd-for-alice"
)

func imapServer(t *testing.T, cfg *tls.Config, implicitTLS, starttls bool) int {
	t.Helper()
	if !implicitTLS && !starttls {
		cfg = nil
	}
	return testimap.Start(t, testimap.Options{TLS: cfg, ImplicitTLS: implicitTLS, Users: map[string]string{user: password}})
}

func server(port int, sec accounts.Security) accounts.Server {
	return accounts.Server{Host: "127.0.0.1", Port: port, Security: sec, Username: user}
}

func pins(t *testing.T) *connect.Pins {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return connect.NewPins(db)
}

var ctx = context.Background()

func TestIMAPLogsInOverTLSAndSTARTTLSWithAVerifiedCertificate(t *testing.T) {
	ca := testcert.NewCA(t)
	cfg := ca.Leaf(t, testcert.Opts{}).ServerConfig()
	d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second}
	for _, tc := range []struct {
		name string
		srv  accounts.Server
	}{
		{"implicit TLS", server(imapServer(t, cfg, true, false), accounts.TLS)},
		{"STARTTLS", server(imapServer(t, cfg, false, true), accounts.StartTLS)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := d.IMAP(ctx, tc.srv, accounts.PasswordLogin(password), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatalf("select after login: %v", err)
			}
		})
	}
}

func TestIMAPRefusesAWrongPasswordAsAuthFailed(t *testing.T) {
	ca := testcert.NewCA(t)
	port := imapServer(t, ca.Leaf(t, testcert.Opts{}).ServerConfig(), true, false)
	d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second}
	_, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin("wrong"), nil)
	if !fault.Is(err, fault.AuthFailed) {
		t.Fatalf("err = %v; want auth_failed", err)
	}
}

func TestIMAPNeverFallsBackToPlaintextWhenSTARTTLSIsAbsent(t *testing.T) {
	port := imapServer(t, nil, false, false)
	var log bytes.Buffer
	d := &connect.Dialer{Timeout: 5 * time.Second, Debug: &log}
	_, err := d.IMAP(ctx, server(port, accounts.StartTLS), accounts.PasswordLogin(password), nil)
	if !fault.Is(err, fault.TLSRequired) {
		t.Fatalf("err = %v; want tls_required", err)
	}
	if strings.Contains(log.String(), "LOGIN") || strings.Contains(log.String(), password) {
		t.Fatalf("credentials were sent over plaintext:\n%s", log.String())
	}
}

func TestTLSModeOnAPlainPortSaysToTrySTARTTLS(t *testing.T) {
	port := imapServer(t, nil, false, false)
	d := &connect.Dialer{Timeout: 5 * time.Second}
	_, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin(password), nil)
	if !connect.ErrTLSNotOffered.Is(err) || !fault.Is(err, fault.TLSRequired) {
		t.Fatalf("err = %v; want tls_not_offered (the port may expect STARTTLS)", err)
	}
}

func TestUntrustedCertificatesAreRefusedWithTheReason(t *testing.T) {
	ca := testcert.NewCA(t)
	cases := []struct {
		name   string
		cert   *testcert.Cert
		reason string
	}{
		{"self-signed", ca.Leaf(t, testcert.Opts{SelfSigned: true}), connect.UntrustedAuthority},
		{"unknown authority", testcert.NewCA(t).Leaf(t, testcert.Opts{}), connect.UntrustedAuthority},
		{"expired", ca.Leaf(t, testcert.Opts{NotAfter: time.Now().Add(-48 * time.Hour)}), connect.UntrustedExpired},
		{"wrong host", ca.Leaf(t, testcert.Opts{Hosts: []string{"mail.elsewhere.test"}}), connect.UntrustedHost},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := imapServer(t, tc.cert.ServerConfig(), true, false)
			d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second}
			_, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin(password), nil)
			var ue *connect.UntrustedError
			if !fault.Is(err, fault.TLSUntrusted) || !errors.As(err, &ue) {
				t.Fatalf("err = %v; want tls_untrusted", err)
			}
			if ue.Reason != tc.reason || ue.Cert.SHA256 != tc.cert.SHA256 || ue.Cert.Subject == "" {
				t.Fatalf("untrusted = %+v; want reason %s and the presented certificate", ue, tc.reason)
			}
		})
	}
}

func TestAPinnedCertificateIsTrustedForThatHostAndPortOnlyUntilItChanges(t *testing.T) {
	ca := testcert.NewCA(t)
	self := ca.Leaf(t, testcert.Opts{SelfSigned: true})
	p := pins(t)
	port := imapServer(t, self.ServerConfig(), true, false)
	d := &connect.Dialer{RootCAs: ca.Pool(), Pins: p, Timeout: 5 * time.Second}

	_, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin(password), nil)
	var ue *connect.UntrustedError
	if !errors.As(err, &ue) {
		t.Fatalf("before trusting: %v", err)
	}
	if err := p.Trust(ctx, "127.0.0.1", port, ue.Cert, 0); err != nil {
		t.Fatal(err)
	}
	c, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin(password), nil)
	if err != nil {
		t.Fatalf("after trusting: %v", err)
	}
	c.Close()

	// The same certificate on another port is not trusted.
	other := imapServer(t, self.ServerConfig(), true, false)
	if _, err := d.IMAP(ctx, server(other, accounts.TLS), accounts.PasswordLogin(password), nil); !fault.Is(err, fault.TLSUntrusted) {
		t.Fatalf("pinned certificate on another port: %v", err)
	}

	// A different certificate on the pinned port asks again, with reason "changed".
	p2 := pins(t)
	changedPort := imapServer(t, ca.Leaf(t, testcert.Opts{SelfSigned: true}).ServerConfig(), true, false)
	if err := p2.Trust(ctx, "127.0.0.1", changedPort, connect.CertInfo{SHA256: self.SHA256, Subject: "CN=old", Issuer: "CN=old", NotAfter: self.Leaf.NotAfter}, 0); err != nil {
		t.Fatal(err)
	}
	d2 := &connect.Dialer{RootCAs: ca.Pool(), Pins: p2, Timeout: 5 * time.Second}
	_, err = d2.IMAP(ctx, server(changedPort, accounts.TLS), accounts.PasswordLogin(password), nil)
	if !errors.As(err, &ue) || ue.Reason != connect.UntrustedChanged {
		t.Fatalf("changed certificate: %v", err)
	}
}

func TestConnectionRefusedAndUnknownHostAreNetworkErrorsInWords(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	d := &connect.Dialer{Timeout: 2 * time.Second}
	_, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin(password), nil)
	if !connect.ErrConnectionRefused.Is(err) || !fault.Is(err, fault.Network) {
		t.Fatalf("refused: %v", err)
	}
	_, err = d.IMAP(ctx, accounts.Server{Host: "no-such-host.invalid", Port: 993, Security: accounts.TLS, Username: user}, accounts.PasswordLogin(password), nil)
	if fe, _ := fault.As(err); !connect.ErrServerNotFound.Is(err) || fe.Params["host"] != "no-such-host.invalid" {
		t.Fatalf("unknown host: %v", err)
	}
}

func TestAServerThatNeverAnswersTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // accept and stay silent
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	port, _ := strconv.Atoi(strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:"))
	d := &connect.Dialer{Timeout: 300 * time.Millisecond}
	_, err = d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin(password), nil)
	if !fault.Is(err, fault.Network) {
		t.Fatalf("silent server: %v", err)
	}
}

func TestTheProtocolLogNeverHoldsThePassword(t *testing.T) {
	ca := testcert.NewCA(t)
	port := imapServer(t, ca.Leaf(t, testcert.Opts{}).ServerConfig(), true, false)
	var log bytes.Buffer
	d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second, Debug: &log}
	c, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.PasswordLogin(password), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !strings.Contains(log.String(), "LOGIN ***") {
		t.Fatalf("protocol log lacks the masked login:\n%s", log.String())
	}
	if strings.Contains(log.String(), password) {
		t.Fatalf("password in the protocol log:\n%s", log.String())
	}
}
