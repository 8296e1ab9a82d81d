package syncer_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/message"
	"mailroom/backend/store"
	"mailroom/backend/syncer"
	"mailroom/backend/vault"
)

var ctx = context.Background()

// Test timings: short, so that stalls and half-open connections are found in seconds.
const (
	testStall       = 1500 * time.Millisecond
	testIdleRefresh = 2 * time.Second
	waitLong        = 30 * time.Second // for a state the engine must reach
)

// server is an IMAP server the engine under test syncs from.
type server struct {
	host     string
	port     int
	user     string
	password string
	roots    *x509.CertPool
}

func (s server) tlsConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: s.host, MinVersion: tls.VersionTLS12}
}

// client logs in as the mailbox's owner from "another device" and closes at the end
// of the test.
func (s server) client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(net.JoinHostPort(s.host, fmt.Sprint(s.port)), &imapclient.Options{
		TLSConfig: s.tlsConfig(), Dialer: &net.Dialer{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatalf("other client: dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(s.user, s.password).Wait(); err != nil {
		t.Fatalf("other client: login: %v", err)
	}
	return c
}

// rig is an engine syncing one account into its own store.
type rig struct {
	t       testing.TB
	srv     server
	db      *store.DB
	reg     *accounts.Registry
	accID   int64
	eng     *syncer.Engine
	dialer  *connect.Dialer
	opts    syncer.Options
	started time.Time

	mu     sync.Mutex
	events []syncer.Event
	onEmit func(syncer.Event) // called from the worker, after recording
	stored func(syncer.Stored)
}

type rigOption func(*rig)

func withWrap(wrap func(net.Conn) net.Conn) rigOption {
	return func(r *rig) { r.dialer.WrapConn = wrap }
}

func withOptions(o syncer.Options) rigOption {
	return func(r *rig) { r.opts = o }
}

func withOnEmit(f func(syncer.Event)) rigOption {
	return func(r *rig) { r.onEmit = f }
}

// withStored sets the engine's Stored hook (a listener such as the filing engine).
func withStored(f func(syncer.Stored)) rigOption {
	return func(r *rig) { r.stored = f }
}

// newRig builds the store, the account and the engine (not started).
func newRig(t testing.TB, srv server, opts ...rigOption) *rig {
	t.Helper()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.CreateWith(ctx, 0, accounts.NewAccount{
		Email: srv.user,
		IMAP:  accounts.Server{Host: srv.host, Port: srv.port, Security: accounts.TLS, Username: srv.user},
		SMTP:  accounts.Server{Host: srv.host, Port: 465, Security: accounts.TLS, Username: srv.user},
	}, accounts.Secrets{Password: srv.password})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{
		t: t, srv: srv, db: db, reg: reg, accID: acc.ID,
		dialer: &connect.Dialer{RootCAs: srv.roots, Timeout: 10 * time.Second},
		opts: syncer.Options{StallTimeout: testStall, IdleRefresh: testIdleRefresh,
			BackoffMin: 200 * time.Millisecond, BackoffMax: time.Second},
	}
	for _, o := range opts {
		o(r)
	}
	var log *slog.Logger
	if _, bench := t.(*testing.B); bench {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: benchLogLevel()}))
	} else {
		log = slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r.eng = syncer.New(syncer.Deps{DB: db, Accounts: reg, Dialer: r.dialer, Emit: r.record, Log: log, Stored: r.stored}, r.opts)
	t.Cleanup(func() {
		r.eng.Stop()
		db.Close()
	})
	return r
}

func (r *rig) record(ev syncer.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	f := r.onEmit
	r.mu.Unlock()
	if f != nil {
		f(ev)
	}
}

func (r *rig) start() {
	r.t.Helper()
	r.started = time.Now()
	if err := r.eng.Start(ctx); err != nil {
		r.t.Fatal(err)
	}
}

