package buttons_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/filing"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/templates"
	"mailroom/backend/templates/buttons"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

type fixture struct {
	ctx               context.Context
	db                *store.DB
	user              int64
	r                 *records.Records
	tpl               *templates.Templates
	reg               *accounts.Registry
	ob                *outbox.Engine
	bs                *buttons.Buttons
	factures, contact *records.Type
	company           *records.Type
	acme, elise       records.Record
	invoice, orphan   records.Record
	account           int64
	relance           templates.Template
}

var sender = templates.Sender{UserName: "Camille Martin", UserEmail: "camille@cabinet.test"}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Camille Martin", Email: "camille@cabinet.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: ctx, db: db, user: u.ID, r: records.New(db, records.Options{})}
	f.tpl = templates.New(templates.Deps{DB: db, Records: f.r}, templates.Options{Location: time.UTC})
	f.reg = accounts.New(db, vault.NewMemory())
	acc, err := f.reg.CreateWith(ctx, u.ID, accounts.NewAccount{Email: "factures@cabinet.test", FromName: "Cabinet Martin",
		IMAP: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: "f"},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: "f"}}, accounts.Secrets{Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	f.account = acc.ID
	f.ob = outbox.New(outbox.Deps{DB: db, Accounts: f.reg}, outbox.Options{}) // not started: items stay queued
	f.bs = buttons.New(buttons.Deps{DB: db, Records: f.r, Templates: f.tpl, Accounts: f.reg, Outbox: f.ob,
		Filing: filing.New(filing.Deps{DB: db}, filing.Options{})})
	s, err := f.r.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.contact, f.company = s.TypeByKey(records.ContactType), s.TypeByKey(records.CompanyType)
	ft, err := f.r.CreateType(ctx, u.ID, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []records.FieldInput{
		{Label: "Échéance", Kind: records.Date},
		{Label: "Société", Kind: records.Link, TargetTypeID: f.company.ID},
		{Label: "Courriel", Kind: records.Email},
	} {
		if _, err := f.r.AddField(ctx, ft.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	s, _ = f.r.Schema(ctx)
	f.factures = s.Type(ft.ID)
	if f.acme, err = f.r.Create(ctx, u.ID, f.company.ID, records.Values{"name": "ACME & Fils"}); err != nil {
		t.Fatal(err)
	}
	if f.elise, err = f.r.Create(ctx, u.ID, f.contact.ID, records.Values{"first_name": "Élise", "last_name": "Martin",
		"emails": []any{"elise@acme.test"}, "company": f.acme.ID}); err != nil {
		t.Fatal(err)
	}
	if f.invoice, err = f.r.Create(ctx, u.ID, f.factures.ID, records.Values{"numero": "F-001", "echeance": "2026-11-12",
		"societe": f.acme.ID}); err != nil {
		t.Fatal(err)
	}
	if f.orphan, err = f.r.Create(ctx, u.ID, f.factures.ID, records.Values{"numero": "F-002"}); err != nil {
		t.Fatal(err)
	}
	if f.relance, err = f.tpl.Save(ctx, u.ID, templates.Draft{Name: "relance", Language: "fr", TypeID: f.factures.ID,
		Subject: "Relance : facture {{facture.numero}}",
		HTML:    `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p><p>La facture {{facture.numero}} était due le {{facture.echeance}}. {{user.name}}</p>`}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) button(t *testing.T, b buttons.Button) buttons.Button {
	t.Helper()
	if b.TypeID == 0 {
		b.TypeID = f.factures.ID
	}
	if b.TemplateID == 0 {
		b.TemplateID = f.relance.ID
	}
	got, err := f.bs.Save(f.ctx, f.user, b)
	if err != nil {
		t.Fatalf("save %+v: %v", b, err)
	}
	return got
}

func wantReason(t *testing.T, err error, reason string) fault.P {
	t.Helper()
	if fault.ReasonOf(err) != reason {
		t.Fatalf("got %v (%s), want %s", err, fault.ReasonOf(err), reason)
	}
	fe, _ := fault.As(err)
	return fe.Params
}

func TestSaveChecksTheButton(t *testing.T) {
	f := newFixture(t)
	_, err := f.bs.Save(f.ctx, f.user, buttons.Button{TypeID: f.factures.ID, TemplateID: f.relance.ID, Recipients: buttons.Contacts})
	wantReason(t, err, "button_label_missing")
	_, err = f.bs.Save(f.ctx, f.user, buttons.Button{TypeID: f.factures.ID, Label: "Envoyer", Recipients: buttons.Contacts})
	wantReason(t, err, "button_template_missing")
	for _, r := range []string{"", "field:numero", "field:nope", "everyone"} {
		_, err = f.bs.Save(f.ctx, f.user, buttons.Button{TypeID: f.factures.ID, Label: "Envoyer", TemplateID: f.relance.ID, Recipients: r})
		wantReason(t, err, "button_recipients_invalid")
	}
	other, err := f.tpl.Save(f.ctx, f.user, templates.Draft{Name: "Bienvenue", Language: "fr", TypeID: f.company.ID, Subject: "Bienvenue", HTML: "<p>x</p>"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.bs.Save(f.ctx, f.user, buttons.Button{TypeID: f.factures.ID, Label: "Envoyer", TemplateID: other.ID, Recipients: buttons.Contacts})
	if p := wantReason(t, err, "button_template_other_type"); p["template"] != "Bienvenue" {
		t.Fatalf("params %v", p)
	}
	a := f.button(t, buttons.Button{Label: "  Envoyer la relance ", SentLabel: "Relance envoyée", Recipients: buttons.CompanyContacts, AccountID: f.account})
	b := f.button(t, buttons.Button{Label: "Écrire", Recipients: "field:courriel"})
	if a.Label != "Envoyer la relance" || a.Position != 1 || b.Position != 2 || b.AccountID != 0 {
		t.Fatalf("saved %+v %+v", a, b)
	}
	list, err := f.bs.List(f.ctx, f.factures.ID)
	if err != nil || len(list) != 2 || list[0].ID != a.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := f.bs.Delete(f.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	wantReason(t, f.bs.Delete(f.ctx, b.ID), "button_not_found")
}

func TestPrepareRendersForTheCompanysContacts(t *testing.T) {
	f := newFixture(t)
	b := f.button(t, buttons.Button{Label: "Envoyer la relance", Recipients: buttons.CompanyContacts, AccountID: f.account})
	p, err := f.bs.Prepare(f.ctx, b.ID, f.invoice.ID, sender)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.To) != 1 || p.To[0].Email != "elise@acme.test" || p.AccountID != f.account || p.Office {
		t.Fatalf("prepared %+v", p)
	}
	if p.Mail.Subject != "Relance : facture F-001" || !strings.Contains(p.Mail.HTML, "Bonjour Élise,") ||
		!strings.Contains(p.Mail.Text, "était due le 12 novembre 2026. Camille Martin") {
		t.Fatalf("rendered %q / %q / %q", p.Mail.Subject, p.Mail.HTML, p.Mail.Text)
	}
}

func TestTheButtonSaysWhyItCannotSend(t *testing.T) {
	f := newFixture(t)
	b := f.button(t, buttons.Button{Label: "Envoyer la relance", Recipients: buttons.CompanyContacts, AccountID: f.account})
	// No company, so no one to write to.
	_, err := f.bs.Prepare(f.ctx, b.ID, f.orphan.ID, sender)
	if p := wantReason(t, err, "button_no_address"); p["record"] != "F-002" {
		t.Fatalf("params %v", p)
	}
	// The record's own email field, empty.
	byField := f.button(t, buttons.Button{Label: "Écrire", Recipients: "field:courriel", AccountID: f.account})
	_, err = f.bs.Prepare(f.ctx, byField.ID, f.invoice.ID, sender)
	wantReason(t, err, "button_no_address")
	// "Do not email".
	if _, err := f.r.Update(f.ctx, f.user, f.elise.ID, records.Values{"do_not_email": true}); err != nil {
		t.Fatal(err)
	}
	_, err = f.bs.Prepare(f.ctx, b.ID, f.invoice.ID, sender)
	if p := wantReason(t, err, "button_do_not_email"); p["name"] != "Élise Martin" {
		t.Fatalf("params %v", p)
	}
	// A placeholder without value and without default.
	if _, err := f.r.Update(f.ctx, f.user, f.invoice.ID, records.Values{"courriel": "compta@acme.test", "echeance": nil}); err != nil {
		t.Fatal(err)
	}
	_, err = f.bs.Prepare(f.ctx, byField.ID, f.invoice.ID, sender)
	if p := wantReason(t, err, "button_missing_values"); p["placeholders"] != "{{facture.echeance}}" {
		t.Fatalf("params %v", p)
	}
}

func TestTheOfficeSender(t *testing.T) {
	f := newFixture(t)
	b := f.button(t, buttons.Button{Label: "Envoyer la relance", Recipients: buttons.CompanyContacts}) // the office sender
	_, err := f.bs.Prepare(f.ctx, b.ID, f.invoice.ID, sender)
	wantReason(t, err, "office_sender_unset")
	_, err = f.reg.OfficeSender(f.ctx)
	wantReason(t, err, "office_sender_unset")
	wantReason(t, f.reg.SetOfficeSender(f.ctx, accounts.OfficeSender{AccountID: 999}), "account_gone")
	wantReason(t, f.reg.SetOfficeSender(f.ctx, accounts.OfficeSender{AccountID: f.account, UserID: 999}), "office_sender_user_unknown")
	boss, err := users.New(f.db).Create(f.ctx, users.NewUser{Name: "Maître Bernard", Email: "bernard@cabinet.test", Language: "fr", Role: users.Admin})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.reg.SetOfficeSender(f.ctx, accounts.OfficeSender{AccountID: f.account, UserID: boss.ID}); err != nil {
		t.Fatal(err)
	}
	o, err := f.reg.OfficeSender(f.ctx)
	if err != nil || o.AccountID != f.account || o.UserID != boss.ID {
		t.Fatalf("office sender %+v %v", o, err)
	}
	// The office's mail is signed by the person chosen, whoever clicks.
	p, err := f.bs.Prepare(f.ctx, b.ID, f.invoice.ID, sender)
	if err != nil || !p.Office || p.AccountID != f.account || !strings.Contains(p.Mail.Text, "Maître Bernard") {
		t.Fatalf("prepared %+v %v", p, err)
	}
}

func TestSendQueuesLogsAndFilesTheSentCopy(t *testing.T) {
	f := newFixture(t)
	b := f.button(t, buttons.Button{Label: "Envoyer la relance", SentLabel: "Relance envoyée", Recipients: buttons.CompanyContacts, AccountID: f.account})
	p, err := f.bs.Prepare(f.ctx, b.ID, f.invoice.ID, sender)
	if err != nil {
		t.Fatal(err)
	}
	id, mid, err := f.bs.SendMail(f.ctx, buttons.Send{Button: b.ID, Record: f.invoice.ID, By: f.user, ByName: "Camille Martin",
		AccountID: f.account, Mail: outbox.Compose{From: outbox.Address{Email: "factures@cabinet.test"},
			To: []outbox.Address{{Email: p.To[0].Email}}, Subject: p.Mail.Subject, Text: p.Mail.Text, HTML: p.Mail.HTML}})
	if err != nil || id == 0 || mid == "" {
		t.Fatalf("send: %d %q %v", id, mid, err)
	}
	item, err := f.ob.Get(f.ctx, id)
	if err != nil || item.State != outbox.Queued || item.Subject != "Relance : facture F-001" {
		t.Fatalf("outbox item %+v %v", item, err)
	}
	sends, err := f.bs.Sends(f.ctx, f.invoice.ID)
	if err != nil || len(sends) != 1 {
		t.Fatalf("sends %+v %v", sends, err)
	}
	s := sends[0]
	if s.Label != "Relance envoyée" || s.SentBy != "Camille Martin" || s.State != "queued" || s.Filed ||
		s.Recipients != "elise@acme.test" || time.Since(s.SentAt) > time.Minute {
		t.Fatalf("sent %+v", s)
	}
	if other, _ := f.bs.Sends(f.ctx, f.orphan.ID); len(other) != 0 {
		t.Fatalf("another record's log: %+v", other)
	}
	// Nothing synced yet: nothing to file.
	if n, err := f.bs.FilePending(f.ctx); err != nil || n != 0 {
		t.Fatalf("file pending: %d %v", n, err)
	}
	// The sync stores the sent copy: it is filed to the invoice by hand, once.
	for _, q := range []string{
		`INSERT INTO folders(id, account_id, name, role) VALUES (10, ?, 'Sent', 'sent')`,
		`INSERT INTO messages(id, account_id, folder_id, uid, message_id, subject, date) VALUES (77, ?, 10, 1, ?, 'x', 1)`,
	} {
		args := []any{f.account}
		if strings.Contains(q, "messages") {
			args = append(args, strings.Trim(mid, "<>"))
		}
		if _, err := f.db.W.ExecContext(f.ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.bs.FilePending(f.ctx); err != nil || n != 1 {
		t.Fatalf("file pending: %d %v", n, err)
	}
	// A manual link for filing (no re-file takes it away), marked as made by the send.
	var origin string
	var sent bool
	if err := f.db.R.QueryRowContext(f.ctx, `SELECT origin, sent FROM message_records WHERE message_id = 77 AND record_id = ?`, f.invoice.ID).Scan(&origin, &sent); err != nil || origin != "manual" || !sent {
		t.Fatalf("link %q sent=%v %v", origin, sent, err)
	}
	if n, _ := f.bs.FilePending(f.ctx); n != 0 {
		t.Fatalf("filed twice: %d", n)
	}
	sends, _ = f.bs.Sends(f.ctx, f.invoice.ID)
	if !sends[0].Filed {
		t.Fatalf("not filed: %+v", sends[0])
	}
}

// TestASendThatCannotBeLoggedIsNotQueued: the record's log line and the outbox item are
// one transaction, so a send the log refuses leaves nothing in the outbox to go unseen.
func TestASendThatCannotBeLoggedIsNotQueued(t *testing.T) {
	f := newFixture(t)
	b := f.button(t, buttons.Button{Label: "Envoyer la relance", Recipients: buttons.CompanyContacts, AccountID: f.account})
	if _, err := f.db.W.ExecContext(f.ctx, `CREATE TRIGGER refuse_sends BEFORE INSERT ON record_sends
		BEGIN SELECT RAISE(ABORT, 'the log is full'); END`); err != nil {
		t.Fatal(err)
	}
	var before int
	if err := f.db.R.QueryRowContext(f.ctx, `SELECT count(*) FROM outbox`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	id, _, err := f.bs.SendMail(f.ctx, buttons.Send{Button: b.ID, Record: f.invoice.ID, By: f.user, ByName: "Camille Martin",
		AccountID: f.account, Mail: outbox.Compose{From: outbox.Address{Email: "factures@cabinet.test"},
			To: []outbox.Address{{Email: "elise@acme.test"}}, Subject: "Relance", Text: "Bonjour."}})
	if err == nil || id != 0 {
		t.Fatalf("send = %d, %v; want an error and nothing queued", id, err)
	}
	var after int
	if err := f.db.R.QueryRowContext(f.ctx, `SELECT count(*) FROM outbox`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("the outbox holds %d items, %d before: a mail went out unlogged", after, before)
	}
}
