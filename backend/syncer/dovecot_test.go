package syncer_test

// These tests run against the project's real Dovecot (scripts/testenv, started by
// `make test`); each uses an account of its own (testenv.NewUser), so they run in
// parallel. testenv.Mail fails them when the server is missing under
// MAILROOM_REQUIRE_INTEGRATION=1.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/accounts"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/mailbox"
	"mailroom/backend/syncer"
)

// dovecot returns a fresh account on the project's Dovecot, logged in once so that its
// mailboxes exist.
func dovecot(t testing.TB) (server, *testenv.Env) {
	t.Helper()
	env := testenv.Mail(t)
	u := env.NewUser(t)
	host, port := testenv.HostPort(env.IMAPSAddr)
	srv := server{host: host, port: port, user: u.Address, password: u.Password, roots: env.RootCAs}
	c := srv.client(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	return srv, env
}

func TestInitialSyncStoresTheMailboxNewestFirst(t *testing.T) {
	t.Parallel()
	const n = 600
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, n)
	c := srv.client(t)
	for i := range 3 {
		appendMessage(t, c, "Sent", rawMessage(fmt.Sprintf("Sent reply %d", i), "Thanks.", time.Now()), imap.FlagSeen)
	}
	remote := serverState(t, c, "INBOX")
	if len(remote) != n {
		t.Fatalf("the server has %d messages, want %d", len(remote), n)
	}
	uids := make([]uint32, 0, n)
	for u := range remote {
		uids = append(uids, u)
	}
	slices.Sort(uids)
	newest := uids[n-syncer.DefaultFirstBatch:]

	var once sync.Once
	var firstBatch []uint32
	var firstAt time.Duration
	var r *rig
	r = newRig(t, srv, withOnEmit(func(ev syncer.Event) {
		if ev.Kind != syncer.KindChanged {
			return
		}
		once.Do(func() { // on the worker, right after the first commit
			firstAt = time.Since(r.started)
			for u := range r.localState("INBOX") {
				firstBatch = append(firstBatch, u)
			}
		})
	}))
	r.start()
	took := r.waitInStep(c, "INBOX", waitLong)
	r.waitInStep(c, "Sent", waitLong)
	t.Logf("%d messages: first %d rows after %v, headers and bodies of all after %v (%v after the test began waiting)",
		n, len(firstBatch), firstAt.Round(time.Millisecond), time.Since(r.started).Round(time.Millisecond), took.Round(time.Millisecond))
	slices.Sort(firstBatch)
	if !slices.Equal(firstBatch, newest) {
		t.Fatalf("the first commit held %d rows (%v…), want the newest %d UIDs (%v…)",
			len(firstBatch), head(firstBatch), len(newest), head(newest))
	}
	want := map[string]string{"INBOX": "inbox+", "Sent": "sent+", "Drafts": "drafts", "Trash": "trash", "Junk": "junk", "Archive": "archive"}
	if got := r.folderRoles(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("folders = %v, want %v (Sent found by special-use; INBOX and Sent synced)", got, want)
	}
	r.checkNoDuplicates()

	// Bodies: text for search, attachments, snippets.
	mb := mailbox.New(r.db)
	hits, err := mb.Search(ctx, mailbox.Query{AccountIDs: []int64{r.accID}, Search: "marker123"}, false)
	if err != nil || len(hits) != 1 || hits[0].Subject != "Corpus message 0123" {
		t.Fatalf("search for a word of a body: %+v, %v", hits, err)
	}
	var withAtt, withoutSnippet, failed int
	r.scalar(&withAtt, `SELECT count(*) FROM messages WHERE has_attachments`)
	r.scalar(&withoutSnippet, `SELECT count(*) FROM messages WHERE snippet = ''`)
	r.scalar(&failed, `SELECT count(*) FROM messages WHERE body_state <> 'done'`)
	if withAtt != n/5 || withoutSnippet != 0 || failed != 0 {
		t.Errorf("%d messages with attachments (want %d), %d without snippet, %d bodies not done", withAtt, n/5, withoutSnippet, failed)
	}
	var att mailbox.Attachment
	m, err := mb.Get(ctx, []int64{r.accID}, r.messageID("INBOX", 121)) // corpus message 120: multipart/mixed
	if err == nil && len(m.Attachments) == 1 {
		att = m.Attachments[0]
	}
	if att.PartPath != "2" || att.Filename != "report-120.pdf" {
		t.Errorf("attachments of message 120: %+v, %v", m, err)
	}
}

