package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/mail"

	"mailroom/backend/accounts"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/records"
	"mailroom/backend/templates"
)

// An overdue-invoice automation, run now, goes through the outbox and Postfix into the
// client's Dovecot INBOX with its placeholders rendered and List-Unsubscribe; once the sync
// brings its copy back from Sent, it is filed to the invoice; the client's reply to the
// List-Unsubscribe mailto is read as a request to unsubscribe, and one click sets their
// "do not email".
func TestAnAutomationsMailArrivesRenderedAndIsFiledToItsRecord(t *testing.T) {
	env := testenv.Mail(t)
	sender, client := env.NewUser(t), env.NewUser(t)
	h := newHarness(t)
	h.as(t, admin)
	ctx := context.Background()
	h.b.Dialer.RootCAs = env.RootCAs
	h.b.Dialer.Timeout = 10 * time.Second
	h.startSync(t)
	imapHost, imapPort := testenv.HostPort(env.IMAPSAddr)
	smtpHost, smtpPort := testenv.HostPort(env.SMTPAddr)
	acc, err := h.b.Accounts.CreateWith(ctx, h.users[admin], accounts.NewAccount{Name: "Factures", Email: sender.Address, FromName: "Atelier Dupont",
		IMAP: accounts.Server{Host: imapHost, Port: imapPort, Security: accounts.TLS, Username: sender.Address},
		SMTP: accounts.Server{Host: smtpHost, Port: smtpPort, Security: accounts.StartTLS, Username: sender.Address}}, accounts.Secrets{Password: sender.Password})
	if err != nil {
		t.Fatal(err)
	}
	h.b.accountChanged(acc.ID)

	recs, by := h.b.Records, h.users[admin]
	s, err := recs.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	company, contact := s.TypeByKey(records.CompanyType), s.TypeByKey(records.ContactType)
	factures, err := recs.CreateType(ctx, by, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []records.FieldInput{{Label: "Échéance", Kind: records.Date}, {Label: "Payée", Kind: records.Checkbox},
		{Label: "Société", Kind: records.Link, TargetTypeID: company.ID}} {
		if _, err := recs.AddField(ctx, factures.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	acme, err := recs.Create(ctx, by, company.ID, records.Values{"name": "ACME"})
	if err != nil {
		t.Fatal(err)
	}
	elise, err := recs.Create(ctx, by, contact.ID, records.Values{"first_name": "Elise", "emails": []any{client.Address},
		"job_title": "Comptable", "company": []any{acme.ID}})
	if err != nil {
		t.Fatal(err)
	}
	numero := "F-" + testenv.UniqueID()
	due := time.Now().AddDate(0, 0, -5).Format(time.DateOnly)
	inv, err := recs.Create(ctx, by, factures.ID, records.Values{"numero": numero, "echeance": due, "societe": []any{acme.ID}})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := h.b.Templates.Save(ctx, by, templates.Draft{Name: "Relance 1", Language: "fr", TypeID: factures.ID,
		Subject: "Relance : facture {{facture.numero}}",
		HTML:    `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p><p>La facture {{facture.numero}} de {{company.name}} est échue.</p>`})
	if err != nil {
		t.Fatal(err)
	}

	a, err := h.svcs.Automations.Save(AutomationInputDTO{Name: "Relance J+3", TypeID: factures.ID, Trigger: "date", FieldKey: "echeance",
		OffsetDays: 3, Conditions: []FilterDTO{{Field: "payee", Op: "is_empty"}}, TemplateID: tp.ID, RecipientField: "societe",
		RecipientRole: "comptable", AccountID: acc.ID, Hour: 9, Timezone: "Europe/Paris", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	dry, err := h.svcs.Automations.DryRun(a.ID)
	if err != nil || dry.Total != 1 || dry.Items[0].Email != client.Address || dry.Items[0].Problem != nil {
		t.Fatalf("DryRun = %+v, %v; want the invoice, to %s", dry, err, client.Address)
	}
	res, err := h.svcs.Automations.RunNow(a.ID)
	if err != nil || res.Queued != 1 {
		t.Fatalf("RunNow = %+v, %v; want one mail queued", res, err)
	}
	log, err := h.svcs.Automations.Log(a.ID, 0, 10)
	if err != nil || len(log) != 1 || log[0].OutboxID == 0 {
		t.Fatalf("Log = %+v, %v", log, err)
	}
	sent := waitState(t, h, log[0].OutboxID, "sent")
	if again, err := h.svcs.Automations.RunNow(a.ID); err != nil || again.Queued != 0 {
		t.Fatalf("RunNow again = %+v, %v; want nothing", again, err)
	}

	// In the client's INBOX, rendered.
	c, err := h.b.Dialer.IMAP(ctx, accounts.Server{Host: imapHost, Port: imapPort, Security: accounts.TLS, Username: client.Address}, accounts.PasswordLogin(client.Password), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var raw []byte
	for deadline := time.Now().Add(20 * time.Second); raw == nil; time.Sleep(200 * time.Millisecond) {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: sent.MessageID}}}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if uids := data.AllUIDs(); len(uids) == 1 {
			msgs, err := c.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
			if err != nil || len(msgs) != 1 {
				t.Fatalf("fetch: %v", err)
			}
			for _, b := range msgs[0].BodySection {
				raw = b.Bytes
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reminder <%s> did not arrive in %s's INBOX", sent.MessageID, client.Address)
		}
	}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := mr.Header.Subject()
	var text strings.Builder
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		text.Write(b)
	}
	if subject != "Relance : facture "+numero || !strings.Contains(text.String(), "Bonjour Elise") ||
		!strings.Contains(text.String(), "La facture "+numero+" de ACME est échue") || strings.Contains(text.String(), "{{") {
		t.Fatalf("received %q:\n%s\nwant the placeholders rendered", subject, text.String())
	}
	// It carries List-Unsubscribe, a mailto to the sending account, as bulk sends do.
	unsub := mr.Header.Get("List-Unsubscribe")
	mailto, err := url.Parse(strings.Trim(unsub, "<>"))
	if err != nil || mailto.Scheme != "mailto" || !strings.EqualFold(mailto.Opaque, sender.Address) {
		t.Fatalf("List-Unsubscribe %q; want <mailto:%s?subject=unsubscribe>", unsub, sender.Address)
	}

	// Its copy in Sent, synced (at once here: the app's sync looks at Sent on its own
	// schedule), is filed to the invoice.
	h.b.Sync.SyncNow(acc.ID)
	for deadline, poke := time.Now().Add(60*time.Second), time.Now().Add(3*time.Second); ; time.Sleep(300 * time.Millisecond) {
		if time.Now().After(poke) {
			h.b.Sync.SyncNow(acc.ID)
			poke = time.Now().Add(3 * time.Second)
		}
		if _, err := h.b.Automations.FileSent(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := h.b.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_records mr JOIN messages m ON m.id = mr.message_id
			WHERE mr.record_id = ? AND mr.origin = 'manual' AND m.message_id = ?`, inv.ID, sent.MessageID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			var msgs, same int
			var copyState string
			_ = h.b.DB.R.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&msgs)
			_ = h.b.DB.R.QueryRow(`SELECT COUNT(*) FROM messages WHERE message_id = ?`, sent.MessageID).Scan(&same)
			_ = h.b.DB.R.QueryRow(`SELECT copy_state FROM outbox WHERE id = ?`, sent.ID).Scan(&copyState)
			t.Fatalf("the reminder's copy in Sent was not filed to invoice %s (messages %d, with its id %d, copy %q)", numero, msgs, same, copyState)
		}
	}

	// The client writes to that mailto: the message view offers to stop emailing Elise, and
	// one click sets her "do not email".
	reply, replyID := testenv.NewMessage(client.Address, mailto.Opaque, mailto.Query().Get("subject"), "")
	env.Deliver(t, reply, client.Address, sender.Address)
	var replyRow int64
	for deadline, poke := time.Now().Add(60*time.Second), time.Now(); replyRow == 0; time.Sleep(300 * time.Millisecond) {
		if time.Now().After(poke) {
			h.b.Sync.SyncNow(acc.ID)
			poke = time.Now().Add(3 * time.Second)
		}
		_ = h.b.DB.R.QueryRowContext(ctx, `SELECT id FROM messages WHERE message_id = ?`, replyID).Scan(&replyRow)
		if replyRow == 0 && time.Now().After(deadline) {
			t.Fatalf("the reply to the List-Unsubscribe mailto <%s> was not synced", replyID)
		}
	}
	ask, err := h.svcs.Bulk.UnsubscribeRequest(replyRow)
	if err != nil || ask == nil || ask.ContactID != elise.ID || !strings.EqualFold(ask.Email, client.Address) {
		t.Fatalf("UnsubscribeRequest = %+v, %v; want Elise (%d) asking to unsubscribe", ask, err, elise.ID)
	}
	if err := h.svcs.Bulk.StopEmailing(ask.ContactID); err != nil {
		t.Fatal(err)
	}
	if d, err := recs.Get(ctx, elise.ID); err != nil || d.Values[records.ContactDoNotEmail] != true {
		t.Fatalf("Elise after one click: %+v, %v; want do not email set", d.Values, err)
	}

	rec, err := h.svcs.Automations.ForRecord(inv.ID)
	if err != nil || len(rec.Automations) != 1 || rec.Automations[0].Concern != "sent" || rec.Automations[0].At == nil ||
		len(rec.Entries) != 1 || rec.Entries[0].OutboxState != "sent" {
		t.Fatalf("ForRecord = %+v, %v; want the automation, sent, and its sent mail", rec, err)
	}
}
