package syncer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
)

// worker owns one account's connection. Its goroutine (run) is the only one that
// issues IMAP commands; others reach it through the channels below.
type worker struct {
	e      *Engine
	id     int64
	ctx    context.Context // cancelled to stop the worker (disable, delete, Stop)
	cancel context.CancelFunc
	done   chan struct{} // closed when run returns

	syncNow chan struct{} // a full sync, now
	flags   chan struct{} // pending flag changes to push

	degraded map[degradedKey]int // header levels of odd messages (run's goroutine only)

	mu         sync.Mutex
	syncCancel context.CancelFunc // cancels the running sync (Cancel)
	cancelled  bool               // a sync was cancelled: no automatic sync until SyncNow or the poll
}

func newWorker(e *Engine, id int64) *worker {
	ctx, cancel := context.WithCancel(e.ctx)
	return &worker{
		e: e, id: id, ctx: ctx, cancel: cancel,
		done:     make(chan struct{}),
		syncNow:  make(chan struct{}, 1),
		flags:    make(chan struct{}, 1),
		degraded: map[degradedKey]int{},
	}
}

func (w *worker) poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (w *worker) cancelSync() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.syncCancel != nil {
		w.syncCancel()
	}
}

// beginSync returns the context of a sync that Cancel can stop.
func (w *worker) beginSync() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(w.ctx)
	w.mu.Lock()
	w.syncCancel = cancel
	w.mu.Unlock()
	return ctx, func() {
		w.mu.Lock()
		w.syncCancel = nil
		w.mu.Unlock()
		cancel()
	}
}

func (w *worker) progress(ev Event) {
	ev.AccountID = w.id
	w.e.emitProgress(ev)
}

func (w *worker) logf(msg string, args ...any) {
	w.e.log.Info("syncer: "+msg, append([]any{"account", w.id}, args...)...)
}

// backoff returns the delay before reconnect attempt n (1, 2, …): exponential from
// BackoffMin, capped at BackoffMax, with jitter (between half and all of it) so that
// many accounts of one provider do not reconnect in step.
func (w *worker) backoff(n int) time.Duration {
	d := w.e.opts.BackoffMin
	for i := 1; i < n && d < w.e.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, w.e.opts.BackoffMax)
	return d/2 + rand.N(d/2+1)
}

// run connects, syncs and waits until the worker is stopped, reconnecting after
// failures.
func (w *worker) run() {
	defer close(w.done)
	defer w.progress(Event{Phase: PhaseStopped})
	attempt := 0
	for w.ctx.Err() == nil {
		healthy, err := w.connectAndServe()
		if w.ctx.Err() != nil {
			return
		}
		if healthy {
			attempt = 0
		}
		if err == nil {
			continue
		}
		if fault.Is(err, fault.NotFound) { // the account was deleted
			return
		}
		attempt++
		ev := Event{Phase: PhaseError, Err: asFault(err)}
		if classOf(err) == fault.Permanent { // not retried until the user acts (SyncNow, AccountChanged)
			w.progress(ev)
			w.logf("stopped until asked again", "err", err)
			select { // no retry loop: wait for the user
			case <-w.ctx.Done():
				return
			case <-w.syncNow:
				attempt = 0
			}
			continue
		}
		delay := w.backoff(attempt)
		ev.RetryIn = delay
		w.progress(ev)
		w.logf("reconnecting", "err", err, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-w.ctx.Done():
			t.Stop()
			return
		case <-w.syncNow:
			t.Stop()
		case <-t.C:
		}
	}
}

// asFault is err as the UI is told of it: its *fault.Error, or an internal error.
func asFault(err error) *fault.Error {
	if fe, ok := fault.As(err); ok {
		return fe
	}
	return ErrInternal.Wrap(err, nil)
}

