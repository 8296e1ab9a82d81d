package filing

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	e        *Engine
	r        *records.Records
	user     int64
	inbox    int64
	sent     int64
	contact  int64 // type ids
	company  int64
	factures records.Type
	paid     records.Field
	seq      int
}

// newFixture opens a real store with the owner (elise@mailroom.test), one account
// (moi@notre-cabinet.fr) with an Inbox and a Sent folder, and an invoice type.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Élise", Email: "elise@mailroom.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, db: db, user: u.ID}
	f.e = New(Deps{DB: db}, Options{})
	f.r = records.New(db, records.Options{})
	f.exec(`INSERT INTO accounts(id, name, email, secret_id, imap_host, imap_port, imap_security, imap_username,
		smtp_host, smtp_port, smtp_security, smtp_username, created_at)
		VALUES (1, 'Cabinet', 'moi@notre-cabinet.fr', 's1', 'h', 993, 'tls', 'u', 'h', 465, 'tls', 'u', 0)`)
	f.exec(`INSERT INTO folders(id, account_id, name, role) VALUES (1, 1, 'INBOX', 'inbox'), (2, 1, 'Sent', 'sent')`)
	f.inbox, f.sent = 1, 2
	s, err := f.r.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.contact, f.company = s.TypeByKey(records.ContactType).ID, s.TypeByKey(records.CompanyType).ID
	if f.factures, err = f.r.CreateType(ctx, u.ID, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"}); err != nil {
		t.Fatal(err)
	}
	if f.paid, err = f.r.AddField(ctx, f.factures.ID, records.FieldInput{Label: "Payée", Kind: records.Checkbox}); err != nil {
		t.Fatal(err)
	}
	if _, err = f.r.AddField(ctx, f.factures.ID, records.FieldInput{Label: "Client", Kind: records.Link, TargetTypeID: f.company}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.W.ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) create(typeID int64, v records.Values) int64 {
	f.t.Helper()
	rec, err := f.r.Create(f.ctx, f.user, typeID, v)
	if err != nil {
		f.t.Fatal(err)
	}
	return rec.ID
}

// msg is a message to store: addresses as "kind:address" ("from:a@b.fr", "to:…").
type msg struct {
	folder  int64
	subject string
	body    string
	bulk    bool
	noBody  bool // headers only: the body is not read yet
	addrs   []string
}