// count returns how many events match.
func (r *rig) count(match func(syncer.Event) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.events {
		if match(ev) {
			n++
		}
	}
	return n
}

func (r *rig) lastProgress() syncer.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i].Kind == syncer.KindProgress {
			return r.events[i]
		}
	}
	return syncer.Event{}
}

// eventually polls cond until it holds or the time is up.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("after %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// subjectWords is a subject reduced to its letters, digits and single spaces. The store
// keeps a subject as the message parser decodes it (raw 8-bit bytes as Windows-1252, NULs
// removed), while a server's ENVELOPE passes raw bytes through (Dovecot turns a NUL into
// 0x80): the words agree, the odd bytes may not.
func subjectWords(s string) string {
	s = message.FixHeaderText(s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// msgState is what must be equal on both sides.
type msgState struct {
	subject       string
	seen, flagged bool
}

func (m msgState) String() string {
	f := ""
	if m.seen {
		f += "S"
	}
	if m.flagged {
		f += "F"
	}
	return fmt.Sprintf("%q:%s", m.subject, f)
}

// serverState reads a mailbox from the server with another client.
func serverState(t testing.TB, c *imapclient.Client, mailbox string) map[uint32]msgState {
	t.Helper()
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("other client: examine %s: %v", mailbox, err)
	}
	msgs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatalf("other client: fetch %s: %v", mailbox, err)
	}
	out := map[uint32]msgState{}
	for _, m := range msgs {
		s := msgState{subject: subjectWords(m.Envelope.Subject)}
		for _, f := range m.Flags {
			s.seen = s.seen || f == imap.FlagSeen
			s.flagged = s.flagged || f == imap.FlagFlagged
		}
		out[uint32(m.UID)] = s
	}
	return out
}

// localState reads a folder from the store.
func (r *rig) localState(mailbox string) map[uint32]msgState {
	r.t.Helper()
	rows, err := r.db.R.Query(`SELECT m.uid, m.subject, m.seen, m.flagged FROM messages m JOIN folders f ON f.id = m.folder_id
		WHERE f.account_id = ? AND f.name = ?`, r.accID, mailbox)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[uint32]msgState{}
	for rows.Next() {
		var uid uint32
		var s msgState
		if err := rows.Scan(&uid, &s.subject, &s.seen, &s.flagged); err != nil {
			r.t.Fatal(err)
		}
		s.subject = subjectWords(s.subject)
		out[uid] = s
	}
	return out
}

func diff(local, remote map[uint32]msgState) string {
	var out []string
	for uid, s := range remote {
		if l, ok := local[uid]; !ok {
			out = append(out, fmt.Sprintf("uid %d missing locally (%v)", uid, s))
		} else if l != s {
			out = append(out, fmt.Sprintf("uid %d: local %v, server %v", uid, l, s))
		}
	}
	for uid, l := range local {
		if _, ok := remote[uid]; !ok {
			out = append(out, fmt.Sprintf("uid %d only local (%v)", uid, l))
		}
	}
	slices.Sort(out)
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("… %d more", len(out)-10))
	}
	return strings.Join(out, "\n")
}

