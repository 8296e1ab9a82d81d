package syncer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/fault"
	"mailroom/backend/message"
	"mailroom/backend/store"
)

func TestReconnectDelaysGrowWithJitterUpToTheCap(t *testing.T) {
	w := &worker{e: &Engine{opts: Options{BackoffMin: time.Second, BackoffMax: 5 * time.Minute}.withDefaults()}}
	cases := []struct {
		attempt int
		nominal time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {9, 256 * time.Second}, {10, 5 * time.Minute}, {50, 5 * time.Minute}}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("attempt %d", tc.attempt), func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 200 {
				d := w.backoff(tc.attempt)
				if d < tc.nominal/2 || d > tc.nominal {
					t.Fatalf("delay %v outside [%v, %v]", d, tc.nominal/2, tc.nominal)
				}
				seen[d] = true
			}
			if len(seen) < 10 {
				t.Fatalf("only %d distinct delays in 200: no jitter", len(seen))
			}
		})
	}
}

func TestHeadersComeNewestFirstInASmallThenLargerBatches(t *testing.T) {
	uids := make([]imap.UID, 1234)
	for i := range uids {
		uids[i] = imap.UID(i + 1)
	}
	sortNewestFirst(uids)
	bs := batches(uids, 50, 500)
	sizes := []int{}
	for _, b := range bs {
		sizes = append(sizes, len(b))
	}
	if fmt.Sprint(sizes) != "[50 500 500 184]" || bs[0][0] != 1234 || bs[0][49] != 1185 || bs[3][183] != 1 {
		t.Fatalf("batches %v, first %v…", sizes, bs[0][:3])
	}
	if len(batches(nil, 50, 500)) != 0 {
		t.Fatal("batches of nothing")
	}
}

