package testenv_test

// These tests check the test mail environment itself with the client
// libraries the app uses: if they fail, every other integration test would
// fail for reasons unrelated to the app.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/wneessen/go-mail"

	"mailroom/backend/internal/testkit/testenv"
)

const (
	ioTimeout       = 10 * time.Second
	deliveryTimeout = 15 * time.Second
)

// dialIMAP connects over implicit TLS (imaps) or STARTTLS (imap) with the
// given TLS configuration and closes the connection when the test ends.
func dialIMAP(t *testing.T, env *testenv.Env, security string, tlsConfig *tls.Config) (*imapclient.Client, error) {
	t.Helper()
	opts := &imapclient.Options{
		TLSConfig: tlsConfig,
		Dialer:    &net.Dialer{Timeout: ioTimeout},
	}
	var (
		c   *imapclient.Client
		err error
	)
	switch security {
	case "imaps":
		c, err = imapclient.DialTLS(env.IMAPSAddr, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(env.IMAPAddr, opts)
	default:
		t.Fatalf("unknown security %q", security)
	}
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, nil
}

// login connects over IMAPS as user and fails the test on any error.
func login(t *testing.T, env *testenv.Env, user testenv.User) *imapclient.Client {
	t.Helper()
	c, err := dialIMAP(t, env, "imaps", env.TLSConfig())
	if err != nil {
		t.Fatalf("dial IMAPS: %v", err)
	}
	if err := c.Login(user.Address, user.Password).Wait(); err != nil {
		t.Fatalf("login as %s: %v", user.Address, err)
	}
	return c
}

func TestIMAPLogin(t *testing.T) {
	env := testenv.Mail(t)
	alice, bob := env.Users[0], env.Users[1]

	tests := []struct {
		name     string
		security string // "imaps" or "starttls"
		user     testenv.User
		wantOK   bool
	}{
		{"implicit TLS accepts the right password", "imaps", alice, true},
		{"STARTTLS accepts the right password", "starttls", alice, true},
		{"second account can log in", "imaps", bob, true},
		{"implicit TLS refuses a wrong password", "imaps", testenv.User{Address: alice.Address, Password: "wrong-" + alice.Password}, false},
		{"STARTTLS refuses a wrong password", "starttls", testenv.User{Address: alice.Address, Password: "wrong-" + alice.Password}, false},
		{"unknown account is refused", "imaps", testenv.User{Address: "nobody@" + env.Domain, Password: alice.Password}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := dialIMAP(t, env, tt.security, env.TLSConfig())
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			err = c.Login(tt.user.Address, tt.user.Password).Wait()
			switch {
			case tt.wantOK && err != nil:
				t.Fatalf("login as %s: %v", tt.user.Address, err)
			case !tt.wantOK && err == nil:
				t.Fatalf("login as %s with password %q succeeded, want refusal", tt.user.Address, tt.user.Password)
			}
			if tt.wantOK {
				// Prove the session is authenticated with a command that needs
				// it. (Client.State is updated just after Wait returns in
				// go-imap v2.0.0-beta.8, so it cannot be checked here.)
				if _, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil {
					t.Errorf("STATUS INBOX after login: %v", err)
				}
				if err := c.Logout().Wait(); err != nil {
					t.Errorf("logout: %v", err)
				}
			}
		})
	}
}

