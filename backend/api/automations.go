package api

import (
	"context"
	"time"

	"mailroom/backend/automations"
)

// AutomationsChangedEvent carries an AutomationEventDTO: an automation was saved, deleted,
// paused or resumed, a run progressed, or records wait for approval.
const AutomationsChangedEvent = "automations:changed"

// AutomationEvents is automations.Deps.Emit: each event of the engine, to the UI.
func (b *Backend) AutomationEvents() func(automations.Event) {
	return func(e automations.Event) {
		b.emit(AutomationsChangedEvent, AutomationEventDTO{Kind: e.Kind, AutomationID: e.AutomationID, Done: e.Done,
			Total: e.Total, Queued: e.Queued, Pending: e.Pending})
	}
}

// runTimeout bounds a run, an approval or a dry run started from the UI (hundreds of
// records rendered).
const runTimeout = 10 * time.Minute

// Automations are the rules that send templates from records (F13). Everyone signed in
// reads them, their dry run, their run log and what waits for approval (they answer the
// clients who get the mails); admins create, edit, pause, run and approve them, as they
// write the templates.
type Automations struct{ b *Backend }

// long runs a method that may render and queue hundreds of mails: authorised as every
// call, then bounded by runTimeout instead of a local call's limit.
func long[T any](b *Backend, method string, fn func(ctx context.Context, c caller) (T, error)) (T, error) {
	return run(b, method, func(_ context.Context, c caller) (T, error) {
		ctx, cancel := context.WithTimeout(b.appContext(), runTimeout)
		defer cancel()
		return fn(ctx, c)
	})
}

// List returns every automation by name; typeId > 0 keeps those of one kind.
func (s *Automations) List(typeID int64) ([]AutomationDTO, error) {
	return run(s.b, "Automations.List", func(ctx context.Context, c caller) ([]AutomationDTO, error) {
		as, err := s.b.Automations.List(ctx, typeID)
		if err != nil {
			return nil, err
		}
		out := make([]AutomationDTO, 0, len(as))
		for _, a := range as {
			out = append(out, automationDTO(a))
		}
		return out, nil
	})
}

// Get reads one automation.
func (s *Automations) Get(id int64) (AutomationDTO, error) {
	return run(s.b, "Automations.Get", func(ctx context.Context, c caller) (AutomationDTO, error) {
		a, err := s.b.Automations.Get(ctx, id)
		if err != nil {
			return AutomationDTO{}, err
		}
		return automationDTO(a), nil
	})
}

// Save checks an automation against the records' fields and stores it. A new one first
// runs at its next hour (Run now sends what is due before that).
func (s *Automations) Save(in AutomationInputDTO) (AutomationDTO, error) {
	return run(s.b, "Automations.Save", func(ctx context.Context, c caller) (AutomationDTO, error) {
		a, err := s.b.Automations.Save(ctx, c.user.ID, automationIn(in))
		if err != nil {
			return AutomationDTO{}, err
		}
		return automationDTO(a), nil
	})
}

// Delete removes an automation and its ledger (the UI asks first; mails queued stay).
func (s *Automations) Delete(id int64) error {
	return do(s.b, "Automations.Delete", func(ctx context.Context, c caller) error {
		return s.b.Automations.Delete(ctx, id)
	})
}

// Pause stops an automation's scheduled runs.
func (s *Automations) Pause(id int64) error {
	return do(s.b, "Automations.Pause", func(ctx context.Context, c caller) error {
		return s.b.Automations.SetEnabled(ctx, id, false)
	})
}

// Resume lets an automation run again at its hour.
func (s *Automations) Resume(id int64) error {
	return do(s.b, "Automations.Resume", func(ctx context.Context, c caller) error {
		return s.b.Automations.SetEnabled(ctx, id, true)
	})
}

// dryRunLimit bounds the records a dry run renders (the total is counted all the same).
const dryRunLimit = 200

