package connect_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/wneessen/go-mail"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testsmtp"
)

func TestSMTPAuthenticatesAndSendsOverSTARTTLSAndImplicitTLS(t *testing.T) {
	ca := testcert.NewCA(t)
	cfg := ca.Leaf(t, testcert.Opts{}).ServerConfig()
	users := map[string]string{user: password}
	for _, tc := range []struct {
		name string
		srv  *testsmtp.Server
		sec  accounts.Security
	}{
		{"STARTTLS", testsmtp.Start(t, testsmtp.Options{TLS: cfg, Users: users}), accounts.StartTLS},
		{"implicit TLS", testsmtp.Start(t, testsmtp.Options{TLS: cfg, ImplicitTLS: true, Users: users}), accounts.TLS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second, Debug: &log}
			c, err := d.SMTPLogin(ctx, server(tc.srv.Port, tc.sec), accounts.PasswordLogin(password), nil)
			if err != nil {
				t.Fatal(err)
			}
			m := mail.NewMsg()
			if err := m.From(user); err != nil {
				t.Fatal(err)
			}
			if err := m.To("bob@example.test"); err != nil {
				t.Fatal(err)
			}
			m.Subject("Bonjour")
			m.SetBodyString(mail.TypeTextPlain, "Un message de test.")
			if err := c.Send(m); err != nil {
				t.Fatal(err)
			}
			c.Close()
			got := tc.srv.Messages()
			if len(got) != 1 || got[0].User != user || !strings.Contains(string(got[0].Data), "Un message de test.") {
				t.Fatalf("received = %+v", got)
			}
			if strings.Contains(log.String(), password) {
				t.Fatalf("password in the SMTP protocol log:\n%s", log.String())
			}
		})
	}
}

func TestSMTPFailuresAreExplained(t *testing.T) {
	ca := testcert.NewCA(t)
	cfg := ca.Leaf(t, testcert.Opts{}).ServerConfig()
	users := map[string]string{user: password}
	cases := []struct {
		name   string
		opts   testsmtp.Options
		sec    accounts.Security
		pw     string
		code   fault.Code
		reason string
		detail string // in the server's own words
	}{
		{"wrong password", testsmtp.Options{TLS: cfg, Users: users}, accounts.StartTLS, "nope", fault.AuthFailed, "smtp_auth_failed", "535"},
		{"STARTTLS not offered", testsmtp.Options{Users: users}, accounts.StartTLS, password, fault.TLSRequired, "smtp_starttls_unavailable", ""},
		{"Microsoft SMTP AUTH disabled", testsmtp.Options{TLS: cfg, Users: users, AuthError: &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
			Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."}}, accounts.StartTLS, password, fault.ProviderRejected, "smtp_auth_disabled", "SmtpClientAuthentication is disabled"},
		{"self-signed certificate", testsmtp.Options{TLS: ca.Leaf(t, testcert.Opts{SelfSigned: true}).ServerConfig(), Users: users}, accounts.StartTLS, password, fault.TLSUntrusted, "tls_untrusted", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testsmtp.Start(t, tc.opts)
			d := &connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second}
			_, err := d.SMTPLogin(ctx, server(srv.Port, tc.sec), accounts.PasswordLogin(tc.pw), nil)
			fe, _ := fault.As(err)
			if !fault.Is(err, tc.code) || fault.ReasonOf(err) != tc.reason || fe.Params["host"] != "127.0.0.1" || !strings.Contains(fe.Detail, tc.detail) {
				t.Fatalf("err = %v (detail %q); want %s/%s with the server's words %q", err, fe.Detail, tc.code, tc.reason, tc.detail)
			}
			if got, want := errors.Is(err, connect.ErrSMTPAuthDisabled), strings.Contains(tc.name, "AUTH disabled"); got != want {
				t.Fatalf("errors.Is(err, ErrSMTPAuthDisabled) = %v, want %v (err = %v)", got, want, err)
			}
		})
	}
}
