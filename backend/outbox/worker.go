package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// worker sends one account's queue. Its sender goroutine (run) is the only one that uses
// the account's transport; its copier goroutine (copier, sentcopy.go) is the only one that
// uses the account's IMAP connection for Sent copies. Others reach them through wake and
// copyWake.
type worker struct {
	e      *Engine
	id     int64
	ctx    context.Context // cancelled to stop the worker (Stop, AccountChanged)
	cancel context.CancelFunc
	// dbctx is ctx without its cancellation, for the store: its statements are short, a
	// stop is checked between them, and a cancellable context costs each one a watching
	// goroutine in database/sql and in the driver (half a millisecond per message here).
	dbctx    context.Context
	done     chan struct{} // closed when run returns
	copyDone chan struct{} // closed when copier returns

	wake      chan struct{} // new or retried messages
	copyWake  chan struct{} // messages to copy to Sent
	copyReads atomic.Int64  // the copier's reads of the store for copies to make (tests look)

	mu        sync.Mutex
	force     bool // the user asked: try now, past a pause or a backoff
	copyForce bool // … and the copier too

	// run's goroutine only:
	tr        Transport
	acc       accounts.Account
	open      bool      // tr may hold a connection
	lastUse   time.Time // of tr, for IdleClose
	failures  int       // consecutive failures to connect
	holdUntil time.Time // no connection attempt before this (backoff)
	paused    bool      // a refused login or a disabled account: wait until the user acts
	troubled  bool      // an account event told of a problem: tell when it is over
	// held are outcomes not written yet: a sent message's outcome waits for the next
	// commit (the next message's marker, a claim, another outcome) and goes in the same
	// transaction; refused says the store refused them, to be written before anything else.
	held    []*outcome
	refused bool
	// next is the message claimed with the last marker, sent next.
	next *job
	// due are ids of the account's due messages, read dueBatch at a time and claimed one
	// by one (a claim checks each is still queued and due): one read of the queue per
	// batch rather than per message. Emptied when the worker waits or puts a message back,
	// so that what is due is read afresh.
	due []int64
}

// dueBatch is how many due message ids the worker reads at a time.
const dueBatch = 16

// outcome is a message's new state, to write in a transaction and then tell.
type outcome struct {
	j     *job
	write func(tx *sql.Tx, now int64) (State, error)
	fe    *fault.Error
	state State // set once written
	copy  bool  // set by write: the message wants a Sent copy
}

func newWorker(e *Engine, id int64) *worker {
	ctx, cancel := context.WithCancel(e.ctx)
	return &worker{
		e: e, id: id, ctx: ctx, cancel: cancel, dbctx: context.WithoutCancel(ctx),
		done:     make(chan struct{}),
		copyDone: make(chan struct{}),
		wake:     make(chan struct{}, 1),
		copyWake: make(chan struct{}, 1),
		// An earlier worker of the account (before the account was edited) may have told
		// the UI of a trouble it can no longer clear: this one's first success does.
		troubled: true,
	}
}

func (w *worker) takeForce() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.force
	w.force = false
	return f
}

func (w *worker) takeCopyForce() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.copyForce
	w.copyForce = false
	return f
}

// job is a claimed message.
type job struct {
	id           int64
	env          Envelope
	attempts     int
	firstFailure int64 // unix ms; 0: none yet
}

// run sends the account's due messages one at a time, and waits between them.
func (w *worker) run() {
	defer close(w.done)
	defer w.closeTransport()
	defer w.finish()
	for w.ctx.Err() == nil {
		if w.takeForce() {
			w.paused, w.holdUntil, w.failures = false, time.Time{}, 0
		}
		if w.refused { // outcomes the store refused: record them before anything else
			if err := w.write(nil); err != nil {
				w.e.log.Error("outbox: cannot record a message's outcome", "account", w.id, "err", err)
				w.wait(time.Now().Add(storeRetry))
				continue
			}
		}
		if w.paused {
			w.unclaim()
			w.wait(time.Time{})
			continue
		}
		if time.Now().Before(w.holdUntil) {
			w.unclaim()
			w.wait(w.holdUntil)
			continue
		}
		if j := w.next; j != nil { // claimed with the last marker: due, and already sending
			w.next = nil
			w.deliver(j)
			continue
		}
		j, next, err := w.claim()
		if err != nil {
			if w.ctx.Err() == nil {
				w.e.log.Error("outbox: cannot read the queue", "account", w.id, "err", err)
				w.wait(time.Now().Add(storeRetry))
			}
			continue
		}
		if j == nil {
			w.e.flushCounts(w.id)
			w.wait(next)
			continue
		}
		w.deliver(j)
	}
}

// finish, when the worker stops, puts back the message claimed ahead and writes the
// outcomes still held.
func (w *worker) finish() {
	w.unclaim()
	w.flush()
}