func TestTLSIsVerifiedAgainstTestCA(t *testing.T) {
	env := testenv.Mail(t)

	tests := []struct {
		name     string
		security string
		config   *tls.Config
		wantErr  bool
	}{
		{"implicit TLS trusts the test CA by IP address", "imaps", &tls.Config{RootCAs: env.RootCAs}, false},
		{"implicit TLS trusts the test CA by host name", "imaps", env.TLSConfig(), false},
		{"STARTTLS trusts the test CA", "starttls", &tls.Config{RootCAs: env.RootCAs}, false},
		{"implicit TLS rejects the certificate without the test CA", "imaps", &tls.Config{RootCAs: x509.NewCertPool()}, true},
		{"STARTTLS rejects the certificate without the test CA", "starttls", &tls.Config{RootCAs: x509.NewCertPool()}, true},
		{"certificate does not match another host name", "imaps", &tls.Config{RootCAs: env.RootCAs, ServerName: "mail.example.org"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := dialIMAP(t, env, tt.security, tt.config)
			if err == nil {
				// DialTLS completes the handshake lazily on first I/O.
				err = c.Noop().Wait()
			}
			if tt.wantErr {
				var verifyErr *tls.CertificateVerificationError
				if !errors.As(err, &verifyErr) {
					t.Fatalf("got error %v, want a certificate verification error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
		})
	}
}

func TestSpecialUseMailboxesExist(t *testing.T) {
	env := testenv.Mail(t)
	c := login(t, env, env.User())

	mailboxes, err := c.List("", "*", &imap.ListOptions{ReturnSpecialUse: true, ReturnSubscribed: true}).Collect()
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	byAttr := map[imap.MailboxAttr]*imap.ListData{}
	for _, mbox := range mailboxes {
		for _, attr := range mbox.Attrs {
			byAttr[attr] = mbox
		}
	}

	for _, attr := range []imap.MailboxAttr{
		imap.MailboxAttrSent,
		imap.MailboxAttrDrafts,
		imap.MailboxAttrTrash,
		imap.MailboxAttrJunk,
		imap.MailboxAttrArchive,
	} {
		t.Run(strings.TrimPrefix(string(attr), `\`), func(t *testing.T) {
			mbox, ok := byAttr[attr]
			if !ok {
				t.Fatalf("no mailbox with %s in LIST: %+v", attr, mailboxes)
			}
			if !hasAttr(mbox.Attrs, imap.MailboxAttrSubscribed) {
				t.Errorf("%s mailbox %q is not subscribed", attr, mbox.Mailbox)
			}
		})
	}
}

func hasAttr(attrs []imap.MailboxAttr, want imap.MailboxAttr) bool {
	for _, a := range attrs {
		if a == want {
			return true
		}
	}
	return false
}

// smtpClient returns a go-mail client for submission on addr, with TLS
// verified against the test CA. implicitTLS selects SMTPS instead of STARTTLS;
// user nil means no AUTH.
func smtpClient(t *testing.T, env *testenv.Env, addr string, implicitTLS bool, user *testenv.User) *mail.Client {
	t.Helper()
	host, port := testenv.HostPort(addr)
	opts := []mail.Option{
		mail.WithPort(port),
		mail.WithTLSConfig(env.TLSConfig()),
		mail.WithTimeout(ioTimeout),
	}
	if implicitTLS {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if user != nil {
		opts = append(opts,
			mail.WithSMTPAuth(mail.SMTPAuthPlain),
			mail.WithUsername(user.Address),
			mail.WithPassword(user.Password))
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		t.Fatalf("new SMTP client: %v", err)
	}
	return c
}

// newMsg returns a message with a unique subject and Message-ID.
func newMsg(t *testing.T, from, to string) (msg *mail.Msg, subject, messageID string) {
	t.Helper()
	id := testenv.UniqueID()
	subject = "Harness " + id
	messageID = id + "@mailroom.test"
	msg = mail.NewMsg()
	if err := msg.From(from); err != nil {
		t.Fatal(err)
	}
	if err := msg.To(to); err != nil {
		t.Fatal(err)
	}
	msg.Subject(subject)
	msg.SetMessageIDWithValue(messageID)
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, "Sent through the test environment's submission service.\n")
	return msg, subject, messageID
}

// waitForMessage polls user's INBOX until a message with messageID arrives
// and returns its envelope.
func waitForMessage(t *testing.T, env *testenv.Env, user testenv.User, messageID string) *imap.Envelope {
	t.Helper()
	c := login(t, env, user)
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("SELECT INBOX: %v", err)
	}
	criteria := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: messageID}}}
	deadline := time.Now().Add(deliveryTimeout)
	for {
		// NOOP lets the server announce new messages before the search.
		if err := c.Noop().Wait(); err != nil {
			t.Fatalf("NOOP: %v", err)
		}
		data, err := c.UIDSearch(criteria, nil).Wait()
		if err != nil {
			t.Fatalf("UID SEARCH: %v", err)
		}
		if uids := data.AllUIDs(); len(uids) > 0 {
			if len(uids) != 1 {
				t.Fatalf("message %s arrived %d times", messageID, len(uids))
			}
			msgs, err := c.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{Envelope: true}).Collect()
			if err != nil {
				t.Fatalf("FETCH: %v", err)
			}
			if len(msgs) != 1 || msgs[0].Envelope == nil {
				t.Fatalf("FETCH returned %d messages without an envelope", len(msgs))
			}
			return msgs[0].Envelope
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s not in %s's INBOX after %v", messageID, user.Address, deliveryTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestSubmissionDeliversToRecipientInbox(t *testing.T) {
	env := testenv.Mail(t)
	alice, bob := env.Users[0], env.Users[1]

	local, domain, _ := strings.Cut(bob.Address, "@")
	tests := []struct {
		name        string
		addr        string
		implicitTLS bool
		to          string
	}{
		{"STARTTLS submission", env.SMTPAddr, false, bob.Address},
		{"implicit TLS submission", env.SMTPSAddr, true, bob.Address},
		{"plus-addressed recipient", env.SMTPAddr, false, local + "+harness@" + domain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg, subject, messageID := newMsg(t, alice.Address, tt.to)
			c := smtpClient(t, env, tt.addr, tt.implicitTLS, &alice)
			start := time.Now()
			if err := c.DialAndSend(msg); err != nil {
				t.Fatalf("send as %s: %v", alice.Address, err)
			}

			got := waitForMessage(t, env, bob, messageID)
			t.Logf("delivered in %v", time.Since(start).Round(time.Millisecond))
			if got.Subject != subject {
				t.Errorf("subject = %q, want %q", got.Subject, subject)
			}
			if len(got.From) != 1 || got.From[0].Addr() != alice.Address {
				t.Errorf("from = %+v, want %s", got.From, alice.Address)
			}
		})
	}
}

func TestLMTPDeliversToInbox(t *testing.T) {
	env := testenv.Mail(t)
	carol := env.Users[len(env.Users)-1]
	subject := "Delivered by LMTP " + testenv.UniqueID()
	msg, messageID := testenv.NewMessage("sender@example.org", carol.Address, subject, "Hello.\n.leading dot\n")
	env.Deliver(t, msg, "sender@example.org", carol.Address)

	got := waitForMessage(t, env, carol, messageID)
	if got.Subject != subject {
		t.Errorf("subject = %q, want %q", got.Subject, subject)
	}
}

func TestSubmissionRefusesUnauthorizedMail(t *testing.T) {
	env := testenv.Mail(t)
	alice, bob := env.Users[0], env.Users[1]
	wrong := testenv.User{Address: alice.Address, Password: "wrong-" + alice.Password}

	tests := []struct {
		name string
		user *testenv.User // nil: no AUTH
		to   string
	}{
		{"no open relay: unauthenticated mail to another domain", nil, "someone@example.org"},
		{"unauthenticated mail to a local account", nil, bob.Address},
		{"wrong password", &wrong, bob.Address},
		{"unknown local recipient", &alice, "nobody@" + env.Domain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from := alice.Address
			if tt.user == nil {
				from = "someone@example.org"
			}
			msg, _, _ := newMsg(t, from, tt.to)
			err := smtpClient(t, env, env.SMTPAddr, false, tt.user).DialAndSend(msg)
			if err == nil {
				t.Fatalf("mail from %s to %s was accepted, want refusal", from, tt.to)
			}
			var sendErr *mail.SendError
			if errors.As(err, &sendErr) && sendErr.IsTemp() {
				t.Errorf("refused with a temporary error, want permanent: %v", err)
			}
			t.Logf("refused: %v", err)
		})
	}
}

func TestSubmissionRelaysForAuthenticatedUsers(t *testing.T) {
	env := testenv.Mail(t)
	alice := env.User()
	msg, _, _ := newMsg(t, alice.Address, "someone@example.org")
	// Accepted (and discarded: nothing leaves the machine).
	if err := smtpClient(t, env, env.SMTPAddr, false, &alice).DialAndSend(msg); err != nil {
		t.Fatalf("authenticated mail to another domain: %v", err)
	}
}

func TestNewUserHasOwnWorkingAccount(t *testing.T) {
	env := testenv.Mail(t)
	alice := env.User()
	u := env.NewUser(t)

	c := login(t, env, u)
	status, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatalf("STATUS INBOX: %v", err)
	}
	if status.NumMessages == nil || *status.NumMessages != 0 {
		t.Fatalf("new account's INBOX has %v messages, want 0", status.NumMessages)
	}
	mailboxes, err := c.List("", "*", &imap.ListOptions{ReturnSpecialUse: true}).Collect()
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	if len(mailboxes) != 6 { // INBOX and the five special-use mailboxes
		t.Errorf("new account has %d mailboxes, want 6: %+v", len(mailboxes), mailboxes)
	}

	// It receives mail through submission and can authenticate for SMTP.
	msg, subject, messageID := newMsg(t, alice.Address, u.Address)
	if err := smtpClient(t, env, env.SMTPAddr, false, &alice).DialAndSend(msg); err != nil {
		t.Fatalf("send to %s: %v", u.Address, err)
	}
	if got := waitForMessage(t, env, u, messageID); got.Subject != subject {
		t.Errorf("subject = %q, want %q", got.Subject, subject)
	}
	reply, _, _ := newMsg(t, u.Address, alice.Address)
	if err := smtpClient(t, env, env.SMTPAddr, false, &u).DialAndSend(reply); err != nil {
		t.Fatalf("send as %s: %v", u.Address, err)
	}
}

func TestEnvParsesUsers(t *testing.T) {
	tests := []struct {
		in      string
		want    []testenv.User
		wantErr bool
	}{
		{"a@x.test:pw", []testenv.User{{"a@x.test", "pw"}}, false},
		{" a@x.test:p:w\tb@x.test:q ", []testenv.User{{"a@x.test", "p:w"}, {"b@x.test", "q"}}, false},
		{"", nil, true},
		{"a@x.test", nil, true},
		{"a@x.test:", nil, true},
		{"nodomain:pw", nil, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := testenv.ParseUsers(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseUsers(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ParseUsers(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
