// Package outbox is the durable send queue (F15). Every message to send — a test email, a
// reply, later templates and automations — is committed to the store, complete and with its
// Message-ID, before anyone is told "queued". One worker per account then sends the queue
// over one reused connection; what the server refuses for now is retried with backoff, what
// it refuses for good fails with the server's words, and a message that may have gone out
// is never resent without the user's word. A copy goes to the account's IMAP Sent folder
// where the provider does not file one itself.
//
//	ob := outbox.New(outbox.Deps{DB: db, Accounts: reg, Dialer: dialer, Emit: emit}, outbox.Options{})
//	err := ob.Start(ctx)                           // recovers after a crash, starts the workers
//	env, err := outbox.Render(outbox.Compose{From: from, To: to, Subject: s, Text: body})
//	id, err := ob.Enqueue(ctx, accountID, env)     // committed, and synced to disk, on return
//	err = ob.Retry(ctx, id)                        // a failed or possibly sent message, again
//	page, err := ob.List(ctx, outbox.Query{States: []outbox.State{outbox.Failed}})
//	ob.Stop()                                      // closes every connection, waits for every goroutine
//
// # States and the durable markers
//
//	queued ──claim──▶ sending ──250──────────────▶ sent ──▶ (Sent copy: pending → done)
//	   ▲                 │ 4xx, dropped before the dot ──▶ queued (later) … ──▶ failed (gave up)
//	   │                 │ 5xx, refused ─────────────────▶ failed
//	   │                 │ dropped after the dot ────────▶ possibly_sent
//	   └── Retry ◀── failed, possibly_sent;   MarkSent: possibly_sent ──▶ sent;   Cancel ──▶ cancelled
//
// The marker (data_at) of each attempt is committed before the final dot: for SMTP while
// the server answers the pipelined commands (a message up to holdBytes), else after the
// whole body has been flushed to the connection. In a bulk, that one commit also writes the
// outcome of the message before (sent: held in memory since the server's answer) and
// claims the message after (state sending): one commit per message, not three. Failures
// are written at once, and the last outcome with the next claim (which finds none). A
// server accepts a message only once it has received its final dot, so after a crash a row
// still in "sending" is:
//   - without the marker: the dot never left, the server cannot have the message — queued
//     again, resent without risk of a duplicate;
//   - with the marker: the dot may have arrived — possibly_sent, resent only if the user says.
//
// The commit of message n writes n−1's outcome and n's marker together, so at most one row
// is ever in "sending" with its marker: a crash makes at most one message possibly sent (n−1
// before that commit, n after; so at most one duplicate if the user retries it), and loses
// none: a queued message is synced to disk before Enqueue returns.
//
// Sent copies are checked by Message-ID (UID SEARCH HEADER) before each APPEND and
// recorded after it, so a crash between the two finds the copy instead of making another.
package outbox

import (
	"context"
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
	DefaultCommandTimeout    = 30 * time.Second // each SMTP or IMAP command's answer
	DefaultReplyTimeout      = 5 * time.Minute  // the answer to the final dot (RFC 5321 §4.5.3.2.6 asks clients for 10)
	DefaultIdleClose         = 30 * time.Second // an unused connection is closed after this
	DefaultRetryMin          = 15 * time.Second // first retry after a transient failure
	DefaultRetryMax          = 30 * time.Minute // longest wait between two attempts
	DefaultMaxAttempts       = 10               // transient failures before a message fails
	DefaultGiveUpAfter       = 48 * time.Hour   // … or this long after its first transient failure
	DefaultConnectBackoffMin = 2 * time.Second  // first wait after the server could not be reached
	DefaultConnectBackoffMax = 5 * time.Minute
	DefaultMaxMessageBytes   = 50 << 20 // above every provider's limit: the server's SIZE decides below it
	DefaultMaxRecipients     = 500
	DefaultCountsInterval    = 250 * time.Millisecond
	DefaultCopyMaxAttempts   = 8 // refusals of one Sent copy before it is given up

	// minDataRate bounds a DATA transfer: the body may take CommandTimeout plus one second
	// per this many bytes.
	minDataRate = 32 << 10
	// storeRetry is the wait after the store refused a write, before trying again.
	storeRetry = 2 * time.Second
	// holdBytes: before a message larger than this, the outcome of the one before is
	// written at once rather than with this one's marker, and the marker waits until the
	// body has been uploaded (for a smaller one it is committed while the server answers
	// the commands: see smtpTransport.Send).
	holdBytes = 1 << 20
)

