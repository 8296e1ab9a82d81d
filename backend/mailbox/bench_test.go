package mailbox_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"mailroom/backend/mailbox"
)

// BenchmarkListPage measures one page of the inbox over 100,000 messages (two accounts,
// INBOX and Sent each), at the top and deep down, with filters and search. Run it with
//
//	go test -run '^$' -bench BenchmarkListPage -tags webkit2_41,sqlite_fts5 ./backend/mailbox/
//
// A page must cost about the same at row 90,000 as at row 0 (keyset pagination).
func BenchmarkListPage(b *testing.B) {
	const total = 100_000
	f := newFixture(b)
	a, c := f.account(b, "a@example.test"), f.account(b, "c@example.test")
	folders := []struct{ account, folder int64 }{
		{a, f.folder(b, a, "INBOX", "inbox")}, {a, f.folder(b, a, "Sent", "sent")},
		{c, f.folder(b, c, "INBOX", "inbox")}, {c, f.folder(b, c, "Sent", "sent")},
	}
	rnd := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	start := time.Now()
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		ins, err := prepareInserter(tx)
		if err != nil {
			return err
		}
		defer ins.close()
		for i := 0; i < total; i++ {
			fo := folders[rnd.IntN(10)%len(folders)]
			w1, w2 := words[rnd.IntN(len(words))], words[rnd.IntN(len(words))]
			m := &msg{account: fo.account, folder: fo.folder, uid: i + 1,
				subject:   fmt.Sprintf("%s %s %d", w1, w2, i),
				fromName:  fmt.Sprintf("Sender %d", rnd.IntN(1500)),
				fromEmail: fmt.Sprintf("s%d@d%d.test", rnd.IntN(1500), rnd.IntN(200)),
				to:        "me@example.test",
				body:      fmt.Sprintf("Hello, about the %s and the %s, see you on %d. Regards.", w2, w1, rnd.IntN(28)),
				date:      base + int64(rnd.IntN(5*365*24*3600)),
				seen:      rnd.IntN(20) > 0,
				flagged:   rnd.IntN(50) == 0,
			}
			if err := ins.insert(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d messages stored in %v", total, time.Since(start).Round(time.Millisecond))
	visible := []int64{a, c}

	// cursorAt pages through q until row n and returns the cursor there.
	cursorAt := func(q mailbox.Query, n int) *mailbox.Cursor {
		q.Limit = mailbox.MaxLimit
		var cur *mailbox.Cursor
		for seen := 0; seen < n; seen += q.Limit {
			q.Before = cur
			_, next, err := f.mb.List(ctx, q)
			if err != nil || next == nil {
				b.Fatalf("paging to row %d: %v", n, err)
			}
			cur = next
		}
		return cur
	}
	inbox := mailbox.Query{AccountIDs: visible, FolderRole: "inbox", Limit: 50}
	oneFolder := mailbox.Query{AccountIDs: visible, FolderID: folders[0].folder, Limit: 50}
	unread := mailbox.Query{AccountIDs: visible, FolderRole: "inbox", Unread: true, Limit: 50}
	deepInbox, deepFolder := inbox, oneFolder
	deepInbox.Before = cursorAt(inbox, 40_000)
	deepFolder.Before = cursorAt(oneFolder, 20_000)
	deepUnread := unread
	deepUnread.Before = cursorAt(unread, 2_000)

	for _, bc := range []struct {
		name string
		q    mailbox.Query
	}{
		{"unified inbox, first page", inbox},
		{"unified inbox, page at row 40000", deepInbox},
		{"one folder, first page", oneFolder},
		{"one folder, page at row 20000", deepFolder},
		{"unread, first page", unread},
		{"unread, page at row 2000", deepUnread},
		{"flagged, first page", mailbox.Query{AccountIDs: visible, Flagged: true, Limit: 50}},
		{"search a common word, first page", mailbox.Query{AccountIDs: visible, FolderRole: "inbox", Search: "invoice", Limit: 50}},
		{"search a rare sender, first page", mailbox.Query{AccountIDs: visible, Search: "s1234@d1", Limit: 50}},
	} {
		b.Run("List/"+bc.name, func(b *testing.B) {
			for b.Loop() {
				rows, _, err := f.mb.List(ctx, bc.q)
				if err != nil || len(rows) == 0 {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
		})
	}
	b.Run("Search/ranked, common word", func(b *testing.B) {
		for b.Loop() {
			if hits, err := f.mb.Search(ctx, mailbox.Query{AccountIDs: visible, Search: "paym", Limit: 50}, true); err != nil || len(hits) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("Count/unified inbox", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.mb.Count(ctx, inbox); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Folders/with unread counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.mb.Folders(ctx, visible); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// inserter writes fixture messages with prepared statements (the benchmark's 100,000).
type inserter struct {
	msg, addr, body, fts *sql.Stmt
}

func prepareInserter(tx *sql.Tx) (*inserter, error) {
	var in inserter
	var err error
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&in.msg, `INSERT INTO messages(account_id, folder_id, uid, subject, from_name, from_email, date,
			seen, flagged, snippet, body_state, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'done', ?)`},
		{&in.addr, `INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, ?, 0, ?, ?)`},
		{&in.body, `INSERT INTO message_bodies(message_id, text) VALUES (?, ?)`},
		{&in.fts, `INSERT INTO messages_fts(rowid, subject, addresses, body) SELECT id, subject, addresses, body FROM messages_search WHERE id = ?`},
	} {
		if *p.st, err = tx.PrepareContext(ctx, p.q); err != nil {
			return nil, err
		}
	}
	return &in, nil
}

func (in *inserter) close() {
	for _, st := range []*sql.Stmt{in.msg, in.addr, in.body, in.fts} {
		st.Close()
	}
}

func (in *inserter) insert(m *msg) error {
	res, err := in.msg.ExecContext(ctx, m.account, m.folder, m.uid, m.subject, m.fromName, m.fromEmail, m.date,
		m.seen, m.flagged, firstWords(m.body), len(m.body))
	if err != nil {
		return err
	}
	if m.id, err = res.LastInsertId(); err != nil {
		return err
	}
	if _, err := in.addr.ExecContext(ctx, m.id, "from", m.fromName, m.fromEmail); err != nil {
		return err
	}
	if _, err := in.addr.ExecContext(ctx, m.id, "to", "", m.to); err != nil {
		return err
	}
	if _, err := in.body.ExecContext(ctx, m.id, m.body); err != nil {
		return err
	}
	_, err = in.fts.ExecContext(ctx, m.id)
	return err
}
