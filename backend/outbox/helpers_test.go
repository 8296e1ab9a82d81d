package outbox_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/outbox"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

var ctx = context.Background()

const (
	user     = "sender@example.test"
	password = "secret-sender"
	waitLong = 20 * time.Second // for a state the engine must reach
)

// fastOptions make retries and backoffs short enough for tests.
func fastOptions() outbox.Options {
	return outbox.Options{
		CommandTimeout: 5 * time.Second, ReplyTimeout: 2 * time.Second, IdleClose: 5 * time.Second,
		RetryMin: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		ConnectBackoffMin: 50 * time.Millisecond, ConnectBackoffMax: 200 * time.Millisecond,
		CountsInterval: 10 * time.Millisecond, SentCopies: outbox.CopyNever,
	}
}

// smtpServer is a go-smtp server in-process with STARTTLS and AUTH PLAIN, and the CA that
// trusts its certificate.
type smtpServer struct {
	*testsmtp.Server
	ca *testcert.CA
}

func startSMTP(t testing.TB, o testsmtp.Options) smtpServer {
	t.Helper()
	ca := testcert.NewCA(t)
	if o.TLS == nil {
		o.TLS = ca.Leaf(t, testcert.Opts{}).ServerConfig()
	}
	if o.Users == nil {
		o.Users = map[string]string{user: password}
	}
	return smtpServer{testsmtp.Start(t, o), ca}
}

func (s smtpServer) server() accounts.Server {
	return accounts.Server{Host: "127.0.0.1", Port: s.Port, Security: accounts.StartTLS, Username: user}
}

// rig is an engine sending one account's messages from its own store.
type rig struct {
	t     testing.TB
	db    *store.DB
	reg   *accounts.Registry
	accID int64
	eng   *outbox.Engine

	mu     sync.Mutex
	events []outbox.Event
}

type rigConfig struct {
	email    string
	password string
	smtp     accounts.Server
	imap     accounts.Server
	provider string
	dialer   *connect.Dialer
	opts     outbox.Options
	dbPath   string
	// transport, when set, is every account's transport (an API sender).
	transport func(context.Context, accounts.Account) (outbox.Transport, error)
}

// newRig builds the store, the account and the engine (not started).
func newRig(t testing.TB, cfg rigConfig) *rig {
	t.Helper()
	if cfg.dbPath == "" {
		cfg.dbPath = filepath.Join(t.TempDir(), "mailroom.db")
	}
	if cfg.email == "" {
		cfg.email, cfg.password = user, password
	}
	if cfg.imap.Host == "" {
		cfg.imap = accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: cfg.email}
	}
	db, err := store.Open(ctx, cfg.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.CreateWith(ctx, 0, accounts.NewAccount{Email: cfg.email, Provider: cfg.provider, IMAP: cfg.imap, SMTP: cfg.smtp}, accounts.Secrets{Password: cfg.password})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, db: db, reg: reg, accID: acc.ID}
	r.eng = outbox.New(outbox.Deps{DB: db, Accounts: reg, Dialer: cfg.dialer, Emit: r.record, Transport: cfg.transport,
		Log: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}, cfg.opts)
	t.Cleanup(func() {
		r.eng.Stop()
		db.Close()
	})
	return r
}

// smtpRig is a started engine whose account sends through srv.
func smtpRig(t testing.TB, srv smtpServer, opts outbox.Options) *rig {
	t.Helper()
	r := newRig(t, rigConfig{smtp: srv.server(), dialer: &connect.Dialer{RootCAs: srv.ca.Pool(), Timeout: 5 * time.Second}, opts: opts})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) record(ev outbox.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// itemStates returns the states the events reported for one message, in order.
func (r *rig) itemStates(id int64) []outbox.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []outbox.State
	for _, ev := range r.events {
		if ev.Kind == outbox.KindItem && ev.ItemID == id {
			out = append(out, ev.State)
		}
	}
	return out
}

// message renders a small message from the rig's account.
func message(t testing.TB, to, subject string) outbox.Envelope {
	t.Helper()
	env, err := outbox.Render(outbox.Compose{
		From: outbox.Address{Name: "Sender", Email: user}, To: []outbox.Address{{Name: "Client", Email: to}},
		Subject: subject, Text: "Bonjour,\nvoici le message « " + subject + " ».\n"})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func (r *rig) enqueue(env outbox.Envelope) int64 {
	r.t.Helper()
	id, err := r.eng.Enqueue(ctx, r.accID, env)
	if err != nil {
		r.t.Fatalf("enqueue: %v", err)
	}
	return id
}

// waitState waits until message id is in state want and returns it.
func (r *rig) waitState(id int64, want outbox.State) outbox.Item {
	r.t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		it, err := r.eng.Get(ctx, id)
		if err != nil {
			r.t.Fatal(err)
		}
		if it.State == want {
			return it
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("message %d is %s after %s, want %s (attempts %d, error %q)", id, it.State, waitLong, want, it.Attempts, it.Error)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settleGoroutines waits until the number of goroutines is back to base and fails with
// a dump if it is not.
func settleGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines leaked (%d, was %d):\n%s", n-base, n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// messageIDOf returns a received message's Message-ID.
func messageIDOf(data []byte) string {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return ""
	}
	id, _ := (&mail.Header{Header: gomessage.Header{Header: h}}).MessageID()
	return id
}

// testLog writes the engine's log into the test's.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
