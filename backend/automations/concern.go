package automations

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"mailroom/backend/records"
)

// Concern is whether an automation concerns a record now, as the record's page says it.
type Concern string

// The concerns.
const (
	ConcernApplies       Concern = "applies"        // the record meets the trigger and the conditions: SendAt says when it goes
	ConcernSent          Concern = "sent"           // queued for the trigger's current value (At: when)
	ConcernPending       Concern = "pending"        // waits for approval
	ConcernBlocked       Concern = "blocked"        // could not be sent (Reason); tried again at each run
	ConcernSkipped       Concern = "skipped"        // declined for the trigger's current value
	ConcernUnmet         Concern = "unmet"          // Unmet lists the conditions the record does not meet
	ConcernCreatedBefore Concern = "created_before" // OnCreated: the record was there before the automation
	ConcernUnchanged     Concern = "unchanged"      // OnChanged: the record has not changed since the automation was set up
)

// Concerns lists every concern.
var Concerns = []Concern{ConcernApplies, ConcernSent, ConcernPending, ConcernBlocked, ConcernSkipped, ConcernUnmet,
	ConcernCreatedBefore, ConcernUnchanged}

// RecordConcern is an automation of a record's kind and whether it concerns the record now.
type RecordConcern struct {
	Automation
	Concern Concern
	Value   string // the trigger's value for the record (the date; "" when the date is empty)
	// SendAt (applies): when the next run sends it — the date plus the offset at the
	// automation's hour, or the next run when that has passed; zero while paused.
	SendAt time.Time
	At     time.Time // sent, skipped, pending, blocked: when the ledger noted it
	// Unmet (unmet): the conditions the record does not meet, the trigger's own included
	// (the date field not empty; the field watched holding its value), in the
	// automation's order. The page words each with the record's value ("payée est Oui").
	Unmet        []records.Filter
	Reason       string // blocked: why, a fault reason
	ReasonParams map[string]any
}

// ForRecord lists the automations about a record's kind, each with whether it concerns the
// record now, and the record's ledger rows. Each condition is evaluated on the record by
// records.FilterSQL, as Due evaluates them all over the kind's records.
func (e *Engine) ForRecord(ctx context.Context, recordID int64) ([]RecordConcern, []Entry, error) {
	var typeID int64
	if err := e.deps.DB.R.QueryRowContext(ctx, `SELECT type_id FROM records WHERE id = ?`, recordID).Scan(&typeID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, records.ErrRecordNotFound.New(nil)
		}
		return nil, nil, err
	}
	as, err := e.List(ctx, typeID)
	if err != nil {
		return nil, nil, err
	}
	s, err := e.deps.Records.Schema(ctx)
	if err != nil {
		return nil, nil, err
	}
	t := s.Type(typeID)
	if t == nil {
		return nil, nil, records.ErrTypeNotFound.New(nil)
	}
	now := e.opts.Now()
	out := make([]RecordConcern, 0, len(as))
	for _, a := range as {
		c, err := e.concern(ctx, t, a, recordID, now)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, c)
	}
	en, err := e.entries(ctx, `WHERE l.record_id = ? ORDER BY l.updated_at DESC LIMIT 100`, recordID)
	return out, en, err
}

