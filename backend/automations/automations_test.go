package automations_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/automations"
	"mailroom/backend/bulk"
	"mailroom/backend/fault"
	"mailroom/backend/records"
	"mailroom/backend/templates"
)

func TestAnOverdueInvoiceGetsItsReminderAtTheHourOnceAndTheNextDayTheNextOne(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	acme := f.company_("ACME", "Élise", "elise@acme.test", "Comptable")
	bolt := f.company_("Bolt", "Jean", "jean@bolt.test", "Comptabilité fournisseurs")
	paid := f.company_("Payée SA", "Paul", "paul@paid.test", "Comptable")
	f.invoice("F-001", "2026-12-03", false, acme) // due by 3 days on 12-06
	f.invoice("F-002", "2026-12-04", false, bolt) // on 12-07
	f.invoice("F-003", "2026-12-01", true, paid)  // paid: never
	a := f.overdue(0)

	f.auto.Tick(ctx) // 8:00: the hour has not come
	if got := f.count(`SELECT COUNT(*) FROM outbox`); got != 0 {
		t.Fatalf("before 9:00: %d queued; want none", got)
	}
	f.clock.Set(at("2026-12-06", 9).Add(time.Minute))
	f.auto.Tick(ctx)
	q := f.queued()
	if len(q) != 1 || len(q[`["elise@acme.test"]`]) != 1 {
		t.Fatalf("queued at 9:01 = %v; want one reminder to elise@acme.test", q)
	}
	if s := q[`["elise@acme.test"]`][0]; s != "Facture F-001 : échéance du 3 décembre 2026" {
		t.Fatalf("subject = %q; want the placeholders rendered in French", s)
	}
	// The same day again, and Run now: nothing more.
	f.auto.Tick(ctx)
	if res, err := f.auto.Run(ctx, a.ID); err != nil || res.Queued != 0 {
		t.Fatalf("Run again = %+v, %v; want nothing queued", res, err)
	}
	if got := f.count(`SELECT COUNT(*) FROM outbox`); got != 1 {
		t.Fatalf("after running twice: %d queued; want 1", got)
	}
	f.clock.Set(at("2026-12-07", 9))
	f.auto.Tick(ctx)
	q = f.queued()
	if len(q) != 2 || len(q[`["elise@acme.test"]`]) != 1 || len(q[`["jean@bolt.test"]`]) != 1 {
		t.Fatalf("queued on 12-07 = %v; want F-002's reminder besides F-001's", q)
	}
	log, err := f.auto.Log(ctx, a.ID, 0, 10)
	if err != nil || len(log) != 2 || log[0].State != "queued" || log[0].OutboxState != "queued" || log[0].OutboxID == 0 {
		t.Fatalf("run log = %+v, %v; want both mails with their outbox state", log, err)
	}
}

