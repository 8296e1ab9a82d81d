// Package syncer keeps a local copy of every active account's mail (F8). One worker per
// account owns its IMAP connection: it syncs INBOX and the special-use Sent folder (and
// the folders the user enables) newest first — the newest headers, then older headers,
// then bodies — into the store, then waits in IDLE on INBOX for the server's news and
// polls the other folders.
//
//	eng := syncer.New(syncer.Deps{DB: db, Accounts: reg, Dialer: dialer, Emit: emit}, syncer.Options{})
//	err := eng.Start(ctx)                      // one worker per enabled account; no wait
//	eng.SyncNow(accountID)                     // a full sync at once (after Cancel, too)
//	err = eng.SetFlags(ctx, ids, "seen", true) // the rows at once, the server when connected
//	eng.AccountChanged(accountID)              // created, enabled, disabled or edited
//	rc, name, ctype, err := eng.FetchPart(ctx, messageID, "2") // an attachment, streamed
//	eng.Stop()                                 // closes every connection, waits for every goroutine
//
// Deps.Stored hears of every committed batch (the filing engine subscribes).
//
// What is kept: headers, flags, addresses, the text and HTML of each body (for reading and
// full-text search) and the attachments' metadata. Raw messages are not kept; an
// attachment is fetched from the server, by part path, when the user saves it.
//
// Progress and "mail changed" notices go out through Deps.Emit, throttled per account.
package syncer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// Defaults of Options.
const (
	DefaultDialTimeout      = 15 * time.Second // TCP, TLS, greeting, login
	DefaultStallTimeout     = 45 * time.Second // silence allowed while an answer is due
	DefaultIdleRefresh      = 60 * time.Second // leave IDLE this often to prove the connection alive
	DefaultPollInterval     = 5 * time.Minute  // full re-sync of every folder
	DefaultFirstBatch       = 50               // newest headers, fetched before anything else
	DefaultHeaderBatch      = 500              // older headers per FETCH and transaction
	DefaultBodyBatch        = 400              // bodies per FETCH and transaction (each commit flushes the search index)
	DefaultBodyBatchBytes   = 8 << 20          // … and at most this many bytes (by RFC822.SIZE)
	DefaultBackoffMin       = time.Second      // first reconnect delay
	DefaultBackoffMax       = 5 * time.Minute  // longest reconnect delay
	DefaultProgressInterval = 100 * time.Millisecond
	DefaultChangedInterval  = 250 * time.Millisecond
)

// Deps are what the engine uses; none is optional except Emit and Log.
type Deps struct {
	DB       *store.DB
	Accounts *accounts.Registry
	Dialer   *connect.Dialer // its WrapConn, if any, wraps every connection the engine opens
	Emit     func(Event)     // called from worker goroutines; must not block
	// Stored, if set, is told after each committed batch which messages it wrote (filing
	// listens: it files them beside the sync). Called on the batch's writer goroutine; it
	// must not block. The flow stays one-way: the engine knows nothing of its listener.
	Stored func(Stored)
	Log    *slog.Logger
}

// Stored says what a committed batch wrote.
type Stored struct {
	AccountID  int64
	MessageIDs []int64 // messages whose headers (or, with Bodies, bodies) were stored
	Bodies     bool    // a batch of bodies: text, HTML and the bulk flag are known now
	Removed    bool    // messages of the account were removed (expunged, purged)
	// Drained: with Bodies, the folder's last missing body is stored; no batch follows
	// (filing files at once instead of waiting for more).
	Drained bool
}

