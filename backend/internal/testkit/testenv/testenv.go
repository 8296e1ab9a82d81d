// Package testenv connects integration tests to the private mail servers
// (Dovecot IMAP/LMTP and Postfix submission) started by scripts/testenv/up.sh.
//
// Usage:
//
//	func TestFetchInbox(t *testing.T) {
//		env := testenv.Mail(t) // skips, or fails under `make test`, without servers
//		u := env.NewUser(t)    // a fresh account, not shared with other tests
//		msg, _ := testenv.NewMessage("bob@example.test", u.Address, "Hello", "Hi!")
//		env.Deliver(t, msg, "bob@example.test", u.Address) // straight into the INBOX
//
//		c, err := imapclient.DialTLS(env.IMAPSAddr, &imapclient.Options{TLSConfig: env.TLSConfig()})
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer c.Close()
//		if err := c.Login(u.Address, u.Password).Wait(); err != nil {
//			t.Fatal(err)
//		}
//		// ...
//	}
//
// Run integration tests through `make test`, which wraps `go test` in
// scripts/testenv/with-env.sh: it starts a fresh environment in a temporary
// directory, exports its MAILROOM_TEST_* variables and stops it afterwards.
// By hand, as root:
//
//	scripts/testenv/with-env.sh go test ./backend/...
//
// Without those variables Mail skips the test, unless
// MAILROOM_REQUIRE_INTEGRATION=1 is set (as `make test` does): then it fails,
// so integration tests can never be skipped silently in CI.
//
// One environment serves all test packages, which run in parallel: tests that
// count or change messages should use their own account (NewUser) or unique
// subjects and Message-IDs (UniqueID, NewMessage). The fixed accounts
// (Env.Users) are shared.
//
// The servers present one self-signed certificate (valid for "localhost" and
// 127.0.0.1); Env.TLSConfig and Env.RootCAs trust only it. All accounts are in
// Env.Domain. Submission needs STARTTLS (or implicit TLS on SMTPSAddr) and
// AUTH; mail to other domains is accepted from authenticated users and
// discarded.
package testenv

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/internal/testkit/testoidc"
)

// Environment variables written to DIR/env.sh by scripts/testenv/up.sh.
const (
	EnvDir         = "MAILROOM_TEST_DIR"             // the environment's directory
	EnvIMAPAddr    = "MAILROOM_TEST_IMAP_ADDR"       // host:port, IMAP with STARTTLS
	EnvIMAPSAddr   = "MAILROOM_TEST_IMAPS_ADDR"      // host:port, IMAP over implicit TLS
	EnvLMTPAddr    = "MAILROOM_TEST_LMTP_ADDR"       // host:port, LMTP into Dovecot (no TLS, no auth)
	EnvSMTPAddr    = "MAILROOM_TEST_SMTP_ADDR"       // host:port, submission: STARTTLS + AUTH required
	EnvSMTPSAddr   = "MAILROOM_TEST_SMTPS_ADDR"      // host:port, submission over implicit TLS + AUTH
	EnvSMTPNoTLS   = "MAILROOM_TEST_SMTP_NOTLS_ADDR" // host:port, Postfix offering no STARTTLS at all
	EnvIMAPNoTLS   = "MAILROOM_TEST_IMAP_NOTLS_FROM" // source IP to which Dovecot offers no TLS
	EnvCA          = "MAILROOM_TEST_CA"              // PEM file of the servers' self-signed certificate
	EnvDomain      = "MAILROOM_TEST_DOMAIN"          // mail domain of the test accounts
	EnvUsers       = "MAILROOM_TEST_USERS"           // space-separated "address:password" pairs
	EnvUser        = "MAILROOM_TEST_USER"            // address of the first account
	EnvPassword    = "MAILROOM_TEST_PASSWORD"        // password of the first account
	EnvMailDir     = "MAILROOM_TEST_MAIL_DIR"        // mailboxes: MAIL_DIR/<address>/Maildir
	EnvMailUID     = "MAILROOM_TEST_MAIL_UID"        // owner of the mailboxes
	EnvMailGID     = "MAILROOM_TEST_MAIL_GID"        // group of the mailboxes
	EnvDovecotConf = "MAILROOM_TEST_DOVECOT_CONF"    // for doveadm -c
	EnvPasswdFile  = "MAILROOM_TEST_PASSWD_FILE"     // Dovecot's passwd-file (NewUser appends to it)
	EnvOIDCURL     = "MAILROOM_TEST_OIDC_URL"        // the test OAuth provider Dovecot introspects

	// EnvRequire makes Mail fail instead of skip when the environment is
	// missing. Set to "1" by `make test`.
	EnvRequire = "MAILROOM_REQUIRE_INTEGRATION"
)

