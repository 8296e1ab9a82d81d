// Package api is the only package bound to the webview. Its services are thin: each
// exported method checks permission first (one check, authorize), calls the package that
// knows, and maps the result to DTOs that can never carry a secret.
//
//	b := &api.Backend{DB: db, Vault: vault.NewKeychain(), Users: users.New(db), Setup: setup.New(…)}
//	svcs := api.New(b)
//	wails.Run(&options.App{Bind: svcs.Bound(), ErrorFormatter: api.FormatError, …})
//
// Every exported method of a bound struct is callable by any script in the webview, so
// nothing else is ever bound, and every method must have an entry in policy: a method
// without one is refused to everybody (and the permission table test fails).
package api

// The generated contract (error codes and reasons for the UI): see contract_test.go.
//go:generate env MAILROOM_UPDATE_CONTRACT=1 go test -tags webkit2_41,sqlite_fts5 -run TestGeneratedContractIsUpToDate .

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/automations"
	"mailroom/backend/backup"
	"mailroom/backend/bulk"
	"mailroom/backend/connect"
	"mailroom/backend/deliverability"
	"mailroom/backend/discovery"
	"mailroom/backend/fault"
	"mailroom/backend/filing"
	"mailroom/backend/mailbox"
	"mailroom/backend/oauth"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/setup"
	"mailroom/backend/store"
	"mailroom/backend/syncer"
	"mailroom/backend/templates"
	"mailroom/backend/templates/buttons"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

// callTimeout bounds one call from the UI that does only local work.
const callTimeout = 30 * time.Second

// Backend is what the services share. DB is nil when the database could not be opened;
// BootErr then says why, and only the public status methods work.
type Backend struct {
	DB      *store.DB
	Vault   vault.Vault
	Users   *users.Service
	BootErr error

	Accounts  *accounts.Registry
	Pins      *connect.Pins
	Dialer    *connect.Dialer
	Discovery *discovery.Discoverer
	Mailbox   *mailbox.Mailbox
	Records   *records.Records
	Sync      *syncer.Engine
	// Filing files messages into records beside the sync (F10).
	Filing *filing.Engine
	// Outbox sends every message (composer, test email). app.go builds it, with the
	// transport factory in its Deps (the seam for API senders), and starts it.
	Outbox *outbox.Engine
	// Templates keeps the mails written once and sent from records (F12).
	Templates *templates.Templates
	// Automations send templates from records by rule, once per record and date (F13).
	Automations *automations.Engine
	// Buttons are the send buttons of record types and their sends (F13).
	Buttons *buttons.Buttons
	// Bulk sends a template to the records of a filtered list, paced (F12).
	Bulk *bulk.Bulk
	// Deliverability checks an account's From domain against its sending path (F16).
	Deliverability *deliverability.Checker
	// Setup is the account wizard: discovery, connection tests, sign-ins, saving accounts,
	// the test email.
	Setup *setup.Wizard
	// Backups writes backups and runs the automatic ones (F24).
	Backups *backup.Service
	// Reopen stops the engines, closes the store, lets swap replace the database file
	// (undo puts the replaced one back), then opens it and rebuilds and starts everything
	// (app.go). Backups.Restore calls it holding gate, so no other call runs meanwhile.
	Reopen func(swap func(dbPath string) (undo func() error, err error)) error
	// OAuth signs in with Google and Microsoft in the system browser; nil: not available.
	OAuth   *oauth.Client
	Dialogs Dialogs
	// Emit sends an event to the UI (Wails' EventsEmit); nil drops events (tests may record them).
	Emit    func(name string, data any)
	DataDir string
	Version string
	Log     *slog.Logger

	ctx context.Context // the application's context, set by Startup
	// gate: every bound call holds it for reading (run); a restore's swap for writing, so
	// that no call reads a field while the backend's parts are rebuilt.
	gate sync.RWMutex
}

// lockAll takes gate for writing once the calls under way are over, trying for at most
// wait. TryLock, not Lock: a pending Lock would stop new readers, and a call that waits on
// another call (a nested read) would deadlock.
func (b *Backend) lockAll(wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for {
		if b.gate.TryLock() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Startup records the application context (cancelled at shutdown) for the calls (and, in
// the dev-tagged binary only, puts the browser tests' file dialogs in place).
func (b *Backend) Startup(ctx context.Context) {
	b.ctx = ctx
	if devDialogs != nil {
		if d := devDialogs(); d != nil {
			b.Dialogs = d
		}
	}
}

// devDialogs gives the dev-tagged binary's file dialogs for the browser tests
// (dialogs_dev.go), or nil to keep the native ones; it is nil in every other build.
var devDialogs func() Dialogs

// appContext is the application's context (cancelled at shutdown), without a bound.
func (b *Backend) appContext() context.Context {
	if b.ctx == nil {
		return context.Background()
	}
	return b.ctx
}

func (b *Backend) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.appContext(), callTimeout)
}

// networkContext bounds a call that talks to mail servers (discovery with verification,
// a connection test, a send, an attachment).
func (b *Backend) networkContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.appContext(), networkTimeout)
}

// AccountChangedEvent tells the UI that an account changed on its own (its sign-in was
// refused): the payload is the account's id, and the UI reloads it.
const AccountChangedEvent = "account:changed"

