package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/fault"
	"mailroom/backend/testenv"
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
	h.b.Dialer.RootCAs = env.RootCAs
	host, port := testenv.HostPort(env.IMAPSAddr)
	shost, sport := testenv.HostPort(env.SMTPAddr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.b.Sync.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer h.b.Sync.Stop()
	acc, err := h.svcs.Accounts.Create(AccountInput{Name: "Boutique", Email: u.Address,
		IMAP: ServerDTO{Host: host, Port: port, Security: "tls", Username: u.Address},
		SMTP: ServerDTO{Host: shost, Port: sport, Security: "starttls", Username: u.Address}}, u.Password)
	if err != nil {
		t.Fatal(err)
	}

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
	app.Write(msg)
	app.Close()
	if _, err := app.Wait(); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t)
	h.as(t, admin)
	h.b.Dialer.RootCAs = env.RootCAs
	host, port := testenv.HostPort(env.IMAPSAddr)
	shost, sport := testenv.HostPort(env.SMTPAddr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.b.Sync.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer h.b.Sync.Stop()
	if _, err := h.svcs.Accounts.Create(AccountInput{Name: "Atelier", Email: u.Address,
		IMAP: ServerDTO{Host: host, Port: port, Security: "tls", Username: u.Address},
		SMTP: ServerDTO{Host: shost, Port: sport, Security: "starttls", Username: u.Address}}, u.Password); err != nil {
		t.Fatal(err)
	}
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