// CopyPolicy says when a sent message is appended to the account's IMAP Sent folder.
type CopyPolicy int

// Copy policies.
const (
	CopyAuto   CopyPolicy = iota // unless the provider files sent mail itself (Gmail, Microsoft)
	CopyAlways                   // every IMAP account
	CopyNever
)

// Accounts is what the outbox needs of the account registry (*accounts.Registry).
type Accounts interface {
	Get(ctx context.Context, id int64) (accounts.Account, error)
	Login(ctx context.Context, id int64) (accounts.Login, error)
}

// Deps are what the engine uses; Transport, Emit and Log are optional.
type Deps struct {
	DB       *store.DB
	Accounts Accounts
	Dialer   *connect.Dialer // its WrapConn, if any, wraps every connection the engine opens
	// Transport builds an account's transport. API senders (Postmark, Mailgun) plug in
	// here; nil, or a nil Transport returned, means SMTP through Dialer with the account's
	// settings.
	Transport func(ctx context.Context, acc accounts.Account) (Transport, error)
	Emit      func(Event) // called from worker and caller goroutines; must not block
	Log       *slog.Logger
}

// Options tune the engine; zero values take the defaults above.
type Options struct {
	CommandTimeout    time.Duration
	ReplyTimeout      time.Duration
	IdleClose         time.Duration
	RetryMin          time.Duration
	RetryMax          time.Duration
	MaxAttempts       int
	GiveUpAfter       time.Duration
	ConnectBackoffMin time.Duration
	ConnectBackoffMax time.Duration
	MaxMessageBytes   int
	MaxRecipients     int
	CountsInterval    time.Duration // at most one counts event per account per interval
	SentCopies        CopyPolicy
	CopyMaxAttempts   int
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.CommandTimeout, DefaultCommandTimeout)
	def(&o.ReplyTimeout, DefaultReplyTimeout)
	def(&o.IdleClose, DefaultIdleClose)
	def(&o.RetryMin, DefaultRetryMin)
	def(&o.RetryMax, DefaultRetryMax)
	def(&o.GiveUpAfter, DefaultGiveUpAfter)
	def(&o.ConnectBackoffMin, DefaultConnectBackoffMin)
	def(&o.ConnectBackoffMax, DefaultConnectBackoffMax)
	def(&o.CountsInterval, DefaultCountsInterval)
	defInt(&o.MaxAttempts, DefaultMaxAttempts)
	defInt(&o.MaxMessageBytes, DefaultMaxMessageBytes)
	defInt(&o.MaxRecipients, DefaultMaxRecipients)
	defInt(&o.CopyMaxAttempts, DefaultCopyMaxAttempts)
	o.RetryMax = max(o.RetryMax, o.RetryMin)
	o.ConnectBackoffMax = max(o.ConnectBackoffMax, o.ConnectBackoffMin)
	return o
}

// Engine is the outbox: the queue in the store and the workers that send it. Build it with
// New; it does no I/O until Start (Enqueue works before Start: the message waits).
type Engine struct {
	deps Deps
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	ctx       context.Context // set by Start; cancelled by Stop
	cancel    context.CancelFunc
	workers   map[int64]*worker
	throttles map[int64]*throttle
	stmts     *statements // set by Start
	stopped   bool
	wg        sync.WaitGroup
}

// New builds an engine. It does no I/O.
func New(deps Deps, opts Options) *Engine {
	log := deps.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if deps.Dialer == nil {
		deps.Dialer = &connect.Dialer{}
	}
	return &Engine{
		deps:      deps,
		opts:      opts.withDefaults(),
		log:       log,
		workers:   map[int64]*worker{},
		throttles: map[int64]*throttle{},
	}
}

