package api

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/message"
	"mailroom/backend/users"
)

// TestCollaboratorsSendThroughASharedAccountWithTheirOwnDefaultSignature: the owner connects
// the shared contact@ mailbox (and another one), writes two signatures with merge tags,
// grants contact@ to Sophie and Marc with each one's default signature; each composes
// through contact@ as the composer does (ComposeSetup, then Send with the default) and the
// two messages that arrive through the real Postfix carry each sender's own signature,
// filled with their own profile, in both parts.
func TestCollaboratorsSendThroughASharedAccountWithTheirOwnDefaultSignature(t *testing.T) {
	env := testenv.Mail(t)
	shared, other, peer := env.NewUser(t), env.NewUser(t), env.NewUser(t)
	secret, _ := testenv.NewMessage("banque@example.org", other.Address, "Relevé confidentiel", "Le relevé du mois.")
	env.Deliver(t, secret, "banque@example.org", other.Address)
	h := newHarness(t)
	ctx := context.Background()
	profiles := map[string]ProfileInput{
		"sophie": {Name: "Sophie Martin", Title: "Comptable", Phone: "+33 1 23 45 67 89", Language: "fr"},
		"marc":   {Name: "Marc <Dupont> & fils", Title: "Commercial", Phone: "06 11 22 33 44", Language: "fr"},
	}
	for who, p := range profiles {
		u, err := h.b.Users.Create(ctx, users.NewUser{Name: who, Email: who + "@shop.test", Role: users.Collaborator, Language: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		h.users[who] = u.ID
		h.as(t, who)
		if _, err := h.svcs.Session.UpdateProfile(p); err != nil {
			t.Fatal(err)
		}
	}

	h.as(t, super)
	contact := connectMailbox(t, h, env, shared, "Contact")
	factures, err := h.svcs.Accounts.Create(AccountInput{Name: "Factures", Email: other.Address,
		IMAP: ServerDTO{Host: contact.IMAP.Host, Port: contact.IMAP.Port, Security: "tls", Username: other.Address}, SMTP: ServerDTO{Host: contact.SMTP.Host, Port: contact.SMTP.Port, Security: "starttls", Username: other.Address}}, other.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	sign := func(name, html string) SignatureDTO {
		s, err := h.svcs.Accounts.SaveSignature(SignatureInput{AccountID: contact.ID, Name: name, HTML: html})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	compta := sign("Compta", `<p><b>{{user.name}}</b> — {{user.title}}<br>Tél. {{user.phone}}</p><p><img src="https://cdn.shop.test/logo.png" alt="Boutique"></p>`)
	vente := sign("Ventes", `<p>{{user.name}}, {{user.title}} — service commercial<br>{{user.phone}}</p>`)
	for who, sig := range map[string]int64{"sophie": compta.ID, "marc": vente.ID} {
		if err := h.svcs.Accounts.Grant(contact.ID, h.users[who]); err != nil {
			t.Fatal(err)
		}
		if err := h.svcs.Accounts.SetDefaults(contact.ID, h.users[who], true, sig); err != nil {
			t.Fatal(err)
		}
	}
	// factures@'s mail is synced and the owner reads it.
	var secretID int64
	for deadline := time.Now().Add(20 * time.Second); secretID == 0; time.Sleep(100 * time.Millisecond) {
		p, err := h.svcs.Mail.List(MailQueryDTO{Search: "confidentiel"})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) == 1 {
			secretID = p.Rows[0].ID
		}
		if time.Now().After(deadline) {
			t.Fatal("factures@'s message was not synced")
		}
	}
	grants, err := h.svcs.Accounts.Grants(contact.ID)
	if err != nil || len(grants) != 3 {
		t.Fatalf("grants of contact@: %+v, %v", grants, err)
	}

	sent := map[string]string{} // who → subject
	for _, who := range []string{"sophie", "marc"} {
		h.as(t, who)
		// She sees only the account granted to her.
		list, err := h.svcs.Accounts.List()
		if err != nil || len(list) != 1 || list[0].ID != contact.ID {
			t.Fatalf("%s's accounts: %+v, %v", who, list, err)
		}
		setup, err := h.svcs.Mail.ComposeSetup()
		if err != nil {
			t.Fatal(err)
		}
		if len(setup) != 1 || setup[0].AccountID != contact.ID || !setup[0].Default || len(setup[0].Signatures) != 2 {
			t.Fatalf("%s's compose setup: %+v", who, setup)
		}
		// The preview is rendered for her, in a document with its own policy.
		for _, s := range setup[0].Signatures {
			if !strings.Contains(s.Document, "Content-Security-Policy") || !strings.Contains(s.Document, profiles[who].Title) {
				t.Errorf("preview of %s: %s", s.Name, s.Document)
			}
		}
		// Another account's mail, sync or sending stay out of reach.
		if p, err := h.svcs.Mail.List(MailQueryDTO{Search: "confidentiel"}); err != nil || len(p.Rows) != 0 {
			t.Errorf("%s's inbox search finds factures@'s mail: %+v, %v", who, p.Rows, err)
		}
		if p, err := h.svcs.Mail.List(MailQueryDTO{AccountID: factures.ID}); err != nil || len(p.Rows) != 0 {
			t.Errorf("%s lists factures@'s inbox: %+v, %v", who, p.Rows, err)
		}
		if _, err := h.svcs.Mail.Get(secretID, false); err == nil {
			t.Errorf("%s reads factures@'s message", who)
		}
		if err := h.svcs.Sync.Now(factures.ID); !errAccountNotGranted.Is(err) {
			t.Errorf("%s syncing factures@: %v", who, err)
		}
		if _, err := h.svcs.Mail.Send(SendInput{AccountID: factures.ID, To: []AddressDTO{{Email: peer.Address}}, Subject: "x", Text: "x"}); !errAccountNotGranted.Is(err) {
			t.Errorf("%s sending through factures@: %v", who, err)
		}
		if _, err := h.svcs.Accounts.Signatures(factures.ID); !errAccountNotGranted.Is(err) {
			t.Errorf("%s reading factures@'s signatures: %v", who, err)
		}
		subject := "Devis " + who + " " + testenv.UniqueID()
		sent[who] = subject
		if _, err := h.svcs.Mail.Send(SendInput{AccountID: setup[0].AccountID, To: []AddressDTO{{Email: peer.Address}},
			Subject: subject, Text: "Bonjour,\nvoici le devis.", SignatureID: setup[0].SignatureID}); err != nil {
			t.Fatal(err)
		}
	}

	got := fetchAll(t, env, peer, 2)
	want := map[string][]string{
		"sophie": {"<b>Sophie Martin</b> — Comptable", "Tél. +33 1 23 45 67 89", `src="https://cdn.shop.test/logo.png"`},
		"marc":   {"Marc &lt;Dupont&gt; &amp; fils, Commercial — service commercial", "06 11 22 33 44"},
	}
	wantText := map[string]string{
		"sophie": "Sophie Martin — Comptable",
		"marc":   "Marc <Dupont> & fils, Commercial — service commercial",
	}
	for who, subject := range sent {
		m, ok := got[subject]
		if !ok {
			t.Fatalf("%s's message did not arrive (got %d)", who, len(got))
		}
		if len(m.From) != 1 || m.From[0].Email != shared.Address {
			t.Errorf("%s's message is from %v", who, m.From)
		}
		for _, w := range want[who] {
			if !strings.Contains(m.HTML, w) {
				t.Errorf("%s's HTML part lacks %q:\n%s", who, w, m.HTML)
			}
		}
		if !strings.HasPrefix(m.Text, "Bonjour,\nvoici le devis.\n\n-- \n") || !strings.Contains(m.Text, wantText[who]) {
			t.Errorf("%s's text part:\n%s", who, m.Text)
		}
		// Each carries only their own signature.
		otherWho := map[string]string{"sophie": "marc", "marc": "sophie"}[who]
		if strings.Contains(m.HTML, profiles[otherWho].Title) {
			t.Errorf("%s's message carries %s's signature:\n%s", who, otherWho, m.HTML)
		}
	}
}

// fetchAll waits for n messages in u's inbox and returns them parsed, by subject.
func fetchAll(t *testing.T, env *testenv.Env, u testenv.User, n int) map[string]*message.Message {
	t.Helper()
	c, err := imapclient.DialTLS(env.IMAPSAddr, &imapclient.Options{TLSConfig: env.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(u.Address, u.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	out := map[string]*message.Message{}
	for deadline := time.Now().Add(30 * time.Second); len(out) < n; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages arrived", len(out), n)
		}
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if sel.NumMessages < uint32(n) {
			continue
		}
		msgs, err := c.Fetch(imap.SeqSetNum(1, uint32(n)), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range msgs {
			if len(x.BodySection) != 1 {
				continue
			}
			m, err := message.Parse(bytes.NewReader(x.BodySection[0].Bytes), message.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			out[m.Subject] = m
		}
	}
	return out
}