// Options tune the engine; zero values take the defaults above.
type Options struct {
	DialTimeout      time.Duration
	StallTimeout     time.Duration
	IdleRefresh      time.Duration
	PollInterval     time.Duration
	FirstBatch       int
	HeaderBatch      int
	BodyBatch        int
	BodyBatchBytes   int64
	BackoffMin       time.Duration
	BackoffMax       time.Duration
	ProgressInterval time.Duration // at most one progress event per account per interval
	ChangedInterval  time.Duration // at most one "changed" event per account per interval
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.DialTimeout, DefaultDialTimeout)
	def(&o.StallTimeout, DefaultStallTimeout)
	def(&o.IdleRefresh, DefaultIdleRefresh)
	def(&o.PollInterval, DefaultPollInterval)
	def(&o.BackoffMin, DefaultBackoffMin)
	def(&o.BackoffMax, DefaultBackoffMax)
	def(&o.ProgressInterval, DefaultProgressInterval)
	def(&o.ChangedInterval, DefaultChangedInterval)
	if o.FirstBatch <= 0 {
		o.FirstBatch = DefaultFirstBatch
	}
	if o.HeaderBatch <= 0 {
		o.HeaderBatch = DefaultHeaderBatch
	}
	if o.BodyBatch <= 0 {
		o.BodyBatch = DefaultBodyBatch
	}
	if o.BodyBatchBytes <= 0 {
		o.BodyBatchBytes = DefaultBodyBatchBytes
	}
	if o.BackoffMax < o.BackoffMin {
		o.BackoffMax = o.BackoffMin
	}
	return o
}

// Engine runs the workers. Build it with New; it does no I/O until Start.
type Engine struct {
	deps Deps
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	ctx       context.Context // set by Start; cancelled by Stop
	cancel    context.CancelFunc
	workers   map[int64]*worker
	status    map[int64]Event // the last progress event of each account
	seq       uint64          // the Seq of the last progress event
	throttles map[int64]*throttle
	parts     map[*partReader]struct{}
	stopped   bool
	wg        sync.WaitGroup
}

// New builds an engine. It does no I/O.
func New(deps Deps, opts Options) *Engine {
	log := deps.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Engine{
		deps:    deps,
		opts:    opts.withDefaults(),
		log:     log,
		workers: map[int64]*worker{},
		status:  map[int64]Event{},
		parts:   map[*partReader]struct{}{},
	}
}

// Start starts one worker per enabled account and returns at once. The workers stop when
// ctx is cancelled or Stop is called.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	if e.ctx != nil {
		e.mu.Unlock()
		return errors.New("syncer: start: already started")
	}
	e.ctx, e.cancel = context.WithCancel(ctx)
	e.mu.Unlock()
	accs, err := e.deps.Accounts.List(ctx, 0)
	if err != nil {
		return fmt.Errorf("syncer: start: %w", err)
	}
	for _, a := range accs {
		if syncable(a) {
			e.startWorker(a.ID)
		}
	}
	return nil
}

// syncable reports whether an account gets a worker: enabled, and with a mailbox to sync
// (a send-only account, an API sender without IMAP, has none).
// An OAuth account whose grant was refused waits for a new sign-in: starting a worker would
// only ask the provider again for a token it refused.
func syncable(a accounts.Account) bool { return !a.Disabled && a.HasIMAP() && !a.NeedsSignIn() }

// Stop closes every connection and waits until every worker has returned. The engine
// cannot be started again.
func (e *Engine) Stop() {
	e.mu.Lock()
	e.stopped = true
	if e.cancel != nil {
		e.cancel()
	}
	for r := range e.parts {
		r.abort()
	}
	e.mu.Unlock()
	e.wg.Wait()
}

// startWorker starts id's worker unless it runs. Callers must not hold e.mu.
func (e *Engine) startWorker(id int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped || e.ctx == nil {
		return
	}
	if _, ok := e.workers[id]; ok {
		return
	}
	w := newWorker(e, id)
	e.workers[id] = w
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() {
			e.mu.Lock()
			if e.workers[id] == w {
				delete(e.workers, id)
			}
			e.mu.Unlock()
		}()
		defer func() {
			if p := recover(); p != nil {
				e.log.Error("syncer: worker stopped by a panic", "account", id, "panic", p, "stack", string(debug.Stack()))
				e.emitProgress(Event{AccountID: id, Phase: PhaseError, Err: ErrWorkerStopped.New(nil)})
			}
		}()
		w.run()
	}()
}