func (f *fixture) store(m msg) int64 {
	f.t.Helper()
	f.seq++
	folder := m.folder
	if folder == 0 {
		folder = f.inbox
	}
	state := "done"
	if m.noBody {
		state = "none"
	}
	res, err := f.db.W.ExecContext(f.ctx, `INSERT INTO messages(account_id, folder_id, uid, message_id, subject, date, bulk, body_state)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?)`, folder, f.seq, "m"+string(rune('a'+f.seq%26))+time.Now().Format("150405.000000000"),
		m.subject, 1_700_000_000+int64(f.seq), m.bulk, state)
	if err != nil {
		f.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	f.exec(`INSERT INTO message_bodies(message_id, text) VALUES (?, ?)`, id, m.body)
	for i, a := range m.addrs {
		kind, email, _ := strings.Cut(a, ":")
		f.exec(`INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, ?, ?, ?, ?)`, id, kind, i, "", email)
	}
	return id
}

func (f *fixture) file(ids ...int64) {
	f.t.Helper()
	f.e.ix = nil // records changed since the last call
	if err := f.e.File(f.ctx, ids); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) links(id int64) map[int64]string {
	f.t.Helper()
	out := map[int64]string{}
	rows, err := f.db.R.QueryContext(f.ctx, `SELECT record_id, origin FROM message_records WHERE message_id = ?`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r int64
		var o string
		if err := rows.Scan(&r, &o); err != nil {
			f.t.Fatal(err)
		}
		out[r] = o
	}
	return out
}

func (f *fixture) state(id int64) string {
	f.t.Helper()
	var s string
	err := f.db.R.QueryRowContext(f.ctx, `SELECT state FROM message_filing WHERE message_id = ?`, id).Scan(&s)
	if err != nil && err != sql.ErrNoRows {
		f.t.Fatal(err)
	}
	return s // "" until filed
}

func (f *fixture) suggestions(id int64) []int64 {
	f.t.Helper()
	var out []int64
	rows, err := f.db.R.QueryContext(f.ctx, `SELECT record_id FROM message_suggestions WHERE message_id = ? ORDER BY score DESC, record_id DESC`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r int64
		_ = rows.Scan(&r)
		out = append(out, r)
	}
	return out
}

func autoLinks(ids ...int64) map[int64]string {
	out := map[int64]string{}
	for _, id := range ids {
		out[id] = OriginAuto
	}
	return out
}

func TestFilingRules(t *testing.T) {
	f := newFixture(t)
	acme := f.create(f.company, records.Values{"name": "ACME", "domains": []any{"acme.fr"}})
	globex := f.create(f.company, records.Values{"name": "Globex", "domains": []any{"globex.com"}})
	cafe := f.create(f.company, records.Values{"name": "Café", "domains": []any{"café.fr"}})
	orange := f.create(f.company, records.Values{"name": "Orange", "domains": []any{"orange.fr"}})
	lea := f.create(f.contact, records.Values{"first_name": "Léa", "emails": []any{"Lea@ACME.fr"}, "company": acme})
	paul := f.create(f.contact, records.Values{"first_name": "Paul", "emails": []any{"paul@orange.fr"}, "company": globex})
	colleague := f.create(f.contact, records.Values{"first_name": "Marc", "emails": []any{"marc@notre-cabinet.fr"}})
	_ = colleague

	for _, tc := range []struct {
		name  string
		m     msg
		links map[int64]string
		state string
	}{
		{"a contact's address in another case, with its company through the contact and the domain",
			msg{addrs: []string{"from:LEA@acme.FR", "to:moi@notre-cabinet.fr"}}, autoLinks(lea, acme), StateFiled},
		{"a plus-address is another address: the company only",
			msg{addrs: []string{"from:lea+devis@acme.fr", "to:moi@notre-cabinet.fr"}}, autoLinks(acme), StateFiled},
		{"an IDNA domain matches its Unicode form",
			msg{addrs: []string{"from:contact@xn--caf-dma.fr"}}, autoLinks(cafe), StateFiled},
		{"a Unicode domain in the message matches too",
			msg{addrs: []string{"from:contact@CAFÉ.fr"}}, autoLinks(cafe), StateFiled},
		{"a free-mail domain never files to a company, the contact's company does",
			msg{addrs: []string{"from:paul@orange.fr"}}, autoLinks(paul, globex), StateFiled},
		{"an unknown address at a free-mail domain waits in To file",
			msg{addrs: []string{"from:inconnu@orange.fr"}}, autoLinks(), StateToFile},
		{"several companies among the recipients",
			msg{folder: 2, addrs: []string{"from:moi@notre-cabinet.fr", "to:a@acme.fr", "cc:b@globex.com"}}, autoLinks(acme, globex), StateFiled},
		{"Bcc of sent mail counts",
			msg{folder: 2, addrs: []string{"from:moi@notre-cabinet.fr", "bcc:x@globex.com"}}, autoLinks(globex), StateFiled},
		{"Bcc of received mail does not",
			msg{addrs: []string{"from:moi@notre-cabinet.fr", "bcc:x@globex.com"}}, autoLinks(), StateSkipped},
		{"Reply-To counts",
			msg{addrs: []string{"from:robot@service.io", "reply_to:lea@acme.fr"}}, autoLinks(lea, acme), StateFiled},
		{"a colleague's address never files alone, even one held by a contact",
			msg{addrs: []string{"from:marc@notre-cabinet.fr", "to:moi@notre-cabinet.fr"}}, autoLinks(), StateSkipped},
		{"a user's address never files alone",
			msg{addrs: []string{"from:elise@mailroom.test", "to:moi@notre-cabinet.fr"}}, autoLinks(), StateSkipped},
		{"bulk mail is filed to known records",
			msg{bulk: true, addrs: []string{"from:news@acme.fr"}}, autoLinks(acme), StateFiled},
		{"bulk mail from an unknown sender never waits in To file",
			msg{bulk: true, addrs: []string{"from:news@inconnu.fr"}}, autoLinks(), StateSkipped},
		{"a no-reply sender never waits in To file",
			msg{addrs: []string{"from:ne-pas-repondre@impots.gouv.fr"}}, autoLinks(), StateSkipped},
		{"a no-reply sender of a known company is filed",
			msg{addrs: []string{"from:no-reply@globex.com"}}, autoLinks(globex), StateFiled},
		{"an unknown sender waits in To file once the body is read",
			msg{addrs: []string{"from:jean@inconnu.fr"}}, autoLinks(), StateToFile},
		{"… not before",
			msg{noBody: true, addrs: []string{"from:jean@inconnu.fr"}}, autoLinks(), StateSkipped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			id := f.store(tc.m)
			f.file(id)
			if got := f.links(id); !reflect.DeepEqual(got, tc.links) {
				t.Errorf("links = %v, want %v", got, tc.links)
			}
			if got := f.state(id); got != tc.state {
				t.Errorf("state = %s, want %s", got, tc.state)
			}
		})
	}
	_ = orange
}

