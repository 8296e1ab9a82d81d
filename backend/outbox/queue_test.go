package outbox_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/outbox"
)

// queueRig is an engine that is never started: what is queued stays queued.
func queueRig(t *testing.T) *rig {
	t.Helper()
	return newRig(t, rigConfig{smtp: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.StartTLS, Username: user}, opts: fastOptions()})
}

func TestEnqueueChecksTheEnvelopeAndTheMessage(t *testing.T) {
	r := queueRig(t)
	good := message(t, "client@example.org", "ok")
	raw := func(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }
	cases := []struct {
		name  string
		env   outbox.Envelope
		field string
	}{
		{"no recipient", outbox.Envelope{From: user, Raw: good.Raw}, "to"},
		{"a recipient that is not an address", outbox.Envelope{From: user, To: []string{"client at example.org"}, Raw: good.Raw}, "to"},
		{"a recipient with a line break", outbox.Envelope{From: user, To: []string{"a@example.org\r\nRCPT TO:<b@example.org>"}, Raw: good.Raw}, "to"},
		{"a sender with a name", outbox.Envelope{From: "Sender <" + user + ">", To: []string{"a@example.org"}, Raw: good.Raw}, "from"},
		{"an empty message", outbox.Envelope{From: user, To: []string{"a@example.org"}, Raw: []byte("\r\n")}, "raw"},
		{"a message without From", outbox.Envelope{From: user, To: []string{"a@example.org"}, Raw: raw("Subject: x\n\nbody\n")}, "raw"},
		{"a malformed Message-ID", outbox.Envelope{From: user, To: []string{"a@example.org"}, Raw: raw("From: a@example.test\nMessage-ID: not an id\n\nbody\n")}, "raw"},
		{"a Message-ID that disagrees", outbox.Envelope{From: user, To: []string{"a@example.org"}, Raw: good.Raw, MessageID: "other@example.test"}, "messageId"},
		{"too many recipients", outbox.Envelope{From: user, To: manyAddresses(outbox.DefaultMaxRecipients + 1), Raw: good.Raw}, "to"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.eng.Enqueue(ctx, r.accID, tc.env)
			var fe *fault.Error
			if !fault.Is(err, fault.InvalidInput) || !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v; want invalid_input on %q", err, tc.field)
			}
		})
	}
	if c, _ := r.eng.Counts(ctx, nil); c != (outbox.Counts{}) {
		t.Fatalf("refused messages were stored: %+v", c)
	}
}

func manyAddresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("r%d@example.org", i)
	}
	return out
}

func TestEnqueueKeepsOrAssignsTheMessageIDAndStoresCRLF(t *testing.T) {
	r := queueRig(t)
	t.Run("kept", func(t *testing.T) {
		env := outbox.Envelope{From: user, To: []string{"A@example.org", "a@example.org", "b@example.org"},
			Raw: []byte("From: <" + user + ">\nMessage-ID: <kept.1@example.test>\nDate: Mon, 2 Jan 2006 15:04:05 +0000\nSubject: =?utf-8?q?R=C3=A9sum=C3=A9?=\n\nligne 1\nligne 2")}
		id, err := r.eng.Enqueue(ctx, r.accID, env)
		if err != nil {
			t.Fatal(err)
		}
		it, _ := r.eng.Get(ctx, id)
		raw, _ := r.eng.Raw(ctx, id)
		if it.MessageID != "kept.1@example.test" || it.Subject != "Résumé" || !slices.Equal(it.To, []string{"A@example.org", "b@example.org"}) {
			t.Fatalf("item %+v", it)
		}
		if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) || !bytes.HasSuffix(raw, []byte("ligne 2\r\n")) {
			t.Fatalf("stored message has bare LFs or no final CRLF: %q", raw)
		}
		if bytes.Count(raw, []byte("Message-ID:")) != 1 || bytes.Count(raw, []byte("Date:")) != 1 {
			t.Fatalf("headers added to a message that had them: %q", raw)
		}
	})
	t.Run("assigned", func(t *testing.T) {
		env := outbox.Envelope{From: user, To: []string{"a@example.org"}, Raw: []byte("From: <" + user + ">\r\nSubject: x\r\n\r\nbody\r\n")}
		id, err := r.eng.Enqueue(ctx, r.accID, env)
		if err != nil {
			t.Fatal(err)
		}
		it, _ := r.eng.Get(ctx, id)
		raw, _ := r.eng.Raw(ctx, id)
		if !strings.HasSuffix(it.MessageID, "@example.test") || messageIDOf(raw) != it.MessageID || !bytes.Contains(raw, []byte("\r\nDate: ")) && !bytes.HasPrefix(raw, []byte("Date: ")) {
			t.Fatalf("Message-ID %q, in the message %q; raw %q", it.MessageID, messageIDOf(raw), raw)
		}
	})
	t.Run("assigned from the envelope", func(t *testing.T) {
		env := outbox.Envelope{From: user, To: []string{"a@example.org"}, MessageID: "<chosen.7@example.test>",
			Raw: []byte("From: <" + user + ">\r\nSubject: x\r\n\r\nbody\r\n")}
		id, err := r.eng.Enqueue(ctx, r.accID, env)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := r.eng.Raw(ctx, id)
		if messageIDOf(raw) != "chosen.7@example.test" {
			t.Fatalf("Message-ID in the message: %q", messageIDOf(raw))
		}
	})
}