// TLSServerName is a host name the servers' certificate is valid for (it is
// also valid for the IP address 127.0.0.1).
const TLSServerName = "localhost"

// User is a test account. Address is also the IMAP and SMTP login name.
type User struct {
	Address  string
	Password string
}

// Env describes a running test mail environment.
type Env struct {
	Dir string

	IMAPAddr  string // IMAP, STARTTLS available (plain LOGIN is allowed on loopback)
	IMAPSAddr string // IMAP over implicit TLS
	LMTPAddr  string // LMTP delivery into Dovecot
	SMTPAddr  string // submission, STARTTLS and AUTH required
	SMTPSAddr string // submission over implicit TLS, AUTH required

	// Servers without encryption, to prove Mailroom refuses them: Postfix on SMTPNoTLSAddr
	// offers no STARTTLS; Dovecot's IMAPAddr offers no STARTTLS to connections from
	// IMAPNoTLSFrom (a loopback address such as 127.0.0.3).
	SMTPNoTLSAddr string
	IMAPNoTLSFrom string

	CAFile  string         // PEM file of the self-signed server certificate
	RootCAs *x509.CertPool // pool holding only that certificate

	Domain string
	Users  []User // at least two accounts, all in Domain

	MailDir          string // DIR/mail; a user's mailbox is MailDir/<address>/Maildir
	MailUID, MailGID int    // owner of the mailbox files
	DovecotConf      string // Dovecot configuration, for doveadm -c
	PasswdFile       string // Dovecot's passwd-file, see NewUser

	// OIDCURL is the test OAuth/OIDC provider (backend/internal/testkit/testoidc) that Dovecot's passdb
	// oauth2 asks, by RFC 7662 introspection, whether an XOAUTH2 or OAUTHBEARER token is
	// valid and whose it is. Token gets one for any account.
	OIDCURL string
}

// Mail returns the test mail environment described by the MAILROOM_TEST_*
// variables. Without them it skips the test, or fails it if
// MAILROOM_REQUIRE_INTEGRATION=1. Inconsistent variables always fail.
func Mail(t testing.TB) *Env {
	t.Helper()
	if os.Getenv(EnvIMAPSAddr) == "" {
		const msg = "integration test needs the test mail servers: run it through `make test` " +
			"(or scripts/testenv/with-env.sh go test ...)"
		if required() {
			t.Fatalf("%s is not set but %s is: %s", EnvIMAPSAddr, EnvRequire, msg)
		}
		t.Skip(msg)
	}
	env, err := FromEnv()
	if err != nil {
		t.Fatalf("test mail environment: %v", err)
	}
	return env
}