// DryRun says who would get the automation's mail today and why the others would not,
// without sending anything.
func (s *Automations) DryRun(id int64) (AutomationDryRunDTO, error) {
	return long(s.b, "Automations.DryRun", func(ctx context.Context, c caller) (AutomationDryRunDTO, error) {
		outs, total, err := s.b.Automations.DryRun(ctx, id, dryRunLimit)
		if err != nil {
			return AutomationDryRunDTO{}, err
		}
		d := AutomationDryRunDTO{Total: total, Items: make([]AutomationOutcomeDTO, 0, len(outs))}
		for _, o := range outs {
			d.Items = append(d.Items, AutomationOutcomeDTO{RecordID: o.RecordID, Title: o.Title, Value: o.Value,
				Name: o.Recipient.Name, Email: o.Recipient.Email, Subject: o.Subject, Pending: o.State == "pending",
				Problem: errorDTOOf(o.Error)})
		}
		return d, nil
	})
}

// RunNow runs the automation at once, as its hour would: once per record and date, and
// asking first over its threshold. Progress comes as automations:changed events.
func (s *Automations) RunNow(id int64) (AutomationRunDTO, error) {
	return long(s.b, "Automations.RunNow", func(ctx context.Context, c caller) (AutomationRunDTO, error) {
		r, err := s.b.Automations.Run(ctx, id)
		return automationRunDTO(r), err
	})
}

// Log is the automation's run log, latest first: each mail with its outbox state, and
// each record that could not get it, with why.
func (s *Automations) Log(id int64, offset, limit int) ([]AutomationEntryDTO, error) {
	return run(s.b, "Automations.Log", func(ctx context.Context, c caller) ([]AutomationEntryDTO, error) {
		es, err := s.b.Automations.Log(ctx, id, offset, limit)
		if err != nil {
			return nil, err
		}
		return automationEntryDTOs(es), nil
	})
}

// Pending lists the records waiting for approval (more were due at once than the
// automation's threshold).
func (s *Automations) Pending(id int64) ([]AutomationEntryDTO, error) {
	return run(s.b, "Automations.Pending", func(ctx context.Context, c caller) ([]AutomationEntryDTO, error) {
		es, err := s.b.Automations.PendingList(ctx, id)
		if err != nil {
			return nil, err
		}
		return automationEntryDTOs(es), nil
	})
}

// Approve sends the waiting records of recordIds, or all of them when recordIds is empty.
func (s *Automations) Approve(id int64, recordIDs []int64) (AutomationRunDTO, error) {
	return long(s.b, "Automations.Approve", func(ctx context.Context, c caller) (AutomationRunDTO, error) {
		if len(recordIDs) == 0 {
			recordIDs = nil
		}
		r, err := s.b.Automations.Approve(ctx, c.user.ID, id, recordIDs)
		return automationRunDTO(r), err
	})
}

// Skip declines the waiting records of recordIds, or all of them when recordIds is empty:
// they never get this mail for their current date.
func (s *Automations) Skip(id int64, recordIDs []int64) (int, error) {
	return run(s.b, "Automations.Skip", func(ctx context.Context, c caller) (int, error) {
		if len(recordIDs) == 0 {
			recordIDs = nil
		}
		return s.b.Automations.Skip(ctx, c.user.ID, id, recordIDs)
	})
}

// ForRecord lists, for a record's page, the automations of its kind, whether each concerns
// the record now (when it would send, or why not), and what they sent it.
func (s *Automations) ForRecord(recordID int64) (RecordAutomationsDTO, error) {
	return run(s.b, "Automations.ForRecord", func(ctx context.Context, c caller) (RecordAutomationsDTO, error) {
		cs, es, err := s.b.Automations.ForRecord(ctx, recordID)
		if err != nil {
			return RecordAutomationsDTO{}, err
		}
		d := RecordAutomationsDTO{Automations: make([]RecordAutomationDTO, 0, len(cs)), Entries: automationEntryDTOs(es)}
		for _, c := range cs {
			d.Automations = append(d.Automations, recordAutomationDTO(c))
		}
		return d, nil
	})
}
