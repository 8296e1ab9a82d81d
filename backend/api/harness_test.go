package api

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/automations"
	"mailroom/backend/backup"
	"mailroom/backend/bulk"
	"mailroom/backend/connect"
	"mailroom/backend/deliverability"
	"mailroom/backend/discovery"
	"mailroom/backend/filing"
	"mailroom/backend/mailbox"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/senders"
	"mailroom/backend/setup"
	"mailroom/backend/store"
	"mailroom/backend/syncer"
	"mailroom/backend/templates"
	"mailroom/backend/templates/buttons"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

// harness is a Backend as app.go builds it, over a temporary database and an in-memory
// vault, with an owner (super admin), an admin and a collaborator (none with a password);
// as(p) signs p in, or signs everybody out.
type harness struct {
	b     *Backend
	svcs  *Services
	users map[string]int64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := newEmptyHarness(t)
	ctx := context.Background()
	us := h.b.Users
	owner, err := us.CreateOwner(ctx, users.NewUser{Name: "Owner", Email: "owner@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	h.users[super] = owner.ID
	for _, r := range []users.Role{users.Admin, users.Collaborator} {
		u, err := us.Create(ctx, users.NewUser{Name: string(r), Email: string(r) + "@example.test", Role: r, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		h.users[string(r)] = u.ID
	}
	return h
}

// newEmptyHarness is a harness before onboarding: no user at all.
func newEmptyHarness(t *testing.T) *harness {
	t.Helper()
	return newEmptyHarnessWith(t, vault.NewMemory())
}

// newEmptyHarnessWith is newEmptyHarness over the vault v (the real keychain, say).
func newEmptyHarnessWith(t *testing.T, v vault.Vault) *harness {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	b := &Backend{Vault: v, DataDir: t.TempDir(), Version: "test", Dialer: &connect.Dialer{Timeout: 5 * time.Second}}
	buildHarnessBackend(t, b, db)
	h := &harness{b: b, svcs: New(b), users: map[string]int64{}}
	h.useSenders(senders.Options{})
	return h
}

// buildHarnessBackend builds b's parts over db as app.go does (again after a restore,
// keeping the dialer's settings), and starts the outbox.
func buildHarnessBackend(t *testing.T, b *Backend, db *store.DB) {
	t.Helper()
	t.Cleanup(func() { db.Close() })
	reg := accounts.New(db, b.Vault)
	pins := connect.NewPins(db)
	dialer := *b.Dialer
	dialer.Pins = pins
	b.DB, b.Users, b.Accounts, b.Pins, b.Dialer = db, users.New(db), reg, pins, &dialer
	b.Discovery = discovery.New(discovery.Options{Presets: DiscoveryPresets{reg}, Resolver: discovery.NewDNSServerResolver("127.0.0.1:9")})
	b.Mailbox = mailbox.New(db)
	// Filing is wired as app.go wires it: its events reach the UI's channel, its
	// $MailroomFiled changes go out through the sync's workers (Queued), and the sync's
	// notices (stored, removed) reach it.
	b.Filing = filing.New(filing.Deps{DB: db, Emit: b.FilingEvents(),
		Queued: func(ids ...int64) { b.Sync.FlagsQueued(ids...) }}, filing.Options{})
	b.Deliverability = deliverability.New(deliverability.Deps{DB: db, Accounts: reg,
		Resolver: deliverability.ResolverFor(discovery.NewDNSServerResolver("127.0.0.1:9"))}, deliverability.Options{})
	b.Records = records.New(db, records.Options{Changed: b.RecordsChanged})
	b.Templates = templates.New(templates.Deps{DB: db, Records: b.Records}, templates.Options{})
	b.Backups = backup.New(backup.Deps{DB: db, Version: "test"})
	b.Sync = syncer.New(syncer.Deps{DB: db, Accounts: reg, Dialer: b.Dialer, Emit: b.SyncEvents(),
		Stored: func(st syncer.Stored) {
			b.Filing.Stored(filing.Notice{IDs: st.MessageIDs, Bodies: st.Bodies, Drained: st.Drained})
			if b.Buttons != nil {
				_, _ = b.Buttons.FilePending(context.Background())
			}
		}}, syncer.Options{})
	// The outbox runs in every harness, as in the app: a send is queued, then sent by its
	// account's worker. Stopped before the database closes (cleanups run last first).
	b.Outbox = outbox.New(outbox.Deps{DB: db, Accounts: reg, Dialer: b.Dialer, Emit: b.OutboxEvents()}, outbox.Options{})
	if err := b.Outbox.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Outbox.Stop)
	b.Automations = automations.New(automations.Deps{DB: db, Records: b.Records, Templates: b.Templates, Outbox: b.Outbox,
		Accounts: reg, Users: b.Users, Filing: b.Filing, Emit: b.AutomationEvents()}, automations.Options{})
	b.Buttons = buttons.New(buttons.Deps{DB: db, Records: b.Records, Templates: b.Templates, Accounts: reg,
		Outbox: b.Outbox, Filing: b.Filing, SyncNow: func(id int64) { b.Sync.SyncNow(id) }})
	t.Cleanup(b.Buttons.Stop)
	b.Bulk = bulk.New(bulk.Deps{DB: db, Records: b.Records, Templates: b.Templates, Outbox: b.Outbox, Accounts: reg,
		Deliverability: b.Deliverability, Emit: b.BulkEvents()}, bulk.Options{})
}

// as makes p the caller of the next calls; anon and nobody sign everybody out (a harness
// with users cannot go back to before onboarding: newEmptyHarness is that).
func (h *harness) as(t *testing.T, p string) {
	t.Helper()
	if p == anon || p == nobody {
		h.b.Users.Lock()
		return
	}
	if _, err := h.b.Users.SignIn(context.Background(), h.users[p], ""); err != nil {
		t.Fatal(err)
	}
}

// useSenders rebuilds the wizard with API senders' endpoints moved (as the configuration's
// MAILROOM_POSTMARK_URL and MAILROOM_MAILGUN_URL do in the app).
func (h *harness) useSenders(opts senders.Options) {
	b := h.b
	b.Setup = setup.New(setup.Deps{Accounts: b.Accounts, Dialer: b.Dialer, Pins: b.Pins, Discovery: b.Discovery,
		Senders: senders.New(b.Accounts, opts), Outbox: b.Outbox, OAuth: b.OAuth, Log: b.Log}, setup.Options{})
}

// events records the connection test's steps streamed as events.
type events struct {
	mu    sync.Mutex
	steps []StepDTO
}

func (e *events) record(name string, data any) {
	if name != ProbeStepEvent {
		return
	}
	e.mu.Lock()
	e.steps = append(e.steps, data.(StepDTO))
	e.mu.Unlock()
}