func required() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(EnvRequire))) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// FromEnv reads the environment variables written by up.sh.
func FromEnv() (*Env, error) {
	var missing []string
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	env := &Env{
		Dir:       get(EnvDir),
		IMAPAddr:  get(EnvIMAPAddr),
		IMAPSAddr: get(EnvIMAPSAddr),
		LMTPAddr:  get(EnvLMTPAddr),
		SMTPAddr:  get(EnvSMTPAddr),
		SMTPSAddr: get(EnvSMTPSAddr),

		SMTPNoTLSAddr: get(EnvSMTPNoTLS),
		IMAPNoTLSFrom: get(EnvIMAPNoTLS),
		CAFile:        get(EnvCA),
		Domain:        get(EnvDomain),
	}
	users := get(EnvUsers)
	// Optional: needed only by tests that touch mailbox files or add accounts.
	env.MailDir = os.Getenv(EnvMailDir)
	env.DovecotConf = os.Getenv(EnvDovecotConf)
	env.PasswdFile = os.Getenv(EnvPasswdFile)
	env.OIDCURL = os.Getenv(EnvOIDCURL)
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing variables %s (source DIR/env.sh written by scripts/testenv/up.sh)",
			strings.Join(missing, ", "))
	}

	for _, v := range []struct {
		name string
		dst  *int
	}{{EnvMailUID, &env.MailUID}, {EnvMailGID, &env.MailGID}} {
		if s := os.Getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("%s=%q: %w", v.name, s, err)
			}
			*v.dst = n
		}
	}

	for _, addr := range []struct{ name, value string }{
		{EnvIMAPAddr, env.IMAPAddr}, {EnvIMAPSAddr, env.IMAPSAddr}, {EnvLMTPAddr, env.LMTPAddr},
		{EnvSMTPAddr, env.SMTPAddr}, {EnvSMTPSAddr, env.SMTPSAddr},
	} {
		if _, _, err := net.SplitHostPort(addr.value); err != nil {
			return nil, fmt.Errorf("%s=%q: %w", addr.name, addr.value, err)
		}
	}

	var err error
	if env.Users, err = ParseUsers(users); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvUsers, err)
	}
	if len(env.Users) < 2 {
		return nil, fmt.Errorf("%s: want at least two accounts, got %d", EnvUsers, len(env.Users))
	}
	if u, p := os.Getenv(EnvUser), os.Getenv(EnvPassword); u != "" && (u != env.Users[0].Address || p != env.Users[0].Password) {
		return nil, fmt.Errorf("%s/%s disagree with the first entry of %s", EnvUser, EnvPassword, EnvUsers)
	}

	pem, err := os.ReadFile(env.CAFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvCA, err)
	}
	env.RootCAs = x509.NewCertPool()
	if !env.RootCAs.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s=%s: no certificate found", EnvCA, env.CAFile)
	}
	return env, nil
}

// ParseUsers parses the MAILROOM_TEST_USERS format: "address:password"
// pairs separated by white space. Passwords contain no white space; they may
// contain colons (the first colon separates address and password).
func ParseUsers(s string) ([]User, error) {
	var users []User
	for _, field := range strings.Fields(s) {
		addr, pass, ok := strings.Cut(field, ":")
		if !ok || !strings.Contains(addr, "@") || pass == "" {
			return nil, fmt.Errorf("entry %q is not address:password", field)
		}
		users = append(users, User{Address: addr, Password: pass})
	}
	if len(users) == 0 {
		return nil, errors.New("no users")
	}
	return users, nil
}

// User returns the first test account.
func (e *Env) User() User { return e.Users[0] }

// NewUser adds a fresh account with an empty mailbox, so that a test does not
// share mailboxes with other tests (test packages run in parallel against the
// same servers). The account is named tmp-<random>@Domain and works at once
// for IMAP login, SMTP AUTH and as a recipient; its special-use mailboxes are
// created on first login. It lives as long as the environment.
func (e *Env) NewUser(t testing.TB) User {
	t.Helper()
	u, err := e.AddUser()
	if err != nil {
		t.Fatalf("new test account: %v", err)
	}
	return u
}

