package api

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/accounts"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/message"
	"mailroom/backend/records"
	"mailroom/backend/templates/buttons"
)

// TestAButtonSendArrivesRenderedAndIsFiledToItsRecord sends a payment reminder from an
// invoice's button through the real Postfix: what arrives in the contact's real INBOX
// carries the invoice's values in place of the placeholders, the sent copy the outbox
// appends to the account's Sent folder is synced and filed to the invoice (a manual link,
// on its timeline), and the invoice's sends log says who sent it and when.
func TestAButtonSendArrivesRenderedAndIsFiledToItsRecord(t *testing.T) {
	env := testenv.Mail(t)
	office, client := env.NewUser(t), env.NewUser(t)
	h := newHarness(t)
	h.as(t, admin)
	h.b.Dialer.Timeout = 10 * time.Second
	acc := connectMailbox(t, h, env, office, "Cabinet")
	ctx := context.Background()
	by := h.users[admin]

	s, err := h.b.Records.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	company, contact := s.TypeByKey(records.CompanyType), s.TypeByKey(records.ContactType)
	ft, err := h.b.Records.CreateType(ctx, by, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []records.FieldInput{{Label: "Échéance", Kind: records.Date}, {Label: "Montant", Kind: records.Money, Currency: "EUR"},
		{Label: "Société", Kind: records.Link, TargetTypeID: company.ID}} {
		if _, err := h.b.Records.AddField(ctx, ft.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	acme, err := h.b.Records.Create(ctx, by, company.ID, records.Values{"name": "Atelier Dupont"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.b.Records.Create(ctx, by, contact.ID, records.Values{"first_name": "Julien", "last_name": "Dupont",
		"emails": []any{client.Address}, "company": acme.ID}); err != nil {
		t.Fatal(err)
	}
	number := "FAC-" + testenv.UniqueID()
	invoice, err := h.b.Records.Create(ctx, by, ft.ID, records.Values{"numero": number, "echeance": "2026-03-31",
		"montant": 1300.0, "societe": acme.ID})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := h.svcs.Templates.Save(TemplateInputDTO{Name: "relance", Language: "fr", TypeID: ft.ID,
		Subject: "Relance : facture {{facture.numero}}",
		HTML: `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p>` +
			`<p>La facture {{facture.numero}} de {{facture.montant}} était due le <strong>{{facture.echeance}}</strong>.</p><p>{{user.name}}</p>`})
	if err != nil {
		t.Fatal(err)
	}
	btn, err := h.svcs.Buttons.Save(ButtonDTO{TypeID: ft.ID, Label: "Envoyer la relance", SentLabel: "Relance envoyée",
		TemplateID: tpl.ID, AccountID: acc.ID, Recipients: buttons.CompanyContacts})
	if err != nil {
		t.Fatal(err)
	}

	page, err := h.svcs.Buttons.ForRecord(invoice.ID)
	if err != nil || len(page.Buttons) != 1 || page.Buttons[0].Problem != nil || len(page.Sends) != 0 {
		t.Fatalf("ForRecord = %+v, %v", page, err)
	}
	mail, err := h.svcs.Buttons.Prepare(btn.ID, invoice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mail.To) != 1 || mail.To[0].Email != client.Address || mail.AccountID != acc.ID {
		t.Fatalf("Prepare = %+v", mail)
	}
	sent, err := h.svcs.Buttons.Send(ButtonSendDTO{ButtonID: btn.ID, RecordID: invoice.ID, HTML: mail.HTML,
		Mail: SendInput{AccountID: mail.AccountID, To: mail.To, Subject: mail.Subject, Text: mail.Text}})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, h, sent.OutboxID, "sent")

	// What arrives: the placeholders replaced, in both parts.
	host, port := testenv.HostPort(env.IMAPSAddr)
	c, err := h.b.Dialer.IMAP(ctx, accounts.Server{Host: host, Port: port, Security: accounts.TLS, Username: client.Address}, accounts.PasswordLogin(client.Password), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
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
			t.Fatal("the reminder did not arrive")
		}
	}
	m, err := message.Parse(bytes.NewReader(raw), message.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Relance : facture "+number {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"Bonjour Julien,", "La facture " + number + " de 1 300,00 € était due le", "31 mars 2026", "admin"} {
		if !strings.Contains(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(m.Text), want) {
			t.Errorf("the text part lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, "<strong>31 mars 2026</strong>") || strings.Contains(m.HTML+m.Text, "{{") {
		t.Errorf("the HTML part:\n%s", m.HTML)
	}

	// The sent copy, appended to Sent and synced, is filed to the invoice by hand.
	var log RecordButtonsDTO
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		if log, err = h.svcs.Buttons.ForRecord(invoice.ID); err != nil {
			t.Fatal(err)
		}
		if len(log.Sends) == 1 && log.Sends[0].Filed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sent copy was not filed to the invoice: %+v", log.Sends)
		}
	}
	got := log.Sends[0]
	if got.Label != "Relance envoyée" || got.SentBy != "admin" || got.State != "sent" || time.Since(got.SentAt) > time.Minute ||
		got.Recipients != client.Address || got.Subject != "Relance : facture "+number {
		t.Fatalf("sends log: %+v", got)
	}
	tl, err := h.svcs.Filing.Timeline(invoice.ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, th := range tl.Threads {
		for _, x := range th.Messages {
			if x.Row.Subject == "Relance : facture "+number && x.Origin == "sent" {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("the invoice's timeline: %+v", tl)
	}
}