// stopWorker stops id's worker, if any, and waits until its connection is closed.
func (e *Engine) stopWorker(id int64) {
	e.mu.Lock()
	w := e.workers[id]
	delete(e.workers, id)
	e.mu.Unlock()
	if w != nil {
		w.cancel()
		<-w.done
	}
}

// StopAccount stops an account's sync, if it runs, and returns once its connection is
// closed (before its mail is removed, for instance). AccountChanged starts it again.
func (e *Engine) StopAccount(id int64) { e.stopWorker(id) }

func (e *Engine) worker(id int64) *worker {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.workers[id]
}

// AccountChanged tells the engine that an account was created, enabled, disabled, edited
// or deleted. A disabled or deleted account stops syncing at once: when AccountChanged
// returns, its connection is closed. An edited account reconnects with its new settings.
func (e *Engine) AccountChanged(id int64) error {
	e.mu.Lock()
	ctx := e.ctx
	e.mu.Unlock()
	if ctx == nil {
		return nil // not started: Start will read the account
	}
	a, err := e.deps.Accounts.Get(ctx, id)
	gone := fault.Is(err, fault.NotFound)
	if err != nil && !gone {
		return fmt.Errorf("syncer: account %d changed: %w", id, err)
	}
	e.stopWorker(id)
	if gone || !syncable(a) {
		e.emitProgress(Event{Kind: KindProgress, AccountID: id, Phase: PhaseStopped})
		return nil
	}
	e.startWorker(id)
	return nil
}

// SyncNow asks an account's worker for a full sync at once; a worker waiting after an
// error (including a refused password) tries again now, and an enabled account whose
// worker is gone gets a new one. An OAuth account's sync signs in anew: a server keeps a
// session open after the grant was revoked, and the user who asks for a sync must learn
// then that the account needs a sign-in, not at the next restart.
func (e *Engine) SyncNow(id int64) {
	e.mu.Lock()
	ctx := e.ctx
	e.mu.Unlock()
	w := e.worker(id)
	if w != nil && ctx != nil {
		if a, err := e.deps.Accounts.Get(ctx, id); err == nil && a.Auth == accounts.OAuth {
			e.stopWorker(id)
			w = nil
		}
	}
	if w != nil {
		w.poke(w.syncNow)
		return
	}
	if ctx == nil {
		return
	}
	if a, err := e.deps.Accounts.Get(ctx, id); err == nil && syncable(a) {
		e.startWorker(id)
	}
}

// Cancel stops the account's current sync between two batches; everything committed so
// far is kept. The worker then waits until SyncNow or the next poll.
func (e *Engine) Cancel(id int64) {
	if w := e.worker(id); w != nil {
		w.cancelSync()
	}
}

// Status returns the last progress event of every account the engine has reported on.
func (e *Engine) Status() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Event, 0, len(e.status))
	for _, ev := range e.status {
		out = append(out, ev)
	}
	return out
}

// SetFolderEnabled chooses whether a folder is synced. Disabling one forgets its
// messages (they are on the server); enabling one fetches them on the next sync, which
// starts at once.
func (e *Engine) SetFolderEnabled(ctx context.Context, folderID int64, enabled bool) error {
	var accountID int64
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT account_id FROM folders WHERE id = ?`, folderID).Scan(&accountID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrFolderGone.New(nil)
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE folders SET enabled = ? WHERE id = ?`, enabled, folderID); err != nil {
			return err
		}
		if !enabled {
			return purgeFolder(ctx, tx, folderID, 0)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("syncer: set folder %d enabled: %w", folderID, err)
	}
	if !enabled {
		e.stored(Stored{AccountID: accountID, Removed: true})
	}
	e.emitChanged(accountID, true)
	e.SyncNow(accountID)
	return nil
}
