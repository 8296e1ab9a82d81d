package oauth_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	mailsmtp "github.com/wneessen/go-mail/smtp"

	"mailroom/backend/connect"
	"mailroom/backend/internal/testkit/testoidc"
	"mailroom/backend/oauth"
	"mailroom/backend/vault"
)

// xoauthSession is go-imap's in-memory session with XOAUTH2 validated by the provider.
type xoauthSession struct {
	imapserver.Session
	p  *testoidc.Provider
	pw string
}

func (s *xoauthSession) AuthenticateMechanisms() []string { return []string{oauth.XOAuth2Mechanism} }

func (s *xoauthSession) Authenticate(mech string) (sasl.Server, error) {
	if mech != oauth.XOAuth2Mechanism {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "mechanism not supported"}
	}
	return s.p.XOAuth2Server(func(user string) error { return s.Session.Login(user, s.pw) }), nil
}

// startIMAP runs go-imap's server on 127.0.0.1 with one mailbox for user, reachable only
// through XOAUTH2 (its password is never given to the client).
func startIMAP(t *testing.T, p *testoidc.Provider, user string) string {
	t.Helper()
	const pw = "not-used-by-the-client"
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, pw)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &xoauthSession{Session: mem.NewSession(), p: p, pw: pw}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true, // loopback; TLS is connect's business, tested there
		Logger:       quietIMAP{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }() // returns when Close stops it
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestXOAuth2LogsInToIMAPWithAValidTokenAndNotWithAnExpiredOne(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	st := oauth.NewTokenStore(e.c, vault.NewMemory())
	signIn(t, e, st, "s1")
	addr := startIMAP(t, e.p, ana)
	tok, err := st.Source("s1").Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	var protocol bytes.Buffer
	dial := func() *imapclient.Client {
		c, err := imapclient.DialInsecure(addr, &imapclient.Options{DebugWriter: connect.NewRedactor(&protocol, "imap", tok.AccessToken)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	c := dial()
	if err := c.Authenticate(oauth.NewXOAuth2Client(ana, tok.AccessToken)); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	// A command after AUTHENTICATE proves the session, not just the exchange.
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("SELECT after XOAUTH2: %v", err)
	}

	// Another user's name with this token: refused.
	other := oauth.NewXOAuth2Client("bob@example.test", tok.AccessToken)
	if err := dial().Authenticate(other); err == nil || !other.TokenExpired() {
		t.Fatalf("a token used for another user: err=%v failure=%+v", err, other.Failure())
	}

	// The same token once expired: refused, and the client says why, and the connection
	// is still usable (the exchange ended properly with the empty response).
	e.p.ExpireAccessTokens()
	c2 := dial()
	x := oauth.NewXOAuth2Client(ana, tok.AccessToken)
	err = c2.Authenticate(x)
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo {
		t.Fatalf("expired token: %v, want a NO", err)
	}
	if !x.TokenExpired() || x.Failure().Scope == "" {
		t.Fatalf("failure %+v", x.Failure())
	}
	if err := c2.Noop().Wait(); err != nil {
		t.Fatalf("connection unusable after a refused XOAUTH2: %v", err)
	}
	if _, err := c2.Select("INBOX", nil).Wait(); err == nil {
		t.Fatal("SELECT worked without authentication")
	}

	// Invalidate + refresh gives a token the server accepts again.
	st.Source("s1").Invalidate()
	fresh, err := st.Source("s1").Token(context.Background())
	if err != nil || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("refresh after invalidate: %v", err)
	}
	if err := dial().Authenticate(oauth.NewXOAuth2Client(ana, fresh.AccessToken)); err != nil {
		t.Fatalf("refreshed token refused: %v", err)
	}

	log := protocol.String()
	if !strings.Contains(log, "AUTHENTICATE XOAUTH2") {
		t.Fatalf("the protocol log did not record the exchange:\n%s", log)
	}
	assertNoSecrets(t, "the IMAP protocol log", log, append(e.p.Issued(),
		"user="+ana+"\x01auth=Bearer "+tok.AccessToken+"\x01\x01"))
}

type quietIMAP struct{}

func (quietIMAP) Printf(string, ...any) {}

// smtpBackend is go-smtp's server with XOAUTH2 validated by the provider.
type smtpBackend struct{ p *testoidc.Provider }

func (b smtpBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &smtpSession{p: b.p}, nil
}

type smtpSession struct {
	p    *testoidc.Provider
	user string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{oauth.XOAuth2Mechanism} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return s.p.XOAuth2Server(func(u string) error { s.user = u; return nil }), nil
}
func (s *smtpSession) Mail(string, *gosmtp.MailOptions) error {
	if s.user == "" {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	return nil
}
func (s *smtpSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s *smtpSession) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (s *smtpSession) Reset()                                 {}
func (s *smtpSession) Logout() error                          { return nil }

func TestXOAuth2LogsInToSMTPWithGoMail(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	st := oauth.NewTokenStore(e.c, vault.NewMemory())
	signIn(t, e, st, "s1")
	tok, err := st.Source("s1").Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srv := gosmtp.NewServer(smtpBackend{p: e.p})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }() // returns when Close stops it
	t.Cleanup(func() { srv.Close() })

	send := func(token string) error {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c, err := mailsmtp.NewClient(conn, "localhost")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Auth(oauth.SMTPAuth(ana, token)); err != nil {
			return err
		}
		return c.Mail(ana) // the follow-up command that proves the session
	}
	if err := send(tok.AccessToken); err != nil {
		t.Fatalf("valid token: %v", err)
	}
	e.p.ExpireAccessTokens()
	err = send(tok.AccessToken)
	if err == nil || !strings.Contains(err.Error(), "535") && !strings.Contains(err.Error(), "454") {
		t.Fatalf("expired token: %v, want a refusal", err)
	}
	assertNoSecrets(t, "the SMTP error", err.Error(), e.p.Issued())
}
