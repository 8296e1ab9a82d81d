package bulk_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/textproto"

	"mailroom/backend/accounts"
	"mailroom/backend/bulk"
	"mailroom/backend/connect"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/templates"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

var ctx = context.Background()

type fixture struct {
	db       *store.DB
	r        *records.Records
	tpl      *templates.Templates
	reg      *accounts.Registry
	user     int64
	factures records.Type
	contact  *records.Type
	template int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Camille Dupont", Email: "camille@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, user: u.ID, r: records.New(db, records.Options{}), reg: accounts.New(db, vault.NewMemory())}
	f.tpl = templates.New(templates.Deps{DB: db, Records: f.r}, templates.Options{Location: time.UTC})
	s, err := f.r.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.contact = s.TypeByKey(records.ContactType)
	if f.factures, err = f.r.CreateType(ctx, u.ID, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []records.FieldInput{
		{Label: "Montant", Kind: records.Money, Currency: "EUR"},
		{Label: "Email", Kind: records.Email},
		{Label: "Client", Kind: records.Link, TargetTypeID: f.contact.ID},
	} {
		if _, err := f.r.AddField(ctx, f.factures.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	tp, err := f.tpl.Save(ctx, u.ID, templates.Draft{Name: "Relance", Language: "fr", TypeID: f.factures.ID,
		Subject: "Facture {{facture.numero}}",
		HTML:    `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p><p>La facture {{facture.numero}} de {{facture.montant}} est due.</p>`})
	if err != nil {
		t.Fatal(err)
	}
	f.template = tp.ID
	return f
}

func (f *fixture) invoice(t testing.TB, v records.Values) records.Record {
	t.Helper()
	r, err := f.r.Create(ctx, f.user, f.factures.ID, v)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) account(t testing.TB, email, password string, smtp, imapSrv accounts.Server) accounts.Account {
	t.Helper()
	a, err := f.reg.CreateWith(ctx, 0, accounts.NewAccount{Email: email, IMAP: imapSrv, SMTP: smtp}, accounts.Secrets{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPlanSetsAsideWhoCannotGetItAndWhy(t *testing.T) {
	f := newFixture(t)
	acc := f.account(t, "factures@example.test", "x", accounts.Server{Host: "smtp.example.test", Port: 587, Security: accounts.StartTLS, Username: "factures@example.test"}, accounts.Server{Host: "imap.example.test", Port: 993, Security: accounts.TLS, Username: "factures@example.test"})
	quiet, err := f.r.Create(ctx, f.user, f.contact.ID, records.Values{"first_name": "Paul", "emails": []any{"paul@client.test"}, "do_not_email": true})
	if err != nil {
		t.Fatal(err)
	}
	elise, err := f.r.Create(ctx, f.user, f.contact.ID, records.Values{"first_name": "Élise", "emails": []any{"elise@client.test"}})
	if err != nil {
		t.Fatal(err)
	}
	ok1 := f.invoice(t, records.Values{"numero": "F-001", "montant": 120.5, "email": "compta@client.test"})
	ok2 := f.invoice(t, records.Values{"numero": "F-002", "montant": 99.0, "client": elise.ID}) // through its contact
	f.invoice(t, records.Values{"numero": "F-003", "montant": 10.0})                            // no address
	f.invoice(t, records.Values{"numero": "F-004", "montant": 10.0, "client": quiet.ID})        // do not email
	f.invoice(t, records.Values{"numero": "F-005", "email": "x@client.test"})                   // no amount, no default

	b := bulk.New(bulk.Deps{DB: f.db, Records: f.r, Templates: f.tpl, Accounts: f.reg}, bulk.Options{})
	p, err := b.Plan(ctx, bulk.Input{AccountID: acc.ID, TemplateID: f.template, List: records.Query{TypeID: f.factures.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 5 || len(p.Sendable) != 2 || len(p.Excluded) != 3 {
		t.Fatalf("plan: total %d, sendable %+v, excluded %+v", p.Total, p.Sendable, p.Excluded)
	}
	got := map[int64]string{}
	for _, r := range p.Sendable {
		got[r.RecordID] = r.Email
	}
	if got[ok1.ID] != "compta@client.test" || got[ok2.ID] != "elise@client.test" {
		t.Fatalf("addresses %v", got)
	}
	why := map[string]string{}
	for _, r := range p.Excluded {
		why[r.Title] = r.Reason + " " + strings.Join(r.Missing, ",")
	}
	want := map[string]string{"F-003": "no_address ", "F-004": "do_not_email ", "F-005": "missing_value {{facture.montant}}"}
	for k, v := range want {
		if why[k] != v {
			t.Fatalf("excluded %s: %q, want %q (all: %v)", k, why[k], v, why)
		}
	}
	// A filter narrows the list as the Records screen does.
	p, err = b.Plan(ctx, bulk.Input{AccountID: acc.ID, TemplateID: f.template,
		List: records.Query{TypeID: f.factures.ID, Filters: []records.Filter{{Field: "numero", Op: records.Equals, Value: "F-001"}}}})
	if err != nil || p.Total != 1 || len(p.Sendable) != 1 {
		t.Fatalf("filtered plan %+v, %v", p, err)
	}
	if p.PerDay != bulk.OtherPerDay || p.Days != 1 {
		t.Fatalf("pace %d, days %d", p.PerDay, p.Days)
	}
}

func TestScheduleSpreadsOverDaysAndDefaultsFollowProviders(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	s := bulk.Schedule(now, 1200, 500, 100)
	if !s[399].Equal(now) || !s[400].Equal(now.Add(24*time.Hour)) || !s[899].Equal(now.Add(24*time.Hour)) || !s[900].Equal(now.Add(48*time.Hour)) || !s[1199].Equal(now.Add(48*time.Hour)) {
		t.Fatalf("slots 399 %v 400 %v 899 %v 900 %v 1199 %v", s[399], s[400], s[899], s[900], s[1199])
	}
	for _, c := range []struct {
		a    accounts.Account
		want int
	}{
		{accounts.Account{Email: "a@gmail.com", SMTP: accounts.Server{Host: "smtp.gmail.com"}}, bulk.GmailPerDay},
		{accounts.Account{Email: "a@acme.fr", Provider: "gmail", SMTP: accounts.Server{Host: "smtp.gmail.com"}}, bulk.WorkspacePerDay},
		{accounts.Account{Email: "a@hotmail.fr", SMTP: accounts.Server{Host: "smtp-mail.outlook.com"}}, bulk.OutlookPerDay},
		{accounts.Account{Email: "a@acme.fr", SMTP: accounts.Server{Host: "smtp.office365.com"}}, bulk.Microsoft365PerDay},
		{accounts.Account{Email: "a@acme.fr", SMTP: accounts.Server{Host: "ssl0.ovh.net"}}, bulk.OtherPerDay},
	} {
		if got, _ := bulk.DefaultLimit(c.a); got != c.want {
			t.Fatalf("%s via %s: %d, want %d", c.a.Email, c.a.SMTP.Host, got, c.want)
		}
	}
}

func TestPacedJobWaitsInTheStoreAndPauseResumeCancel(t *testing.T) {
	f := newFixture(t)
	acc := f.account(t, "factures@example.test", "x", accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.StartTLS, Username: "f"}, accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: "f"})
	for i := range 5 {
		f.invoice(t, records.Values{"numero": fmt.Sprintf("F-%03d", i), "montant": 10.0, "email": fmt.Sprintf("c%d@client.test", i)})
	}
	ob := outbox.New(outbox.Deps{DB: f.db, Accounts: f.reg}, outbox.Options{})
	b := bulk.New(bulk.Deps{DB: f.db, Records: f.r, Templates: f.tpl, Accounts: f.reg, Outbox: ob}, bulk.Options{Tick: 20 * time.Millisecond})
	if _, err := b.SetLimit(ctx, acc.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	in := bulk.Input{AccountID: acc.ID, TemplateID: f.template, List: records.Query{TypeID: f.factures.ID}}
	p, err := b.Plan(ctx, in)
	if err != nil || p.Days != 3 {
		t.Fatalf("plan over %d days, %v", p.Days, err)
	}
	id, err := b.Start(ctx, f.user, in)
	if err != nil {
		t.Fatal(err)
	}
	// Two today in the outbox (the outbox is not started: they wait there), three in the store.
	pr := waitProgress(t, b, id, func(p bulk.Progress) bool { return p.Queued == 2 })
	if pr.Waiting != 3 || !pr.LastSend.After(time.Now().Add(47*time.Hour)) {
		t.Fatalf("progress %+v", pr)
	}
	if err := b.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	pr, _ = b.Progress(ctx, id)
	if pr.State != "paused" || pr.Queued != 0 || pr.Waiting != 5 {
		t.Fatalf("paused: %+v", pr)
	}
	if err := b.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitProgress(t, b, id, func(p bulk.Progress) bool { return p.Queued == 2 && p.State == "running" })
	if err := b.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	pr, _ = b.Progress(ctx, id)
	if pr.State != "cancelled" || pr.Cancelled != 5 {
		t.Fatalf("cancelled: %+v", pr)
	}
	var queued int
	if err := f.db.R.QueryRow(`SELECT count(*) FROM outbox WHERE state = 'queued'`).Scan(&queued); err != nil || queued != 0 {
		t.Fatalf("outbox still holds %d queued mails (%v)", queued, err)
	}
}

func waitProgress(t testing.TB, b *bulk.Bulk, id int64, ok func(bulk.Progress) bool) bulk.Progress {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		p, err := b.Progress(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("progress %+v", p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// crashingOutbox is the real outbox, but the n-th EnqueueAll "crashes" right after its
// commit: the mails are queued and the bulk engine never hears of it.
type crashingOutbox struct {
	*outbox.Engine
	calls  atomic.Int64
	crash  int64
	cancel context.CancelFunc
}

var errCrash = errors.New("crashed after the commit")

func (c *crashingOutbox) EnqueueAll(ctx context.Context, accountID int64, envs []outbox.Envelope) ([]int64, error) {
	ids, err := c.Engine.EnqueueAll(ctx, accountID, envs)
	if c.calls.Add(1) == c.crash && err == nil {
		c.cancel()
		return nil, errCrash
	}
	return ids, err
}

type mailSetup struct {
	env    *testenv.Env
	f      *fixture
	acc    accounts.Account
	rcpt   testenv.User
	dialer *connect.Dialer
}

func setupMail(t *testing.T, n int) mailSetup {
	env := testenv.Mail(t)
	sender, rcpt := env.NewUser(t), env.NewUser(t)
	f := newFixture(t)
	sh, sp := testenv.HostPort(env.SMTPAddr)
	ih, ip := testenv.HostPort(env.IMAPSAddr)
	acc := f.account(t, sender.Address, sender.Password,
		accounts.Server{Host: sh, Port: sp, Security: accounts.StartTLS, Username: sender.Address},
		accounts.Server{Host: ih, Port: ip, Security: accounts.TLS, Username: sender.Address})
	for i := range n {
		f.invoice(t, records.Values{"numero": fmt.Sprintf("F-%04d", i), "montant": float64(100 + i), "email": rcpt.Address})
	}
	return mailSetup{env: env, f: f, acc: acc, rcpt: rcpt, dialer: setupDialer(env)}
}

func setupDialer(env *testenv.Env) *connect.Dialer {
	return &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second}
}

func (m mailSetup) outbox(t testing.TB) *outbox.Engine {
	ob := outbox.New(outbox.Deps{DB: m.f.db, Accounts: m.f.reg, Dialer: m.dialer}, outbox.Options{SentCopies: outbox.CopyNever})
	if err := ob.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return ob
}

// inbox reads the recipient's INBOX: each Message-ID with how many times it is there,
// and the List-Unsubscribe of each.
func inbox(t testing.TB, env *testenv.Env, u testenv.User, want int) (map[string]int, map[string]string) {
	t.Helper()
	c, err := imapclient.DialTLS(env.IMAPSAddr, &imapclient.Options{TLSConfig: env.TLSConfig(), Dialer: &net.Dialer{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(u.Address, u.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if int(sel.NumMessages) >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var seq imap.SeqSet
	seq.AddRange(1, 0)
	msgs, err := c.Fetch(seq, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader, Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	ids, unsub := map[string]int{}, map[string]string{}
	for _, m := range msgs {
		for _, raw := range m.BodySection {
			h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw.Bytes)))
			if err != nil {
				t.Fatal(err)
			}
			id := h.Get("Message-Id")
			ids[id]++
			unsub[id] = h.Get("List-Unsubscribe")
		}
	}
	return ids, unsub
}

func checkInbox(t *testing.T, m mailSetup, lo, hi int) {
	t.Helper()
	ids, unsub := inbox(t, m.env, m.rcpt, lo)
	if len(ids) < lo || len(ids) > hi {
		t.Fatalf("the inbox holds %d distinct mails, want %d to %d", len(ids), lo, hi)
	}
	for id, c := range ids {
		if c != 1 {
			t.Fatalf("%s arrived %d times", id, c)
		}
		if !strings.HasPrefix(id, "<bulk.") {
			t.Fatalf("Message-ID %s is not the bulk send's", id)
		}
		if want := "<mailto:" + m.acc.Email + "?subject=unsubscribe>"; unsub[id] != want {
			t.Fatalf("%s: List-Unsubscribe %q, want %q", id, unsub[id], want)
		}
	}
}

func TestBulkSendOf200ArrivesOnceEachWithListUnsubscribe(t *testing.T) {
	const n = 200
	m := setupMail(t, n)
	ob := m.outbox(t)
	defer ob.Stop()
	filed := make(chan [2]int64, 10)
	b := bulk.New(bulk.Deps{DB: m.f.db, Records: m.f.r, Templates: m.f.tpl, Accounts: m.f.reg, Outbox: ob,
		File: func(_ context.Context, by int64, ids []int64, recordID int64) error {
			filed <- [2]int64{ids[0], recordID}
			return nil
		}},
		bulk.Options{Tick: 50 * time.Millisecond, Batch: 50})
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	id, err := b.Start(ctx, m.f.user, bulk.Input{AccountID: m.acc.ID, TemplateID: m.f.template, List: records.Query{TypeID: m.f.factures.ID}})
	if err != nil {
		t.Fatal(err)
	}
	p := waitProgress(t, b, id, func(p bulk.Progress) bool { return p.State == "done" })
	if p.Sent != n || p.Total != n {
		t.Fatalf("done: %+v", p)
	}
	checkInbox(t, m, n, n)

	// Once a sent mail's copy is synced (a message with its Message-ID), it is filed to its
	// record by hand, once.
	var rec int64
	var msgID string
	if err := m.f.db.R.QueryRow(`SELECT r.record_id, o.message_id FROM bulk_recipients r JOIN outbox o ON o.id = r.outbox_id
		WHERE r.job_id = ? ORDER BY r.position LIMIT 1`, id).Scan(&rec, &msgID); err != nil {
		t.Fatal(err)
	}
	res, err := m.f.db.W.Exec(`INSERT INTO messages(account_id, message_id, subject) VALUES (?, ?, 'copy')`, m.acc.ID, msgID)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := res.LastInsertId()
	select {
	case got := <-filed:
		if got != [2]int64{msg, rec} {
			t.Fatalf("filed message %d to record %d, want %d to %d", got[0], got[1], msg, rec)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sent mail was not filed to its record")
	}
	select {
	case got := <-filed:
		t.Fatalf("filed again: %v", got)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestCrashMidwaySendsNoDuplicate(t *testing.T) {
	const n = 200
	m := setupMail(t, n)
	in := bulk.Input{AccountID: m.acc.ID, TemplateID: m.f.template, List: records.Query{TypeID: m.f.factures.ID}}

	// First run: the third batch is committed to the outbox, then the process "dies"
	// before the job learns of it; everything stops.
	ob1 := m.outbox(t)
	runCtx, cancel := context.WithCancel(ctx)
	co := &crashingOutbox{Engine: ob1, crash: 3, cancel: cancel}
	b1 := bulk.New(bulk.Deps{DB: m.f.db, Records: m.f.r, Templates: m.f.tpl, Accounts: m.f.reg, Outbox: co},
		bulk.Options{Tick: 50 * time.Millisecond, Batch: 20})
	if err := b1.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	id, err := b1.Start(ctx, m.f.user, in)
	if err != nil {
		t.Fatal(err)
	}
	<-runCtx.Done()
	b1.Stop()
	ob1.Stop()
	p, err := b1.Progress(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != "running" || p.Waiting == 0 || p.Waiting == n {
		t.Fatalf("after the crash: %+v", p)
	}
	var inOutbox int
	if err := m.f.db.R.QueryRow(`SELECT count(*) FROM outbox`).Scan(&inOutbox); err != nil {
		t.Fatal(err)
	}
	if inOutbox != 50 {
		t.Fatalf("the outbox holds %d mails after the crash, want 50 (three batches: 10, then 20 each)", inOutbox)
	}

	// Restart on the same store: the job goes on.
	ob2 := m.outbox(t)
	defer ob2.Stop()
	b2 := bulk.New(bulk.Deps{DB: m.f.db, Records: m.f.r, Templates: m.f.tpl, Accounts: m.f.reg, Outbox: ob2},
		bulk.Options{Tick: 50 * time.Millisecond, Batch: 20})
	if err := b2.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer b2.Stop()
	p = waitProgress(t, b2, id, func(p bulk.Progress) bool { return p.State == "done" })
	// Stopping the outbox mid-send may leave the mail whose final dot was on its way
	// possibly sent (the outbox's rule: never resent without the user's word).
	if p.Sent+p.Failed != n || p.Failed > 1 {
		t.Fatalf("done: %+v", p)
	}
	if err := m.f.db.R.QueryRow(`SELECT count(*) FROM outbox`).Scan(&inOutbox); err != nil || inOutbox != n {
		t.Fatalf("the outbox holds %d mails, want %d (%v)", inOutbox, n, err)
	}
	checkInbox(t, m, p.Sent, n)
}

// A record whose placeholder has no value when its mail is rendered to be queued (Start
// plans addresses only) is set aside then, with the placeholder named.
func TestMissingValueAtQueueTimeIsSetAside(t *testing.T) {
	f := newFixture(t)
	acc := f.account(t, "factures@example.test", "x", accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.StartTLS, Username: "f"}, accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: "f"})
	f.invoice(t, records.Values{"numero": "F-001", "montant": 10.0, "email": "a@client.test"})
	f.invoice(t, records.Values{"numero": "F-002", "email": "b@client.test"})
	ob := outbox.New(outbox.Deps{DB: f.db, Accounts: f.reg}, outbox.Options{})
	b := bulk.New(bulk.Deps{DB: f.db, Records: f.r, Templates: f.tpl, Accounts: f.reg, Outbox: ob}, bulk.Options{Tick: 20 * time.Millisecond})
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	id, err := b.Start(ctx, f.user, bulk.Input{AccountID: acc.ID, TemplateID: f.template, List: records.Query{TypeID: f.factures.ID}})
	if err != nil {
		t.Fatal(err)
	}
	p := waitProgress(t, b, id, func(p bulk.Progress) bool { return p.Queued == 1 && p.Skipped == 1 })
	var reason, missing string
	if err := f.db.R.QueryRow(`SELECT reason, missing FROM bulk_recipients WHERE job_id = ? AND state = 'skipped'`, id).Scan(&reason, &missing); err != nil {
		t.Fatal(err)
	}
	if reason != bulk.MissingValue || missing != "{{facture.montant}}" || p.Total != 1 {
		t.Fatalf("set aside for %q (%q); progress %+v", reason, missing, p)
	}
}