// unclaim puts back in the queue the message claimed ahead, if any: the worker waits.
func (w *worker) unclaim() {
	if j := w.next; j != nil {
		w.next = nil
		w.release(j, nil)
	}
}

// wait returns at until (zero: no limit), when woken, or when stopped. Meanwhile it
// closes the transport once it has been idle for IdleClose.
func (w *worker) wait(until time.Time) {
	w.due = nil
	for {
		d := time.Duration(-1)
		if !until.IsZero() {
			if d = time.Until(until); d <= 0 {
				return
			}
		}
		idle := false
		if w.open {
			if i := time.Until(w.lastUse.Add(w.e.opts.IdleClose)); d < 0 || i < d {
				d, idle = max(i, 0), true
			}
		}
		if !sleep(w.ctx, w.wake, d) || !idle {
			return
		}
		w.closeTransport()
	}
}

// sleep waits d (negative: no limit) and reports whether it ran out, rather than being
// woken or stopped.
func sleep(ctx context.Context, wake <-chan struct{}, d time.Duration) bool {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return false
	case <-wake:
		return false
	case <-timer:
		return true
	}
}

func (w *worker) closeTransport() {
	if w.tr != nil && w.open {
		_ = w.tr.Close()
	}
	w.open = false
}

// claim marks the account's next due message as sending and returns it, in one
// transaction with the outcomes held; with none due, it returns when the next queued one
// is (zero: none queued).
func (w *worker) claim() (*job, time.Time, error) {
	var j *job
	err := w.write(func(tx *sql.Tx, now int64) (err error) {
		j, err = w.claimIn(tx, now)
		return err
	})
	if err != nil || j != nil {
		return j, time.Time{}, err
	}
	var next sql.NullInt64
	err = w.e.deps.DB.R.QueryRowContext(w.dbctx, `SELECT min(next_attempt_at) FROM outbox WHERE account_id = ? AND state = 'queued'`, w.id).Scan(&next)
	if err != nil || !next.Valid {
		return nil, time.Time{}, err
	}
	return nil, time.UnixMilli(next.Int64), nil
}

// claimIn marks the account's next due message as sending in tx and returns it (nil:
// none due).
func (w *worker) claimIn(tx *sql.Tx, now int64) (*job, error) {
	st := w.e.stmts
	j := &job{}
	var to string
	var first sql.NullInt64
	for read := false; ; {
		if len(w.due) == 0 {
			if read { // read afresh, and none of them could be claimed: none is due
				return nil, nil
			}
			ids, err := w.dueIDs(tx, now)
			if err != nil || len(ids) == 0 {
				return nil, err
			}
			w.due, read = ids, true
		}
		id := w.due[0]
		w.due = w.due[1:]
		// Read earlier, it may have been cancelled, rescheduled or deleted since: the claim
		// takes it only if it is still queued and due.
		err := tx.StmtContext(w.dbctx, st.claim).QueryRowContext(w.dbctx, now, id, now).
			Scan(&j.id, &j.env.MessageID, &j.env.From, &to, &j.attempts, &first)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			w.due = nil
			return nil, err
		}
		break
	}
	if err := tx.StmtContext(w.dbctx, st.raw).QueryRowContext(w.dbctx, j.id).Scan(&j.env.Raw); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(to), &j.env.To); err != nil {
		return nil, fmt.Errorf("outbox: message %d: recipients: %w", j.id, err)
	}
	j.firstFailure = first.Int64
	return j, nil
}

// dueIDs reads the ids of the account's next due messages, in the order they are sent.
func (w *worker) dueIDs(tx *sql.Tx, now int64) ([]int64, error) {
	return store.Int64s(tx.StmtContext(w.dbctx, w.e.stmts.due).QueryContext(w.dbctx, w.id, now, dueBatch))
}

// transport returns the account's transport, building it (and reading the account) on
// first use.
func (w *worker) transport() (Transport, error) {
	if w.tr != nil {
		return w.tr, nil
	}
	acc, err := w.e.deps.Accounts.Get(w.ctx, w.id)
	if err != nil {
		return nil, err
	}
	w.acc = acc
	if w.e.deps.Transport != nil {
		tr, err := w.e.deps.Transport(w.ctx, acc)
		if err != nil {
			return nil, err
		}
		if tr != nil {
			w.tr = tr
			return tr, nil
		}
	}
	id := w.id
	w.tr = newSMTPTransport(w.e.deps.Dialer, acc.SMTP, func(ctx context.Context) (accounts.Login, error) {
		return w.e.deps.Accounts.Login(ctx, id)
	}, w.e.opts)
	return w.tr, nil
}

