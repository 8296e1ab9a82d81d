package api

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/message"
)

// TestTheInboxShowsSyncedMailSafely connects a real Dovecot mailbox through the API, lets
// the sync engine fill the store, and reads it as the inbox does: the list, a search by a
// word of a body, an HTML message with its remote image blocked then allowed, and a flag
// change that reaches the server's copy.
func TestTheInboxShowsSyncedMailSafely(t *testing.T) {
	env := testenv.Mail(t)
	u := env.NewUser(t)
	for i := 0; i < 5; i++ {
		msg, _ := testenv.NewMessage("client@example.org", u.Address, fmt.Sprintf("Facture %d", i), fmt.Sprintf("Bonjour, voici la facture numéro %d.", i))
		env.Deliver(t, msg, "client@example.org", u.Address)
	}
	html := "From: Newsletter <news@example.org>\r\nTo: " + u.Address + "\r\nSubject: Nouveautés\r\nMessage-ID: <html-" + testenv.UniqueID() + "@example.org>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<p onclick="alert(1)">Découvrez zéphyrine42 <img src="http://127.0.0.1:9/pixel.png"><script>window.parent.go.api.Users.Remove(1)</script></p>` + "\r\n"
	env.Deliver(t, []byte(html), "news@example.org", u.Address)

	h := newHarness(t)
	h.as(t, admin)
	acc := connectMailbox(t, h, env, u, "Boutique")
	var err error

	var page MailPageDTO
	deadline := time.Now().Add(20 * time.Second)
	for {
		page, err = h.svcs.Mail.List(MailQueryDTO{FolderRole: "inbox"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox holds %d of 6 messages after 20 s", len(page.Rows))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if page.Rows[0].AccountID != acc.ID {
		t.Fatalf("row account = %d", page.Rows[0].AccountID)
	}

	// Search finds the HTML message by a prefix of a word of its body, once bodies are in.
	var hit MailPageDTO
	for deadline = time.Now().Add(20 * time.Second); ; {
		hit, _ = h.svcs.Mail.List(MailQueryDTO{Search: "zéphyr"})
		if len(hit.Rows) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(hit.Rows) != 1 || hit.Rows[0].Subject != "Nouveautés" {
		t.Fatalf("search zéphyr = %+v", hit.Rows)
	}

	view, err := h.svcs.Mail.Get(hit.Rows[0].ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if !view.IsHTML || !view.RemoteBlocked || view.RemoteImages != 1 {
		t.Fatalf("view = html %v blocked %v images %d", view.IsHTML, view.RemoteBlocked, view.RemoteImages)
	}
	for _, bad := range []string{"<script", "onclick", "127.0.0.1:9", "window.parent"} {
		if strings.Contains(view.Document, bad) {
			t.Fatalf("the document shown holds %q:\n%s", bad, view.Document)
		}
	}
	if !strings.Contains(view.Document, "Content-Security-Policy") || !strings.Contains(view.Document, "zéphyrine42") {
		t.Fatalf("document lacks its policy or its text:\n%s", view.Document)
	}
	shown, err := h.svcs.Mail.Get(hit.Rows[0].ID, true)
	if err != nil || shown.RemoteBlocked || !strings.Contains(shown.Document, "127.0.0.1:9/pixel.png") {
		t.Fatalf("with images allowed: blocked=%v err=%v", shown.RemoteBlocked, err)
	}

	// Flags: the row changes at once.
	if err := h.svcs.Mail.SetFlags([]int64{hit.Rows[0].ID}, "flagged", true); err != nil {
		t.Fatal(err)
	}
	if v, _ := h.svcs.Mail.Get(hit.Rows[0].ID, false); !v.Flagged {
		t.Fatal("the message is not flagged after SetFlags")
	}

	// A collaborator without access sees nothing of it.
	h.as(t, collab)
	if p, _ := h.svcs.Mail.List(MailQueryDTO{}); len(p.Rows) != 0 {
		t.Fatalf("a collaborator without access sees %d messages", len(p.Rows))
	}
	if _, err := h.svcs.Mail.Get(hit.Rows[0].ID, false); err == nil {
		t.Fatal("a collaborator without access read a message")
	}
}

// TestAFolderCanBeChosenForSync turns a server folder on and off through the API: its
// mail arrives, then its local copy goes (the server keeps it); the inbox cannot be
// turned off, and a collaborator without access to the account cannot touch it.
func TestAFolderCanBeChosenForSync(t *testing.T) {
	env := testenv.Mail(t)
	u := env.NewUser(t)
	c, err := imapclient.DialTLS(env.IMAPSAddr, &imapclient.Options{TLSConfig: env.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(u.Address, u.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Projets", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msg, _ := testenv.NewMessage("archi@example.org", u.Address, "Plans du chantier", "Les plans sont prêts.")
	app := c.Append("Projets", int64(len(msg)), nil)
	if _, err := app.Write(msg); err != nil {
		t.Fatal(err)
	}
	app.Close()
	if _, err := app.Wait(); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t)
	h.as(t, admin)
	connectMailbox(t, h, env, u, "Atelier")
	folder := func(name string) FolderDTO {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			fs, err := h.svcs.Mail.Folders()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.Name == name {
					return f
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no folder %q among %+v", name, fs)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	projets, inbox := folder("Projets"), folder("INBOX")
	if projets.Enabled {
		t.Fatal("a folder other than INBOX and Sent is synced without being chosen")
	}
	count := func() int {
		p, err := h.svcs.Mail.List(MailQueryDTO{FolderID: projets.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Rows)
	}

	h.as(t, collab)
	if err := h.svcs.Sync.SetFolderSynced(projets.ID, true); fault.CodeOf(err) != fault.NotFound {
		t.Fatalf("a collaborator without access: %v", err)
	}
	h.as(t, admin)
	if err := h.svcs.Sync.SetFolderSynced(inbox.ID, false); fault.CodeOf(err) != fault.InvalidInput {
		t.Fatalf("turning the inbox off: %v", err)
	}
	if err := h.svcs.Sync.SetFolderSynced(projets.ID, true); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); count() != 1; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the chosen folder's message did not arrive")
		}
	}
	if err := h.svcs.Sync.SetFolderSynced(projets.ID, false); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 || folder("Projets").Enabled {
		t.Fatalf("after turning it off: %d messages kept", n)
	}
	if err := h.svcs.Sync.SetFolderSynced(999999, true); fault.CodeOf(err) != fault.NotFound {
		t.Fatalf("an unknown folder: %v", err)
	}
}

// TestAReplyQuotesTheOriginalInTheUsersLanguageInBothParts prepares a reply to an HTML
// message for a French-speaking user and sends it through Postfix: the draft's lines are
// French, and the message that arrives carries the quote in its HTML part and, as text,
// in its text part.
func TestAReplyQuotesTheOriginalInTheUsersLanguageInBothParts(t *testing.T) {
	env := testenv.Mail(t)
	u, peer := env.NewUser(t), env.NewUser(t)
	html := "From: Chantier <" + peer.Address + ">\r\nTo: " + u.Address + "\r\nSubject: Planning\r\nMessage-ID: <plan-" + testenv.UniqueID() + "@example.org>\r\n" +
		"Date: Tue, 04 Mar 2025 09:15:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Livraison des poutres jeudi.</p>\r\n"
	env.Deliver(t, []byte(html), peer.Address, u.Address)

	h := newHarness(t)
	h.as(t, admin)
	if err := h.svcs.Session.SetLanguage("fr"); err != nil {
		t.Fatal(err)
	}
	h.as(t, admin) // the caller is read again, with its language
	acc := connectMailbox(t, h, env, u, "Atelier")
	var id int64
	for deadline := time.Now().Add(20 * time.Second); id == 0; time.Sleep(100 * time.Millisecond) {
		p, err := h.svcs.Mail.List(MailQueryDTO{Search: "poutres"})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) == 1 {
			id = p.Rows[0].ID
		}
		if time.Now().After(deadline) {
			t.Fatal("the message did not arrive")
		}
	}
	d, err := h.svcs.Mail.Draft(id, "reply")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.Text, "Le mar. 4 mars 2025 à 09:15, Chantier a écrit") || !strings.Contains(d.Text, "> Livraison des poutres jeudi.") {
		t.Fatalf("draft text:\n%s", d.Text)
	}
	if !strings.Contains(d.QuotedHTML, "a écrit") || !strings.Contains(d.QuotedHTML, "<blockquote") {
		t.Fatalf("draft HTML quote:\n%s", d.QuotedHTML)
	}
	marker := "Bien reçu " + testenv.UniqueID()
	if _, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: d.To, Subject: d.Subject, Text: marker,
		QuotedHTML: d.QuotedHTML, QuotedText: d.Text, InReplyTo: d.InReplyTo, References: d.References}); err != nil {
		t.Fatal(err)
	}

	// What arrives in the peer's mailbox.
	c, err := imapclient.DialTLS(env.IMAPSAddr, &imapclient.Options{TLSConfig: env.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(peer.Address, peer.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for deadline := time.Now().Add(20 * time.Second); raw == nil; time.Sleep(200 * time.Millisecond) {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
		if err == nil && len(msgs) == 1 && len(msgs[0].BodySection) == 1 {
			raw = msgs[0].BodySection[0].Bytes
		}
		if raw == nil && time.Now().After(deadline) {
			t.Fatal("the reply did not arrive")
		}
	}
	m, err := message.Parse(bytes.NewReader(raw), message.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Text, marker) || !strings.Contains(m.Text, "a écrit") || !strings.Contains(m.Text, "> Livraison des poutres jeudi.") {
		t.Errorf("text part of the reply:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, marker) || !strings.Contains(m.HTML, "<blockquote") || !strings.Contains(m.HTML, "Livraison des poutres") {
		t.Errorf("HTML part of the reply:\n%s", m.HTML)
	}
	if m.InReplyTo == "" {
		t.Error("the reply has no In-Reply-To")
	}
}

// connectMailbox starts the sync engine (stopped at the end of the test) and connects the
// test user's Dovecot mailbox through the API, IMAPS and SMTP with STARTTLS.
func connectMailbox(t *testing.T, h *harness, env *testenv.Env, u testenv.User, name string) AccountDTO {
	t.Helper()
	h.b.Dialer.RootCAs = env.RootCAs
	host, port := testenv.HostPort(env.IMAPSAddr)
	shost, sport := testenv.HostPort(env.SMTPAddr)
	h.startSync(t)
	acc, err := h.svcs.Accounts.Create(AccountInput{Name: name, Email: u.Address,
		IMAP: ServerDTO{Host: host, Port: port, Security: "tls", Username: u.Address},
		SMTP: ServerDTO{Host: shost, Port: sport, Security: "starttls", Username: u.Address}}, u.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	return acc
}
