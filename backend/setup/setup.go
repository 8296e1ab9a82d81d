// Package setup runs the account wizard: finding an address's servers, the step-by-step
// connection test, trusting a certificate a test has just shown, signing in with Google or
// Microsoft, saving the account, and the test email. It keeps what the wizard needs between
// calls — the tests under way (by run id, to cancel them), the certificates just shown, the
// tests that passed, the sign-ins waiting to be saved — in memory only.
//
//	w := setup.New(setup.Deps{Accounts: reg, Dialer: dialer, Pins: pins, Discovery: disc,
//		Senders: senders.New(reg, senders.Options{}), Outbox: ob}, setup.Options{}) // no I/O
//	found, err := w.Discover(ctx, "ana@example.com", password)
//	rep, err := w.Test(ctx, setup.TestRequest{RunID: "r1", Account: acc,
//		Credentials: setup.Credentials{Password: pw}}, func(st probe.Step) { /* stream it */ })
//	err = w.TrustCertificate(ctx, host, port, sha256, userID) // only one a test just showed
//	a, err := w.Create(ctx, userID, acc, setup.Credentials{Password: pw}) // connected if r1 passed
//	w.Cancel("r1")                                                  // a test or sign-in under way
//
// Signing in: SignIn(ctx, runID, provider, email, waiting) waits for the browser and keeps
// the grant under runID for Test and Create (Credentials.SignInID = runID); UseOAuth
// enables it. The package knows nothing of the UI: steps and waits are reported through
// callbacks, and backend/api maps them to events and DTOs.
package setup

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/discovery"
	"mailroom/backend/oauth"
	"mailroom/backend/outbox"
	"mailroom/backend/senders"
)

// Deps are the packages the wizard drives.
type Deps struct {
	Accounts  *accounts.Registry
	Dialer    *connect.Dialer
	Pins      *connect.Pins
	Discovery *discovery.Discoverer
	// Senders checks an API sender (Postmark, Mailgun) in place of the SMTP login.
	Senders *senders.Factory
	// Outbox sends the test email.
	Outbox *outbox.Engine
	// OAuth signs in with Google and Microsoft; nil: not available (see UseOAuth).
	OAuth *oauth.Client
	Log   *slog.Logger
}

// Options tune the wizard's memory; zero values are the defaults.
type Options struct {
	// PassValidity is how long a passing test lets Create mark an account connected (10 min).
	PassValidity time.Duration
	// GrantTTL is how long a completed sign-in waits to be saved (15 min).
	GrantTTL time.Duration
	// TestEmailWait is how long SendTestEmail waits for the outcome (20 s).
	TestEmailWait time.Duration
}

// Defaults.
const (
	defaultPassValidity  = 10 * time.Minute
	defaultGrantTTL      = 15 * time.Minute
	defaultTestEmailWait = 20 * time.Second
	// maxRemembered bounds the certificates and passing tests kept in memory.
	maxRemembered = 64
)

// Wizard is the account wizard's state and orchestration. It is safe for concurrent use.
type Wizard struct {
	d    Deps
	opts Options

	mu     sync.Mutex
	oauth  *oauth.Client
	runs   map[string]context.CancelFunc // tests and sign-ins under way, by run id
	certs  map[string]connect.CertInfo   // untrusted certificates just shown, by host:port:sha256
	passed map[string]time.Time          // fingerprints of settings+secrets whose test passed
	flows  map[string]*oauth.Flow        // sign-ins waiting for the browser, by run id
	grants map[string]pendingGrant       // completed sign-ins not saved yet, by run id
}

// New returns a wizard over d. It does no I/O.
func New(d Deps, opts Options) *Wizard {
	if opts.PassValidity <= 0 {
		opts.PassValidity = defaultPassValidity
	}
	if opts.GrantTTL <= 0 {
		opts.GrantTTL = defaultGrantTTL
	}
	if opts.TestEmailWait <= 0 {
		opts.TestEmailWait = defaultTestEmailWait
	}
	return &Wizard{d: d, opts: opts, oauth: d.OAuth,
		runs: map[string]context.CancelFunc{}, certs: map[string]connect.CertInfo{},
		passed: map[string]time.Time{}, flows: map[string]*oauth.Flow{}, grants: map[string]pendingGrant{}}
}

// UseOAuth enables (or, with nil, disables) signing in with Google and Microsoft.
func (w *Wizard) UseOAuth(c *oauth.Client) {
	w.mu.Lock()
	w.oauth = c
	w.mu.Unlock()
}

// Credentials are the secrets the wizard's form gives with an account's settings: its
// password, its API sender's token or key, or the run id of a completed SignIn whose grant
// (kept here, never sent to the UI) replaces the password. For a saved account an empty
// password or sender secret means the stored one.
type Credentials struct {
	Password     string
	SenderSecret string
	SignInID     string
}

// Cancel stops the connection test or sign-in under way with that run id, if any.
func (w *Wizard) Cancel(runID string) {
	w.mu.Lock()
	cancel := w.runs[runID]
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (w *Wizard) track(id string, cancel context.CancelFunc) {
	w.mu.Lock()
	w.runs[id] = cancel
	w.mu.Unlock()
}

func (w *Wizard) untrack(id string) {
	w.mu.Lock()
	delete(w.runs, id)
	w.mu.Unlock()
}

func (w *Wizard) logger() *slog.Logger {
	if w.d.Log != nil {
		return w.d.Log
	}
	return slog.Default()
}