// An automated mail carries List-Unsubscribe as a bulk send's does: a mailto to the
// account's own address whose subject the unsubscribe detection reads as a request.
func TestAnAutomatedMailCarriesListUnsubscribe(t *testing.T) {
	f := newFixture(t, fixtureOpts{now: at("2026-12-06", 10)})
	acme := f.company_("ACME", "Élise", "elise@acme.test", "Comptable")
	f.invoice("F-001", "2026-12-01", false, acme)
	a := f.overdue(0)
	if res, err := f.auto.Run(ctx, a.ID); err != nil || res.Queued != 1 {
		t.Fatalf("Run = %+v, %v; want one reminder", res, err)
	}
	var raw []byte
	if err := f.db.R.QueryRowContext(ctx, `SELECT raw FROM outbox_raw`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	got := m.Header.Get("List-Unsubscribe")
	if got != "<mailto:factures@example.test?subject=unsubscribe>" {
		t.Fatalf("List-Unsubscribe %q; want a mailto to the account's address", got)
	}
	u, err := url.Parse(strings.Trim(got, "<>"))
	if err != nil || u.Scheme != "mailto" || !bulk.IsUnsubscribeRequest(u.Query().Get("subject"), "") {
		t.Fatalf("the mailto %q (%v): a reply to it is not read as a request to unsubscribe", got, err)
	}
}

func TestWhatBecameDueWhileTheAppWasClosedIsSentAtStart(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	for i, due := range []string{"2026-12-03", "2026-12-04", "2026-12-07", "2026-12-20"} {
		c := f.company_(fmt.Sprintf("Client %d", i), "Anne", fmt.Sprintf("anne%d@client.test", i), "comptable")
		f.invoice(fmt.Sprintf("F-%03d", i), due, false, c)
	}
	a := f.overdue(0)
	path := f.path
	f.auto.Stop()
	f.box.Stop()
	f.db.Close()

	// Opened again four days later, in the afternoon: the scheduler's first look catches up.
	g := newFixture(t, fixtureOpts{path: path, now: at("2026-12-10", 14), fresh: true})
	if err := g.auto.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for g.count(`SELECT COUNT(*) FROM outbox`) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	g.auto.Stop()
	q := g.queued()
	if len(q) != 3 || len(q[`["anne0@client.test"]`]) != 1 || len(q[`["anne1@client.test"]`]) != 1 || len(q[`["anne2@client.test"]`]) != 1 {
		t.Fatalf("caught up = %v; want the three invoices overdue by 3 days on 12-10, once each", q)
	}
	got, err := g.auto.Get(ctx, a.ID)
	if err != nil || got.LastRunDay != "2026-12-10" {
		t.Fatalf("last run day = %q, %v; want 2026-12-10", got.LastRunDay, err)
	}
}

// The catch-up at start asks first too: more due at once than the threshold are held as
// pending, and the "pending" event (automations:changed for the UI) says how many; the
// list the UI reads at start counts them.
func TestACatchUpAtStartOverTheThresholdAsksFirst(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	for i, due := range []string{"2026-12-01", "2026-12-02", "2026-12-04"} {
		c := f.company_(fmt.Sprintf("Client %d", i), "Anne", fmt.Sprintf("anne%d@client.test", i), "comptable")
		f.invoice(fmt.Sprintf("F-%03d", i), due, false, c)
	}
	a := f.overdue(2)
	path := f.path
	f.auto.Stop()
	f.box.Stop()
	f.db.Close()

	events := make(chan automations.Event, 16)
	g := newFixture(t, fixtureOpts{path: path, now: at("2026-12-10", 14), fresh: true, emit: func(e automations.Event) {
		select {
		case events <- e:
		default: // never block the scheduler
		}
	}})
	if err := g.auto.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var got automations.Event
	for got.Kind != "pending" {
		select {
		case got = <-events:
		case <-time.After(10 * time.Second):
			t.Fatal("no pending event after the catch-up")
		}
	}
	g.auto.Stop()
	if got.AutomationID != a.ID || got.Pending != 3 {
		t.Fatalf("event = %+v; want automation %d with 3 waiting", got, a.ID)
	}
	if n := g.count(`SELECT COUNT(*) FROM outbox`); n != 0 {
		t.Fatalf("outbox = %d; want nothing sent before approval", n)
	}
	if pend, err := g.auto.PendingList(ctx, a.ID); err != nil || len(pend) != 3 {
		t.Fatalf("pending = %+v, %v; want the 3 invoices", pend, err)
	}
	if as, err := g.auto.List(ctx, 0); err != nil || len(as) != 1 || as[0].Pending != 3 {
		t.Fatalf("List = %+v, %v; want the automation with 3 pending", as, err)
	}
}

func TestAMovedDueDateArmsTheReminderAgain(t *testing.T) {
	f := newFixture(t, fixtureOpts{now: at("2026-12-06", 10)})
	acme := f.company_("ACME", "Élise", "elise@acme.test", "Comptable")
	id := f.invoice("F-001", "2026-12-01", false, acme)
	a := f.overdue(0)
	if res, err := f.auto.Run(ctx, a.ID); err != nil || res.Queued != 1 {
		t.Fatalf("Run = %+v, %v; want one reminder", res, err)
	}
	// The client got a delay: the due date moves to the 20th.
	if _, err := f.recs.Update(ctx, f.user, id, records.Values{"echeance": "2026-12-20"}); err != nil {
		t.Fatal(err)
	}
	if res, err := f.auto.Run(ctx, a.ID); err != nil || res.Queued != 0 || res.Due != 0 {
		t.Fatalf("Run after the move = %+v, %v; want nothing due before the 23rd", res, err)
	}
	f.clock.Set(at("2026-12-23", 9))
	if res, err := f.auto.Run(ctx, a.ID); err != nil || res.Queued != 1 {
		t.Fatalf("Run on the 23rd = %+v, %v; want the reminder of the new date", res, err)
	}
	if res, _ := f.auto.Run(ctx, a.ID); res.Queued != 0 {
		t.Fatalf("Run again = %+v; want nothing", res)
	}
	if n := f.count(`SELECT COUNT(*) FROM automation_ledger WHERE record_id = ? AND state = 'queued'`, id); n != 2 {
		t.Fatalf("ledger rows = %d; want one per due date", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM outbox`); n != 2 {
		t.Fatalf("outbox = %d; want 2", n)
	}
}

func TestOverTheThresholdItAsksFirst(t *testing.T) {
	f := newFixture(t, fixtureOpts{now: at("2026-12-06", 10)})
	var ids []int64
	for i := range 25 {
		c := f.company_(fmt.Sprintf("Client %02d", i), "Anne", fmt.Sprintf("anne%02d@client.test", i), "comptable")
		ids = append(ids, f.invoice(fmt.Sprintf("F-%03d", i), "2026-11-20", false, c))
	}
	a := f.overdue(0) // the default threshold: 20
	res, err := f.auto.Run(ctx, a.ID)
	if err != nil || res.Pending != 25 || res.Queued != 0 {
		t.Fatalf("Run = %+v, %v; want 25 waiting for approval, none sent", res, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM outbox`); n != 0 {
		t.Fatalf("outbox = %d; want nothing before approval", n)
	}
	pend, err := f.auto.PendingList(ctx, a.ID)
	if err != nil || len(pend) != 25 || pend[0].Title != "F-000" {
		t.Fatalf("pending = %d, %v; want the 25 invoices listed", len(pend), err)
	}
	if got, _ := f.auto.Get(ctx, a.ID); got.Pending != 25 {
		t.Fatalf("Pending = %d; want 25", got.Pending)
	}
	// The next run asks again, without sending.
	if res, _ := f.auto.Run(ctx, a.ID); res.Queued != 0 || res.Pending != 25 {
		t.Fatalf("Run again = %+v; want still waiting", res)
	}
	// Approve five, skip the others.
	res, err = f.auto.Approve(ctx, f.user, a.ID, ids[:5])
	if err != nil || res.Queued != 5 {
		t.Fatalf("Approve = %+v, %v; want 5 queued", res, err)
	}
	n, err := f.auto.Skip(ctx, f.user, a.ID, nil)
	if err != nil || n != 20 {
		t.Fatalf("Skip = %d, %v; want 20", n, err)
	}
	if res, _ := f.auto.Run(ctx, a.ID); res.Queued != 0 || res.Pending != 0 || res.Due != 0 {
		t.Fatalf("Run after the decisions = %+v; want nothing due", res)
	}
	if n := f.count(`SELECT COUNT(*) FROM outbox`); n != 5 {
		t.Fatalf("outbox = %d; want the 5 approved", n)
	}
	if _, err := f.auto.Approve(ctx, f.user, a.ID, nil); !automations.ErrNotPending.Is(err) {
		t.Fatalf("Approve with nothing pending = %v; want automation_not_pending", err)
	}
}

// A record's page says, for each automation of its kind, whether it concerns the record:
// when it would send, that it sent, or which of its conditions the record does not meet.
func TestARecordsPageSaysWhetherEachAutomationConcernsIt(t *testing.T) {
	f := newFixture(t, fixtureOpts{}) // 12-06 at 8:00, before the day's run at 9:00
	acme := f.company_("ACME", "Élise", "elise@acme.test", "Comptable")
	soon := f.invoice("F-001", "2026-12-05", false, acme) // due by 3 days on 12-08
	due := f.invoice("F-002", "2026-12-02", false, acme)  // due since 12-05: today's run
	paid := f.invoice("F-003", "2026-12-02", true, acme)  // paid: never
	undated := f.invoice("F-004", "", false, acme)        // no date: never
	a := f.overdue(0)
	welcome, err := f.auto.Save(ctx, f.user, automations.Automation{Name: "Bienvenue", TypeID: f.factures.ID,
		Trigger: automations.OnCreated, TemplateID: f.tplID, RecipientField: "societe", AccountID: f.accID,
		Hour: 9, Timezone: "Europe/Paris", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	concern := func(record, automation int64) automations.RecordConcern {
		t.Helper()
		cs, _, err := f.auto.ForRecord(ctx, record)
		if err != nil || len(cs) != 2 {
			t.Fatalf("ForRecord(%d) = %+v, %v; want the two automations of invoices", record, cs, err)
		}
		for _, c := range cs {
			if c.ID == automation {
				return c
			}
		}
		t.Fatalf("ForRecord(%d) = %+v; no automation %d", record, cs, automation)
		return automations.RecordConcern{}
	}
	if c := concern(soon, a.ID); c.Concern != automations.ConcernApplies || !c.SendAt.Equal(at("2026-12-08", 9)) || c.Value != "2026-12-05" {
		t.Fatalf("an unpaid invoice due on 12-05: %+v; want it to apply, sent on 12-08 at 9:00", c)
	}
	if c := concern(due, a.ID); c.Concern != automations.ConcernApplies || !c.SendAt.Equal(at("2026-12-06", 9)) {
		t.Fatalf("an unpaid invoice overdue: %+v; want it sent at today's run, 9:00", c)
	}
	if c := concern(paid, a.ID); c.Concern != automations.ConcernUnmet || len(c.Unmet) != 1 || c.Unmet[0].Field != "payee" ||
		c.Unmet[0].Op != records.IsEmpty || !c.SendAt.IsZero() {
		t.Fatalf("a paid invoice: %+v; want it not to apply, for the condition on payée", c)
	}
	if c := concern(undated, a.ID); c.Concern != automations.ConcernUnmet || len(c.Unmet) != 1 || c.Unmet[0].Field != "echeance" ||
		c.Unmet[0].Op != records.IsNotEmpty {
		t.Fatalf("an invoice without a due date: %+v; want it not to apply, for the empty échéance", c)
	}
	if c := concern(soon, welcome.ID); c.Concern != automations.ConcernCreatedBefore {
		t.Fatalf("on creation, for an invoice created before: %+v; want created_before", c)
	}

	// The run at 10:00 sends F-002's reminder: its page says when; the run that follows
	// for F-001 is still the 8th.
	f.clock.Set(at("2026-12-06", 10))
	if res, err := f.auto.Run(ctx, a.ID); err != nil || res.Queued != 1 {
		t.Fatalf("Run = %+v, %v; want F-002's reminder", res, err)
	}
	if c := concern(due, a.ID); c.Concern != automations.ConcernSent || !c.At.Equal(at("2026-12-06", 10)) {
		t.Fatalf("after the run: %+v; want sent on 12-06 at 10:00", c)
	}
	if c := concern(soon, a.ID); c.Concern != automations.ConcernApplies || !c.SendAt.Equal(at("2026-12-08", 9)) {
		t.Fatalf("F-001 after the run: %+v; want still the 8th at 9:00", c)
	}
	// Paused, it still applies, with no date to send.
	if err := f.auto.SetEnabled(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	if c := concern(soon, a.ID); c.Concern != automations.ConcernApplies || !c.SendAt.IsZero() {
		t.Fatalf("paused: %+v; want it to apply, with no send date", c)
	}
}

func TestTheDryRunSaysWhoWouldGetItAndWhyNotTheOthers(t *testing.T) {
	f := newFixture(t, fixtureOpts{now: at("2026-12-06", 10)})
	tp, err := f.tpls.Save(ctx, f.user, templates.Draft{Name: "Relance adresse", Language: "fr", TypeID: f.factures.ID,
		Subject: "Facture {{facture.numero}}", HTML: `<p>Bonjour {{contact.first_name}}, {{company.name}}</p>`})
	if err != nil {
		t.Fatal(err)
	}
	ok := f.company_("ACME", "Élise", "elise@acme.test", "Comptable")
	noContact := f.company_("Sans contact", "", "", "")
	other := f.company_("Autre rôle", "Marc", "marc@autre.test", "Directeur")
	dne := f.company_("Refus", "Zoé", "zoe@refus.test", "Comptable")
	d, _ := f.recs.Get(ctx, dne)
	zoe := d.Backlinks[0].Records[0].ID
	if _, err := f.recs.Update(ctx, f.user, zoe, records.Values{"do_not_email": true}); err != nil {
		t.Fatal(err)
	}
	noName := f.company_("Sans prénom", "", "compta@noname.test", "Comptable")
	for i, c := range []int64{ok, noContact, other, dne, noName} {
		f.invoice(fmt.Sprintf("F-%03d", i), "2026-11-30", false, c)
	}
	a := f.overdue(0)
	a.TemplateID = tp.ID
	if a, err = f.auto.Save(ctx, f.user, a); err != nil {
		t.Fatal(err)
	}
	outs, total, err := f.auto.DryRun(ctx, a.ID, 0)
	if err != nil || total != 5 || len(outs) != 5 {
		t.Fatalf("DryRun = %d of %d, %v; want 5", len(outs), total, err)
	}
	want := []string{"", "automation_no_contact", "automation_no_contact_role", "automation_do_not_email", "automation_missing_value"}
	for i, o := range outs {
		if got := fault.ReasonOf(o.Error); o.Error == nil && want[i] != "" || o.Error != nil && got != want[i] {
			t.Errorf("%s: %v; want %q", o.Title, o.Error, want[i])
		}
	}
	if outs[0].Recipient.Email != "elise@acme.test" || outs[0].Subject != "Facture F-000" {
		t.Fatalf("first = %+v; want Élise and the rendered subject", outs[0])
	}
	if fe, _ := fault.As(outs[4].Error); fe == nil || fe.Params["placeholders"] != "{{contact.first_name}}" {
		t.Fatalf("missing value = %+v; want the placeholder named", outs[4].Error)
	}
	if n := f.count(`SELECT COUNT(*) FROM automation_ledger`) + f.count(`SELECT COUNT(*) FROM outbox`); n != 0 {
		t.Fatalf("a dry run wrote %d rows; want none", n)
	}
	// A run sends to Élise and notes the others with why; pausing stops the scheduler.
	res, err := f.auto.Run(ctx, a.ID)
	if err != nil || res.Queued != 1 || res.Blocked != 4 {
		t.Fatalf("Run = %+v, %v; want 1 queued, 4 blocked", res, err)
	}
	log, _ := f.auto.Log(ctx, a.ID, 0, 10)
	if len(log) != 5 {
		t.Fatalf("log = %+v; want 5 rows", log)
	}
	if err := f.auto.SetEnabled(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	f.invoice("F-010", "2026-11-30", false, ok)
	f.clock.Set(at("2026-12-07", 9))
	f.auto.Tick(ctx)
	if n := f.count(`SELECT COUNT(*) FROM outbox`); n != 1 {
		t.Fatalf("paused: outbox = %d; want still 1", n)
	}
	if err := f.auto.SetEnabled(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	f.auto.Tick(ctx)
	if n := f.count(`SELECT COUNT(*) FROM outbox`); n != 2 {
		t.Fatalf("resumed: outbox = %d; want F-010's reminder too", n)
	}
}

func TestCreatedAndChangedTriggersSendOnce(t *testing.T) {
	f := newFixture(t, fixtureOpts{now: at("2026-12-06", 10)})
	acme := f.company_("ACME", "Élise", "elise@acme.test", "Comptable")
	old := f.invoice("F-000", "2026-12-30", false, acme) // before the automations: never
	base := automations.Automation{TypeID: f.factures.ID, TemplateID: f.tplID, RecipientField: "societe",
		AccountID: f.accID, Hour: 9, Timezone: "Europe/Paris", Enabled: true}
	created := base
	created.Name, created.Trigger = "Bienvenue", automations.OnCreated
	cr, err := f.auto.Save(ctx, f.user, created)
	if err != nil {
		t.Fatal(err)
	}
	changed := base
	changed.Name, changed.Trigger, changed.FieldKey, changed.Value = "Merci", automations.OnChanged, "payee", true
	ch, err := f.auto.Save(ctx, f.user, changed)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(at("2026-12-06", 11))
	f.invoice("F-001", "2026-12-30", false, acme)
	if _, err := f.recs.Update(ctx, f.user, old, records.Values{"payee": true}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if res, err := f.auto.Run(ctx, cr.ID); err != nil {
			t.Fatal(err)
		} else if res.Queued > 1 {
			t.Fatalf("created: %+v", res)
		}
		if _, err := f.auto.Run(ctx, ch.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM automation_ledger WHERE automation_id = ? AND state = 'queued'`, cr.ID); n != 1 {
		t.Fatalf("created: %d sent; want F-001 once", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM automation_ledger WHERE automation_id = ? AND record_id = ? AND state = 'queued'`, ch.ID, old); n != 1 {
		t.Fatalf("changed to paid: %d sent; want F-000 once", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM outbox`); n != 2 {
		t.Fatalf("outbox = %d; want 2", n)
	}
}

func TestAutomationsRefuseWhatCannotWork(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	base := automations.Automation{Name: "x", TypeID: f.factures.ID, Trigger: automations.OnDate, FieldKey: "echeance",
		TemplateID: f.tplID, RecipientField: "societe", AccountID: f.accID, Hour: 9, Timezone: "Europe/Paris"}
	for name, c := range map[string]struct {
		mut  func(*automations.Automation)
		want *fault.Reason
	}{
		"not a date": {func(a *automations.Automation) { a.FieldKey = "numero" }, automations.ErrFieldInvalid},
		"recipient":  {func(a *automations.Automation) { a.RecipientField = "echeance" }, automations.ErrRecipientField},
		"hour":       {func(a *automations.Automation) { a.Hour = 24 }, automations.ErrHourInvalid},
		"zone":       {func(a *automations.Automation) { a.Timezone = "Mars/Olympus" }, automations.ErrTimezoneInvalid},
		"no sender":  {func(a *automations.Automation) { a.AccountID = 0 }, automations.ErrNoSender},
		"name":       {func(a *automations.Automation) { a.Name = " " }, automations.ErrNameMissing},
		"template":   {func(a *automations.Automation) { a.TemplateID = 0 }, automations.ErrTemplateMissing},
	} {
		a := base
		c.mut(&a)
		if _, err := f.auto.Save(ctx, f.user, a); !c.want.Is(err) {
			t.Errorf("%s: %v; want %s", name, err, c.want.Name)
		}
	}
	// The office sender, once set, is the default.
	if err := f.reg.SetOfficeSender(ctx, accounts.OfficeSender{AccountID: f.accID}); err != nil {
		t.Fatal(err)
	}
	a := base
	a.AccountID = 0
	if _, err := f.auto.Save(ctx, f.user, a); err != nil {
		t.Fatalf("with the office sender: %v", err)
	}
	if _, err := f.auto.Save(ctx, f.user, base); !automations.ErrNameTaken.Is(err) {
		t.Fatalf("same name: %v; want automation_name_taken", err)
	}
}

// The crash tests run a child test process that runs an automation over three invoices and
// stops, holding, before the second mail's transaction commits or after it; the parent
// kills it with SIGKILL there, opens the store again and runs again: each invoice is in
// the outbox exactly once, with its ledger row.
const crashEnv = "MAILROOM_AUTOMATION_CRASH"

func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashEnv) // "before|after:path"
	if spec == "" {
		// Only as the child process TestAKilledRunNeitherLosesNorDuplicates starts. Not a
		// skip: make test reads any skip as a missing server.
		return
	}
	when, path, _ := strings.Cut(spec, ":")
	n := 0
	hold := func(int64) {
		n++
		if n == 2 {
			fmt.Println("HOLDING")
			time.Sleep(time.Hour)
		}
	}
	var hooks automations.Options
	if when == "before" {
		hooks.BeforeCommit = hold
	} else {
		hooks.AfterCommit = hold
	}
	f := newFixture(t, fixtureOpts{path: path, now: at("2026-12-06", 10), hooks: hooks, fresh: true})
	var id int64
	_ = f.db.R.QueryRowContext(ctx, `SELECT id FROM automations`).Scan(&id)
	_, _ = f.auto.Run(ctx, id)
	t.Fatal("the run should have been killed")
}

func TestAKilledRunNeitherLosesNorDuplicates(t *testing.T) {
	for _, when := range []string{"before", "after"} {
		t.Run(when, func(t *testing.T) {
			f := newFixture(t, fixtureOpts{now: at("2026-12-06", 10)})
			for i := range 3 {
				c := f.company_(fmt.Sprintf("Client %d", i), "Anne", fmt.Sprintf("anne%d@client.test", i), "comptable")
				f.invoice(fmt.Sprintf("F-%03d", i), "2026-12-01", false, c)
			}
			a := f.overdue(0)
			f.box.Stop()
			f.db.Close()

			cmd := exec.Command(os.Args[0], "-test.run", "^TestCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashEnv+"="+when+":"+f.path)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			held := make(chan bool, 1)
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					if strings.Contains(sc.Text(), "HOLDING") {
						held <- true
						return
					}
				}
				held <- false
			}()
			select {
			case ok := <-held:
				if !ok {
					_ = cmd.Wait()
					t.Fatal("the child ended without reaching the second mail")
				}
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the child did not reach the second mail")
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child: %v; want killed by SIGKILL", err)
			}

			g := newFixture(t, fixtureOpts{path: f.path, now: at("2026-12-06", 10), fresh: true})
			committed := map[string]int{"before": 1, "after": 2}[when]
			if n := g.count(`SELECT COUNT(*) FROM outbox`); n != committed {
				t.Fatalf("after the kill: %d in the outbox; want %d", n, committed)
			}
			if n := g.count(`SELECT COUNT(*) FROM automation_ledger WHERE state = 'queued'`); n != committed {
				t.Fatalf("after the kill: %d ledger rows; want %d (with their outbox rows)", n, committed)
			}
			res, err := g.auto.Run(ctx, a.ID)
			if err != nil || res.Queued != 3-committed {
				t.Fatalf("Run after the kill = %+v, %v; want the %d left", res, err, 3-committed)
			}
			q := g.queued()
			for i := range 3 {
				if got := len(q[fmt.Sprintf(`["anne%d@client.test"]`, i)]); got != 1 {
					t.Fatalf("invoice %d: %d mails; want exactly 1 (%v)", i, got, q)
				}
			}
			if n := g.count(`SELECT COUNT(*) FROM automation_ledger l JOIN outbox o ON o.id = l.outbox_id WHERE l.state = 'queued'`); n != 3 {
				t.Fatalf("ledger rows with their outbox rows = %d; want 3", n)
			}
		})
	}
}