// UseOAuth enables Sign in with Google and Microsoft: the accounts' grants are kept by a
// token store over the backend's vault, and an account whose grant the provider refuses is
// marked "needs sign-in", stops syncing and sending, and the UI is told. The organisation's
// client registrations (System.SetSignInClient) are kept in the database and the vault.
// Accounts and Setup must be set.
func (b *Backend) UseOAuth(c *oauth.Client) {
	if c.Registrations() == nil && b.DB != nil {
		c.UseRegistrations(oauth.NewRegistrations(b.DB, b.Vault))
	}
	b.OAuth = c
	b.Setup.UseOAuth(c)
	b.Accounts.SetTokens(oauth.NewTokenStore(c, b.Vault), func(id int64) {
		b.accountChanged(id)
		b.emit(AccountChangedEvent, id)
	})
}

// SyncEvents forwards the sync engine's events to the UI (syncer.Deps.Emit).
func (b *Backend) SyncEvents() func(syncer.Event) { return syncEvent(b) }

// OutboxEvents forwards the outbox's events to the UI (outbox.Deps.Emit).
func (b *Backend) OutboxEvents() func(outbox.Event) { return outboxEvent(b) }

// accountChanged tells the sync engine and the outbox an account was created, edited,
// enabled, disabled or deleted.
func (b *Backend) accountChanged(id int64) {
	if b.Sync != nil {
		if err := b.Sync.AccountChanged(id); err != nil {
			b.logger().Warn("sync engine: account change", "account", id, "err", err)
		}
	}
	if b.Outbox != nil {
		if err := b.Outbox.AccountChanged(id); err != nil {
			b.logger().Warn("outbox: account change", "account", id, "err", err)
		}
	}
}

func (b *Backend) emit(name string, data any) {
	if b.Emit != nil {
		b.Emit(name, data)
	}
}

func (b *Backend) logger() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}

// Services are the bound facades.
type Services struct {
	Session  *Session
	System   *System
	Users    *Users
	Accounts *Accounts
	Presets  *Presets
	Mail     *Mail
	Sync     *Sync
	Outbox   *Outbox
	Records  *Records
	Filing   *Filing
	Imports  *Imports
	// Templates: the Templates screen.
	Templates *Templates
	Backups   *Backups
	// Automations: the Automations screen and a record's automations.
	Automations *Automations
	// Buttons: send by button on records' pages and the type editor.
	Buttons *Buttons
	// Bulk: "send to these N records" from the Records screen.
	Bulk *Bulk
}

// New builds the services over b. It does no I/O.
func New(b *Backend) *Services {
	return &Services{
		Session:     &Session{b: b},
		System:      &System{b: b},
		Users:       &Users{b: b},
		Accounts:    &Accounts{b: b},
		Presets:     &Presets{b: b},
		Mail:        &Mail{b: b},
		Sync:        &Sync{b: b},
		Outbox:      &Outbox{b: b},
		Records:     &Records{b: b},
		Filing:      &Filing{b: b},
		Imports:     &Imports{b: b},
		Templates:   &Templates{b: b},
		Backups:     &Backups{b: b},
		Automations: &Automations{b: b},
		Buttons:     &Buttons{b: b},
		Bulk:        &Bulk{b: b},
	}
}

// devBound holds what the dev-tagged binary binds besides the services (the browser tests'
// canary, canary_dev.go); it is empty in every other build.
var devBound []any

// Bound lists the structs to bind to the webview: every exported method of each becomes
// callable from JavaScript.
func (s *Services) Bound() []any {
	return append([]any{s.Session, s.System, s.Users, s.Accounts, s.Presets, s.Mail, s.Sync, s.Outbox, s.Records, s.Filing, s.Imports, s.Templates, s.Backups, s.Automations, s.Buttons, s.Bulk}, devBound...)
}

// ErrorDTO is how every error reaches the UI: a stable code and reason the UI words in
// the user's language with the named params, whether retrying may help (class), the form
// field it concerns, and a server's own words (detail) to show verbatim beside the
// translation. The backend's English text never reaches the UI: it is for logs.
type ErrorDTO struct {
	Code   string         `json:"code"`
	Reason string         `json:"reason"`
	Params map[string]any `json:"params,omitempty"`
	Class  string         `json:"class"`
	Field  string         `json:"field,omitempty"`
	Detail string         `json:"detail,omitempty"`
}

// FormatError is the one mapping from Go errors to what the UI receives. Errors without a
// code are internal: their text (which may hold paths or library details) goes to the log,
// not to the UI.
func FormatError(err error) any {
	if fe, ok := fault.As(err); ok {
		return faultDTO(fe)
	}
	slog.Error("internal error", "err", err)
	return faultDTO(fault.ErrInternal.New(nil))
}

// faultDTO maps a user-facing error; the reason of one built without a reason of its own is
// its code's ("invalid_input", "network"…), which the UI words in general terms.
func faultDTO(fe *fault.Error) ErrorDTO {
	reason := fe.Reason
	if reason == "" {
		reason = string(fe.Code)
	}
	class := fe.Class
	if class == "" {
		class = fault.Permanent
	}
	return ErrorDTO{Code: string(fe.Code), Reason: reason, Params: fe.Params, Class: string(class), Field: fe.Field, Detail: fe.Detail}
}