func TestEnqueueAgainIsIdempotentButAnotherMessageWithTheSameIDIsRefused(t *testing.T) {
	r := queueRig(t)
	env := message(t, "client@example.org", "Once")
	first := r.enqueue(env)
	again := r.enqueue(env)
	if again != first {
		t.Fatalf("the same message queued twice: ids %d and %d", first, again)
	}
	other := env
	other.Raw = bytes.Replace(env.Raw, []byte("Once"), []byte("Twice"), 1)
	if _, err := r.eng.Enqueue(ctx, r.accID, other); !fault.Is(err, fault.Conflict) {
		t.Fatalf("another message with the same Message-ID: %v, want conflict", err)
	}
	if c, _ := r.eng.Counts(ctx, nil); c.Queued != 1 {
		t.Fatalf("counts %+v, want one queued", c)
	}
}

func TestEnqueueRefusesADisabledOrMissingAccount(t *testing.T) {
	r := queueRig(t)
	if err := r.reg.SetDisabled(ctx, r.accID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.eng.Enqueue(ctx, r.accID, message(t, "a@example.org", "x")); !fault.Is(err, fault.Conflict) {
		t.Fatalf("disabled account: %v", err)
	}
	if _, err := r.eng.Enqueue(ctx, r.accID+100, message(t, "a@example.org", "x")); !fault.Is(err, fault.NotFound) {
		t.Fatalf("missing account: %v", err)
	}
}

// A full disk is simulated with SQLite's own cap on the database's size (max_page_count on
// the writer connection) rather than a small tmpfs: mounting one needs root, and the
// tests run the same as a developer and in CI. SQLite reports SQLITE_FULL exactly as when
// the file system is full, and the transaction is rolled back the same way.
func TestEnqueueOnAFullDiskFailsClearlyAndKeepsNothing(t *testing.T) {
	r := queueRig(t)
	r.enqueue(message(t, "client@example.org", "before"))
	var pages int64
	if err := r.db.W.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.W.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	big, err := outbox.Render(outbox.Compose{From: outbox.Address{Email: user}, To: []outbox.Address{{Email: "client@example.org"}},
		Subject: "Rapport annuel", Text: "Voir la pièce jointe.",
		Attachments: []outbox.Attachment{{Filename: "rapport.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("%PDF-1.7 0123456789\n"), 30000)}}})
	if err != nil {
		t.Fatal(err)
	}
	var envs []outbox.Envelope
	for i := range 3 { // a bulk send: the first fits, the others do not
		e := message(t, fmt.Sprintf("c%d@example.org", i), "small")
		if i == 2 {
			e = big
		}
		envs = append(envs, e)
	}
	_, err = r.eng.EnqueueAll(ctx, r.accID, envs)
	if !fault.Is(err, fault.StoreUnavailable) || !fault.ErrDiskFull.Is(err) {
		t.Fatalf("enqueue on a full disk: %v", err)
	}
	var rows int
	var check string
	if err := r.db.W.QueryRow(`SELECT count(*) FROM outbox`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := r.db.W.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || check != "ok" {
		t.Fatalf("after the failed bulk enqueue: %d rows (want the 1 from before: none of the bulk), integrity %q", rows, check)
	}
	if _, err := r.db.W.Exec(`PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	ids, err := r.eng.EnqueueAll(ctx, r.accID, envs)
	if err != nil || len(ids) != 3 {
		t.Fatalf("once there is room again: %v, %v", ids, err)
	}
}

func TestListPagesByStateAndTheSentLogByTimeSent(t *testing.T) {
	r := queueRig(t)
	var ids []int64
	for i := range 7 {
		ids = append(ids, r.enqueue(message(t, fmt.Sprintf("c%d@example.org", i), fmt.Sprintf("n°%d", i))))
	}
	// Three sent, in an order other than their ids; one cancelled.
	for i, id := range []int64{ids[4], ids[1], ids[5]} {
		_, err := r.db.W.Exec(`UPDATE outbox SET state = 'sent', sent_at = ? WHERE id = ?`, time.Now().Add(time.Duration(i)*time.Minute).UnixMilli(), id)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := r.eng.Cancel(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	collect := func(list func(outbox.Query) (outbox.Page, error), q outbox.Query) []int64 {
		var got []int64
		for pages := 0; ; pages++ {
			p, err := list(q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				got = append(got, it.ID)
			}
			if p.Next == "" {
				return got
			}
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			q.Cursor = p.Next
		}
	}
	list := func(q outbox.Query) (outbox.Page, error) { return r.eng.List(ctx, q) }
	if got := collect(list, outbox.Query{States: []outbox.State{outbox.Queued}, Limit: 2}); !slices.Equal(got, []int64{ids[6], ids[3], ids[2]}) {
		t.Fatalf("queued, 2 a page: %v", got)
	}
	if got := collect(list, outbox.Query{Limit: 3}); len(got) != 7 || got[0] != ids[6] || got[6] != ids[0] {
		t.Fatalf("all, 3 a page: %v", got)
	}
	if got := collect(list, outbox.Query{AccountIDs: []int64{}}); len(got) != 0 {
		t.Fatalf("no account: %v", got)
	}
	sent := func(q outbox.Query) (outbox.Page, error) { return r.eng.SentLog(ctx, q) }
	if got := collect(sent, outbox.Query{AccountIDs: []int64{r.accID}, Limit: 1}); !slices.Equal(got, []int64{ids[5], ids[1], ids[4]}) {
		t.Fatalf("sent log, newest sent first: %v", got)
	}
	c, err := r.eng.Counts(ctx, []int64{r.accID})
	if err != nil || c != (outbox.Counts{Queued: 3, Sent: 3, Cancelled: 1}) {
		t.Fatalf("counts %+v, %v", c, err)
	}
	if _, err := r.eng.List(ctx, outbox.Query{Cursor: "x"}); !fault.Is(err, fault.InvalidInput) {
		t.Fatalf("bad cursor: %v", err)
	}
}

// Rows a crash left in "sending" are settled at Start by the marker: the crash itself is
// exercised for real in crash_test.go.
func TestStartSettlesWhatAStopLeftSending(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{})
	r := newRig(t, rigConfig{smtp: srv.server(), dialer: dialerFor(srv), opts: fastOptions()})
	before := r.enqueue(message(t, "a@example.org", "before the dot"))
	after := r.enqueue(message(t, "b@example.org", "after the dot"))
	mustExec(t, r.db.W, `UPDATE outbox SET state = 'sending', attempts = 1 WHERE id = ?`, before)
	mustExec(t, r.db.W, `UPDATE outbox SET state = 'sending', attempts = 1, data_at = ? WHERE id = ?`, time.Now().UnixMilli(), after)
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r.waitState(before, outbox.Sent)
	it := r.waitState(after, outbox.PossiblySent)
	if it.Error.Reason != "outbox_interrupted" || it.Error.Code != fault.Network {
		t.Fatalf("possibly sent after a stop: %+v", it)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].To[0] != "a@example.org" {
		t.Fatalf("server received %d messages; want only the one that never reached its dot", len(got))
	}
}

func mustExec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// A message held until a time (a paced bulk send) waits in the queue until then.
func TestEnqueueHoldsAMessageUntilItsNotBeforeTime(t *testing.T) {
	r := queueRig(t)
	later := time.Now().Add(26 * time.Hour).Truncate(time.Millisecond)
	env := outbox.Envelope{From: user, To: []string{"a@example.org"}, NotBefore: later,
		Raw: []byte("From: <" + user + ">\r\nSubject: demain\r\n\r\nbody\r\n")}
	id, err := r.eng.Enqueue(ctx, r.accID, env)
	if err != nil {
		t.Fatal(err)
	}
	it, _ := r.eng.Get(ctx, id)
	if it.State != outbox.Queued || !it.NextAttempt.Equal(later) {
		t.Fatalf("item %+v, want queued until %v", it, later)
	}
}