// AddUser is NewUser returning an error.
func (e *Env) AddUser() (User, error) {
	if e.PasswdFile == "" {
		return User{}, fmt.Errorf("%s is not set", EnvPasswdFile)
	}
	u := User{
		// The tmp-<hex> form is what Postfix accepts as added recipients.
		Address:  "tmp-" + UniqueID()[:16] + "@" + e.Domain,
		Password: "secret-" + UniqueID()[:16],
	}
	f, err := os.OpenFile(e.PasswdFile, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return User{}, fmt.Errorf("%w (the tests must run as root, as `make test` does)", err)
	}
	// A single short append: lines from parallel test processes cannot
	// interleave. Dovecot rereads the file when it changes.
	_, err = f.WriteString(u.Address + ":{PLAIN}" + u.Password + "::::::\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return User{}, err
	}
	// Dovecot looks at the file at most once a second: wait until it knows
	// the account (LMTP checks recipients against the same user database).
	deadline := time.Now().Add(5 * time.Second)
	for {
		known, err := e.lmtpKnows(u.Address)
		if err != nil {
			return User{}, err
		}
		if known {
			return u, nil
		}
		if time.Now().After(deadline) {
			return User{}, fmt.Errorf("testenv: Dovecot does not know %s after 5s", u.Address)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lmtpKnows reports whether Dovecot's LMTP accepts rcpt as a recipient.
func (e *Env) lmtpKnows(rcpt string) (bool, error) {
	c, err := e.dialLMTP()
	if err != nil {
		return false, err
	}
	defer c.Close()
	if err := c.cmd(250, "MAIL FROM:<>"); err != nil {
		return false, err
	}
	err = c.cmd(250, "RCPT TO:<%s>", rcpt)
	var protoErr *textproto.Error
	if errors.As(err, &protoErr) && protoErr.Code/100 == 5 {
		return false, nil
	}
	_ = c.cmd(250, "RSET")
	_ = c.cmd(221, "QUIT")
	return err == nil, err
}

// TLSConfig returns a client TLS configuration that trusts only the test
// certificate. It is a new value on every call, free to modify.
func (e *Env) TLSConfig() *tls.Config {
	return &tls.Config{
		RootCAs:    e.RootCAs,
		ServerName: TLSServerName,
		MinVersion: tls.VersionTLS12,
	}
}

// HostPort splits an address such as Env.SMTPAddr, for clients that take
// host and port separately. It panics on a malformed address (FromEnv
// validated them).
func HostPort(addr string) (string, int) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		panic(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		panic(err)
	}
	return host, n
}

// Deliver delivers msg (a complete RFC 5322 message) over LMTP to the
// recipients' INBOXes, failing the test on error. The delivery is done when
// Deliver returns: a following IMAP SELECT sees the message.
func (e *Env) Deliver(t testing.TB, msg []byte, from string, to ...string) {
	t.Helper()
	if err := e.DeliverLMTP(msg, from, to...); err != nil {
		t.Fatalf("LMTP delivery to %v: %v", to, err)
	}
}

// DeliverLMTP is Deliver returning an error. Line endings in msg may be LF or
// CRLF; dot-stuffing is done here.
func (e *Env) DeliverLMTP(msg []byte, from string, to ...string) error {
	if len(to) == 0 {
		return errors.New("no recipients")
	}
	c, err := e.dialLMTP()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.cmd(250, "MAIL FROM:<%s>", from); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.cmd(250, "RCPT TO:<%s>", rcpt); err != nil {
			return fmt.Errorf("%s: %w", rcpt, err)
		}
	}
	if err := c.cmd(354, "DATA"); err != nil {
		return err
	}
	w := c.DotWriter()
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// LMTP answers the end of data once per accepted recipient.
	var errs []error
	for _, rcpt := range to {
		if _, _, err := c.ReadResponse(250); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", rcpt, err))
		}
	}
	_ = c.cmd(221, "QUIT")
	return errors.Join(errs...)
}

// lmtpConn is an LMTP session with Dovecot, greeted and past LHLO.
type lmtpConn struct {
	*textproto.Conn
}

