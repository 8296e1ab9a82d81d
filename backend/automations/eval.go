package automations

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/records"
	"mailroom/backend/templates"
)

// Due is a record an automation would send to now, with the trigger's value (the date for
// OnDate) that keys its ledger row, and that row's state when it has one ("pending",
// "blocked").
type Due struct {
	RecordID int64
	Value    string
	State    string
}

// createdValue and changedPrefix are the ledger's trigger values of OnCreated and OnChanged.
const (
	createdValue  = "created"
	changedPrefix = "changed:"
)

// Today is the automation's local day at now.
func (a Automation) Today(now time.Time) time.Time {
	l := now.In(a.location())
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// Due lists the records a meets at now that its ledger has not sent to (or skipped) for
// the trigger's current value, by record id. One query over the records' value index: the
// date trigger walks the date field's values up to the cutoff, the conditions are the
// list's EXISTS filters, the ledger an anti-join on its key.
func (e *Engine) Due(ctx context.Context, a Automation, now time.Time) ([]Due, error) {
	s, err := e.deps.Records.Schema(ctx)
	if err != nil {
		return nil, err
	}
	t := s.Type(a.TypeID)
	if t == nil {
		return nil, records.ErrTypeNotFound.New(nil)
	}
	where, wargs, err := records.FilterSQL(t, a.Conditions)
	if err != nil {
		return nil, err
	}
	var q string
	var args []any
	switch a.Trigger {
	case OnDate:
		f := t.FieldByKey(a.FieldKey)
		if f == nil || f.Kind != records.Date {
			return nil, ErrFieldInvalid.New(fault.P{"field": a.FieldKey})
		}
		cutoff := a.cutoff(now)
		if onRecordColumns(a.Conditions) {
			q = `SELECT r.id AS id, x.sort AS v FROM record_values x JOIN records r ON r.id = x.record_id
				WHERE x.field_id = ? AND x.seq = 0 AND x.sort <= ? AND r.type_id = ? AND r.deleted_at IS NULL` + where
			args = append([]any{f.ID, cutoff, t.ID}, wargs...)
			break
		}
		// Conditions on fields only: the date index alone gives the records (a field is
		// of one type), the trash is a small set; three times faster than reading every
		// record's row, which only conditions on the title or dates need.
		q = `SELECT r.id AS id, r.v AS v FROM (SELECT x.record_id AS id, x.sort AS v FROM record_values x
			WHERE x.field_id = ? AND x.seq = 0 AND x.sort <= ?
			AND x.record_id NOT IN (SELECT id FROM records WHERE deleted_at IS NOT NULL)) AS r WHERE 1` + where
		args = append([]any{f.ID, cutoff}, wargs...)
	case OnCreated:
		q = `SELECT r.id AS id, '` + createdValue + `' AS v FROM records r WHERE r.type_id = ? AND r.deleted_at IS NULL
			AND r.created_at > (SELECT armed_at FROM automations WHERE id = ?)` + where
		args = append([]any{t.ID, a.ID}, wargs...)
	case OnChanged:
		cw, cargs, err := records.FilterSQL(t, []records.Filter{changedFilter(t, &a)})
		if err != nil {
			return nil, err
		}
		q = `SELECT r.id AS id, ? AS v FROM records r WHERE r.type_id = ? AND r.deleted_at IS NULL
			AND r.updated_at > (SELECT armed_at FROM automations WHERE id = ?)` + cw + where
		args = append(append([]any{changedPrefix + fmt.Sprint(a.Value), t.ID, a.ID}, cargs...), wargs...)
	default:
		return nil, ErrTriggerInvalid.New(nil)
	}
	q = `SELECT d.id, d.v, COALESCE(l.state, '') FROM (` + q + `) AS d
		LEFT JOIN automation_ledger l ON l.automation_id = ? AND l.record_id = d.id AND l.trigger_value = d.v
		WHERE l.state IS NULL OR l.state IN ('pending', 'blocked')`
	args = append(args, a.ID)
	rows, err := e.deps.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("automations: evaluate %d: %w", a.ID, err)
	}
	defer rows.Close()
	var out []Due
	for rows.Next() {
		var d Due
		if err := rows.Scan(&d.RecordID, &d.Value, &d.State); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(x, y Due) int { return cmp.Compare(x.RecordID, y.RecordID) })
	return out, nil
}

// onRecordColumns says whether a condition reads the records' own columns (title,
// created_at, updated_at) rather than fields.
func onRecordColumns(fs []records.Filter) bool {
	for _, f := range fs {
		if f.Field == records.SortTitle || f.Field == records.SortCreated || f.Field == records.SortUpdated {
			return true
		}
	}
	return false
}

// Recipient is who a record's mail goes to.
type Recipient struct {
	Name, Email string
	RecordID    int64 // the contact, when the address is a contact's
}

