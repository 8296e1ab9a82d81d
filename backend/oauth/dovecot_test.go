package oauth_test

import (
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	mailsmtp "github.com/wneessen/go-mail/smtp"

	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/internal/testkit/testoidc"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/oauth"
)

// These tests run against the project's real servers (scripts/testenv): Dovecot's passdb
// oauth2 asks the test OAuth provider, by RFC 7662 introspection, whether a token is valid
// and whose it is, so every XOAUTH2 login below is decided by Dovecot itself.

const dialTimeout = 10 * time.Second

// dialDovecot opens an IMAPS connection to the test Dovecot. fixed wraps it in
// oauth.IMAPConn; the protocol log goes to log.
func dialDovecot(t *testing.T, env *testenv.Env, fixed bool, log *testenv.LogBuffer) *imapclient.Client {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: dialTimeout}, "tcp", env.IMAPSAddr, env.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	var nc net.Conn = conn
	if fixed {
		nc = oauth.IMAPConn(conn)
	}
	c := imapclient.New(nc, &imapclient.Options{DebugWriter: log})
	t.Cleanup(func() { c.Close() })
	if err := c.WaitGreeting(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestXOAuth2AgainstDovecot(t *testing.T) {
	env := testenv.Mail(t)
	u := env.NewUser(t)
	other := env.Users[1]

	t.Run("a valid token logs in and SELECT INBOX works", func(t *testing.T) {
		tok := env.Token(t, u.Address)
		var log testenv.LogBuffer
		c := dialDovecot(t, env, true, &log)
		x := oauth.NewXOAuth2Client(u.Address, tok)
		if err := c.Authenticate(x); err != nil {
			t.Fatalf("Dovecot refused a valid token: %v\n%s", err, log.String())
		}
		if x.Failure() != nil {
			t.Fatalf("failure %+v after a successful login", x.Failure())
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatalf("SELECT after XOAUTH2: %v", err)
		}
	})

	// refused logs in with a token Dovecot must refuse and checks the whole exchange: the
	// JSON challenge is read, answered with an empty line, the command ends with NO, the
	// client knows the token was refused, and the connection can still be used.
	refused := func(t *testing.T, user, token string) {
		t.Helper()
		var log testenv.LogBuffer
		c := dialDovecot(t, env, true, &log)
		x := oauth.NewXOAuth2Client(user, token)
		err := c.Authenticate(x)
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo {
			t.Fatalf("Authenticate = %v, want NO\n%s", err, log.String())
		}
		if ie.Code != imap.ResponseCodeAuthenticationFailed {
			t.Errorf("response code %q, want AUTHENTICATIONFAILED", ie.Code)
		}
		if !x.TokenExpired() || x.Failure().Schemes != "bearer" {
			t.Fatalf("the client did not read Dovecot's challenge: %+v", x.Failure())
		}
		if err := c.Noop().Wait(); err != nil {
			t.Fatalf("connection unusable after the refusal: %v", err)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err == nil {
			t.Fatal("SELECT worked without a login")
		}
	}

	t.Run("an expired token is refused", func(t *testing.T) {
		tok := env.Token(t, u.Address)
		env.ExpireToken(t, tok)
		refused(t, u.Address, tok)
	})
	t.Run("a revoked token is refused", func(t *testing.T) {
		tok := env.Token(t, u.Address)
		env.RevokeToken(t, tok)
		refused(t, u.Address, tok)
	})
	t.Run("another account's token is refused", func(t *testing.T) {
		refused(t, other.Address, env.Token(t, u.Address))
	})
	t.Run("a made-up token is refused", func(t *testing.T) {
		refused(t, u.Address, "not-a-token-"+testenv.UniqueID())
	})
	// The passwd-file passdb is restricted to PLAIN and LOGIN: without that restriction a
	// refused token would fall through to it and be compared with the password.
	t.Run("the password is not a token", func(t *testing.T) {
		refused(t, u.Address, u.Password)
	})
	t.Run("a token is not a password", func(t *testing.T) {
		var log testenv.LogBuffer
		c := dialDovecot(t, env, true, &log)
		if err := c.Login(u.Address, env.Token(t, u.Address)).Wait(); err == nil {
			t.Fatal("LOGIN accepted an access token as the password")
		}
	})

	// go-imap sends "=" as the empty answer, which Dovecot refuses as bad base64. This
	// test fails once go-imap sends an empty line (issue #760): oauth.IMAPConn can go then.
	t.Run("unwrapped go-imap's empty answer gets BAD but the refusal is still known", func(t *testing.T) {
		tok := env.Token(t, u.Address)
		env.ExpireToken(t, tok)
		var log testenv.LogBuffer
		c := dialDovecot(t, env, false, &log)
		x := oauth.NewXOAuth2Client(u.Address, tok)
		err := c.Authenticate(x)
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeBad || !strings.Contains(ie.Text, "base64") {
			t.Fatalf("Authenticate = %v; want Dovecot's BAD about base64 (has go-imap fixed issue #760?)", err)
		}
		if !x.TokenExpired() {
			t.Fatalf("failure %+v", x.Failure())
		}
		if err := c.Noop().Wait(); err != nil {
			t.Fatalf("connection unusable: %v", err)
		}
	})

	t.Run("OAUTHBEARER with a valid token logs in", func(t *testing.T) {
		var log testenv.LogBuffer
		c := dialDovecot(t, env, true, &log)
		if err := c.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
			Username: u.Address, Token: env.Token(t, u.Address),
		})); err != nil {
			t.Fatalf("OAUTHBEARER: %v", err)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatalf("SELECT after OAUTHBEARER: %v", err)
		}
	})
}

