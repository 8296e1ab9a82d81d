package mailbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/mailbox"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

var ctx = context.Background()

// fixture is a store holding synced-looking mail, written the way the sync engine
// writes it (message row, addresses, index row, body) in one transaction per message.
type fixture struct {
	db  *store.DB
	reg *accounts.Registry
	mb  *mailbox.Mailbox
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &fixture{db: db, reg: accounts.New(db, vault.NewMemory()), mb: mailbox.New(db)}
}

func (f *fixture) account(t testing.TB, email string) int64 {
	t.Helper()
	a, err := f.reg.CreateWith(ctx, 0, accounts.NewAccount{Email: email,
		IMAP: accounts.Server{Host: "imap.example.test", Port: 993, Security: accounts.TLS, Username: email},
		SMTP: accounts.Server{Host: "smtp.example.test", Port: 465, Security: accounts.TLS, Username: email},
	}, accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func (f *fixture) folder(t testing.TB, accountID int64, name, role string) int64 {
	t.Helper()
	var id int64
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`INSERT INTO folders(account_id, name, role, uidvalidity) VALUES (?, ?, ?, 1) RETURNING id`,
			accountID, name, role).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type msg struct {
	id        int64
	account   int64
	folder    int64
	uid       int
	subject   string
	fromName  string
	fromEmail string
	to        string
	body      string
	date      int64
	seen      bool
	flagged   bool
}

func insert(ctx context.Context, tx *sql.Tx, m *msg) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO messages(account_id, folder_id, uid, subject, from_name, from_email, date,
		seen, flagged, snippet, body_state, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'done', ?) RETURNING id`,
		m.account, m.folder, m.uid, m.subject, m.fromName, m.fromEmail, m.date, m.seen, m.flagged,
		firstWords(m.body), len(m.body)).Scan(&m.id)
	if err != nil {
		return err
	}
	for i, a := range []struct{ kind, name, email string }{{"from", m.fromName, m.fromEmail}, {"to", "", m.to}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, ?, ?, ?, ?)`,
			m.id, a.kind, 0, a.name, a.email); err != nil {
			return fmt.Errorf("address %d: %w", i, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO message_bodies(message_id, text) VALUES (?, ?)`, m.id, m.body); err != nil {
		return err
	}
	// As the sync engine indexes a message: through the view the index reads its content from.
	_, err = tx.ExecContext(ctx, `INSERT INTO messages_fts(rowid, subject, addresses, body) SELECT id, subject, addresses, body FROM messages_search WHERE id = ?`, m.id)
	return err
}

func firstWords(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

func (f *fixture) add(t testing.TB, ms ...*msg) {
	t.Helper()
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, m := range ms {
			if err := insert(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// world is two visible accounts (INBOX and Sent each) and a third one the user may not
// see, filled with n messages of pseudo-random dates (many equal, to test the tie on id).
type world struct {
	*fixture
	a, b, hidden          int64
	aInbox, aSent, bInbox int64
	hiddenInbox           int64
	msgs                  []*msg
	visible               []int64
}

var words = []string{"invoice", "meeting", "payment", "reminder", "holiday", "project", "report", "delivery"}

func newWorld(t testing.TB, n int) *world {
	w := &world{fixture: newFixture(t)}
	w.a = w.account(t, "a@example.test")
	w.b = w.account(t, "b@example.test")
	w.hidden = w.account(t, "hidden@example.test")
	w.aInbox = w.folder(t, w.a, "INBOX", "inbox")
	w.aSent = w.folder(t, w.a, "Sent", "sent")
	w.bInbox = w.folder(t, w.b, "INBOX", "inbox")
	w.hiddenInbox = w.folder(t, w.hidden, "INBOX", "inbox")
	w.visible = []int64{w.a, w.b}
	rnd := rand.New(rand.NewPCG(1, 2))
	folders := []struct{ account, folder int64 }{{w.a, w.aInbox}, {w.a, w.aSent}, {w.b, w.bInbox}, {w.hidden, w.hiddenInbox}}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := 0; i < n; i++ {
		fo := folders[rnd.IntN(len(folders))]
		word := words[rnd.IntN(len(words))]
		w.msgs = append(w.msgs, &msg{
			account: fo.account, folder: fo.folder, uid: i + 1,
			subject:   fmt.Sprintf("%s number %d", word, i),
			fromName:  "Sender " + fmt.Sprint(i%7),
			fromEmail: fmt.Sprintf("sender%d@shop%d.test", i%7, i%3),
			to:        "me@example.test",
			body:      fmt.Sprintf("Hello, this is about the %s. Regards.", words[rnd.IntN(len(words))]),
			date:      base + int64(rnd.IntN(n/3+1))*3600, // collisions on purpose
			seen:      rnd.IntN(3) > 0,
			flagged:   rnd.IntN(10) == 0,
		})
	}
	w.add(t, w.msgs...)
	return w
}

// expect returns the ids keep selects, newest first.
func (w *world) expect(keep func(*msg) bool) []int64 {
	var sel []*msg
	for _, m := range w.msgs {
		if keep(m) {
			sel = append(sel, m)
		}
	}
	sort.Slice(sel, func(i, j int) bool {
		if sel[i].date != sel[j].date {
			return sel[i].date > sel[j].date
		}
		return sel[i].id > sel[j].id
	})
	ids := make([]int64, len(sel))
	for i, m := range sel {
		ids[i] = m.id
	}
	return ids
}

// all pages through q and returns the ids in order.
func all(t *testing.T, mb *mailbox.Mailbox, q mailbox.Query) []int64 {
	t.Helper()
	var ids []int64
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("pagination does not end")
		}
		rows, next, err := mb.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if next == nil {
			return ids
		}
		if len(rows) != q.Limit && q.Limit > 0 {
			t.Fatalf("a page that is not the last has %d rows, want %d", len(rows), q.Limit)
		}
		q.Before = next
	}
}

func TestListPagesNewestFirstWithoutGapsOrRepeats(t *testing.T) {
	w := newWorld(t, 600)
	for _, limit := range []int{1, 7, 50, 500} {
		t.Run(fmt.Sprintf("pages of %d", limit), func(t *testing.T) {
			got := all(t, w.mb, mailbox.Query{AccountIDs: w.visible, FolderRole: "inbox", Limit: limit})
			want := w.expect(func(m *msg) bool { return m.folder == w.aInbox || m.folder == w.bInbox })
			if !slices.Equal(got, want) {
				t.Fatalf("got %d ids, want %d in (date, id) order\ngot  %v\nwant %v", len(got), len(want), head(got), head(want))
			}
		})
	}
}

func head(ids []int64) []int64 {
	if len(ids) > 20 {
		return ids[:20]
	}
	return ids
}

func TestNewMailDoesNotShiftLaterPages(t *testing.T) {
	w := newWorld(t, 300)
	q := mailbox.Query{AccountIDs: w.visible, FolderRole: "inbox", Limit: 25}
	first, next, err := w.mb.List(ctx, q)
	if err != nil || next == nil {
		t.Fatal(err, next)
	}
	want := w.expect(func(m *msg) bool { return m.folder == w.aInbox || m.folder == w.bInbox })
	// Mail arrives (newer than everything) and old mail is read while the user scrolls.
	w.add(t, &msg{account: w.a, folder: w.aInbox, uid: 100000, subject: "brand new", date: time.Now().Unix(), to: "x@y.test"})
	q.Before = next
	second, _, err := w.mb.List(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range append(first, second...) {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want[:50]) {
		t.Fatalf("first two pages = %v, want %v", got, want[:50])
	}
}

func TestListFiltersSelectExactlyTheirMessages(t *testing.T) {
	w := newWorld(t, 500)
	visible := func(m *msg) bool { return m.account == w.a || m.account == w.b }
	cases := []struct {
		name string
		q    mailbox.Query
		keep func(*msg) bool
	}{
		{"unified inbox", mailbox.Query{FolderRole: "inbox"}, func(m *msg) bool { return m.folder == w.aInbox || m.folder == w.bInbox }},
		{"every synced folder", mailbox.Query{}, visible},
		{"one account", mailbox.Query{AccountID: w.a}, func(m *msg) bool { return m.account == w.a }},
		{"one account's sent folder", mailbox.Query{AccountID: w.a, FolderRole: "sent"}, func(m *msg) bool { return m.folder == w.aSent }},
		{"one folder by id", mailbox.Query{FolderID: w.bInbox}, func(m *msg) bool { return m.folder == w.bInbox }},
		{"unread", mailbox.Query{Unread: true}, func(m *msg) bool { return visible(m) && !m.seen }},
		{"flagged", mailbox.Query{Flagged: true}, func(m *msg) bool { return visible(m) && m.flagged }},
		{"unread and flagged in one inbox", mailbox.Query{FolderID: w.aInbox, Unread: true, Flagged: true},
			func(m *msg) bool { return m.folder == w.aInbox && !m.seen && m.flagged }},
		{"a word of subject or body", mailbox.Query{Search: "invoice"}, func(m *msg) bool {
			return visible(m) && (strings.Contains(m.subject, "invoice") || strings.Contains(m.body, "invoice"))
		}},
		{"a prefix of a word of the body", mailbox.Query{Search: "deliv"}, func(m *msg) bool {
			return visible(m) && (strings.Contains(m.body, "deliv") || strings.Contains(m.subject, "deliv"))
		}},
		{"a sender's address", mailbox.Query{Search: "sender3@shop"}, func(m *msg) bool {
			return visible(m) && strings.HasPrefix(m.fromEmail, "sender3@shop")
		}},
		{"search within unread", mailbox.Query{Search: "payment", Unread: true}, func(m *msg) bool {
			return visible(m) && !m.seen && (strings.Contains(m.body, "payment") || strings.Contains(m.subject, "payment"))
		}},
		{"a folder of a hidden account, asked for by id", mailbox.Query{FolderID: w.hiddenInbox}, func(*msg) bool { return false }},
		{"a hidden account, asked for by id", mailbox.Query{AccountID: w.hidden}, func(*msg) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.AccountIDs, q.Limit = w.visible, 37
			got := all(t, w.mb, q)
			want := w.expect(tc.keep)
			if !slices.Equal(got, want) {
				t.Fatalf("got %d ids, want %d\ngot  %v\nwant %v", len(got), len(want), head(got), head(want))
			}
			n, err := w.mb.Count(ctx, q)
			if err != nil || n != len(want) {
				t.Fatalf("Count = %d, %v; want %d", n, err, len(want))
			}
		})
	}
}

func TestDisabledAccountsAreHiddenEverywhere(t *testing.T) {
	w := newWorld(t, 200)
	var one *msg
	for _, m := range w.msgs {
		if m.account == w.b {
			one = m
			break
		}
	}
	if err := w.reg.SetDisabled(ctx, w.b, true); err != nil {
		t.Fatal(err)
	}
	got := all(t, w.mb, mailbox.Query{AccountIDs: w.visible, Limit: 50})
	want := w.expect(func(m *msg) bool { return m.account == w.a })
	if !slices.Equal(got, want) {
		t.Fatalf("list shows %d messages, want only account a's %d", len(got), len(want))
	}
	if n, _ := w.mb.Count(ctx, mailbox.Query{AccountIDs: w.visible}); n != len(want) {
		t.Errorf("Count = %d, want %d", n, len(want))
	}
	hits, err := w.mb.Search(ctx, mailbox.Query{AccountIDs: w.visible, Search: "regards", Limit: 500}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.AccountID == w.b {
			t.Fatalf("search shows message %d of the disabled account", h.ID)
		}
	}
	if _, err := w.mb.Get(ctx, w.visible, one.id); !fault.Is(err, fault.NotFound) {
		t.Errorf("Get of a disabled account's message: %v, want not_found", err)
	}
	folders, err := w.mb.Folders(ctx, w.visible)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if f.AccountID == w.b {
			t.Errorf("Folders lists %q of the disabled account", f.Name)
		}
	}
}

func TestNothingIsVisibleWithoutAccounts(t *testing.T) {
	w := newWorld(t, 50)
	rows, next, err := w.mb.List(ctx, mailbox.Query{})
	if err != nil || len(rows) != 0 || next != nil {
		t.Fatalf("List with no visible accounts = %d rows, %v, %v", len(rows), next, err)
	}
	if _, err := w.mb.Get(ctx, nil, w.msgs[0].id); !fault.Is(err, fault.NotFound) {
		t.Fatalf("Get with no visible accounts: %v", err)
	}
	if _, err := w.mb.Get(ctx, []int64{w.a}, w.msgs[0].id); w.msgs[0].account != w.a && !fault.Is(err, fault.NotFound) {
		t.Fatalf("Get of another account's message: %v", err)
	}
}

func TestFoldersCountMessagesAndUnread(t *testing.T) {
	w := newWorld(t, 300)
	folders, err := w.mb.Folders(ctx, w.visible)
	if err != nil {
		t.Fatal(err)
	}
	if len(folders) != 3 || folders[0].Role != "inbox" || folders[1].Role != "sent" {
		t.Fatalf("folders = %+v, want a's INBOX, a's Sent, b's INBOX", folders)
	}
	for _, f := range folders {
		total, unread := 0, 0
		for _, m := range w.msgs {
			if m.folder == f.ID {
				total++
				if !m.seen {
					unread++
				}
			}
		}
		if f.Total != total || f.Unread != unread {
			t.Errorf("%s of %d: %d messages, %d unread; want %d, %d", f.Name, f.AccountID, f.Total, f.Unread, total, unread)
		}
	}
}

func TestDeletedMessagesLeaveNoSearchIndexRows(t *testing.T) {
	cases := []struct {
		name   string
		delete func(w *world) error
	}{
		{"a message removed", func(w *world) error {
			_, err := w.db.W.Exec(`DELETE FROM messages WHERE folder_id = ?`, w.aInbox)
			return err
		}},
		{"its folder deleted (cascade)", func(w *world) error {
			_, err := w.db.W.Exec(`DELETE FROM folders WHERE id = ?`, w.aInbox)
			return err
		}},
		{"its account deleted (cascade)", func(w *world) error {
			_, err := w.db.W.Exec(`DELETE FROM accounts WHERE id = ?`, w.a)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 100)
			if err := tc.delete(w); err != nil {
				t.Fatal(err)
			}
			var orphans, rows int
			// The index against its content (the view of stored messages): a deleted
			// message's words left behind fail it.
			if _, err := w.db.W.Exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
				t.Fatalf("the search index disagrees with the messages: %v", err)
			}
			if err := w.db.R.QueryRow(`SELECT count(*) FROM messages_fts WHERE rowid NOT IN (SELECT id FROM messages)`).Scan(&orphans); err != nil {
				t.Fatal(err)
			}
			if err := w.db.R.QueryRow(`SELECT count(*) FROM messages`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if orphans != 0 || rows == len(w.msgs) {
				t.Fatalf("%d index rows without a message (%d messages left of %d)", orphans, rows, len(w.msgs))
			}
		})
	}
}

func TestAllVisibleAcceptsOnlyMessagesOfTheGivenAccounts(t *testing.T) {
	w := newWorld(t, 60)
	var ofA, ofOther []int64
	for _, m := range w.msgs {
		if m.account == w.a {
			ofA = append(ofA, m.id)
		} else {
			ofOther = append(ofOther, m.id)
		}
	}
	if len(ofA) == 0 || len(ofOther) == 0 {
		t.Fatal("the world has no messages on both sides")
	}
	cases := []struct {
		name     string
		accounts []int64
		ids      []int64
		want     bool
	}{
		{"all of the account, with a repeat", []int64{w.a}, append(ofA, ofA[0]), true},
		{"one of another account", []int64{w.a}, append([]int64{ofOther[0]}, ofA...), false},
		{"an id that does not exist", []int64{w.a}, []int64{ofA[0], 1 << 40}, false},
		{"no accounts", nil, ofA[:1], false},
		{"no ids", []int64{w.a}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := w.mb.AllVisible(ctx, tc.accounts, tc.ids)
			if err != nil || got != tc.want {
				t.Fatalf("AllVisible = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// A row names its first To address and counts To and Cc, which a list of sent mail shows
// instead of the sender (the user).
func TestRowsCarryTheirFirstRecipient(t *testing.T) {
	f := newFixture(t)
	acc := f.account(t, "camille@atelier.test")
	sent := f.folder(t, acc, "Sent", "sent")
	m := &msg{account: acc, folder: sent, uid: 1, subject: "Devis", fromEmail: "camille@atelier.test", to: "bob@client.test", date: 100}
	lone := &msg{account: acc, folder: sent, uid: 2, subject: "Note", fromEmail: "camille@atelier.test", to: "eve@client.test", date: 50}
	f.add(t, m, lone)
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES
			(?, 'to', 1, 'Zoé', 'zoe@client.test'), (?, 'cc', 0, '', 'compta@atelier.test')`, m.id, m.id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	page, _, err := f.mb.List(ctx, mailbox.Query{AccountIDs: []int64{acc}, FolderID: sent})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 {
		t.Fatalf("%d rows", len(page))
	}
	if r := page[0]; r.ToEmail != "bob@client.test" || r.Recipients != 3 {
		t.Errorf("first row: to %q, %d recipients; want bob@client.test and 3", r.ToEmail, r.Recipients)
	}
	if r := page[1]; r.ToEmail != "eve@client.test" || r.Recipients != 1 {
		t.Errorf("second row: to %q, %d recipients; want eve@client.test and 1", r.ToEmail, r.Recipients)
	}
}
