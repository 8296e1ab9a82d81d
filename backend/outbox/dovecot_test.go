package outbox_test

// Against the project's Postfix (submission, STARTTLS + AUTH) delivering into Dovecot:
// the message really arrives, and the Sent folder gets exactly one copy.

import (
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/outbox"
)

// mailRig is a started engine whose account is u on the test servers.
func mailRig(t testing.TB, env *testenv.Env, u testenv.User, provider string, opts outbox.Options) *rig {
	t.Helper()
	sh, sp := testenv.HostPort(env.SMTPAddr)
	ih, ip := testenv.HostPort(env.IMAPSAddr)
	r := newRig(t, rigConfig{
		email: u.Address, password: u.Password, provider: provider,
		smtp:   accounts.Server{Host: sh, Port: sp, Security: accounts.StartTLS, Username: u.Address},
		imap:   accounts.Server{Host: ih, Port: ip, Security: accounts.TLS, Username: u.Address},
		dialer: &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second},
		opts:   opts,
	})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

// imapLogin logs in as u "from another device".
func imapLogin(t testing.TB, env *testenv.Env, u testenv.User) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(env.IMAPSAddr, &imapclient.Options{TLSConfig: env.TLSConfig(), Dialer: &net.Dialer{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(u.Address, u.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// countByMessageID counts the messages of mailbox whose Message-ID is id.
func countByMessageID(t testing.TB, c *imapclient.Client, mailbox, id string) int {
	t.Helper()
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("select %s: %v", mailbox, err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + id + ">"}}}, nil).Wait()
	if err != nil {
		t.Fatalf("search %s: %v", mailbox, err)
	}
	return len(data.AllUIDs())
}

// waitCount waits until mailbox holds want messages with Message-ID id.
func waitCount(t testing.TB, c *imapclient.Client, mailbox, id string, want int) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		n := countByMessageID(t, c, mailbox, id)
		if n == want {
			return
		}
		if n > want || time.Now().After(deadline) {
			t.Fatalf("%s holds %d messages with Message-ID <%s>, want %d", mailbox, n, id, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rig) waitCopy(id int64, want outbox.CopyState) outbox.Item {
	r.t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		it, err := r.eng.Get(ctx, id)
		if err != nil {
			r.t.Fatal(err)
		}
		if it.Copy == want {
			return it
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("copy of message %d is %s, want %s (%s)", id, it.Copy, want, it.CopyError)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSendsThroughPostfixAndFilesExactlyOneCopyInSent(t *testing.T) {
	env := testenv.Mail(t)
	sender, rcpt := env.NewUser(t), env.NewUser(t)
	opts := fastOptions()
	opts.SentCopies = outbox.CopyAuto
	r := mailRig(t, env, sender, "", opts)
	msg, err := outbox.Render(outbox.Compose{
		From: outbox.Address{Name: "Expéditeur", Email: sender.Address}, To: []outbox.Address{{Email: rcpt.Address}},
		Subject: "Relance facture " + testenv.UniqueID()[:8], Text: "Bonjour,\nun rappel amical.\n"})
	if err != nil {
		t.Fatal(err)
	}
	id := r.enqueue(msg)
	it := r.waitState(id, outbox.Sent)
	if !strings.HasPrefix(it.Reply, "250") || !strings.Contains(it.Reply, "queued as") {
		t.Fatalf("Postfix's answer %q", it.Reply)
	}
	waitCount(t, imapLogin(t, env, rcpt), "INBOX", it.MessageID, 1)

	it = r.waitCopy(id, outbox.CopyDone)
	owner := imapLogin(t, env, sender)
	if n := countByMessageID(t, owner, "Sent", it.MessageID); n != 1 {
		t.Fatalf("Sent holds %d copies, want 1", n)
	}

	// A second attempt at the copy (as after a crash between the APPEND and its record)
	// finds the first and adds none.
	mustExec(t, r.db.W, `UPDATE outbox SET copy_state = 'pending' WHERE id = ?`, id)
	if err := r.eng.AccountChanged(r.accID); err != nil {
		t.Fatal(err)
	}
	r.waitCopy(id, outbox.CopyDone)
	if n := countByMessageID(t, owner, "Sent", it.MessageID); n != 1 {
		t.Fatalf("after a second copy attempt Sent holds %d copies, want 1", n)
	}
}

func TestPostfixRefusalsAndGmailLikeAccountsThroughTheRealServers(t *testing.T) {
	env := testenv.Mail(t)
	t.Run("an unknown local recipient fails with Postfix's words", func(t *testing.T) {
		sender := env.NewUser(t)
		r := mailRig(t, env, sender, "", fastOptions())
		msg, err := outbox.Render(outbox.Compose{From: outbox.Address{Email: sender.Address},
			To: []outbox.Address{{Email: "nobody-" + testenv.UniqueID()[:8] + "@" + env.Domain}}, Subject: "x", Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		it := r.waitState(r.enqueue(msg), outbox.Failed)
		if it.Error.Reason != "smtp_recipient_refused" || !strings.HasPrefix(it.Error.Detail, "nobody-") || !strings.Contains(it.Error.Detail, "(55") {
			t.Fatalf("failed item: %+v", it.Error)
		}
	})
	t.Run("a provider that files sent mail itself gets no copy from us", func(t *testing.T) {
		sender, rcpt := env.NewUser(t), env.NewUser(t)
		opts := fastOptions()
		opts.SentCopies = outbox.CopyAuto
		r := mailRig(t, env, sender, "gmail", opts)
		msg, err := outbox.Render(outbox.Compose{From: outbox.Address{Email: sender.Address}, To: []outbox.Address{{Email: rcpt.Address}}, Subject: "y", Text: "y"})
		if err != nil {
			t.Fatal(err)
		}
		it := r.waitState(r.enqueue(msg), outbox.Sent)
		if it.Copy != outbox.CopyNone {
			t.Fatalf("copy state %s for a Gmail account", it.Copy)
		}
		waitCount(t, imapLogin(t, env, rcpt), "INBOX", it.MessageID, 1)
		if n := countByMessageID(t, imapLogin(t, env, sender), "Sent", it.MessageID); n != 0 {
			t.Fatalf("Sent holds %d copies, want none", n)
		}
	})
	t.Run("a wrong password fails the message in words and pauses the account", func(t *testing.T) {
		sender := env.NewUser(t)
		wrong := sender
		wrong.Password = "not-the-password"
		r := mailRig(t, env, wrong, "", fastOptions())
		msg, err := outbox.Render(outbox.Compose{From: outbox.Address{Email: sender.Address}, To: []outbox.Address{{Email: sender.Address}}, Subject: "z", Text: "z"})
		if err != nil {
			t.Fatal(err)
		}
		it := r.waitState(r.enqueue(msg), outbox.Failed)
		if it.Error.Code != "auth_failed" || !strings.HasPrefix(it.Error.Detail, "535") {
			t.Fatalf("failed item: %+v", it.Error)
		}
	})
}

// After Stop, nothing is left running: not the sender with its SMTP connection, not the
// copier with its IMAP connection, both open and idle when Stop comes.
func TestStopLeavesNoGoroutineWithBothConnectionsOpen(t *testing.T) {
	env := testenv.Mail(t)
	u := env.NewUser(t)
	leaf := testcert.NewCA(t).Leaf(t, testcert.Opts{})
	srv := testsmtp.Start(t, testsmtp.Options{TLS: leaf.ServerConfig(), Users: map[string]string{u.Address: u.Password}})
	base := runtime.NumGoroutine()
	ih, ip := testenv.HostPort(env.IMAPSAddr)
	opts := fastOptions()
	opts.SentCopies = outbox.CopyAlways
	opts.IdleClose = time.Minute
	// Dovecot's certificate is signed by the environment's CA; the SMTP server's is one the
	// user trusted (a pin).
	dialer := &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second}
	r := newRig(t, rigConfig{email: u.Address, password: u.Password,
		smtp:   accounts.Server{Host: "127.0.0.1", Port: srv.Port, Security: accounts.StartTLS, Username: u.Address},
		imap:   accounts.Server{Host: ih, Port: ip, Security: accounts.TLS, Username: u.Address},
		dialer: dialer, opts: opts})
	pins := connect.NewPins(r.db)
	dialer.Pins = pins
	if err := pins.Trust(ctx, "127.0.0.1", srv.Port, connect.CertInfo{SHA256: leaf.SHA256, NotAfter: leaf.Leaf.NotAfter}, 0); err != nil {
		t.Fatal(err)
	}
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		msg, err := outbox.Render(outbox.Compose{From: outbox.Address{Email: u.Address}, To: []outbox.Address{{Email: "c@example.org"}},
			Subject: fmt.Sprint("n°", i), Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		r.waitCopy(r.enqueue(msg), outbox.CopyDone)
	}
	if c := srv.Connections(); c != 1 {
		t.Fatalf("%d SMTP connections, want 1", c)
	}
	r.eng.Stop()
	r.db.Close()
	settleGoroutines(t, base)
}

// appendLog counts the APPEND commands in a protocol log.
type appendLog struct {
	mu      sync.Mutex
	appends int
	partial string
}

func (l *appendLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(l.partial+string(p), "\n")
	l.partial = lines[len(lines)-1]
	for _, line := range lines[:len(lines)-1] {
		if strings.Contains(line, " APPEND ") {
			l.appends++
		}
	}
	return len(p), nil
}

func (l *appendLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appends
}

// A bulk's copies go to Dovecot (which offers MULTIAPPEND) in a few commands, not one
// APPEND each, and each message is in Sent exactly once.
func TestABulksCopiesGoInMultiAppendsOnceEach(t *testing.T) {
	env := testenv.Mail(t)
	sender, rcpt := env.NewUser(t), env.NewUser(t)
	opts := fastOptions()
	opts.SentCopies = outbox.CopyAlways
	log := &appendLog{}
	sh, sp := testenv.HostPort(env.SMTPAddr)
	ih, ip := testenv.HostPort(env.IMAPSAddr)
	r := newRig(t, rigConfig{
		email: sender.Address, password: sender.Password,
		smtp:   accounts.Server{Host: sh, Port: sp, Security: accounts.StartTLS, Username: sender.Address},
		imap:   accounts.Server{Host: ih, Port: ip, Security: accounts.TLS, Username: sender.Address},
		dialer: &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second, Debug: log},
		opts:   opts,
	})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 150
	envs := make([]outbox.Envelope, n)
	for i := range envs {
		var err error
		envs[i], err = outbox.Render(outbox.Compose{
			From: outbox.Address{Email: sender.Address}, To: []outbox.Address{{Email: rcpt.Address}},
			Subject: fmt.Sprintf("Relevé %d", i), Text: fmt.Sprintf("Bonjour,\nvotre relevé n° %d.\n", i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	ids, err := r.eng.EnqueueAll(ctx, r.accID, envs)
	if err != nil {
		t.Fatal(err)
	}
	owner := imapLogin(t, env, sender)
	for _, id := range ids {
		it := r.waitCopy(id, outbox.CopyDone)
		if got := countByMessageID(t, owner, "Sent", it.MessageID); got != 1 {
			t.Fatalf("Sent holds %d copies of %s, want 1", got, it.MessageID)
		}
	}
	if got := log.count(); got == 0 || got > n/5 {
		t.Fatalf("%d APPEND commands for %d copies: want a few MULTIAPPENDs", got, n)
	}
	t.Logf("%d copies in %d APPEND commands", n, log.count())
}