// concern says whether a concerns record id at now.
func (e *Engine) concern(ctx context.Context, t *records.Type, a Automation, id int64, now time.Time) (RecordConcern, error) {
	c := RecordConcern{Automation: a}
	conds := a.Conditions
	due := true // the trigger holds now (the date has come, the record is new or changed)
	switch a.Trigger {
	case OnDate:
		if f := t.FieldByKey(a.FieldKey); f != nil {
			err := e.deps.DB.R.QueryRowContext(ctx, `SELECT sort FROM record_values WHERE record_id = ? AND field_id = ? AND seq = 0`,
				id, f.ID).Scan(&c.Value)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return c, fmt.Errorf("automations: read the date of %d: %w", id, err)
			}
		}
		conds = append([]records.Filter{{Field: a.FieldKey, Op: records.IsNotEmpty}}, conds...)
		due = c.Value != "" && c.Value <= a.cutoff(now)
	case OnCreated, OnChanged:
		c.Value = createdValue
		column := "created_at"
		if a.Trigger == OnChanged {
			c.Value = changedPrefix + fmt.Sprint(a.Value)
			column = "updated_at"
			conds = append([]records.Filter{changedFilter(t, &a)}, conds...)
		}
		var after bool
		if err := e.deps.DB.R.QueryRowContext(ctx, `SELECT r.`+column+` > a.armed_at FROM records r, automations a
			WHERE r.id = ? AND a.id = ?`, id, a.ID).Scan(&after); err != nil {
			return c, fmt.Errorf("automations: read when %d changed: %w", id, err)
		}
		if !after {
			c.Concern = ConcernCreatedBefore
			if a.Trigger == OnChanged {
				c.Concern = ConcernUnchanged
			}
		}
	}
	// The ledger's row for the current value: sent and skipped are final, whatever the
	// record has become since.
	if c.Value != "" {
		var state, reason, params string
		var at int64
		err := e.deps.DB.R.QueryRowContext(ctx, `SELECT state, reason, reason_params, updated_at FROM automation_ledger
			WHERE automation_id = ? AND record_id = ? AND trigger_value = ?`, a.ID, id, c.Value).Scan(&state, &reason, &params, &at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return c, fmt.Errorf("automations: ledger of %d: %w", id, err)
		default:
			c.At = time.UnixMilli(at)
			switch EntryState(state) {
			case StateQueued:
				c.Concern = ConcernSent
				return c, nil
			case StateSkipped:
				c.Concern = ConcernSkipped
				return c, nil
			case StatePending:
				c.Concern = ConcernPending
			case StateBlocked:
				c.Concern, c.Reason = ConcernBlocked, reason
				if params != "" {
					_ = json.Unmarshal([]byte(params), &c.ReasonParams)
				}
			}
		}
	}
	unmet, err := e.unmet(ctx, t, id, conds)
	if err != nil {
		return c, err
	}
	if len(unmet) > 0 {
		// The conditions say why first: the next run would not hold or retry it either.
		c.Concern, c.Unmet, c.At, c.Reason, c.ReasonParams = ConcernUnmet, unmet, time.Time{}, "", nil
		return c, nil
	}
	if c.Concern != "" {
		return c, nil // created before, unchanged, pending or blocked
	}
	c.Concern = ConcernApplies
	if a.Enabled {
		c.SendAt = a.nextRun(now)
		if a.Trigger == OnDate && !due {
			d, _ := time.Parse(time.DateOnly, c.Value)
			c.SendAt = a.at(d.AddDate(0, 0, a.OffsetDays))
		}
	}
	return c, nil
}

// unmet lists the filters record id does not meet, each evaluated by records.FilterSQL as
// Due evaluates them all at once.
func (e *Engine) unmet(ctx context.Context, t *records.Type, id int64, fs []records.Filter) ([]records.Filter, error) {
	var out []records.Filter
	for _, f := range fs {
		where, args, err := records.FilterSQL(t, []records.Filter{f})
		if records.ErrFilterInvalid.Is(err) {
			// On a field deleted since: no record meets it (and the runs fail until the
			// automation is edited).
			out = append(out, f)
			continue
		}
		if err != nil {
			return nil, err
		}
		var ok bool
		if err := e.deps.DB.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM records r WHERE r.id = ?`+where+`)`,
			append([]any{id}, args...)...).Scan(&ok); err != nil {
			return nil, fmt.Errorf("automations: evaluate a condition on %d: %w", id, err)
		}
		if !ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// location is the automation's time zone (UTC when unknown).
func (a Automation) location() *time.Location {
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// cutoff is the latest date a date trigger sends for at now: today minus the offset.
func (a Automation) cutoff(now time.Time) string {
	return a.Today(now).AddDate(0, 0, -a.OffsetDays).Format(time.DateOnly)
}

// at is the automation's hour on day (a date at midnight UTC, as Today gives it).
func (a Automation) at(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), a.Hour, 0, 0, 0, a.location())
}

// nextRun is when the scheduler next runs a: at its next look when its latest hour has
// passed since its last run (now), else at its hour on the day after.
func (a Automation) nextRun(now time.Time) time.Time {
	last := lastSlot(now, a.location(), a.Hour)
	if a.LastRunDay < last {
		return now
	}
	d, _ := time.Parse(time.DateOnly, last)
	return a.at(d.AddDate(0, 0, 1))
}
