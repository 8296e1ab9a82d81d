package outbox

import (
	"context"
	"time"
)

// throttle is one account's counts-event state, under Engine.mu.
type throttle struct {
	last   time.Time
	queued bool // a counts event was held back
}

func (e *Engine) emit(ev Event) {
	if e.deps.Emit != nil {
		e.deps.Emit(ev)
	}
}

// emitCounts sends the account's counts; with force now, otherwise at most once per
// CountsInterval (a held-back one goes out at the worker's next pause, flushCounts).
func (e *Engine) emitCounts(id int64, force bool) {
	if e.deps.Emit == nil {
		return
	}
	now := time.Now()
	e.mu.Lock()
	t := e.throttles[id]
	if t == nil {
		t = &throttle{}
		e.throttles[id] = t
	}
	send := force || now.Sub(t.last) >= e.opts.CountsInterval
	if send {
		t.last, t.queued = now, false
	} else {
		t.queued = true
	}
	e.mu.Unlock()
	if !send {
		return
	}
	c, err := e.Counts(context.Background(), []int64{id})
	if err != nil {
		e.log.Warn("outbox: counts", "account", id, "err", err)
		return
	}
	e.emit(Event{Kind: KindCounts, AccountID: id, Counts: c})
}

// flushCounts sends a held-back counts event, if any.
func (e *Engine) flushCounts(id int64) {
	e.mu.Lock()
	t := e.throttles[id]
	queued := t != nil && t.queued
	e.mu.Unlock()
	if queued {
		e.emitCounts(id, true)
	}
}