func TestAttachmentsAreFetchedFromTheServerOnDemand(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 6)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	id := r.messageID("INBOX", 6) // corpus message 5: an attachment in part 2
	rc, name, ctype, err := r.eng.FetchPart(ctx, id, "2")
	if err != nil {
		t.Fatal(err)
	}
	got := new(bytes.Buffer)
	_, err = got.ReadFrom(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	raw := corpusMessage(5, time.Now())
	b64 := raw[bytes.Index(raw, []byte("base64\n\n"))+8 : bytes.LastIndex(raw, []byte("--b5--"))]
	want, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b64), "\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	if name != "report-5.pdf" || ctype != "application/pdf" || !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("part 2 = %d bytes %q %q; want the %d decoded bytes of report-5.pdf", got.Len(), name, ctype, len(want))
	}
	if _, _, _, err := r.eng.FetchPart(ctx, id, "2; DROP"); err == nil {
		t.Fatal("a malformed part path was accepted")
	}
	// A reader closed before its end leaves nothing behind.
	rc, _, _, err = r.eng.FetchPart(ctx, id, "2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestANewMessageArrivesThroughIdle(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 5)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	var worst time.Duration
	for i := range 3 {
		eventually(t, 5*time.Second, "the worker is idle", func() bool { return r.lastProgress().Phase == syncer.PhaseIdle })
		time.Sleep(200 * time.Millisecond) // in IDLE
		subject := fmt.Sprintf("Pushed %d %s", i, testenv.UniqueID()[:8])
		msg, _ := testenv.NewMessage("someone@example.org", srv.user, subject, "Hello through LMTP.")
		start := time.Now()
		env.Deliver(t, msg, "someone@example.org", srv.user)
		eventually(t, 5*time.Second, "the delivered message is stored", func() bool {
			var n int
			r.scalar(&n, `SELECT count(*) FROM messages WHERE subject = ?`, subject)
			return n == 1
		})
		worst = max(worst, time.Since(start))
	}
	t.Logf("IDLE: delivered to stored in at most %v", worst.Round(time.Millisecond))
	r.waitInStep(c, "INBOX", waitLong)
	r.checkNoDuplicates()
}

func TestFlagChangesTravelBothWays(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 20)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}

	t.Run("a change on the server reaches the store", func(t *testing.T) {
		store := func(uid imap.UID, op imap.StoreFlagsOp, f imap.Flag) {
			if err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{f}}, nil).Close(); err != nil {
				t.Fatal(err)
			}
		}
		store(2, imap.StoreFlagsAdd, imap.FlagFlagged)
		store(1, imap.StoreFlagsDel, imap.FlagSeen) // corpus message 0 was seen
		took := eventually(t, 5*time.Second, "the store has the server's flags", func() bool {
			l := r.localState("INBOX")
			return l[2].flagged && !l[1].seen
		})
		t.Logf("server flag change stored after %v", took.Round(time.Millisecond))
	})

	t.Run("a change in the app reaches the server", func(t *testing.T) {
		ids := []int64{r.messageID("INBOX", 5), r.messageID("INBOX", 6)}
		if err := r.eng.SetFlags(ctx, ids, "seen", true); err != nil {
			t.Fatal(err)
		}
		if l := r.localState("INBOX"); !l[5].seen || !l[6].seen {
			t.Fatal("SetFlags returned before the rows changed")
		}
		if err := r.eng.SetFlags(ctx, []int64{r.messageID("INBOX", 2)}, "flagged", false); err != nil {
			t.Fatal(err)
		}
		took := eventually(t, 5*time.Second, "the server has the app's flags", func() bool {
			s := serverState(t, c, "INBOX")
			return s[5].seen && s[6].seen && !s[2].flagged
		})
		t.Logf("app flag change on the server after %v", took.Round(time.Millisecond))
		eventually(t, 5*time.Second, "the intents are forgotten once applied", func() bool {
			var n int
			r.scalar(&n, `SELECT count(*) FROM pending_flags`)
			return n == 0
		})
	})
	if err := r.eng.SetFlags(ctx, []int64{1}, "deleted", true); err == nil {
		t.Error("SetFlags accepted an unknown flag")
	}
	r.waitInStep(c, "INBOX", waitLong)
}

