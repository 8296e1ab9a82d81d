package api

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"mailroom/backend/accounts"
	"mailroom/backend/users"
)

// TestABulkSendFromTheOfficeSenderIsSignedByItsPerson: a collaborator with no account of
// their own sends a bulk mail through the office sender (F22); the mail goes out as the
// person the super admin chose, with that person's default signature on the account, their
// values escaped. From an account of their own, the caller signs.
func TestABulkSendFromTheOfficeSenderIsSignedByItsPerson(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	office, signer := officeAccount(t, h, "<p><b>{{user.name}}</b> — Cabinet Martin</p><script>alert(1)</script>")
	s, err := h.b.Records.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	contacts := s.TypeByKey("contact").ID
	rec, err := h.svcs.Records.Create(RecordInputDTO{TypeID: contacts, Values: map[string]any{"first_name": "Élise", "emails": []any{"elise@client.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := h.svcs.Templates.Save(TemplateInputDTO{Name: "Vœux", Language: "fr", TypeID: contacts,
		Subject: "Bonne année", HTML: "<p>Bonjour {{contact.first_name}}, de la part de {{user.name}}.</p>"})
	if err != nil {
		t.Fatal(err)
	}
	in := BulkInputDTO{AccountID: office.ID, TemplateID: tpl.ID, List: RecordQueryDTO{TypeID: contacts}}

	h.as(t, collab)
	if _, err := h.svcs.Bulk.Preview(in, rec.ID, "elise@client.test"); err == nil {
		t.Fatal("a collaborator sent through an account not theirs before any office sender was chosen")
	}
	h.as(t, super)
	if err := h.svcs.Accounts.SetOfficeSender(OfficeSenderDTO{AccountID: office.ID, UserID: h.users[super]}); err != nil {
		t.Fatal(err)
	}

	h.as(t, collab)
	p, err := h.svcs.Bulk.Preview(in, rec.ID, "elise@client.test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "de la part de "+signer.Name) || !strings.Contains(p.Text, "-- \n"+signer.Name+" — Cabinet Martin") {
		t.Fatalf("the office's person does not sign the text part:\n%s", p.Text)
	}
	if !strings.Contains(p.Document, `<div class="signature">`) || strings.Contains(p.Document, "alert(1)") {
		t.Fatalf("the HTML part's signature: %s", p.Document)
	}
	plan, err := h.svcs.Bulk.Plan(in)
	if err != nil || len(plan.Sendable) != 1 {
		t.Fatalf("the collaborator's plan: %+v, %v", plan, err)
	}
}

// TestAnAutomationFromTheOfficeSenderIsSignedByItsPerson: an automation that names no
// account sends from the office sender, as its person, with their default signature.
func TestAnAutomationFromTheOfficeSenderIsSignedByItsPerson(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	ctx := context.Background()
	office, signer := officeAccount(t, h, "<p>{{user.name}}, expert-comptable</p>")
	if err := h.b.Accounts.SetOfficeSender(ctx, accounts.OfficeSender{AccountID: office.ID, UserID: h.users[super]}); err != nil {
		t.Fatal(err)
	}
	s, err := h.b.Records.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	factures, err := h.svcs.Records.CreateType(TypeInputDTO{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []FieldInputDTO{{Label: "Échéance", Kind: "date"}, {Label: "Client", Kind: "link", TargetTypeID: s.TypeByKey("contact").ID}} {
		if _, err := h.svcs.Records.AddField(factures.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	elise, err := h.svcs.Records.Create(RecordInputDTO{TypeID: s.TypeByKey("contact").ID, Values: map[string]any{"first_name": "Élise", "emails": []any{"elise@client.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Records.Create(RecordInputDTO{TypeID: factures.ID, Values: map[string]any{"numero": "F-1",
		"echeance": time.Now().AddDate(0, 0, -5).Format(time.DateOnly), "client": []any{elise.ID}}}); err != nil {
		t.Fatal(err)
	}
	tpl, err := h.svcs.Templates.Save(TemplateInputDTO{Name: "Relance", Language: "fr", TypeID: factures.ID,
		Subject: "Facture {{facture.numero}}", HTML: "<p>La facture {{facture.numero}} est échue.</p>"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := h.svcs.Automations.Save(AutomationInputDTO{Name: "Relance", TypeID: factures.ID, Trigger: "date", FieldKey: "echeance",
		OffsetDays: 3, TemplateID: tpl.ID, RecipientField: "client", Hour: 9, Timezone: "Europe/Paris", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.svcs.Automations.RunNow(a.ID)
	if err != nil || res.Queued != 1 {
		t.Fatalf("RunNow = %+v, %v", res, err)
	}
	log, err := h.svcs.Automations.Log(a.ID, 0, 10)
	if err != nil || len(log) != 1 || log[0].OutboxID == 0 {
		t.Fatalf("Log = %+v, %v", log, err)
	}
	raw, err := h.b.Outbox.Raw(ctx, log[0].OutboxID)
	if err != nil {
		t.Fatal(err)
	}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if ct, _, _ := p.Header.(*mail.InlineHeader).ContentType(); ct == "text/plain" {
			b, _ := io.ReadAll(p.Body)
			text = string(b)
		}
	}
	if !strings.Contains(text, "-- \n"+signer.Name+", expert-comptable") && !strings.Contains(text, "-- \r\n"+signer.Name+", expert-comptable") {
		t.Fatalf("the text part is not signed by the office's person:\n%q", text)
	}
}

// officeAccount creates the office's account (its servers unreachable: nothing is sent)
// as the super admin and, when signature is not "", gives the super admin that default
// signature on it; it returns the account and the super admin.
func officeAccount(t *testing.T, h *harness, signature string) (accounts.Account, users.User) {
	t.Helper()
	ctx := context.Background()
	office, err := h.b.Accounts.CreateWith(ctx, h.users[super], accounts.NewAccount{Name: "Cabinet", Email: "contact@cabinet.test", FromName: "Cabinet Martin",
		IMAP: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: "c"},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: "c"}}, accounts.Secrets{Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := h.b.Users.Get(ctx, h.users[super])
	if err != nil {
		t.Fatal(err)
	}
	if signature == "" {
		return office, signer
	}
	sig, err := h.b.Accounts.SaveSignature(ctx, accounts.Signature{AccountID: office.ID, Name: "Cabinet", HTML: signature})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.b.Accounts.SetDefaults(ctx, office.ID, h.users[super], false, sig.ID); err != nil {
		t.Fatal(err)
	}
	return office, signer
}