// notConnected is Outlook's known behaviour: AUTHENTICATE succeeds, then every command
// after it is refused ("User is authenticated but not connected.").
type notConnected struct {
	imapserver.Session
	introspect testoidc.Introspector
	pw         string
}

func (s *notConnected) AuthenticateMechanisms() []string { return []string{oauth.XOAuth2Mechanism} }

func (s *notConnected) Authenticate(string) (sasl.Server, error) {
	return testoidc.NewXOAuth2Server(s.introspect, func(user string) error { return s.Session.Login(user, s.pw) }), nil
}

func (s *notConnected) Select(string, *imap.SelectOptions) (*imap.SelectData, error) {
	return nil, &imap.Error{Type: imap.StatusResponseTypeBad, Text: "User is authenticated but not connected."}
}

func TestXOAuth2AcceptedThenNextCommandRefusedIsVisible(t *testing.T) {
	env := testenv.Mail(t)
	u := env.NewUser(t)
	const pw = "never-sent"
	mem := imapmemserver.New()
	mu := imapmemserver.NewUser(u.Address, pw)
	if err := mu.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(mu)
	introspect := testoidc.RemoteIntrospector(env.OIDCURL + testoidc.PathIntrospect)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &notConnected{Session: mem.NewSession(), introspect: introspect, pw: pw}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       quietIMAP{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }() // returns when Close stops it
	t.Cleanup(func() { srv.Close() })

	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(oauth.NewXOAuth2Client(u.Address, env.Token(t, u.Address))); err != nil {
		t.Fatalf("the server was meant to accept the token: %v", err)
	}
	_, err = c.Select("INBOX", nil).Wait()
	var ie *imap.Error
	if !errors.As(err, &ie) || !strings.Contains(ie.Text, "not connected") {
		t.Fatalf("SELECT after the accepted AUTHENTICATE = %v; the caller must see the refusal", err)
	}
}

// smtpAuth logs in to an SMTP server with XOAUTH2 and sends MAIL FROM, the follow-up
// command that proves the session. tlsConfig, when set, is used for STARTTLS.
func smtpAuth(t *testing.T, addr string, tlsConfig *tls.Config, user, token string) (authErr, mailErr error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, err := mailsmtp.NewClient(conn, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tlsConfig != nil {
		if err := c.StartTLS(tlsConfig); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Auth(oauth.SMTPAuth(user, token)); err != nil {
		return err, nil
	}
	return nil, c.Mail(user)
}

func TestXOAuth2SMTPValidatedByTheProvider(t *testing.T) {
	env := testenv.Mail(t)
	u := env.NewUser(t)
	other := env.Users[1]
	introspect := testoidc.RemoteIntrospector(env.OIDCURL + testoidc.PathIntrospect)

	t.Run("go-smtp test server", func(t *testing.T) {
		srv := testsmtp.Start(t, testsmtp.Options{
			Introspect: introspect,
			MailError: func(n int) error {
				if n == 2 { // the second session: AUTH accepted, the next command refused
					return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "authenticated but not allowed to send"}
				}
				return nil
			},
		})
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port))
		tok := env.Token(t, u.Address)
		if a, m := smtpAuth(t, addr, nil, u.Address, tok); a != nil || m != nil {
			t.Fatalf("valid token: auth %v, MAIL %v", a, m)
		}
		if a, m := smtpAuth(t, addr, nil, u.Address, tok); a != nil || m == nil {
			t.Fatalf("AUTH then a refused MAIL FROM: auth %v, MAIL %v; the caller must see the refusal", a, m)
		}
		if a, _ := smtpAuth(t, addr, nil, other.Address, tok); a == nil || !strings.Contains(a.Error(), "535") {
			t.Fatalf("another account's token: %v, want 535", a)
		}
		env.ExpireToken(t, tok)
		if a, _ := smtpAuth(t, addr, nil, u.Address, tok); a == nil || !strings.Contains(a.Error(), "535") {
			t.Fatalf("expired token: %v, want 535", a)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("%d messages", n)
		}
	})

	// Postfix's SASL is Dovecot's, so its submission port takes XOAUTH2 too, decided by
	// the same passdb oauth2.
	t.Run("Postfix submission through Dovecot's auth", func(t *testing.T) {
		tok := env.Token(t, u.Address)
		if a, m := smtpAuth(t, env.SMTPAddr, env.TLSConfig(), u.Address, tok); a != nil || m != nil {
			t.Fatalf("valid token: auth %v, MAIL %v", a, m)
		}
		if a, _ := smtpAuth(t, env.SMTPAddr, env.TLSConfig(), other.Address, tok); a == nil {
			t.Fatal("Postfix accepted another account's token")
		}
		env.RevokeToken(t, tok)
		if a, _ := smtpAuth(t, env.SMTPAddr, env.TLSConfig(), u.Address, tok); a == nil {
			t.Fatal("Postfix accepted a revoked token")
		}
	})
}
