package connect_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/oauth2"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/internal/testkit/testsmtp"
)

// tokens is an OAuth token source handing out a fixed sequence of access tokens: each
// Invalidate moves to the next one.
type tokens struct {
	mu          sync.Mutex
	seq         []string
	i           int
	invalidated int
}

func (s *tokens) Token(context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &oauth2.Token{AccessToken: s.seq[min(s.i, len(s.seq)-1)], TokenType: "Bearer"}, nil
}

func (s *tokens) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.i++
	s.invalidated++
}

// introspect accepts "good-…" tokens for user, as a provider's introspection would.
func introspect(token string) (string, bool, error) {
	return user, strings.HasPrefix(token, "good-"), nil
}

func TestIMAPSignsInWithXOAUTH2AndRenewsARefusedTokenOnce(t *testing.T) {
	ca := testcert.NewCA(t)
	port := testimap.Start(t, testimap.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(), ImplicitTLS: true,
		Users: map[string]string{user: "never-sent"}, Introspect: introspect})
	var log bytes.Buffer
	d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second, Debug: &log}

	// The cached token has been revoked before its expiry: one renewal, then signed in.
	src := &tokens{seq: []string{"stale-1", "good-2"}}
	c, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.Login{Tokens: src}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if src.invalidated != 1 {
		t.Fatalf("the token was renewed %d times, want 1", src.invalidated)
	}

	// A renewed token refused too: the refusal stands, after exactly one renewal.
	src = &tokens{seq: []string{"stale-1", "stale-2", "good-3"}}
	_, err = d.IMAP(ctx, server(port, accounts.TLS), accounts.Login{Tokens: src}, nil)
	if !connect.ErrIMAPTokenRefused.Is(err) || !fault.Is(err, fault.AuthFailed) || src.invalidated != 1 {
		t.Fatalf("err = %v after %d renewals; want auth_failed after 1", err, src.invalidated)
	}
	for _, secret := range []string{"stale-1", "stale-2", "good-2"} {
		if strings.Contains(log.String(), secret) {
			t.Fatalf("the protocol log holds the token %q:\n%s", secret, log.String())
		}
	}
	if !strings.Contains(log.String(), "AUTHENTICATE XOAUTH2") {
		t.Fatalf("the protocol log shows no XOAUTH2 sign-in:\n%s", log.String())
	}
}

func TestIMAPAcceptedTokenThenRefusedSessionIsNotConnected(t *testing.T) {
	ca := testcert.NewCA(t)
	port := testimap.Start(t, testimap.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(), ImplicitTLS: true,
		Users: map[string]string{user: "never-sent"}, Introspect: introspect, RefuseAfterAuth: true})
	d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second}
	_, err := d.IMAP(ctx, server(port, accounts.TLS), accounts.Login{Tokens: &tokens{seq: []string{"good-1"}}}, nil)
	if fe, _ := fault.As(err); !connect.ErrIMAPSessionRefused.Is(err) || !strings.Contains(fe.Detail, "not connected") {
		t.Fatalf("err = %v; want auth_failed quoting the server's refusal", err)
	}
}

func TestIMAPWithoutXOAUTH2SaysTheServerCannotTakeATokenAndSendsNone(t *testing.T) {
	ca := testcert.NewCA(t)
	port := testimap.Start(t, testimap.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(), ImplicitTLS: true,
		Users: map[string]string{user: password}})
	src := &tokens{seq: []string{"good-1"}}
	_, err := (&connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second}).IMAP(ctx, server(port, accounts.TLS), accounts.Login{Tokens: src}, nil)
	if !connect.ErrIMAPNoXOAuth2.Is(err) || !fault.Is(err, fault.ProviderRejected) {
		t.Fatalf("err = %v", err)
	}
}

func TestSMTPSignsInWithXOAUTH2AndProvesTheSessionWithMailFrom(t *testing.T) {
	ca := testcert.NewCA(t)
	cfg := ca.Leaf(t, testcert.Opts{}).ServerConfig()
	refuse := false
	var mu sync.Mutex
	srv := testsmtp.Start(t, testsmtp.Options{TLS: cfg, Introspect: introspect, MailError: func(int) error {
		mu.Lock()
		defer mu.Unlock()
		if refuse {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 60}, Message: "SMTP; Client does not have permissions to send as this sender"}
		}
		return nil
	}})
	var log bytes.Buffer
	d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second, Debug: &log}

	src := &tokens{seq: []string{"stale-1", "good-2"}}
	if err := d.SMTPCheck(ctx, server(srv.Port, accounts.StartTLS), accounts.Login{Tokens: src}, user, nil); err != nil {
		t.Fatal(err)
	}
	if src.invalidated != 1 {
		t.Fatalf("renewed %d times, want 1", src.invalidated)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("the check sent %d messages", n)
	}

	mu.Lock()
	refuse = true
	mu.Unlock()
	err := d.SMTPCheck(ctx, server(srv.Port, accounts.StartTLS), accounts.Login{Tokens: &tokens{seq: []string{"good-1"}}}, user, nil)
	if fe, _ := fault.As(err); !connect.ErrSMTPSessionRefused.Is(err) || !strings.Contains(fe.Detail, "5.7.60") {
		t.Fatalf("AUTH accepted then MAIL FROM refused: %v; want auth_failed with the server's words", err)
	}
	if strings.Contains(log.String(), "good-") || strings.Contains(log.String(), "stale-") {
		t.Fatalf("the protocol log holds a token:\n%s", log.String())
	}
}

func TestSMTPNeverSendsATokenWithoutTLS(t *testing.T) {
	srv := testsmtp.Start(t, testsmtp.Options{Introspect: introspect})
	src := &tokens{seq: []string{"good-1"}}
	// A server without STARTTLS: refused before any AUTH (STARTTLS is mandatory).
	err := (&connect.Dialer{Timeout: 5 * time.Second}).SMTPCheck(ctx, server(srv.Port, accounts.StartTLS), accounts.Login{Tokens: src}, user, nil)
	if err == nil || !fault.Is(err, fault.TLSRequired) {
		t.Fatalf("err = %v; want tls_required", err)
	}
}
