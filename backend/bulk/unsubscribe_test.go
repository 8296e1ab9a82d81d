package bulk_test

import (
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/bulk"
	"mailroom/backend/records"
)

func TestIsUnsubscribeRequest(t *testing.T) {
	for _, c := range []struct {
		subject, text string
		want          bool
	}{
		{"unsubscribe", "", true},
		{"Re: Unsubscribe", "", true},
		{"RE : Désinscription", "", true},
		{"Relance : facture F-001", "Se désabonner.\n\nMerci", true},
		{"Relance : facture F-001", "\n  UNSUBSCRIBE  \n> Bonjour", true},
		{"Relance : facture F-001", "Merci, je paierai demain.\nunsubscribe", false},
		{"Comment se désabonner de la newsletter ?", "", false},
		{"", "", false},
	} {
		if got := bulk.IsUnsubscribeRequest(c.subject, c.text); got != c.want {
			t.Errorf("%q / %q: %v, want %v", c.subject, c.text, got, c.want)
		}
	}
}

func TestUnsubscribeReplySuggestsDoNotEmailUntilSet(t *testing.T) {
	f := newFixture(t)
	acc := f.account(t, "factures@example.test", "x",
		accounts.Server{Host: "smtp.example.test", Port: 587, Security: accounts.StartTLS, Username: "f"},
		accounts.Server{Host: "imap.example.test", Port: 993, Security: accounts.TLS, Username: "f"})
	c, err := f.r.Create(ctx, f.user, f.contact.ID, records.Values{"first_name": "Élise", "emails": []any{"elise@client.test"}})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(subject, from, to, text string) int64 {
		res, err := f.db.W.Exec(`INSERT INTO messages(account_id, subject, from_email) VALUES (?, ?, ?)`, acc.ID, subject, from)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := f.db.W.Exec(`INSERT INTO message_addresses(message_id, kind, position, email) VALUES (?, 'to', 0, ?)`, id, to); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.W.Exec(`INSERT INTO message_bodies(message_id, text) VALUES (?, ?)`, id, text); err != nil {
			t.Fatal(err)
		}
		return id
	}
	b := bulk.New(bulk.Deps{DB: f.db, Records: f.r, Templates: f.tpl, Accounts: f.reg}, bulk.Options{})
	asks := msg("Re: Relance", "elise@client.test", acc.Email, "Désinscription\n> Bonjour")
	other := msg("Re: Relance", "elise@client.test", acc.Email, "Je paie demain.")
	elsewhere := msg("unsubscribe", "elise@client.test", "someone@else.test", "")
	stranger := msg("unsubscribe", "nobody@client.test", acc.Email, "")

	u, ok, err := b.UnsubscribeRequest(ctx, asks)
	if err != nil || !ok || u.ContactID != c.ID || u.Email != "elise@client.test" {
		t.Fatalf("the request: %+v %v %v", u, ok, err)
	}
	for _, id := range []int64{other, elsewhere, stranger} {
		if _, ok, err := b.UnsubscribeRequest(ctx, id); ok || err != nil {
			t.Fatalf("message %d offers to unsubscribe (%v)", id, err)
		}
	}
	// Only a suggestion: nothing changed yet.
	d, _ := f.r.Get(ctx, c.ID)
	if v, _ := d.Values[records.ContactDoNotEmail].(bool); v {
		t.Fatal("do not email set before the click")
	}
	if err := b.StopEmailing(ctx, f.user, c.ID); err != nil {
		t.Fatal(err)
	}
	d, _ = f.r.Get(ctx, c.ID)
	if v, _ := d.Values[records.ContactDoNotEmail].(bool); !v {
		t.Fatal("do not email not set")
	}
	if _, ok, _ := b.UnsubscribeRequest(ctx, asks); ok {
		t.Fatal("still offered once set")
	}
}