func TestFreemailExceptionsBothWays(t *testing.T) {
	f := newFixture(t)
	orange := f.create(f.company, records.Values{"name": "Orange", "domains": []any{"orange.fr"}})
	acme := f.create(f.company, records.Values{"name": "ACME", "domains": []any{"acme.fr"}})
	if _, err := f.e.SetDomainException(f.ctx, "Orange.FR", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.SetDomainException(f.ctx, "acme.fr", true); err != nil {
		t.Fatal(err)
	}
	a := f.store(msg{addrs: []string{"from:service@orange.fr"}})
	b := f.store(msg{addrs: []string{"from:x@acme.fr"}})
	f.file(a, b)
	if got := f.links(a); !reflect.DeepEqual(got, autoLinks(orange)) {
		t.Errorf("a domain taken off the list files to its company: %v", got)
	}
	if got := f.links(b); len(got) != 0 {
		t.Errorf("a domain added to the list files to no company: %v", got)
	}
	_ = acme
}

func TestOpenRecordsOfOwnTypes(t *testing.T) {
	f := newFixture(t)
	s, _ := f.r.Schema(f.ctx)
	client := s.Type(f.factures.ID).FieldByKey("client")
	acme := f.create(f.company, records.Values{"name": "ACME", "domains": []any{"acme.fr"}})
	globex := f.create(f.company, records.Values{"name": "Globex", "domains": []any{"globex.com"}})
	inv := func(num string, company int64, paid bool) int64 {
		return f.create(f.factures.ID, records.Values{"numero": num, "payee": paid, client.Key: []any{company}})
	}
	g1 := inv("F-2026-001", globex, false)
	_ = inv("F-2026-000", globex, true) // paid: never a candidate
	a1 := inv("F-2026-011", acme, false)
	a2 := inv("F-2026-012", acme, false)
	if err := f.e.SetFiledType(f.ctx, s, FiledType{TypeID: f.factures.ID, OpenFieldID: f.paid.ID, OpenOp: OpUnchecked}, true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		m           msg
		links       map[int64]string
		suggestions []int64
	}{
		{"one open invoice is filed", msg{addrs: []string{"from:compta@globex.com"}, subject: "Relance"},
			autoLinks(globex, g1), nil},
		{"several open invoices are suggested", msg{addrs: []string{"from:compta@acme.fr"}, subject: "Votre facture"},
			autoLinks(acme), []int64{a2, a1}},
		{"the key in the subject files it at once", msg{addrs: []string{"from:compta@acme.fr"}, subject: "Facture f-2026-012 réglée"},
			autoLinks(acme, a2), nil},
		{"the key in the body files it at once", msg{addrs: []string{"from:compta@acme.fr"}, body: "Bonjour,\nci-joint F-2026-011."},
			autoLinks(acme, a1), nil},
		{"a longer number is not the key", msg{addrs: []string{"from:compta@acme.fr"}, subject: "F-2026-0110"},
			autoLinks(acme), []int64{a2, a1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			id := f.store(tc.m)
			f.file(id)
			if got := f.links(id); !reflect.DeepEqual(got, tc.links) {
				t.Errorf("links = %v, want %v", got, tc.links)
			}
			if got := f.suggestions(id); !reflect.DeepEqual(got, tc.suggestions) {
				t.Errorf("suggestions = %v, want %v", got, tc.suggestions)
			}
		})
	}
	t.Run("a suggestion confirmed becomes a manual link", func(t *testing.T) {
		f.t = t
		id := f.store(msg{addrs: []string{"from:compta@acme.fr"}})
		f.file(id)
		if err := f.e.FileTo(f.ctx, f.user, nil, []int64{id}, a1); err != nil {
			t.Fatal(err)
		}
		f.file(id)
		want := autoLinks(acme)
		want[a1] = OriginManual
		if got := f.links(id); !reflect.DeepEqual(got, want) {
			t.Errorf("links = %v, want %v", got, want)
		}
		if got := f.suggestions(id); !reflect.DeepEqual(got, []int64{a2}) {
			t.Errorf("suggestions = %v, want the other one", got)
		}
	})
}

// started runs the engine's goroutine as the app does and waits until fn holds.
func (f *fixture) started() {
	f.t.Helper()
	f.e = New(Deps{DB: f.db}, Options{Settle: time.Millisecond})
	f.r = records.New(f.db, records.Options{Changed: func(ch records.Change) { f.e.RecordsChanged(ch.IDs) }})
	if err := f.e.Start(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(f.e.Stop)
}

func (f *fixture) eventually(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLinksFollowTheRecords(t *testing.T) {
	f := newFixture(t)
	old := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	sent := f.store(msg{folder: f.sent, addrs: []string{"from:moi@notre-cabinet.fr", "to:lea@acme.fr"}})
	f.started()
	f.eventually("the first run files the mail already there (to file)", func() bool {
		return f.state(old) == StateToFile && f.state(sent) == StateToFile
	})
	if n, _ := f.e.ToFileCount(f.ctx, nil); n != 2 {
		t.Errorf("to file = %d, want 2", n)
	}

	// Adding a contact afterwards files its past mail.
	lea := f.create(f.contact, records.Values{"first_name": "Léa", "emails": []any{"lea@acme.fr", "lea@perso.fr"}})
	f.eventually("the new contact's past mail filed", func() bool {
		return reflect.DeepEqual(f.links(old), autoLinks(lea)) && reflect.DeepEqual(f.links(sent), autoLinks(lea))
	})
	if n, _ := f.e.ToFileCount(f.ctx, nil); n != 0 {
		t.Errorf("to file = %d after the contact, want 0", n)
	}

	// A manual link on one, a link removed by hand on the other.
	acme := f.create(f.company, records.Values{"name": "ACME"}) // no domain: no automatic link
	if err := f.e.FileTo(f.ctx, f.user, nil, []int64{old}, acme); err != nil {
		t.Fatal(err)
	}
	if err := f.e.Unfile(f.ctx, f.user, nil, sent, lea); err != nil {
		t.Fatal(err)
	}

	// Removing the address takes the automatic links away, the manual one stays.
	if _, err := f.r.Update(f.ctx, f.user, lea, records.Values{"emails": []any{"lea@perso.fr"}}); err != nil {
		t.Fatal(err)
	}
	f.eventually("automatic links gone, manual kept", func() bool {
		return reflect.DeepEqual(f.links(old), map[int64]string{acme: OriginManual}) && len(f.links(sent)) == 0
	})

	// The address back, and a re-file of everything: the link removed by hand stays removed.
	if _, err := f.r.Update(f.ctx, f.user, lea, records.Values{"emails": []any{"lea@acme.fr"}}); err != nil {
		t.Fatal(err)
	}
	f.e.Refile()
	f.eventually("re-file done", func() bool {
		p := f.e.Progress()
		return !p.Running && p.Done == p.Total && p.Total == 2 && len(f.links(old)) == 2
	})
	if got := f.links(sent); len(got) != 0 {
		t.Errorf("a link removed by hand was recreated: %v", got)
	}
	want := map[int64]string{acme: OriginManual, lea: OriginAuto}
	if got := f.links(old); !reflect.DeepEqual(got, want) {
		t.Errorf("links = %v, want %v", got, want)
	}
	// The sent message has no record now: it waits in To file again.
	if got := f.state(sent); got != StateToFile {
		t.Errorf("state = %s, want to_file", got)
	}
}

func TestToFileGroupsIgnoresAndTimeline(t *testing.T) {
	f := newFixture(t)
	a1 := f.store(msg{subject: "Devis", addrs: []string{"from:jean@inconnu.fr"}})
	a2 := f.store(msg{folder: f.sent, subject: "Re: Devis", addrs: []string{"from:moi@notre-cabinet.fr", "to:jean@inconnu.fr"}})
	b1 := f.store(msg{addrs: []string{"from:anne@ailleurs.fr"}})
	f.file(a1, a2, b1)
	groups, total, err := f.e.ToFile(f.ctx, nil, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(groups) != 2 || groups[0].Email != "anne@ailleurs.fr" || groups[1].Email != "jean@inconnu.fr" ||
		groups[1].Count != 2 || !reflect.DeepEqual(groups[1].Messages, []int64{a2, a1}) {
		t.Fatalf("to file = %+v (total %d)", groups, total)
	}
	if groups, _, _ := f.e.ToFile(f.ctx, Scope{}, 0, 10); len(groups) != 0 {
		t.Errorf("a user without accounts sees %+v", groups)
	}
	if _, err := f.e.Ignore(f.ctx, f.user, "Ailleurs.fr"); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.e.ToFileCount(f.ctx, nil); n != 2 {
		t.Errorf("after ignoring a domain, to file = %d, want 2", n)
	}
	if err := f.e.Unignore(f.ctx, "ailleurs.fr"); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.e.ToFileCount(f.ctx, nil); n != 3 {
		t.Errorf("after undoing, to file = %d, want 3", n)
	}
	if _, err := f.e.Ignore(f.ctx, f.user, "pas une adresse"); err == nil {
		t.Error("ignoring nonsense was accepted")
	}

	// Filed by hand: the thread is on the record's timeline, and leaves To file.
	jean := f.create(f.contact, records.Values{"first_name": "Jean"})
	f.exec(`UPDATE messages SET message_id = 'devis-1' WHERE id = ?`, a1)
	f.exec(`UPDATE messages SET message_id = 'devis-2', in_reply_to = 'devis-1' WHERE id = ?`, a2)
	if err := f.e.FileTo(f.ctx, f.user, nil, []int64{a1, a2}, jean); err != nil {
		t.Fatal(err)
	}
	threads, n, err := f.e.Timeline(f.ctx, nil, jean, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range threads[0].Messages {
		ids = append(ids, m.ID)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] })
	if n != 1 || !reflect.DeepEqual(ids, []int64{a2, a1}) {
		t.Errorf("timeline = %+v (%d threads), want one thread of both", threads, n)
	}
	links, _, err := f.e.MessageRecords(f.ctx, nil, a1)
	if err != nil || len(links) != 1 || links[0].RecordID != jean || links[0].Origin != OriginManual {
		t.Errorf("message records = %+v, %v", links, err)
	}
	if count, _ := f.e.ToFileCount(f.ctx, nil); count != 1 {
		t.Errorf("to file = %d, want 1", count)
	}
	if err := f.e.Unfile(f.ctx, f.user, nil, b1, jean); err == nil {
		t.Error("removing a link that does not exist was accepted")
	}
}

// A message sent from a record (its button, a bulk send, an automation) is filed to it as
// "sent", not "manual": nobody filed it by hand. Filing keeps it as it keeps a user's link
// (a re-file does not take it away), and filing it there by hand afterwards makes it manual.
func TestSentFromARecordIsMarkedAndKept(t *testing.T) {
	f := newFixture(t)
	sent := f.store(msg{folder: f.sent, addrs: []string{"from:moi@notre-cabinet.fr", "to:lea@acme.fr"}})
	f.started()
	acme := f.create(f.company, records.Values{"name": "ACME"}) // no domain: no automatic link
	if err := f.e.FileSent(f.ctx, 0, []int64{sent}, acme); err != nil {
		t.Fatal(err)
	}
	origins := func() (string, string) {
		t.Helper()
		links, _, err := f.e.MessageRecords(f.ctx, nil, sent)
		if err != nil || len(links) != 1 || links[0].RecordID != acme {
			t.Fatalf("message records = %+v, %v", links, err)
		}
		threads, _, err := f.e.Timeline(f.ctx, nil, acme, 0, 10)
		if err != nil || len(threads) != 1 || len(threads[0].Messages) != 1 {
			t.Fatalf("timeline = %+v, %v", threads, err)
		}
		return links[0].Origin, threads[0].Messages[0].Origin
	}
	if l, tl := origins(); l != OriginSent || tl != OriginSent {
		t.Fatalf("origins %q (message's records) and %q (timeline), want sent", l, tl)
	}
	f.e.Refile()
	f.eventually("re-file done", func() bool {
		p := f.e.Progress()
		return !p.Running && p.Total > 0 && p.Done == p.Total
	})
	if l, tl := origins(); l != OriginSent || tl != OriginSent {
		t.Fatalf("after a re-file: origins %q and %q, want sent", l, tl)
	}
	if f.state(sent) != StateFiled {
		t.Errorf("state = %s, want filed", f.state(sent))
	}
	if err := f.e.FileTo(f.ctx, f.user, nil, []int64{sent}, acme); err != nil {
		t.Fatal(err)
	}
	if l, tl := origins(); l != OriginManual || tl != OriginManual {
		t.Fatalf("filed by hand afterwards: origins %q and %q, want manual", l, tl)
	}
}

// After an import of 40,000 contacts, the messages of the changed records are found in
// chunks (one query would name more than SQLite's 32,766 variables), each once.
func TestMessagesOfFortyThousandChangedRecords(t *testing.T) {
	f := newFixture(t)
	const n = 40_000
	f.exec(`WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)
		INSERT INTO records(id, type_id, title, title_sort, created_at, updated_at) SELECT 1000 + n, ?, 'c' || n, 'c' || n, 0, 0 FROM i`, n, f.contact)
	f.exec(`INSERT INTO record_emails(email, record_id, is_primary) SELECT 'c' || (id - 1000) || '@acme.fr', id, 1 FROM records WHERE id > 1000`)
	first := f.store(msg{addrs: []string{"from:c1@acme.fr", "to:moi@notre-cabinet.fr"}})
	last := f.store(msg{addrs: []string{"from:c40000@acme.fr", "cc:c2@acme.fr", "to:moi@notre-cabinet.fr"}})
	other := f.store(msg{addrs: []string{"from:personne@ailleurs.fr", "to:moi@notre-cabinet.fr"}})
	f.file(first, last, other) // their parties, and their links to the contacts
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(1001 + i)
	}
	got, err := affected(f.ctx, f.db.R, ids)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	if !reflect.DeepEqual(got, []int64{first, last}) {
		t.Fatalf("messages %v, want %v", got, []int64{first, last})
	}
}

// TestNoticeAfterQuietFiledAtOnce: Settle spaces rounds, it does not delay a notice that
// comes after a quiet while (the end of a sync waited a whole Settle for its last bodies).
func TestNoticeAfterQuietFiledAtOnce(t *testing.T) {
	f := newFixture(t)
	const settle = 3 * time.Second
	var counted atomic.Bool
	f.e = New(Deps{DB: f.db, Emit: func(ev Event) {
		if ev.Progress == nil {
			counted.Store(true) // the first round's end
		}
	}}, Options{Settle: settle})
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.eventually("the first round over", counted.Load)
	time.Sleep(settle + 100*time.Millisecond) // quiet
	id := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	at := time.Now()
	f.e.MessagesStored([]int64{id})
	f.eventually("the message filed", func() bool { return f.state(id) == StateToFile })
	if d := time.Since(at); d >= settle {
		t.Errorf("filed %v after its notice, after a quiet while longer than Settle (%v)", d, settle)
	}
}

// TestNewMailIsFiledWithItsBody: a sync's notice of new headers files nothing (the body
// follows and the decision needs it); the notice of their bodies files them.
func TestNewMailIsFiledWithItsBody(t *testing.T) {
	f := newFixture(t)
	var counted atomic.Bool
	f.e = New(Deps{DB: f.db, Emit: func(ev Event) {
		if ev.Progress == nil {
			counted.Store(true) // the first round (a re-file of everything there) is over
		}
	}}, Options{Settle: time.Millisecond})
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.eventually("the first round over", counted.Load)
	headers := f.store(msg{noBody: true, addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	f.e.Stored(Notice{IDs: []int64{headers}})
	other := f.store(msg{addrs: []string{"from:paul@acme.fr", "to:moi@notre-cabinet.fr"}})
	f.e.Stored(Notice{IDs: []int64{other}, Bodies: true, Drained: true})
	f.eventually("the message with its body filed", func() bool { return f.state(other) == StateToFile })
	if got := f.state(headers); got != "" {
		t.Fatalf("filed at its headers: %q", got)
	}
	if _, err := f.db.W.ExecContext(f.ctx, `UPDATE messages SET body_state = 'done' WHERE id = ?`, headers); err != nil {
		t.Fatal(err)
	}
	f.e.Stored(Notice{IDs: []int64{headers}, Bodies: true})
	f.eventually("the message filed with its body", func() bool { return f.state(headers) == StateToFile })
}

// TestFileNowDoesNotWaitOutSettle: the sync's last batch of bodies (FileNow) is filed at
// once, even right after a round, instead of a whole Settle later.
func TestFileNowDoesNotWaitOutSettle(t *testing.T) {
	f := newFixture(t)
	const settle = 5 * time.Second
	f.e = New(Deps{DB: f.db}, Options{Settle: settle})
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	first := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	f.e.MessagesStored([]int64{first})
	f.eventually("the first message filed", func() bool { return f.state(first) == StateToFile })
	last := f.store(msg{addrs: []string{"from:paul@acme.fr", "to:moi@notre-cabinet.fr"}})
	at := time.Now()
	f.e.MessagesStored([]int64{last})
	f.e.FileNow()
	f.eventually("the last message filed", func() bool { return f.state(last) == StateToFile })
	if d := time.Since(at); d >= settle/2 {
		t.Errorf("filed %v after FileNow: it waited for what remained of Settle (%v)", d, settle)
	}
}

// TestRefileReadAheadNotStale: a re-file reads its next batch while it writes one; when new
// mail of that batch went first meanwhile (its body arrived), the batch is read again and
// does not write back what it read before.
func TestRefileReadAheadNotStale(t *testing.T) {
	f := newFixture(t)
	var ids []int64
	for i := range 4 {
		ids = append(ids, f.store(msg{noBody: true, addrs: []string{fmt.Sprintf("from:inconnu%d@acme.fr", i), "to:moi@notre-cabinet.fr"}}))
	}
	oldest := ids[0] // in the last batch: the re-file goes newest first, two by two
	f.e = New(Deps{DB: f.db}, Options{Settle: time.Millisecond, RefileBatch: 2})
	var hooked atomic.Bool
	var held *sql.Tx
	f.e.afterRead = func(b readBatch) {
		var err error
		switch {
		case slices.Contains(b.set.ids, ids[3]):
			// The writer waits (the store has one writer connection) while the next batch
			// is read.
			if held, err = f.db.W.BeginTx(f.ctx, nil); err != nil {
				t.Error(err)
			}
		case slices.Contains(b.set.ids, oldest) && held != nil:
			// Read with no body; now the body arrives and the sync says so: the writer files
			// it (new mail goes first) before it takes this batch.
			hooked.Store(true)
			if _, err := held.ExecContext(f.ctx, `UPDATE messages SET body_state = 'done' WHERE id = ?`, oldest); err != nil {
				t.Error(err)
			}
			f.e.MessagesStored([]int64{oldest})
			if err := held.Commit(); err != nil {
				t.Error(err)
			}
		}
	}
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.eventually("the re-file over", func() bool { p := f.e.Progress(); return p.Total == 4 && !p.Running })
	if !hooked.Load() {
		t.Fatal("the oldest message's batch was never read ahead")
	}
	if got := f.state(oldest); got != StateToFile {
		t.Errorf("state = %q after the re-file, want %q (the batch wrote what it read before the body)", got, StateToFile)
	}
	for _, id := range ids[1:] {
		if got := f.state(id); got != StateSkipped {
			t.Errorf("message %d: state = %q, want %q (no body yet)", id, got, StateSkipped)
		}
	}
}

// TestRefileReadAheadDecidedAgain: a batch read ahead was decided with the index of that
// moment; a contact created meanwhile makes the writer decide it again.
func TestRefileReadAheadDecidedAgain(t *testing.T) {
	f := newFixture(t)
	var ids []int64
	for i := range 4 {
		ids = append(ids, f.store(msg{addrs: []string{fmt.Sprintf("from:p%d@acme.fr", i), "to:moi@notre-cabinet.fr"}}))
	}
	f.e = New(Deps{DB: f.db}, Options{Settle: time.Millisecond, RefileBatch: 2})
	var lea int64
	f.e.afterRead = func(b readBatch) {
		if !slices.Contains(b.set.ids, ids[0]) || lea != 0 {
			return
		}
		if b.outs == nil {
			t.Error("the batch was not decided ahead")
		}
		// Decided: now the correspondent of its oldest message becomes a contact.
		rec, err := f.r.Create(f.ctx, f.user, f.contact, records.Values{"first_name": "P0", "emails": []any{"p0@acme.fr"}})
		if err != nil {
			t.Error(err)
			return
		}
		lea = rec.ID
		f.e.RecordsChanged([]int64{lea})
	}
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.eventually("the re-file over", func() bool { p := f.e.Progress(); return p.Total == 4 && !p.Running })
	if lea == 0 {
		t.Fatal("the oldest message's batch was never read ahead")
	}
	if got := f.links(ids[0]); !reflect.DeepEqual(got, autoLinks(lea)) {
		t.Errorf("links = %v, want the contact created while its batch waited", got)
	}
}

// TestRefileReadAheadPanic: a bug in the read-ahead's goroutine fails the re-file (as one in
// the engine's goroutine does), it does not take the app down; the engine goes on.
func TestRefileReadAheadPanic(t *testing.T) {
	f := newFixture(t)
	id := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	f.e = New(Deps{DB: f.db}, Options{Settle: time.Millisecond})
	var once atomic.Bool
	f.e.afterRead = func(readBatch) {
		if once.CompareAndSwap(false, true) {
			panic("boom")
		}
	}
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.eventually("the re-file over", func() bool { p := f.e.Progress(); return p.Total == 1 && !p.Running })
	if got := f.state(id); got != "" {
		t.Errorf("state = %q after a failed re-file", got)
	}
	f.e.MessagesStored([]int64{id})
	f.eventually("the message filed after all", func() bool { return f.state(id) == StateToFile })
}

// TestRecordsChangedReportsProgress: a new contact's past mail is filed again in the
// background with progress events, as a re-file of everything is (the UI shows them):
// started at once, the total once the messages are known, each batch, and the end at
// done == total.
func TestRecordsChangedReportsProgress(t *testing.T) {
	f := newFixture(t)
	var mail []int64
	for range 5 {
		mail = append(mail, f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}}))
	}
	f.store(msg{addrs: []string{"from:paul@ailleurs.fr", "to:moi@notre-cabinet.fr"}})
	var mu sync.Mutex
	var got []Progress
	var counted atomic.Bool
	f.e = New(Deps{DB: f.db, Emit: func(ev Event) {
		switch {
		case ev.Progress == nil:
			counted.Store(true) // the first round (a re-file of everything there) is over
		case ev.Progress.Kind == ProgressRecords:
			mu.Lock()
			got = append(got, *ev.Progress)
			mu.Unlock()
		}
	}}, Options{Settle: time.Millisecond, Batch: 2})
	f.r = records.New(f.db, records.Options{Changed: func(ch records.Change) { f.e.RecordsChanged(ch.IDs) }})
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.eventually("the first round over", counted.Load)
	mu.Lock()
	if len(got) != 0 {
		t.Errorf("progress of changed records before any changed: %+v", got)
	}
	mu.Unlock()

	lea := f.create(f.contact, records.Values{"first_name": "Léa", "emails": []any{"lea@acme.fr"}})
	f.eventually("the re-file of the contact's mail over", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0 && !got[len(got)-1].Running
	})
	mu.Lock()
	defer mu.Unlock()
	want := []Progress{
		{Kind: ProgressRecords, Running: true, Records: 1},                     // at once
		{Kind: ProgressRecords, Running: true, Records: 1, Total: 5},           // the messages known
		{Kind: ProgressRecords, Running: true, Records: 1, Done: 2, Total: 5},  // each batch of two
		{Kind: ProgressRecords, Running: true, Records: 1, Done: 4, Total: 5},  //
		{Kind: ProgressRecords, Running: true, Records: 1, Done: 5, Total: 5},  //
		{Kind: ProgressRecords, Running: false, Records: 1, Done: 5, Total: 5}, // over
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress\n got %+v\nwant %+v", got, want)
	}
	for _, id := range mail {
		if l := f.links(id); !reflect.DeepEqual(l, autoLinks(lea)) {
			t.Errorf("message %d: links = %v, want the new contact", id, l)
		}
	}
	if p := f.e.Progress(); p.Kind != ProgressAll || p.Total != 6 {
		t.Errorf("Progress() = %+v, want the first run's re-file of all mail (it is not the records')", p)
	}
}

