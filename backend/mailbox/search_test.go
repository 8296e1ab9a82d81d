package mailbox_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"mailroom/backend/mailbox"
)

func TestFTSQueryQuotesEveryWordAsAPrefix(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"one word", "factur", `"factur"*`},
		{"words are all required", "Invoice March", `"Invoice"* "March"*`},
		{"punctuation separates", "jean-pierre@shop.fr", `"jean"* "pierre"* "shop"* "fr"*`},
		{"accents are kept (the index folds them)", "été", `"été"*`},
		{"a quote is no syntax", `"unterminated`, `"unterminated"*`},
		{"NEAR is a word", "NEAR(a b)", `"NEAR"* "a"* "b"*`},
		{"a column filter is not one", "subject:secret", `"subject"* "secret"*`},
		{"operators are words", "a OR b AND NOT c", `"a"* "OR"* "b"* "AND"* "NOT"* "c"*`},
		{"only punctuation", `*:-^"()`, ``},
		{"empty", "  ", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mailbox.FTSQuery(tc.in); got != tc.want {
				t.Fatalf("FTSQuery(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// searchWorld is one account with a handful of messages written for search.
func searchWorld(t *testing.T) (*fixture, []int64, map[string]int64) {
	f := newFixture(t)
	acc := f.account(t, "me@example.test")
	inbox := f.folder(t, acc, "INBOX", "inbox")
	now := time.Now().Unix()
	named := map[string]*msg{
		"subject":  {subject: "Facturation de mars", body: "Bonjour, voir ci-joint.", fromEmail: "compta@shop.fr"},
		"body":     {subject: "Bonjour", body: "La facturation est en retard, merci de régler.", fromEmail: "alice@example.fr"},
		"accent":   {subject: "Vacances", body: "Nous serons fermés cet été.", fromEmail: "bob@example.fr"},
		"address":  {subject: "Question", body: "Une question.", fromEmail: "facturation@fournisseur.fr"},
		"nothing":  {subject: "Lunch", body: "Pizza on Friday?", fromEmail: "carol@example.org"},
		"operator": {subject: "NEAR miss", body: `He said "subject:secret" AND left -- * ^`, fromEmail: "dave@example.org"},
	}
	ids := map[string]int64{}
	i := 0
	var ms []*msg
	for _, name := range []string{"subject", "body", "accent", "address", "nothing", "operator"} {
		m := named[name]
		i++
		m.account, m.folder, m.uid, m.date, m.to = acc, inbox, i, now-int64(i)*60, "me@example.test"
		ms = append(ms, m)
	}
	f.add(t, ms...)
	for name, m := range named {
		ids[name] = m.id
	}
	return f, []int64{acc}, ids
}

func hitIDs(hits []mailbox.Hit) []int64 {
	var out []int64
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearchFindsWordsByPrefixInSubjectAddressesAndBody(t *testing.T) {
	f, visible, ids := searchWorld(t)
	cases := []struct {
		name  string
		query string
		want  []string // any order
	}{
		{"a prefix of a word of the body", "retar", []string{"body"}},
		{"a whole word of the body", "pizza", []string{"nothing"}},
		{"a prefix in subject, body and address", "factur", []string{"subject", "body", "address"}},
		{"without its accent", "ete", []string{"accent"}},
		{"with its accent", "été", []string{"accent"}},
		{"case does not matter", "FACTURATION", []string{"subject", "body", "address"}},
		{"two words must both match", "facturation retard", []string{"body"}},
		{"no match", "zzzz", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := f.mb.Search(ctx, mailbox.Query{AccountIDs: visible, Search: tc.query}, false)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, n := range tc.want {
				want = append(want, ids[n])
			}
			got := hitIDs(hits)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("Search(%q) = %v, want %v", tc.query, got, want)
			}
		})
	}
}

func TestSearchRanksASubjectMatchAboveABodyMatch(t *testing.T) {
	f, visible, ids := searchWorld(t)
	hits, err := f.mb.Search(ctx, mailbox.Query{AccountIDs: visible, Search: "facturation"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || hits[0].ID != ids["subject"] || hits[2].ID != ids["body"] {
		t.Fatalf("ranking = %v (subject %d, address %d, body %d)", hitIDs(hits), ids["subject"], ids["address"], ids["body"])
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Rank < hits[i-1].Rank {
			t.Fatalf("hits not ordered by rank: %v", hits)
		}
	}
	body := hits[2].Highlight
	if !strings.Contains(body, mailbox.MarkStart+"facturation"+mailbox.MarkEnd) {
		t.Errorf("the body hit's highlight %q does not mark the word", body)
	}
	if !strings.Contains(hits[0].Highlight, mailbox.MarkStart+"Facturation"+mailbox.MarkEnd) {
		t.Errorf("the subject hit's highlight %q does not mark the word", hits[0].Highlight)
	}
}

func TestSearchTreatsFTSSyntaxAsWords(t *testing.T) {
	f, visible, ids := searchWorld(t)
	cases := []struct {
		query string
		want  []string
	}{
		{`"`, nil},
		{`subject:secret`, []string{"operator"}},
		{`NEAR(miss left)`, []string{"operator"}},
		{`near`, []string{"operator"}},
		{`-left`, []string{"operator"}},
		{`*`, nil},
		{`left AND said`, []string{"operator"}},
		{`"he said`, []string{"operator"}},
		{`^said`, []string{"operator"}},
		{`'); DROP TABLE messages; --`, nil},
		{`pizza OR facturation`, nil}, // OR is a word the message must contain
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			hits, err := f.mb.Search(ctx, mailbox.Query{AccountIDs: visible, Search: tc.query}, true)
			if err != nil {
				t.Fatalf("Search(%q): %v", tc.query, err)
			}
			rows, _, err := f.mb.List(ctx, mailbox.Query{AccountIDs: visible, Search: tc.query})
			if err != nil {
				t.Fatalf("List(%q): %v", tc.query, err)
			}
			var want []int64
			for _, n := range tc.want {
				want = append(want, ids[n])
			}
			got := hitIDs(hits)
			if !slices.Equal(got, want) {
				t.Fatalf("Search(%q) = %v, want %v", tc.query, got, want)
			}
			if len(rows) != len(want) {
				t.Fatalf("List(%q) = %d rows, want %d", tc.query, len(rows), len(want))
			}
		})
	}
	// The table is still there.
	if n, err := f.mb.Count(ctx, mailbox.Query{AccountIDs: visible}); err != nil || n != 6 {
		t.Fatalf("after the hostile queries: %d messages, %v", n, err)
	}
}

func TestGetReturnsTheWholeMessage(t *testing.T) {
	f, visible, ids := searchWorld(t)
	id := ids["body"]
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE message_bodies SET html = '<p onclick="x()">La facturation</p>' WHERE message_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE messages SET problems = 'bad_charset truncated', message_id = 'abc@shop.fr', keywords = '$Label1 Work' WHERE id = ?`, id); err != nil {
			return err
		}
		for _, a := range []struct {
			path, name string
			inline     bool
		}{{"10", "late.pdf", false}, {"2", "logo.png", true}, {"1.3", "notes.txt", false}} {
			if _, err := tx.Exec(`INSERT INTO attachments(message_id, part_path, filename, content_type, size, inline) VALUES (?, ?, ?, 'application/octet-stream', 12, ?)`,
				id, a.path, a.name, a.inline); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, 'cc', 0, 'Zoé', 'zoe@example.fr'), (?, 'cc', 1, '', 'yann@example.fr')`, id, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.mb.Get(ctx, visible, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Bonjour" || m.FolderRole != "inbox" || m.FolderName != "INBOX" || m.MessageID != "abc@shop.fr" {
		t.Errorf("headers: %+v", m)
	}
	if !strings.Contains(m.Text, "facturation est en retard") || m.HTML != `<p onclick="x()">La facturation</p>` {
		t.Errorf("bodies: text %q, html %q (the HTML must come back as stored)", m.Text, m.HTML)
	}
	if len(m.From) != 1 || m.From[0].Email != "alice@example.fr" || len(m.Cc) != 2 || m.Cc[0].Name != "Zoé" || m.Cc[1].Email != "yann@example.fr" {
		t.Errorf("addresses: from %+v cc %+v", m.From, m.Cc)
	}
	var paths []string
	for _, a := range m.Attachments {
		paths = append(paths, a.PartPath)
	}
	if fmt.Sprint(paths) != "[1.3 2 10]" || !m.Attachments[1].Inline {
		t.Errorf("attachments: %+v", m.Attachments)
	}
	if fmt.Sprint(m.Problems) != "[bad_charset truncated]" || fmt.Sprint(m.Keywords) != "[$Label1 Work]" {
		t.Errorf("problems %v, keywords %v", m.Problems, m.Keywords)
	}
}

func TestRemoteImagesAreAllowedPerSender(t *testing.T) {
	f := newFixture(t)
	for _, step := range []struct {
		do    func() error
		email string
		want  bool
	}{
		{nil, "news@shop.fr", false},
		{func() error { return f.mb.AllowRemote(ctx, "news@shop.fr", 0) }, "NEWS@shop.fr", true},
		{func() error { return f.mb.AllowRemote(ctx, "news@shop.fr", 0) }, "news@shop.fr", true}, // twice is fine
		{nil, "other@shop.fr", false},
		{func() error { return f.mb.DisallowRemote(ctx, "news@shop.fr") }, "news@shop.fr", false},
	} {
		if step.do != nil {
			if err := step.do(); err != nil {
				t.Fatal(err)
			}
		}
		ok, err := f.mb.RemoteAllowed(ctx, step.email)
		if err != nil || ok != step.want {
			t.Fatalf("RemoteAllowed(%s) = %v, %v; want %v", step.email, ok, err, step.want)
		}
	}
	if err := f.mb.AllowRemote(ctx, "not an address", 0); err == nil {
		t.Fatal("AllowRemote accepted a non-address")
	}
}