// connectAndServe runs one connection from dial to failure. healthy reports that it got
// far enough (a completed sync) for the reconnect delay to start again from its minimum.
func (w *worker) connectAndServe() (healthy bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			w.e.log.Error("syncer: worker panic", "account", w.id, "panic", p, "stack", string(debug.Stack()))
			err = ErrInternal.Wrap(fmt.Errorf("panic: %v", p), nil)
		}
	}()
	acc, err := w.e.deps.Accounts.Get(w.ctx, w.id)
	if err != nil {
		return false, err
	}
	if acc.Disabled {
		w.cancel()
		return false, nil
	}
	login, err := w.e.deps.Accounts.Login(w.ctx, w.id)
	if err != nil {
		w.recordCheck(acc, err)
		return false, err
	}
	w.progress(Event{Phase: PhaseConnecting})
	s, err := dialSession(w.ctx, w.e.deps.Dialer, acc.IMAP, login, w.e.opts)
	if err != nil {
		if w.ctx.Err() != nil {
			return false, nil
		}
		w.recordCheck(acc, err)
		return false, err
	}
	defer s.close()
	w.recordCheck(acc, nil)
	healthy, err = w.serve(s)
	return healthy, inWords(err, acc.IMAP.Host)
}

// recordCheck keeps the account's status in step with what the worker found.
func (w *worker) recordCheck(acc accounts.Account, err error) {
	code := fault.Code("")
	if err != nil {
		code = fault.CodeOf(err)
		if code != fault.AuthFailed && code != fault.TLSUntrusted && code != fault.TLSRequired {
			return // a network hiccup does not make an account "failing"
		}
	}
	if code == "" && acc.Status == accounts.OK {
		return
	}
	if err := w.e.deps.Accounts.RecordCheck(w.ctx, w.id, code); err != nil && w.ctx.Err() == nil {
		w.e.log.Warn("syncer: record check", "account", w.id, "err", err)
	}
}

// paused reports whether the user cancelled a sync and none was asked for since.
func (w *worker) paused() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cancelled
}

func (w *worker) setPaused(p bool) {
	w.mu.Lock()
	w.cancelled = p
	w.mu.Unlock()
}

// serve syncs and waits on a live session until it fails or the worker stops.
func (w *worker) serve(s *session) (healthy bool, err error) {
	full := true // the first pass after connecting is a full one
	inboxDirty := false
	nextPoll := time.Now()
	for {
		if err := w.pushFlags(s); err != nil {
			return healthy, err
		}
		switch paused := w.paused(); {
		case full && !paused:
			if err := w.syncAll(s); err != nil {
				return healthy, err
			}
			healthy = true
			full, inboxDirty = false, false
			nextPoll = time.Now().Add(w.e.opts.PollInterval)
		case inboxDirty && !paused:
			if err := w.syncInbox(s); err != nil {
				return healthy, err
			}
			inboxDirty = false
		}
		w.e.flushChanged(w.id)
		paused := w.paused()
		if paused {
			w.progress(Event{Phase: PhaseIdle, Cancelled: true})
		} else {
			w.progress(Event{Phase: PhaseIdle})
		}
		why, err := w.wait(s, nextPoll, paused)
		if err != nil {
			return healthy, err
		}
		switch why {
		case wakeSyncNow, wakePoll:
			full = true
			w.setPaused(false)
		case wakeNews:
			inboxDirty = true
		}
	}
}

type wakeReason int

const (
	wakeRefresh wakeReason = iota // the refresh interval passed: the connection was checked
	wakeNews                      // the server announced a change in INBOX
	wakeSyncNow
	wakeFlags
	wakePoll
)