func TestFlagsAreSortedIntoColumnsAndKeywords(t *testing.T) {
	cases := []struct {
		in   []imap.Flag
		want flagSet
	}{
		{nil, flagSet{}},
		{[]imap.Flag{imap.FlagSeen, `\FLAGGED`, imap.FlagAnswered}, flagSet{seen: true, flagged: true, answered: true}},
		{[]imap.Flag{`\Recent`, `\Deleted`, imap.FlagDraft, "$Label1", "Work"}, flagSet{draft: true, keywords: "$Label1 Work"}},
	}
	for _, tc := range cases {
		if got := flagsOf(tc.in); got != tc.want {
			t.Errorf("flagsOf(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestAttachmentsAreToldFromTheBodyStructure(t *testing.T) {
	text := &imap.BodyStructureSinglePart{Type: "text", Subtype: "plain"}
	withDisp := func(disp, name string) *imap.BodyStructureSinglePart {
		p := &imap.BodyStructureSinglePart{Type: "application", Subtype: "pdf", Params: map[string]string{}}
		if name != "" {
			p.Params["name"] = name
		}
		if disp != "" {
			p.Extended = &imap.BodyStructureSinglePartExt{Disposition: &imap.BodyStructureDisposition{Value: disp, Params: map[string]string{}}}
		}
		return p
	}
	cases := []struct {
		name string
		bs   imap.BodyStructure
		want bool
	}{
		{"plain text", text, false},
		{"no structure", nil, false},
		{"an attachment", &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{text, withDisp("attachment", "")}}, true},
		{"a named part without disposition", &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{text, withDisp("", "a.pdf")}}, true},
		{"an inline image", &imap.BodyStructureMultiPart{Subtype: "related", Children: []imap.BodyStructure{text, withDisp("inline", "logo.png")}}, false},
		{"nested deep", &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{
			&imap.BodyStructureMultiPart{Subtype: "alternative", Children: []imap.BodyStructure{text, withDisp("ATTACHMENT", "")}}}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := hasAttachments(tc.bs); got != tc.want {
				t.Fatalf("hasAttachments = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAnUnreadableAnswerIsToldFromALostConnection(t *testing.T) {
	cases := []struct {
		err  string
		want bool
	}{
		{"syncer: fetch headers: in response-data: in body-type-mpart: in body-fld-param: key without value", true},
		{"syncer: fetch headers: in response-data: in envelope: in address: unexpected token", true},
		{"syncer: fetch headers: in response-data: read tcp 1.2.3.4:5->6.7.8.9:993: i/o timeout", false},
		{"syncer: fetch headers: in response: unexpected EOF", false},
		{"syncer: fetch headers: use of closed network connection", false},
		{"imap: NO [SERVERBUG] oops", false},
	}
	for _, tc := range cases {
		if got := unreadableAnswer(errors.New(tc.err)); got != tc.want {
			t.Errorf("unreadableAnswer(%q) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

var errTestWrongPassword = fault.Define("sync_test_wrong_password", fault.AuthFailed, "wrong password")

func TestSessionErrorsGetAReasonAndAClass(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		reason string
		class  fault.Class
		detail string
	}{
		{"a lost connection", fmt.Errorf("syncer: noop: %w", io.ErrUnexpectedEOF), "sync_connection_lost", fault.Temporary, ""},
		{"a refusal", fmt.Errorf("syncer: select: %w", &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Mailbox is locked"}),
			"sync_command_refused", fault.Temporary, "Mailbox is locked"},
		{"the database", dbError(errors.New("disk I/O error")), "sync_store_failed", fault.Temporary, ""},
		{"already a reason", errTestWrongPassword.New(nil), "sync_test_wrong_password", fault.Permanent, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := inWords(tc.err, "imap.example.test")
			fe, ok := fault.As(err)
			if !ok || fe.Reason != tc.reason || classOf(err) != tc.class || fe.Detail != tc.detail {
				t.Fatalf("inWords = %v (class %s), want %s, %s, detail %q", err, classOf(err), tc.reason, tc.class, tc.detail)
			}
		})
	}
	// An error of a package without reasons yet: its code decides.
	if classOf(&fault.Error{Code: fault.AuthFailed}) != fault.Permanent || classOf(&fault.Error{Code: fault.Network}) != fault.Temporary ||
		classOf(errors.New("plain")) != fault.Temporary {
		t.Fatal("classOf without a reason")
	}
}

func TestPartPathsAreValidated(t *testing.T) {
	for path, ok := range map[string]bool{"1": true, "2.1": true, "1.2.3.4": true, "10": true,
		"": false, "0": false, "1.0": false, "1..2": false, "2 ": false, "1.2.MIME": false, "TEXT": false, "2;x": false} {
		if got := partPathPattern.MatchString(path); got != ok {
			t.Errorf("part path %q accepted = %v, want %v", path, got, ok)
		}
	}
}

// A stalled read fails after the stall timeout while armed, never while disarmed, and
// a timed-out connection stays dead.
func TestTheWatchTimesOutOnlyWhenAnAnswerIsDue(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	w := newWatchedConn(client, 100*time.Millisecond)
	errs := make(chan error, 1)
	go func() {
		_, err := w.Read(make([]byte, 1))
		errs <- err
	}()
	select {
	case err := <-errs:
		t.Fatalf("a disarmed read failed: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	start := time.Now()
	w.arm(true) // applies to the read already waiting
	err := <-errs
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("armed read: %v, want a timeout", err)
	}
	if took := time.Since(start); took < 80*time.Millisecond || took > time.Second {
		t.Fatalf("armed read failed after %v, want about the stall timeout", took)
	}
	go func() { _, _ = server.Write([]byte("x")) }() // may fail: the reader closes the connection
	if _, err := w.Read(make([]byte, 1)); err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("a read after a timeout: %v, want the connection closed", err)
	}
}

// The write statements run without a cancellation watcher (statementContext), and a
// stop still ends the transaction: database/sql rolls back a transaction whose own
// context ends, so the statements after it fail and nothing of the batch is kept.
func TestStatementsWithoutWatcherStillEndWithTheTransaction(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	defer cancel()
	sctx := statementContext(ctx)
	if sctx.Done() != nil {
		t.Fatal("the statements' context can be cancelled: go-sqlite3 watches it with a goroutine per statement")
	}
	if sctx.Value(key{}) != "v" {
		t.Fatal("the statements' context lost the context's values")
	}
	if _, err := db.W.Exec(`CREATE TABLE t(x)`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(sctx, `INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := tx.ExecContext(sctx, `INSERT INTO t VALUES (2)`)
		if errors.Is(err, sql.ErrTxDone) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a statement after the stop: %v, want the transaction ended", err)
		}
		time.Sleep(time.Millisecond)
	}
	var n int
	if err := db.W.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows kept (%v), want the transaction rolled back", n, err)
	}
}

// A batch of bodies goes into the search index as one segment (indexBodies): FTS5 writes
// what it holds out as a segment of its own at every statement savepoint, and indexing
// each message between its body's writes had made a segment of each message.
func TestABatchOfBodiesIsIndexedAsOneSegment(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.W.Exec(`INSERT INTO accounts(id, name, email, secret_id, imap_host, imap_port, imap_security, imap_username,
		smtp_host, smtp_port, smtp_security, smtp_username, status, created_at)
		VALUES (1, 'Bureau', 'bureau@example.fr', 's1', 'imap.example.fr', 993, 'tls', 'b', 'smtp.example.fr', 465, 'tls', 'b', 'ok', 1);
		INSERT INTO folders(id, account_id, name, role) VALUES (1, 1, 'INBOX', 'inbox')`); err != nil {
		t.Fatal(err)
	}
	segments := func() int {
		t.Helper()
		var n int
		if err := db.R.QueryRow(`SELECT count(DISTINCT segid) FROM messages_fts_idx`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const n = 120
	for round := range 2 {
		var batch []pendingBody
		var fetched []fetchedBody
		for i := range n {
			uid := uint32(round*n + i + 1)
			var id int64
			if err := db.W.QueryRow(`INSERT INTO messages(account_id, folder_id, uid, subject) VALUES (1, 1, ?, ?) RETURNING id`,
				uid, fmt.Sprintf("Devis %d", uid)).Scan(&id); err != nil {
				t.Fatal(err)
			}
			batch = append(batch, pendingBody{id: id, uid: uid})
			fetched = append(fetched, fetchedBody{uid: uid, body: &parsed{state: bodyDone,
				text:        fmt.Sprintf("Bonjour, voici le devis numéro %d pour la terrasse en mot%d.", uid, uid),
				attachments: []message.Attachment{{PartPath: "2", Filename: "devis.pdf", ContentType: "application/pdf", Size: 1234}}}})
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error { return storeBodies(ctx, tx, batch, fetched) })
		if err != nil {
			t.Fatal(err)
		}
		if got := segments(); got != round+1 {
			t.Fatalf("after %d batches of %d bodies the index holds %d segments, want one a batch", round+1, n, got)
		}
	}
	var hits int
	if err := db.R.QueryRow(`SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'mot17 OR mot240 OR terrasse'`).Scan(&hits); err != nil || hits != 2*n {
		t.Fatalf("%d messages found (%v), want all %d", hits, err, 2*n)
	}
	if _, err := db.W.Exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("the search index disagrees with the messages: %v", err)
	}
}
