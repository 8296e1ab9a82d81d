package syncer

import (
	"time"

	"mailroom/backend/fault"
)

// Kind says what an Event is about.
type Kind string

// Event kinds.
const (
	KindProgress Kind = "progress" // an account's sync state: Phase, Folder, Done/Total, errors
	KindChanged  Kind = "changed"  // messages of the account were added, removed or changed
)

// Phase is where an account's worker is.
type Phase string

// Phases of a worker, in the order a sync goes through them.
const (
	PhaseConnecting Phase = "connecting"
	PhaseHeaders    Phase = "headers" // Done/Total: headers stored of those to fetch
	PhaseBodies     Phase = "bodies"  // Done/Total: bodies stored of those to fetch
	PhaseIdle       Phase = "idle"    // up to date, waiting for news (Cancelled: the user stopped the sync)
	PhaseError      Phase = "error"   // Err says what; RetryIn when a retry follows
	PhaseStopped    Phase = "stopped" // the account is disabled, deleted, or the engine stopped
)

// Phases lists every phase, in order.
var Phases = []Phase{PhaseConnecting, PhaseHeaders, PhaseBodies, PhaseIdle, PhaseError, PhaseStopped}

// Event is what the engine tells the UI. Progress events are throttled to one per
// Options.ProgressInterval per account (phase changes, errors and completions always go
// out); "changed" events to one per Options.ChangedInterval, the last one never lost.
type Event struct {
	Kind      Kind
	AccountID int64
	Folder    string // the folder being synced, "" when not about one folder
	Phase     Phase
	Done      int
	Total     int
	// Err is the failure, with PhaseError: its reason (worded by the UI), params and the
	// server's words.
	Err *fault.Error
	// RetryIn is when the worker tries again after Err (0: not until the user acts, or not
	// the worker's own failure).
	RetryIn time.Duration
	// Cancelled (with PhaseIdle): the user cancelled the sync; it waits until asked again.
	Cancelled bool
	// Seq orders progress events: it grows with each one the engine records, so a
	// listener that receives them out of order (a transport may deliver each event on its
	// own goroutine) keeps the one with the highest Seq.
	Seq uint64
}

// throttle is one account's emission state, under Engine.mu.
type throttle struct {
	lastProgress  time.Time
	lastPhase     Phase
	lastChanged   time.Time
	changedQueued bool
}

func (e *Engine) throttleOf(id int64) *throttle {
	if e.throttles == nil {
		e.throttles = map[int64]*throttle{}
	}
	t := e.throttles[id]
	if t == nil {
		t = &throttle{}
		e.throttles[id] = t
	}
	return t
}

// emitProgress records ev as the account's status and sends it unless throttled.
func (e *Engine) emitProgress(ev Event) {
	ev.Kind = KindProgress
	now := time.Now()
	e.mu.Lock()
	e.seq++
	ev.Seq = e.seq
	e.status[ev.AccountID] = ev
	t := e.throttleOf(ev.AccountID)
	send := ev.Phase != t.lastPhase || ev.Done >= ev.Total ||
		(ev.Phase != PhaseHeaders && ev.Phase != PhaseBodies) ||
		now.Sub(t.lastProgress) >= e.opts.ProgressInterval
	if send {
		t.lastProgress, t.lastPhase = now, ev.Phase
	}
	e.mu.Unlock()
	if send && e.deps.Emit != nil {
		e.deps.Emit(ev)
	}
}

// emitChanged tells the UI that the account's messages changed; with force it goes out
// now, otherwise at most once per interval (a held-back one goes out at the next flush).
func (e *Engine) emitChanged(id int64, force bool) {
	now := time.Now()
	e.mu.Lock()
	t := e.throttleOf(id)
	send := force || now.Sub(t.lastChanged) >= e.opts.ChangedInterval
	if send {
		t.lastChanged, t.changedQueued = now, false
	} else {
		t.changedQueued = true
	}
	e.mu.Unlock()
	if send && e.deps.Emit != nil {
		e.deps.Emit(Event{Kind: KindChanged, AccountID: id})
	}
}

// flushChanged sends a held-back "changed" event, if any.
func (e *Engine) flushChanged(id int64) {
	e.mu.Lock()
	queued := e.throttleOf(id).changedQueued
	e.mu.Unlock()
	if queued {
		e.emitChanged(id, true)
	}
}

// stored tells Deps.Stored, if set, what a committed batch wrote.
func (e *Engine) stored(st Stored) {
	if e.deps.Stored != nil && (len(st.MessageIDs) > 0 || st.Removed) {
		e.deps.Stored(st)
	}
}