// Start settles what a crash left in "sending" (see the package comment), then starts a
// worker for every account with messages to send or to copy, and returns. Enqueue, Retry
// and MarkSent start the other accounts' workers when needed. The workers stop when ctx is
// cancelled or Stop is called.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	started := e.ctx != nil || e.stmts != nil
	e.mu.Unlock()
	if started {
		return errors.New("outbox: start: already started")
	}
	requeued, possibly, err := e.recover(ctx)
	if err != nil {
		return fmt.Errorf("outbox: start: %w", err)
	}
	if requeued+possibly > 0 {
		e.log.Warn("outbox: settled messages interrupted by a stop", "queued_again", requeued, "possibly_sent", possibly)
	}
	stmts, err := prepareStatements(ctx, e.deps.DB.W)
	if err != nil {
		return err
	}
	// Workers start only once ctx is set, and they need the statements: both under e.mu.
	e.mu.Lock()
	if e.ctx != nil || e.stopped {
		e.mu.Unlock()
		_ = stmts.close()
		return errors.New("outbox: start: already started or stopped")
	}
	e.stmts = stmts
	e.ctx, e.cancel = context.WithCancel(ctx)
	e.mu.Unlock()
	ids, err := e.accountsWithWork(ctx)
	if err != nil {
		return fmt.Errorf("outbox: start: %w", err)
	}
	for _, id := range ids {
		e.startWorker(id)
	}
	return nil
}

// Stop closes every connection and waits until every worker has returned. A message whose
// final dot is on its way when Stop closes the connection becomes possibly sent, as after
// a crash; one before it goes back to the queue. The engine cannot be started again.
func (e *Engine) Stop() {
	e.mu.Lock()
	e.stopped = true
	if e.cancel != nil {
		e.cancel()
	}
	stmts := e.stmts
	e.mu.Unlock()
	e.wg.Wait()
	if stmts != nil {
		_ = stmts.close()
	}
}

// startWorker starts the account's worker unless it runs, and returns it (nil before
// Start and after Stop). Callers must not hold e.mu.
func (e *Engine) startWorker(id int64) *worker {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped || e.ctx == nil {
		return nil
	}
	if w, ok := e.workers[id]; ok {
		return w
	}
	w := newWorker(e, id)
	e.workers[id] = w
	e.wg.Add(2)
	go e.guard(w, "sender", w.run)
	go e.guard(w, "copier", w.copier)
	return w
}

// guard runs one of a worker's goroutines: a panic stops that account's sending and says
// so, instead of taking the app down.
func (e *Engine) guard(w *worker, what string, run func()) {
	defer e.wg.Done()
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("outbox: worker stopped by a panic", "account", w.id, "part", what, "panic", p, "stack", string(debug.Stack()))
			e.emit(Event{Kind: KindAccount, AccountID: w.id, Failure: failureOf(ErrWorkerStopped.New(nil)), Paused: true})
		}
	}()
	run()
}

// stopWorker stops the account's worker, if any, and waits until its connections are closed.
func (e *Engine) stopWorker(id int64) {
	e.mu.Lock()
	w := e.workers[id]
	delete(e.workers, id)
	e.mu.Unlock()
	if w != nil {
		w.cancel()
		<-w.done
		<-w.copyDone
	}
}

// kick tells the account's worker there is new work, starting it if needed. With force
// the worker also tries at once past a pause (a refused login) or a connection backoff:
// the user asked.
func (e *Engine) kick(id int64, force bool) {
	w := e.startWorker(id)
	if w == nil {
		return
	}
	if force {
		w.mu.Lock()
		w.force, w.copyForce = true, true
		w.mu.Unlock()
	}
	poke(w.wake)
	if force {
		// New messages want no copy until they are sent (write wakes the copier then): each
		// wake costs the copier a read of the store.
		poke(w.copyWake)
	}
}

// AccountChanged tells the engine that an account was enabled, disabled, edited or
// deleted. A disabled or deleted account stops sending at once (its queued messages wait);
// an edited one reconnects with its new settings and tries its queue again.
func (e *Engine) AccountChanged(id int64) error {
	e.mu.Lock()
	ctx := e.ctx
	e.mu.Unlock()
	if ctx == nil {
		return nil // not started: Start reads the queue
	}
	a, err := e.deps.Accounts.Get(ctx, id)
	gone := fault.Is(err, fault.NotFound)
	if err != nil && !gone {
		return fmt.Errorf("outbox: account %d changed: %w", id, err)
	}
	e.stopWorker(id)
	if gone || a.Disabled {
		return nil
	}
	e.kick(id, true)
	return nil
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