// deliver sends one claimed message and records the outcome.
func (w *worker) deliver(j *job) {
	e := w.e
	e.emit(Event{Kind: KindItem, AccountID: w.id, ItemID: j.id, State: Sending})
	e.emitCounts(w.id, false)
	tr, err := w.transport()
	switch {
	case fault.Is(err, fault.NotFound): // the account was deleted (its rows with it)
		w.cancel()
		return
	case err != nil: // the store or a transport factory failed: wait, as for a server out of reach
		w.failures++
		w.holdUntil = time.Now().Add(backoff(e.opts.ConnectBackoffMin, e.opts.ConnectBackoffMax, w.failures))
		fe := classed(err, fault.Temporary)
		w.release(j, fe)
		w.trouble(fe, false)
		return
	case w.acc.Disabled:
		w.release(j, ErrAccountDisabled.New(nil))
		return
	}
	if len(w.held) > 0 && (!w.open || len(j.env.Raw) > holdBytes) {
		// A connection to open or a large body to upload may take a while: the last
		// message's outcome is not kept waiting for them.
		w.flush()
	}
	committed := false
	commit := func() error {
		if err := w.ctx.Err(); err != nil {
			return err // stopping: the message stays short of its final dot
		}
		// The marker, with the outcome of the message before (held since its answer) and
		// the claim of the next: one commit per message. A crash before it leaves the one
		// before possibly sent and this one queued; after it, this one possibly sent.
		var next *job
		err := w.write(func(tx *sql.Tx, now int64) error {
			res, err := tx.StmtContext(w.dbctx, e.stmts.marker).ExecContext(w.dbctx, now, j.id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n != 1 { // its account was deleted meanwhile
				return fmt.Errorf("outbox: message %d is no longer being sent", j.id)
			}
			next, err = w.claimIn(tx, now)
			return err
		})
		committed = err == nil
		if committed {
			w.next = next
		}
		return err
	}
	reply, err := tr.Send(w.ctx, j.env, commit)
	w.open, w.lastUse = true, time.Now()
	if err == nil {
		w.failures = 0
		// Written with the next commit: usually the next message's marker.
		o := &outcome{j: j}
		o.write = func(tx *sql.Tx, now int64) (State, error) {
			var err error
			o.copy, err = w.markSent(tx, j, reply, now)
			return Sent, err
		}
		w.held = append(w.held, o)
		w.fine()
		return
	}
	fe := failure(err, committed)
	account := concernsAccount(err)
	switch {
	case w.ctx.Err() != nil && fe.Class == fault.Temporary:
		// Stopping before the final dot (the marker may be written: see smtpTransport.Send):
		// not an attempt. Back in the queue as it was.
		w.release(j, nil)
	case fe.Class == fault.PossiblySent:
		w.record(j, func(tx *sql.Tx, now int64) (State, error) {
			return PossiblySent, setState(tx, j.id, PossiblySent, now, fe)
		}, fe)
	case account && fe.Class == fault.Temporary:
		w.failures++
		w.holdUntil = time.Now().Add(backoff(e.opts.ConnectBackoffMin, e.opts.ConnectBackoffMax, w.failures))
		w.release(j, fe)
		w.trouble(fe, false)
	case account: // a refused login: fail this message, pause the others
		w.paused = true
		w.record(j, func(tx *sql.Tx, now int64) (State, error) { return Failed, setState(tx, j.id, Failed, now, fe) }, fe)
		w.trouble(fe, true)
	case fe.Class == fault.Temporary:
		w.fine() // the server answered: the account is reachable
		w.record(j, func(tx *sql.Tx, now int64) (State, error) { return w.later(tx, j, fe, now) }, fe)
	default:
		w.fine()
		w.record(j, func(tx *sql.Tx, now int64) (State, error) { return Failed, setState(tx, j.id, Failed, now, fe) }, fe)
	}
}

// trouble tells the UI why the account's messages wait: paused until the user acts, or
// waiting to try again.
func (w *worker) trouble(fe *fault.Error, paused bool) {
	w.troubled = true
	w.e.emit(Event{Kind: KindAccount, AccountID: w.id, Failure: failureOf(fe), Paused: paused})
}

// fine tells the UI that the account's trouble is over, if it was told of one.
func (w *worker) fine() {
	if w.troubled {
		w.troubled = false
		w.e.emit(Event{Kind: KindAccount, AccountID: w.id})
	}
}

// record writes a message's outcome, with those held, and emits them. A store that
// refuses keeps them in memory, to be written before anything else is sent.
func (w *worker) record(j *job, write func(tx *sql.Tx, now int64) (State, error), fe *fault.Error) {
	w.held = append(w.held, &outcome{j: j, write: write, fe: fe})
	w.flush()
}

// flush writes the outcomes held, if any; see record.
func (w *worker) flush() {
	if len(w.held) == 0 {
		return
	}
	if err := w.write(nil); err != nil {
		w.e.log.Error("outbox: cannot record a message's outcome", "account", w.id, "err", err)
		w.refused = true
	}
}

// write runs, in one transaction, the outcomes held and then also (when not nil); on
// commit it emits the outcomes, wakes the copier for the sent ones, and forgets them. On
// an error nothing is written and the outcomes stay held.
func (w *worker) write(also func(tx *sql.Tx, now int64) error) error {
	// Not w.ctx: an outcome is recorded even while stopping.
	err := w.e.deps.DB.Tx(w.dbctx, func(tx *sql.Tx) error {
		now := time.Now().UnixMilli()
		for _, o := range w.held {
			var err error
			if o.state, err = o.write(tx, now); err != nil {
				return err
			}
		}
		if also != nil {
			return also(tx, now)
		}
		return nil
	})
	if err != nil {
		w.due = nil // a claim rolled back: its message is due again
		return err
	}
	held := w.held
	w.held, w.refused = nil, false
	copies := false
	for _, o := range held {
		ev := Event{Kind: KindItem, AccountID: w.id, ItemID: o.j.id, State: o.state}
		if o.fe != nil && o.state != Sent {
			ev.Failure = failureOf(o.fe)
		}
		w.e.emit(ev)
		w.e.emitCounts(w.id, o.state != Sent)
		copies = copies || o.state == Sent && o.copy
	}
	if copies { // only then: each wake costs the copier a read of the store
		poke(w.copyWake)
	}
	return nil
}

// markSent records a delivered message, and whether it wants a Sent copy (reported).
func (w *worker) markSent(tx *sql.Tx, j *job, reply string, now int64) (bool, error) {
	cs := CopyNone
	if w.e.copyWanted(w.acc) {
		cs = CopyPending
	}
	_, err := tx.StmtContext(w.dbctx, w.e.stmts.sent).ExecContext(w.dbctx, reply, now, now, string(cs), j.id)
	return cs == CopyPending, err
}

// setState moves a message to state with fe's reason, params and server's words.
func setState(tx *sql.Tx, id int64, state State, now int64, fe *fault.Error) error {
	f := failureOf(fe)
	_, err := tx.Exec(`UPDATE outbox SET state = ?, updated_at = ?, error_code = ?, error_reason = ?, error_params = ?,
		error_reply = ? WHERE id = ?`, string(state), now, string(f.Code), f.Reason, f.paramsJSON(), f.Detail, id)
	return err
}

// later puts a message back in the queue after a transient failure, to be tried after a
// backoff, or fails it when its attempts or its time are used up.
func (w *worker) later(tx *sql.Tx, j *job, fe *fault.Error, now int64) (State, error) {
	o := w.e.opts
	first := j.firstFailure
	if first == 0 {
		first = now
	}
	if j.attempts >= o.MaxAttempts || time.Duration(now-first)*time.Millisecond >= o.GiveUpAfter {
		// The last failure's server words stay as the detail.
		gave := ErrGaveUp.Wrap(fe, fault.P{"attempts": j.attempts, "hours": int(time.Duration(now-first) / time.Hour)}).
			WithDetail(fe.Detail)
		return Failed, setState(tx, j.id, Failed, now, gave)
	}
	next := now + backoff(o.RetryMin, o.RetryMax, j.attempts).Milliseconds()
	f := failureOf(fe)
	_, err := tx.Exec(`UPDATE outbox SET state = 'queued', next_attempt_at = ?, first_failure_at = ?, updated_at = ?, data_at = NULL,
		error_code = ?, error_reason = ?, error_params = ?, error_reply = ? WHERE id = ?`,
		next, first, now, string(f.Code), f.Reason, f.paramsJSON(), f.Detail, j.id)
	return Queued, err
}

// release puts a claimed message back as it was, not counting the attempt: the failure
// (fe, nil when stopping) concerned the account, not the message.
func (w *worker) release(j *job, fe *fault.Error) {
	w.due = nil // it goes back before those read after it
	f := failureOf(fe)
	w.record(j, func(tx *sql.Tx, now int64) (State, error) {
		_, err := tx.Exec(`UPDATE outbox SET state = 'queued', attempts = max(attempts - 1, 0), data_at = NULL, updated_at = ?,
			error_code = ?, error_reason = ?, error_params = ?, error_reply = ? WHERE id = ? AND state = 'sending'`,
			now, string(f.Code), f.Reason, f.paramsJSON(), f.Detail, j.id)
		return Queued, err
	}, fe)
	if fe != nil && fe.Class == fault.Permanent { // a disabled account: nothing to do until it changes
		w.paused = true
	}
}

// backoff returns the wait before attempt n+1 after n failures: exponential from lo,
// capped at hi, with jitter (between half and all of it) so that messages and accounts
// failing together do not retry in step.
func backoff(lo, hi time.Duration, n int) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}