func (e *Env) dialLMTP() (*lmtpConn, error) {
	conn, err := net.DialTimeout("tcp", e.LMTPAddr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		conn.Close()
		return nil, err
	}
	c := &lmtpConn{textproto.NewConn(conn)}
	if _, _, err := c.ReadResponse(220); err != nil {
		c.Close()
		return nil, fmt.Errorf("LMTP greeting: %w", err)
	}
	if err := c.cmd(250, "LHLO localhost"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// cmd sends a command and reads its reply, which must have the given code.
func (c *lmtpConn) cmd(code int, format string, args ...any) error {
	id, err := c.Cmd(format, args...)
	if err != nil {
		return err
	}
	c.StartResponse(id)
	defer c.EndResponse(id)
	if _, _, err := c.ReadResponse(code); err != nil {
		return fmt.Errorf("LMTP %s: %w", strings.Fields(format)[0], err)
	}
	return nil
}

// NewMessage returns a minimal text/plain RFC 5322 message and its
// Message-ID (without angle brackets), which is unique, so that tests can
// search for it.
func NewMessage(from, to, subject, body string) (msg []byte, messageID string) {
	messageID = UniqueID() + "@mailroom.test"
	var b strings.Builder
	fmt.Fprintf(&b, "From: <%s>\r\n", from)
	fmt.Fprintf(&b, "To: <%s>\r\n", to)
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s>\r\n", messageID)
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("\r\n")
	for _, line := range strings.Split(strings.TrimRight(body, "\r\n"), "\n") {
		b.WriteString(strings.TrimSuffix(line, "\r"))
		b.WriteString("\r\n")
	}
	return []byte(b.String()), messageID
}

// UniqueID returns a random 128-bit hex string, e.g. for subjects and
// Message-IDs that must not collide between test runs.
func UniqueID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// oidcTimeout bounds a request to the test OAuth provider.
const oidcTimeout = 10 * time.Second

// Token returns a fresh access token for the account, issued by the test OAuth provider
// as if the user had signed in: Dovecot accepts it for XOAUTH2 and OAUTHBEARER logins
// as that account only, until ExpireToken or RevokeToken.
func (e *Env) Token(t testing.TB, address string) string {
	t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := e.oidcPost(testoidc.PathMint, url.Values{"username": {address}}, &tok); err != nil {
		t.Fatalf("token for %s: %v", address, err)
	}
	if tok.AccessToken == "" {
		t.Fatalf("token for %s: the provider answered no access_token", address)
	}
	return tok.AccessToken
}

// ExpireToken makes an access token from Token expired at the provider, leaving every
// other token valid (other tests use the same provider).
func (e *Env) ExpireToken(t testing.TB, token string) {
	t.Helper()
	if err := e.oidcPost(testoidc.PathExpire, url.Values{"token": {token}}, nil); err != nil {
		t.Fatalf("expire token: %v", err)
	}
}

// RevokeToken revokes an access token at the provider's RFC 7009 endpoint, as an app
// disconnecting an account does.
func (e *Env) RevokeToken(t testing.TB, token string) {
	t.Helper()
	if err := e.oidcPost(testoidc.PathRevoke, url.Values{"token": {token}}, nil); err != nil {
		t.Fatalf("revoke token: %v", err)
	}
}

// oidcPost posts a form to the provider and decodes a JSON answer into out (if not nil).
// Errors never include the form: it holds tokens.
func (e *Env) oidcPost(path string, form url.Values, out any) error {
	if e.OIDCURL == "" {
		return fmt.Errorf("%s is not set (scripts/testenv/up.sh writes it)", EnvOIDCURL)
	}
	client := &http.Client{Timeout: oidcTimeout}
	resp, err := client.PostForm(e.OIDCURL+path, form)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	return nil
}

// LogBuffer collects log output written from several goroutines (a slog handler's writer),
// for tests that check what reached the log (never a password or a token).
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
