package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testenv"
)

// TestAMessageQueuedFromTheComposerGoesThroughPostfixIntoDovecot sends through the API as
// the composer does: Send returns once the message is queued; the outbox hands it to the
// project's Postfix, whose answer the Outbox screen shows, and it arrives in the
// recipient's real INBOX. A recipient Postfix refuses fails with Postfix's own words.
func TestAMessageQueuedFromTheComposerGoesThroughPostfixIntoDovecot(t *testing.T) {
	env := testenv.Mail(t)
	sender, rcpt := env.NewUser(t), env.NewUser(t)
	h := newHarness(t)
	h.as(t, admin)
	h.b.Dialer.RootCAs = env.RootCAs
	h.b.Dialer.Timeout = 10 * time.Second
	imapHost, imapPort := testenv.HostPort(env.IMAPSAddr)
	smtpHost, smtpPort := testenv.HostPort(env.SMTPAddr)
	acc, err := h.b.Accounts.CreateWith(context.Background(), h.users[admin], accounts.NewAccount{Name: "Boutique", Email: sender.Address, FromName: "La Boutique",
		IMAP: accounts.Server{Host: imapHost, Port: imapPort, Security: accounts.TLS, Username: sender.Address},
		SMTP: accounts.Server{Host: smtpHost, Port: smtpPort, Security: accounts.StartTLS, Username: sender.Address}}, accounts.Secrets{Password: sender.Password})
	if err != nil {
		t.Fatal(err)
	}

	subject := "Commande " + testenv.UniqueID()
	q, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: []AddressDTO{{Name: "Client", Email: rcpt.Address}}, Subject: subject, Text: "Votre commande est prête."})
	if err != nil {
		t.Fatal(err)
	}
	if q.State != "queued" || q.OutboxID == 0 {
		t.Fatalf("Send = %+v; want queued", q)
	}
	sent := waitState(t, h, q.OutboxID, "sent")
	if !strings.Contains(sent.Reply, "queued") {
		t.Fatalf("Postfix's answer = %q; want its \"queued as\"", sent.Reply)
	}

	c, err := h.b.Dialer.IMAP(context.Background(), accounts.Server{Host: imapHost, Port: imapPort, Security: accounts.TLS, Username: rcpt.Address}, accounts.PasswordLogin(rcpt.Password), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: q.MessageID}}}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if len(data.AllUIDs()) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message <%s> did not arrive in %s's INBOX", q.MessageID, rcpt.Address)
		}
	}

	// An unknown user of the test domain: Postfix refuses it at RCPT, for good.
	nobody := "nobody-" + testenv.UniqueID() + "@" + env.Domain
	r, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: []AddressDTO{{Email: nobody}}, Subject: "x", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	failed := waitState(t, h, r.OutboxID, "failed")
	if failed.Error == nil || !strings.Contains(failed.Error.Detail, "550 5.1.1") || !strings.Contains(failed.Error.Detail, nobody) {
		t.Fatalf("refusal = %+v; want Postfix's 5xx words naming the address", failed)
	}
	if failed.Error.Reason != "smtp_recipient_refused" || failed.Error.Params["recipients"] != nobody || failed.Error.Code != string(fault.ProviderRejected) {
		t.Fatalf("refusal = %+v; want smtp_recipient_refused naming the address", failed.Error)
	}
	if err := h.svcs.Outbox.Cancel(r.OutboxID); err != nil {
		t.Fatal(err)
	}
}