// wait waits in IDLE on INBOX (or, without IDLE or INBOX, quietly with a NOOP at each
// refresh) until something needs the worker, and returns why. Every IdleRefresh it
// leaves IDLE to prove the connection alive.
func (w *worker) wait(s *session, nextPoll time.Time, paused bool) (wakeReason, error) {
	inbox, err := w.inboxFolder()
	if err != nil {
		return 0, err
	}
	idle := inbox != nil && s.has(imap.CapIdle)
	var news chan struct{}
	if idle {
		news = s.news
		reselect := s.selected != inbox.name
		sel, err := s.ensureSelected(inbox.name)
		if err != nil {
			return 0, err
		}
		// A fresh SELECT may show what arrived since INBOX was last synced.
		if reselect && !paused && sel.UIDNext != 0 && inboxChanged(inbox, sel) {
			return wakeNews, nil
		}
	}
	var why wakeReason
	wake := func() {
		refresh := time.NewTimer(w.e.opts.IdleRefresh)
		defer refresh.Stop()
		poll := time.NewTimer(time.Until(nextPoll))
		defer poll.Stop()
		select {
		case <-w.ctx.Done():
		case <-s.c.Closed():
		case <-w.syncNow:
			why = wakeSyncNow
		case <-w.flags:
			why = wakeFlags
		case <-poll.C:
			why = wakePoll
		case <-refresh.C:
			why = wakeRefresh
		case <-news:
			why = wakeNews
		}
	}
	if idle {
		w.e.log.Debug("syncer: idle", "account", w.id)
		err = s.idle(wake)
		w.e.log.Debug("syncer: idle ended", "account", w.id, "why", why, "err", err)
	} else {
		wake()
		if w.ctx.Err() == nil {
			err = s.noop()
		}
	}
	if w.ctx.Err() != nil {
		return 0, w.ctx.Err()
	}
	if err != nil {
		return 0, err
	}
	if why == wakeNews && paused {
		why = wakeRefresh
	}
	return why, nil
}

// inboxChanged reports whether INBOX's SELECT shows something the store lacks.
func inboxChanged(f *folder, sel *imap.SelectData) bool {
	return f.uidvalidity != sel.UIDValidity || f.uidnext != uint32(sel.UIDNext) ||
		(sel.HighestModSeq != 0 && f.modseq != sel.HighestModSeq) || f.count != int(sel.NumMessages)
}

// syncAll syncs every enabled folder: headers of all first, then bodies. A cancel ends
// it early without error (the worker is then paused).
func (w *worker) syncAll(s *session) error {
	ctx, done := w.beginSync()
	defer done()
	if err := w.refreshFolders(ctx, s); err != nil {
		return w.interrupted(ctx, err)
	}
	folders, err := w.enabledFolders(ctx)
	if err != nil {
		return w.interrupted(ctx, err)
	}
	for _, f := range folders {
		if err := w.syncFolder(ctx, s, f, false); err != nil {
			if err := w.interrupted(ctx, err); err != nil || ctx.Err() != nil {
				return err
			}
		}
	}
	for _, f := range folders {
		if err := w.syncBodies(ctx, s, f); err != nil {
			if err := w.interrupted(ctx, err); err != nil || ctx.Err() != nil {
				return err
			}
		}
	}
	return nil
}

// syncInbox syncs INBOX after the server announced news, bodies included.
func (w *worker) syncInbox(s *session) error {
	inbox, err := w.inboxFolder()
	if err != nil || inbox == nil {
		return err
	}
	ctx, done := w.beginSync()
	defer done()
	if err := w.syncFolder(ctx, s, inbox, true); err != nil {
		return w.interrupted(ctx, err)
	}
	return nil
}

// interrupted sorts a sync's error: a cancel pauses the worker (nil); a refusal of one
// folder by the server is reported and the sync goes on (nil); anything else ends the
// session.
func (w *worker) interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && w.ctx.Err() == nil {
		w.setPaused(true)
		return nil
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		w.logf("folder refused by the server", "err", err)
		w.progress(Event{Phase: PhaseError, Err: ErrFolderRefused.Wrap(err, nil).WithDetail(ie.Text)})
		return nil
	}
	return err
}

// dbError marks an error of the local database (not of the connection).
func dbError(err error) error { return &storeError{err} }

type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// inWords gives a session's error a reason, keeping the cause.
func inWords(err error, host string) error {
	var fe *fault.Error
	var se *storeError
	var ie *imap.Error
	switch {
	case err == nil || errors.As(err, &fe):
		return err
	case errors.As(err, &se):
		return ErrStore.Wrap(err, nil)
	case errors.As(err, &ie):
		return ErrCommandRefused.Wrap(err, fault.P{"host": host}).WithDetail(ie.Text)
	}
	return ErrConnectionLost.Wrap(err, fault.P{"host": host})
}
