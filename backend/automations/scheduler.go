package automations

import (
	"context"
	"time"
)

// Start starts the scheduler: at once (the catch-up of what became due while Mailroom
// was closed), then every Tick, each enabled automation whose hour has come in its time
// zone since its last run runs once for that day; and the mails automations sent are filed
// to their records once their copy in Sent is synced.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cancel != nil {
		return nil
	}
	ctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	e.done = make(chan struct{})
	go func() {
		defer close(e.done)
		t := time.NewTicker(e.opts.Tick)
		defer t.Stop()
		for {
			e.Tick(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// Stop stops the scheduler and waits for a run in progress to stop.
func (e *Engine) Stop() {
	e.mu.Lock()
	cancel, done := e.cancel, e.done
	e.cancel, e.done = nil, nil
	e.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Tick runs every enabled automation whose hour has come since its last scheduled run,
// once (however many days were missed: a date trigger catches up by itself, everything
// due up to today being due), then files the mails sent. The scheduler calls it; tests
// call it with a fake clock.
func (e *Engine) Tick(ctx context.Context) {
	as, err := e.List(ctx, 0)
	if err != nil {
		e.deps.Log.Warn("automations: cannot list", "err", err)
		return
	}
	now := e.opts.Now()
	for _, a := range as {
		if !a.Enabled || ctx.Err() != nil {
			continue
		}
		slot := lastSlot(now, a.location(), a.Hour)
		if a.LastRunDay >= slot {
			continue
		}
		if _, err := e.Run(ctx, a.ID); err != nil {
			e.deps.Log.Warn("automations: run failed", "automation", a.ID, "err", err)
			if ctx.Err() != nil {
				return
			}
		}
		// The day is done even when the run failed: the next day's run catches up.
		if _, err := e.deps.DB.W.ExecContext(context.WithoutCancel(ctx), `UPDATE automations SET last_run_day = ? WHERE id = ?`,
			slot, a.ID); err != nil {
			e.deps.Log.Warn("automations: cannot note a run", "automation", a.ID, "err", err)
		}
	}
	if _, err := e.FileSent(ctx); err != nil && ctx.Err() == nil {
		e.deps.Log.Warn("automations: cannot file sent mails", "err", err)
	}
}
