package automations_test

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/automations"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/templates"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

var ctx = context.Background()

// clock is a fake clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at is a local time in Paris.
func at(day string, hour int) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, day, paris)
	if err != nil {
		panic(err)
	}
	return d.Add(time.Duration(hour) * time.Hour)
}

// fixture is a store with invoices linked to companies, each company with contacts, a
// template and an account; the outbox engine is not started (what is queued stays queued).
type fixture struct {
	t        testing.TB
	path     string
	db       *store.DB
	clock    *clock
	recs     *records.Records
	tpls     *templates.Templates
	box      *outbox.Engine
	reg      *accounts.Registry
	auto     *automations.Engine
	user     int64
	accID    int64
	factures records.Type
	company  *records.Type
	contact  *records.Type
	tplID    int64
}

type fixtureOpts struct {
	path  string
	now   time.Time
	hooks automations.Options
	fresh bool // an existing store: do not create the schema again
	emit  func(automations.Event)
}

func newFixture(t testing.TB, o fixtureOpts) *fixture {
	t.Helper()
	if o.path == "" {
		o.path = filepath.Join(t.TempDir(), "mailroom.db")
	}
	if o.now.IsZero() {
		o.now = at("2026-12-06", 8)
	}
	db, err := store.Open(ctx, o.path)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, path: o.path, db: db, clock: &clock{now: o.now}}
	f.recs = records.New(db, records.Options{Now: f.clock.Now})
	f.tpls = templates.New(templates.Deps{DB: db, Records: f.recs}, templates.Options{Now: f.clock.Now, Location: paris})
	f.reg = accounts.New(db, vault.NewMemory())
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f.box = outbox.New(outbox.Deps{DB: db, Accounts: f.reg, Log: log}, outbox.Options{})
	opts := o.hooks
	opts.Now = f.clock.Now
	f.auto = automations.New(automations.Deps{DB: db, Records: f.recs, Templates: f.tpls, Outbox: f.box, Accounts: f.reg,
		Emit: o.emit, Log: log}, opts)
	t.Cleanup(func() {
		f.auto.Stop()
		f.box.Stop()
		db.Close()
	})
	if o.fresh {
		f.load()
		return f
	}
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Camille Dupont", Email: "camille@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	f.user = u.ID
	acc, err := f.reg.CreateWith(ctx, u.ID, accounts.NewAccount{Email: "factures@example.test", FromName: "Atelier Dupont",
		IMAP: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.TLS, Username: "factures@example.test"},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.StartTLS, Username: "factures@example.test"}},
		accounts.Secrets{Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	f.accID = acc.ID
	s, err := f.recs.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.company = s.TypeByKey(records.CompanyType)
	if f.factures, err = f.recs.CreateType(ctx, u.ID, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []records.FieldInput{
		{Label: "Échéance", Kind: records.Date},
		{Label: "Payée", Kind: records.Checkbox},
		{Label: "Société", Kind: records.Link, TargetTypeID: f.company.ID},
	} {
		if _, err := f.recs.AddField(ctx, f.factures.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	tp, err := f.tpls.Save(ctx, u.ID, templates.Draft{Name: "Relance 1", Language: "fr", TypeID: f.factures.ID,
		Subject: "Facture {{facture.numero}} : échéance du {{facture.echeance}}",
		HTML:    `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p><p>La facture {{facture.numero}} de {{company.name}} attend son règlement.</p>`})
	if err != nil {
		t.Fatal(err)
	}
	f.tplID = tp.ID
	f.load()
	return f
}

// load reads the schema's types back (a fixture over an existing store).
func (f *fixture) load() {
	s, err := f.recs.Schema(f.ctx())
	if err != nil {
		f.t.Fatal(err)
	}
	f.company, f.contact = s.TypeByKey(records.CompanyType), s.TypeByKey(records.ContactType)
	f.factures = *s.TypeByKey("facture")
	_ = f.db.R.QueryRowContext(ctx, `SELECT id FROM templates LIMIT 1`).Scan(&f.tplID)
	_ = f.db.R.QueryRowContext(ctx, `SELECT id FROM accounts LIMIT 1`).Scan(&f.accID)
	_ = f.db.R.QueryRowContext(ctx, `SELECT id FROM users LIMIT 1`).Scan(&f.user)
}

func (f *fixture) ctx() context.Context { return ctx }

// company creates a company with a contact of a role.
func (f *fixture) company_(name, first, email, role string) int64 {
	f.t.Helper()
	c, err := f.recs.Create(ctx, f.user, f.company.ID, records.Values{"name": name})
	if err != nil {
		f.t.Fatal(err)
	}
	if email != "" {
		if _, err := f.recs.Create(ctx, f.user, f.contact.ID, records.Values{"first_name": first, "emails": []any{email},
			"job_title": role, "company": []any{c.ID}}); err != nil {
			f.t.Fatal(err)
		}
	}
	return c.ID
}

func (f *fixture) invoice(numero, due string, paid bool, companyID int64) int64 {
	f.t.Helper()
	v := records.Values{"numero": numero, "echeance": due, "societe": []any{companyID}}
	if paid {
		v["payee"] = true
	}
	r, err := f.recs.Create(ctx, f.user, f.factures.ID, v)
	if err != nil {
		f.t.Fatal(err)
	}
	return r.ID
}

// overdue saves "3 days after the due date, unpaid, to the company's accounting contact".
func (f *fixture) overdue(threshold int) automations.Automation {
	f.t.Helper()
	a, err := f.auto.Save(ctx, f.user, automations.Automation{Name: "Relance J+3", TypeID: f.factures.ID,
		Trigger: automations.OnDate, FieldKey: "echeance", OffsetDays: 3,
		Conditions: []records.Filter{{Field: "payee", Op: records.IsEmpty}},
		TemplateID: f.tplID, RecipientField: "societe", RecipientRole: "comptab", AccountID: f.accID,
		Hour: 9, Timezone: "Europe/Paris", Threshold: threshold, Enabled: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// queued returns the outbox's messages: recipient → subjects.
func (f *fixture) queued() map[string][]string {
	f.t.Helper()
	rows, err := f.db.R.QueryContext(ctx, `SELECT env_to, subject FROM outbox ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var to, subject string
		if err := rows.Scan(&to, &subject); err != nil {
			f.t.Fatal(err)
		}
		out[to] = append(out[to], subject)
	}
	return out
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil && err != sql.ErrNoRows {
		f.t.Fatal(err)
	}
	return n
}

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) { l.t.Log(string(p)); return len(p), nil }