func TestAnExpungeOnTheServerRemovesTheMessage(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 12)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	gone := r.messageID("INBOX", 3)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(3, 7), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, 5*time.Second, "expunged messages are removed", func() bool {
		l := r.localState("INBOX")
		_, a := l[3]
		_, b := l[7]
		return !a && !b && len(l) == 10
	})
	t.Logf("expunge reflected after %v", took.Round(time.Millisecond))
	var rows int
	r.scalar(&rows, `SELECT (SELECT count(*) FROM message_bodies WHERE message_id = ?) + (SELECT count(*) FROM messages_fts WHERE rowid = ?)`, gone, gone)
	if rows != 0 {
		t.Errorf("the removed message left %d body or index rows", rows)
	}
	r.checkNoDuplicates()
}

func TestAUIDValidityChangePurgesTheFolderAndFetchesItAgain(t *testing.T) {
	t.Parallel()
	srv, _ := dovecot(t)
	c := srv.client(t)
	for i := range 4 {
		appendMessage(t, c, "Sent", rawMessage(fmt.Sprintf("Old generation %d", i), "Old.", time.Now()), imap.FlagSeen)
	}
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "Sent", waitLong)
	var before uint32
	r.scalar(&before, `SELECT uidvalidity FROM folders WHERE name = 'Sent'`)

	// Another client deletes and recreates the folder: same name, new UIDVALIDITY,
	// UIDs starting again at 1. (Not c, which has Sent selected: Dovecot would end its
	// session.)
	c2 := srv.client(t)
	if err := c2.Delete("Sent").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c2.Create("Sent", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		appendMessage(t, c2, "Sent", rawMessage(fmt.Sprintf("New generation %d", i), "New.", time.Now()))
	}
	st, err := c2.Status("Sent", &imap.StatusOptions{UIDValidity: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.UIDValidity == before {
		t.Fatalf("Dovecot gave the recreated folder the same UIDVALIDITY %d", before)
	}
	r.eng.SyncNow(r.accID)
	r.waitInStep(c2, "Sent", waitLong)
	var after uint32
	var stale int
	r.scalar(&after, `SELECT uidvalidity FROM folders WHERE name = 'Sent'`)
	r.scalar(&stale, `SELECT count(*) FROM messages WHERE subject LIKE 'Old generation%'`)
	if after != st.UIDValidity || stale != 0 {
		t.Fatalf("after the change: uidvalidity %d (server %d), %d stale rows", after, st.UIDValidity, stale)
	}
	r.checkNoDuplicates()
}

// imapSessions lists the user's IMAP sessions on Dovecot (doveadm who).
func imapSessions(t testing.TB, env *testenv.Env, user string) string {
	t.Helper()
	if env.DovecotConf == "" {
		t.Fatal("the test environment gives no Dovecot configuration")
	}
	out, err := exec.Command("doveadm", "-c", env.DovecotConf, "who", "-1", user).CombinedOutput()
	if err != nil && len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("doveadm who: %v: %s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, user) && strings.Contains(l, "imap") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func TestADisabledAccountStopsAtOnce(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 5)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	c.Close() // only the engine's sessions remain
	eventually(t, 5*time.Second, "the engine's session shows in doveadm who", func() bool { return imapSessions(t, env, srv.user) != "" })

	if err := r.reg.SetDisabled(ctx, r.accID, true); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := r.eng.AccountChanged(r.accID); err != nil {
		t.Fatal(err)
	}
	returned := time.Since(start)
	if ev := r.lastProgress(); ev.Phase != syncer.PhaseStopped {
		t.Errorf("last event %+v, want stopped", ev)
	}
	took := eventually(t, 3*time.Second, "Dovecot sees no session of the disabled account", func() bool {
		return imapSessions(t, env, srv.user) == ""
	})
	t.Logf("AccountChanged returned after %v; Dovecot saw the session end after %v", returned.Round(time.Millisecond), took.Round(time.Millisecond))

	// No more connections: new mail is not fetched.
	msg, _ := testenv.NewMessage("someone@example.org", srv.user, "While disabled", "Hello.")
	env.Deliver(t, msg, "someone@example.org", srv.user)
	r.eng.SyncNow(r.accID)
	time.Sleep(1500 * time.Millisecond)
	if s := imapSessions(t, env, srv.user); s != "" {
		t.Fatalf("a disabled account connected again: %s", s)
	}
	if len(r.localState("INBOX")) != 5 {
		t.Fatal("a disabled account synced")
	}

	// Enabled again, it catches up.
	if err := r.reg.SetDisabled(ctx, r.accID, false); err != nil {
		t.Fatal(err)
	}
	if err := r.eng.AccountChanged(r.accID); err != nil {
		t.Fatal(err)
	}
	r.waitInStep(srv.client(t), "INBOX", waitLong)
}

func TestAWrongPasswordIsNotRetriedInALoop(t *testing.T) {
	t.Parallel()
	srv, _ := dovecot(t)
	bad := srv
	bad.password = "not-the-password"
	r := newRig(t, bad)
	r.start()
	eventually(t, 10*time.Second, "the account reports the refusal", func() bool {
		ev := r.lastProgress()
		return ev.Phase == syncer.PhaseError && ev.Err != nil && ev.Err.Code == "auth_failed" && ev.RetryIn == 0
	})
	time.Sleep(1500 * time.Millisecond) // several backoff periods of this rig
	if n := r.count(func(ev syncer.Event) bool { return ev.Phase == syncer.PhaseConnecting }); n != 1 {
		t.Fatalf("%d connection attempts with a refused password, want 1", n)
	}
	acc, err := r.reg.Get(ctx, r.accID)
	if err != nil || acc.Status != "needs_password" || acc.StatusCode != "auth_failed" {
		t.Fatalf("account status %q %q, %v; want needs_password auth_failed", acc.Status, acc.StatusCode, err)
	}
	// The user fixes the password: AccountChanged restarts the worker with it.
	if _, err := r.reg.UpdateWith(ctx, r.accID, accountOf(t, r), accounts.Secrets{Password: srv.password}); err != nil {
		t.Fatal(err)
	}
	if err := r.eng.AccountChanged(r.accID); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the account syncs with the right password", func() bool {
		return r.lastProgress().Phase == syncer.PhaseIdle
	})
}