// TestImportedContactsReportProgress: a contact imported with 40,000 others (through the
// real import, which changes them all in one write: one records.Options.Changed) has its
// mail filed with progress like any other, its messages found chunk by chunk.
func TestImportedContactsReportProgress(t *testing.T) {
	f := newFixture(t)
	const n = 40_000
	lea := f.store(msg{addrs: []string{"from:c1234@acme.fr", "to:moi@notre-cabinet.fr"}})
	last := make(chan Progress, 1)
	var counted atomic.Bool
	f.e = New(Deps{DB: f.db, Emit: func(ev Event) {
		switch {
		case ev.Progress == nil:
			counted.Store(true)
		case ev.Progress.Kind == ProgressRecords && !ev.Progress.Running:
			last <- *ev.Progress
		}
	}}, Options{Settle: time.Millisecond})
	f.r = records.New(f.db, records.Options{Changed: func(ch records.Change) { f.e.RecordsChanged(ch.IDs) }})
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.eventually("the first round over", counted.Load)
	var csv strings.Builder
	csv.WriteString("Prénom;Nom;E-mail\n")
	for i := range n {
		fmt.Fprintf(&csv, "C%d;Dupont;c%d@acme.fr\n", i, i)
	}
	src := records.ImportSource{Name: "contacts.csv", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(csv.String())), nil
	}}
	res, err := f.r.Import(f.ctx, f.user, src, int64(csv.Len()), records.ImportSettings{TypeID: f.contact,
		Columns: []string{records.ContactFirstName, records.ContactLastName, records.ContactEmails}}, records.Run{}, nil)
	if err != nil || res.Created != n {
		t.Fatalf("import: %+v, %v", res, err)
	}
	select {
	case p := <-last:
		if p.Records != n || p.Total != 1 || p.Done != 1 || p.Cancelled {
			t.Errorf("progress at its end = %+v, want the %d records and their one message", p, n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no progress of the imported records' mail")
	}
	if l := f.links(lea); len(l) != 1 {
		t.Errorf("links = %v, want the imported contact", l)
	}
}

// TestCancelRefile: Stop during a re-file of all mail stops it between two batches; what
// was filed stays, the state says cancelled and not running, and a later re-file goes to
// its end.
func TestCancelRefile(t *testing.T) {
	f := newFixture(t)
	var mail []int64
	for i := range 6 {
		mail = append(mail, f.store(msg{addrs: []string{fmt.Sprintf("from:p%d@acme.fr", i), "to:moi@notre-cabinet.fr"}}))
	}
	if err := f.db.SetSetting(f.ctx, refileVersionKey, refileVersion); err != nil { // no first run
		t.Fatal(err)
	}
	// The first batch's progress holds the engine until the test has pressed Stop, from
	// its own goroutine as the UI would.
	firstBatch, stopped := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.e = New(Deps{DB: f.db, Emit: func(ev Event) {
		if p := ev.Progress; p != nil && p.Kind == ProgressAll && p.Running && p.Done > 0 {
			once.Do(func() {
				close(firstBatch)
				<-stopped
			})
		}
	}}, Options{Settle: time.Millisecond, RefileBatch: 2})
	if err := f.e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	f.e.Refile()
	select {
	case <-firstBatch:
	case <-time.After(10 * time.Second):
		t.Fatal("the re-file never wrote a batch")
	}
	f.e.CancelRefile()
	close(stopped)
	f.eventually("the re-file stopped", func() bool { return !f.e.Progress().Running })
	if p := f.e.Progress(); p != (Progress{Kind: ProgressAll, Done: 2, Total: 6, Cancelled: true}) {
		t.Errorf("progress = %+v, want cancelled after the first batch of two", p)
	}
	for i, id := range mail {
		want := ""  // never filed
		if i >= 4 { // newest first: the first batch
			want = StateToFile
		}
		if got := f.state(id); got != want {
			t.Errorf("message %d: state = %q, want %q", i, got, want)
		}
	}

	f.e.Refile()
	f.eventually("the next re-file over", func() bool {
		p := f.e.Progress()
		return !p.Running && p.Done == 6
	})
	if p := f.e.Progress(); p != (Progress{Kind: ProgressAll, Done: 6, Total: 6}) {
		t.Errorf("progress = %+v, want the whole re-file", p)
	}
	for i, id := range mail {
		if got := f.state(id); got != StateToFile {
			t.Errorf("message %d: state = %q after the next re-file, want %q", i, got, StateToFile)
		}
	}
}