// waitInStep waits until the folder's local copy equals the server's, every body
// fetched; it returns how long that took.
func (r *rig) waitInStep(c *imapclient.Client, mailbox string, within time.Duration) time.Duration {
	r.t.Helper()
	var last string
	start := time.Now()
	for {
		remote := serverState(r.t, c, mailbox)
		local := r.localState(mailbox)
		last = diff(local, remote)
		if last == "" && r.pendingBodies(mailbox) == 0 {
			return time.Since(start)
		}
		if time.Since(start) > within {
			r.t.Fatalf("%s not in step after %v:\n%s\n(%d bodies pending; last event %+v)", mailbox, within, last,
				r.pendingBodies(mailbox), r.lastProgress())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rig) pendingBodies(mailbox string) int {
	var n int
	err := r.db.R.QueryRow(`SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id
		WHERE f.account_id = ? AND f.name = ? AND m.body_state = 'none'`, r.accID, mailbox).Scan(&n)
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// checkNoDuplicates fails if a message is stored twice, in the table or in the index.
func (r *rig) checkNoDuplicates() {
	r.t.Helper()
	var dups, orphans, missing int
	err := r.db.R.QueryRow(`SELECT count(*) FROM (SELECT folder_id, uid FROM messages GROUP BY folder_id, uid HAVING count(*) > 1)`).Scan(&dups)
	if err == nil {
		err = r.db.R.QueryRow(`SELECT count(*) FROM messages_fts WHERE rowid NOT IN (SELECT id FROM messages)`).Scan(&orphans)
	}
	if err == nil {
		err = r.db.R.QueryRow(`SELECT count(*) FROM messages WHERE id NOT IN (SELECT rowid FROM messages_fts)`).Scan(&missing)
	}
	if err == nil {
		// The index against its content, the view of stored messages: words of a removed
		// message left behind, or a message indexed with other words, fail it.
		if _, err := r.db.W.Exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
			r.t.Fatalf("the search index disagrees with the messages: %v", err)
		}
	}
	if err != nil {
		r.t.Fatal(err)
	}
	if dups+orphans+missing > 0 {
		r.t.Fatalf("%d duplicated messages, %d index rows without a message, %d messages without an index row", dups, orphans, missing)
	}
}

func (r *rig) messageID(mailbox string, uid uint32) int64 {
	r.t.Helper()
	var id int64
	err := r.db.R.QueryRow(`SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id
		WHERE f.account_id = ? AND f.name = ? AND m.uid = ?`, r.accID, mailbox, uid).Scan(&id)
	if err != nil {
		r.t.Fatalf("message %s/%d: %v", mailbox, uid, err)
	}
	return id
}

func (r *rig) folderRoles() map[string]string {
	r.t.Helper()
	rows, err := r.db.R.Query(`SELECT name, role || CASE WHEN enabled THEN '+' ELSE '' END FROM folders WHERE account_id = ?`, r.accID)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, role string
		if err := rows.Scan(&n, &role); err != nil {
			r.t.Fatal(err)
		}
		out[n] = role
	}
	return out
}

// appendMessage APPENDs a message with another client and returns its UID.
func appendMessage(t testing.TB, c *imapclient.Client, mailbox string, raw []byte, flags ...imap.Flag) uint32 {
	t.Helper()
	cmd := c.Append(mailbox, int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write(raw); err != nil {
		t.Fatalf("append: %v", err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatalf("append: %v", err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatalf("append to %s: %v", mailbox, err)
	}
	return uint32(data.UID)
}

// rawMessage is a small text/plain message; i makes it unique and sets its date.
func rawMessage(subject, body string, date time.Time) []byte {
	return []byte(fmt.Sprintf("From: Sender <sender@example.org>\r\nTo: <me@example.test>\r\nSubject: %s\r\n"+
		"Date: %s\r\nMessage-ID: <%d.%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		subject, date.Format(time.RFC1123Z), date.UnixNano(), strings.ReplaceAll(subject, " ", "."), body))
}

// settleGoroutines waits until the number of goroutines is back to base (other
// goroutines wind down asynchronously) and fails with a dump if it is not.
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

// head returns the first few elements, for messages.
func head[T any](s []T) []T {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// testLog writes the engine's log into the test's.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// benchLogLevel is the engine's log level in benchmarks: warnings, or everything with
// MAILROOM_SYNC_DEBUG=1 (batch timings).
func benchLogLevel() slog.Level {
	if os.Getenv("MAILROOM_SYNC_DEBUG") == "1" {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// scalar scans the one row q returns into dest; any error fails the test, so a broken
// query never reads as a zero count.
func (r *rig) scalar(dest any, q string, args ...any) {
	r.t.Helper()
	if err := r.db.R.QueryRow(q, args...).Scan(dest); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
}