func TestMalformedMessagesAreStoredWithTheirProblems(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	var msgs [][]byte
	var names []string
	for _, dir := range []string{"testdata/malformed", "../message/testdata/malformed"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil || len(b) == 0 {
				continue
			}
			msgs, names = append(msgs, b), append(names, filepath.Base(f))
		}
	}
	msgs = append(msgs, []byte("From: a@example.org\nSubject: huge header\nX-Junk: "+strings.Repeat("x", 2<<20)+"\nContent-Type: text/plain\n\nsmall body\n"))
	names = append(names, "huge-header (generated)")
	good := len(msgs)
	for i := range 5 {
		msgs = append(msgs, corpusMessage(i, time.Now()))
	}
	dates := make([]time.Time, len(msgs))
	for i := range dates {
		dates[i] = time.Now().Add(time.Duration(i-len(msgs)) * time.Minute)
	}
	maildirDeliver(t, env, srv.user, msgs, dates, nil, 0)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	rows, err := r.db.R.Query(`SELECT uid, body_state, problems, snippet FROM messages ORDER BY uid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var uid int
		var state, problems, snippet string
		if err := rows.Scan(&uid, &state, &problems, &snippet); err != nil {
			t.Fatal(err)
		}
		switch {
		case i < good:
			t.Logf("%-28s %-6s problems=%q", names[i], state, problems)
			if state != "done" && state != "failed" {
				t.Errorf("%s: body state %q", names[i], state)
			}
			if state == "failed" && problems == "" {
				t.Errorf("%s failed without a problem code", names[i])
			}
		case state != "done" || problems != "" || snippet == "":
			t.Errorf("a good message after the bad ones: state %q, problems %q, snippet %q", state, problems, snippet)
		}
		i++
	}
	if i != len(msgs) {
		t.Fatalf("%d messages stored, want %d", i, len(msgs))
	}
	r.checkNoDuplicates()
}

// accountOf returns the rig's account settings, for an update.
func accountOf(t testing.TB, r *rig) accounts.NewAccount {
	t.Helper()
	a, err := r.reg.Get(ctx, r.accID)
	if err != nil {
		t.Fatal(err)
	}
	return accounts.NewAccount{Name: a.Name, Email: a.Email, IMAP: a.IMAP, SMTP: a.SMTP}
}

func TestOtherFoldersArePolledAndCanBeChosen(t *testing.T) {
	t.Parallel()
	srv, _ := dovecot(t)
	c := srv.client(t)
	for i := range 3 {
		appendMessage(t, c, "Archive", rawMessage(fmt.Sprintf("Archived %d", i), "Old news.", time.Now()))
	}
	r := newRig(t, srv, withOptions(syncer.Options{StallTimeout: testStall, IdleRefresh: testIdleRefresh, PollInterval: time.Second}))
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	if n := len(r.localState("Archive")); n != 0 {
		t.Fatalf("Archive synced without being chosen (%d messages)", n)
	}

	// Sent is not watched by IDLE: the poll finds what another client put there.
	appendMessage(t, c, "Sent", rawMessage("Sent from my phone", "Hi.", time.Now()), imap.FlagSeen)
	took := eventually(t, 5*time.Second, "the poll brings the new Sent message", func() bool { return len(r.localState("Sent")) == 1 })
	t.Logf("Sent polled after %v", took.Round(time.Millisecond))

	var archive int64
	r.scalar(&archive, `SELECT id FROM folders WHERE name = 'Archive'`)
	if err := r.eng.SetFolderEnabled(ctx, archive, true); err != nil {
		t.Fatal(err)
	}
	r.waitInStep(c, "Archive", waitLong)
	if err := r.eng.SetFolderEnabled(ctx, archive, false); err != nil {
		t.Fatal(err)
	}
	if n := len(r.localState("Archive")); n != 0 {
		t.Fatalf("a folder no longer synced keeps %d messages", n)
	}
	if err := r.eng.SetFolderEnabled(ctx, 999999, true); err == nil {
		t.Fatal("an unknown folder was accepted")
	}
	r.checkNoDuplicates()
}

// The server repeats From as Sender and Reply-To when a message has neither; those
// copies are not stored, while a real Reply-To is.
func TestAddressesAreStoredOnceEach(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	msgs := [][]byte{
		[]byte("From: Ann <ann@example.org>\nTo: me@example.test\nSubject: plain\n\nHello\n"),
		[]byte("From: Ann <ann@example.org>\nReply-To: Desk <desk@example.org>\nTo: me@example.test\nSubject: desk\n\nHello\n"),
	}
	maildirDeliver(t, env, srv.user, msgs, []time.Time{time.Now().Add(-time.Hour), time.Now()}, nil, 0)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	kinds := func(uid int) string {
		var got string
		if err := r.db.R.QueryRow(`SELECT group_concat(a.kind || '=' || a.email, ' ') FROM (SELECT a.kind, a.email FROM message_addresses a
			JOIN messages m ON m.id = a.message_id WHERE m.uid = ? ORDER BY a.kind) a`, uid).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := kinds(1); got != "from=ann@example.org to=me@example.test" {
		t.Errorf("message without Sender and Reply-To: %s", got)
	}
	if got := kinds(2); got != "from=ann@example.org reply_to=desk@example.org to=me@example.test" {
		t.Errorf("message with a Reply-To: %s", got)
	}
}