// recipient finds where the mail about record goes, or why it cannot go.
func (e *Engine) recipient(ctx context.Context, s *records.Schema, a Automation, r records.Detail) (Recipient, error) {
	t := s.Type(r.TypeID)
	if t == nil {
		return Recipient{}, records.ErrTypeNotFound.New(nil)
	}
	if a.RecipientMode == ToField {
		email := first(r.Values[a.RecipientField])
		if email == "" {
			return Recipient{}, ErrNoAddress.New(nil)
		}
		if t.Builtin == records.ContactType {
			if dne, _ := r.Values[records.ContactDoNotEmail].(bool); dne {
				return Recipient{}, ErrDoNotEmail.New(fault.P{"name": r.Title})
			}
		}
		return Recipient{Name: r.Title, Email: email, RecordID: r.ID}, nil
	}
	refs, _ := r.Values[a.RecipientField].([]records.LinkRef)
	if len(refs) == 0 {
		return Recipient{}, ErrNoContact.New(nil)
	}
	linked, err := e.deps.Records.Get(ctx, refs[0].ID)
	if err != nil {
		return Recipient{}, err
	}
	lt := s.Type(linked.TypeID)
	if lt != nil && lt.Builtin == records.ContactType {
		return contactRecipient(linked)
	}
	// A company (or a record of another kind): the contacts that link to it.
	contactType := s.TypeByKey(records.ContactType)
	var candidates []records.LinkRef
	for _, b := range linked.Backlinks {
		if contactType != nil && b.TypeID == contactType.ID {
			candidates = append(candidates, b.Records...)
		}
	}
	if len(candidates) == 0 {
		return Recipient{}, ErrNoContact.New(nil)
	}
	role := records.Fold(a.RecipientRole)
	for _, c := range candidates {
		cd, err := e.deps.Records.Get(ctx, c.ID)
		if err != nil {
			continue
		}
		if role != "" {
			title, _ := cd.Values[records.ContactJobTitle].(string)
			if !strings.Contains(records.Fold(title), role) {
				continue
			}
		}
		return contactRecipient(cd)
	}
	return Recipient{}, ErrNoContactRole.New(fault.P{"role": a.RecipientRole})
}

func contactRecipient(c records.Detail) (Recipient, error) {
	if dne, _ := c.Values[records.ContactDoNotEmail].(bool); dne {
		return Recipient{}, ErrDoNotEmail.New(fault.P{"name": c.Title})
	}
	email := first(c.Values[records.ContactEmails])
	if email == "" {
		return Recipient{}, ErrNoAddress.New(nil)
	}
	return Recipient{Name: c.Title, Email: email, RecordID: c.ID}, nil
}

// first is a value's first string (several values come as a list).
func first(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			s, _ := x[0].(string)
			return strings.TrimSpace(s)
		}
	case []string:
		if len(x) > 0 {
			return strings.TrimSpace(x[0])
		}
	}
	return ""
}

// Outcome is what a run would do, or did, for one record.
type Outcome struct {
	RecordID  int64
	Title     string
	Value     string // the trigger's value (the date)
	Recipient Recipient
	Subject   string
	Error     error // why the record does not get the mail; nil: it does
	State     string
}

// prepared is a record's mail, ready to queue.
type prepared struct {
	Outcome
	rendered templates.Rendered
}

// prepare finds a due record's recipient and renders its mail.
func (e *Engine) prepare(ctx context.Context, s *records.Schema, a Automation, snd sender, d Due) prepared {
	p := prepared{Outcome: Outcome{RecordID: d.RecordID, Value: d.Value, State: d.State}}
	r, err := e.deps.Records.Get(ctx, d.RecordID)
	if err != nil {
		p.Error = err
		return p
	}
	p.Title = r.Title
	if p.Recipient, p.Error = e.recipient(ctx, s, a, r); p.Error != nil {
		return p
	}
	if a.TemplateID == 0 {
		p.Error = ErrTemplateDeleted.New(nil)
		return p
	}
	out, err := e.deps.Templates.Render(ctx, a.TemplateID, templates.Target{RecordID: d.RecordID, Sender: snd.tpl})
	if err != nil {
		p.Error = err
		return p
	}
	if len(out.Missing) > 0 {
		p.Error = ErrMissingValue.New(fault.P{"placeholders": strings.Join(out.Missing, ", ")})
		return p
	}
	p.Subject, p.rendered = out.Subject, out
	return p
}

// DryRun says who would get a's mail at now, and why the others would not, without
// sending or writing anything. At most limit records are rendered (all when 0); Total
// counts every due record.
func (e *Engine) DryRun(ctx context.Context, id int64, limit int) (outs []Outcome, total int, err error) {
	a, err := e.Get(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	due, err := e.Due(ctx, a, e.opts.Now())
	if err != nil {
		return nil, 0, err
	}
	snd, err := e.sender(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	s, err := e.deps.Records.Schema(ctx)
	if err != nil {
		return nil, 0, err
	}
	total = len(due)
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	outs = make([]Outcome, 0, len(due))
	for _, d := range due {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		outs = append(outs, e.prepare(ctx, s, a, snd, d).Outcome)
	}
	return outs, total, nil
}
