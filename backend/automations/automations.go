package automations

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/templates"
	"mailroom/backend/users"
)

// Trigger is when an automation sends.
type Trigger string

// The triggers.
const (
	OnDate    Trigger = "date"    // the date field has passed by OffsetDays (or is -OffsetDays ahead)
	OnCreated Trigger = "created" // a record was created (after the automation)
	OnChanged Trigger = "changed" // the field changed to Value (after the automation)
)

// Triggers lists every trigger.
var Triggers = []Trigger{OnDate, OnCreated, OnChanged}

// EntryState is the state of a ledger row.
type EntryState string

// The ledger's states.
const (
	StateQueued  EntryState = "queued"  // in the outbox
	StatePending EntryState = "pending" // waits for approval
	StateSkipped EntryState = "skipped" // declined: never sent for this trigger value
	StateBlocked EntryState = "blocked" // could not be sent (why is noted); tried again at each run
)

// EntryStates lists every state of a ledger row.
var EntryStates = []EntryState{StateQueued, StatePending, StateSkipped, StateBlocked}

// Recipient modes.
const (
	ToField = "field" // an email field of the record
	ToLink  = "link"  // a linked contact, or the linked company's contact (Role, else the first)
)

// DefaultThreshold is how many mails a run sends without asking.
const DefaultThreshold = 20

// Automation is a rule: when a record of TypeID meets the trigger and the conditions,
// send the template to the recipient, from the account, at Hour in Timezone.
type Automation struct {
	ID             int64
	Name           string
	TypeID         int64
	Trigger        Trigger
	FieldKey       string           // OnDate: the date field; OnChanged: the field watched
	OffsetDays     int              // OnDate: days after the date (negative: before)
	Value          any              // OnChanged: the value the field changes to
	Conditions     []records.Filter // all must hold (the records' list filters)
	TemplateID     int64            // 0: deleted since
	RecipientMode  string           // ToField or ToLink
	RecipientField string           // the email field or the link field's key
	RecipientRole  string           // ToLink to a company: its contact whose job title holds this
	AccountID      int64            // 0: the office sender
	Hour           int              // 0–23, in Timezone
	Timezone       string           // IANA name
	Threshold      int              // more due at once: ask first
	Enabled        bool
	LastRunDay     string // the local day of the last scheduled run
	LastRunAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Pending        int // waiting for approval
}

// Event reports a run's progress and what changed.
type Event struct {
	Kind         string // "changed", "run", "pending"
	AutomationID int64
	Done, Total  int
	Queued       int
	Pending      int
}

// Deps are what the automations work with.
type Deps struct {
	DB        *store.DB
	Records   *records.Records
	Templates *templates.Templates
	Outbox    Outbox
	Accounts  Accounts
	Users     Users // may be nil: the office sender's signer then signs with the account's name
	Filing    Filer // may be nil: sent mails are then not filed
	Emit      func(Event)
	Log       *slog.Logger
}

// Outbox queues messages with the caller's writes in the same transaction.
type Outbox interface {
	EnqueueWith(ctx context.Context, accountID int64, envs []outbox.Envelope, also func(tx *sql.Tx, ids []int64) error) ([]int64, error)
}

// Accounts reads an account, and the office sender (F22): the account automations send
// from when they name none, and who signs its mail.
type Accounts interface {
	Get(ctx context.Context, id int64) (accounts.Account, error)
	OfficeSender(ctx context.Context) (accounts.OfficeSender, error)
	SignatureFor(ctx context.Context, accountID, userID int64, signer accounts.Signer) (string, error)
}

// Users reads a user's profile (the office sender's signer: {{user.name}} and the others).
type Users interface {
	Get(ctx context.Context, id int64) (users.User, error)
}

// Filer files a message sent from a record to it (filing's FileSent).
type Filer interface {
	FileSent(ctx context.Context, by int64, messageIDs []int64, recordID int64) error
}

// Options tune the engine.
type Options struct {
	Now  func() time.Time // the clock; time.Now when nil
	Tick time.Duration    // how often the scheduler looks; a minute when 0
	// BeforeCommit and AfterCommit, when set, run inside the send of each mail, before the
	// ledger and outbox transaction commits and after it (tests kill the process there).
	BeforeCommit func(recordID int64)
	AfterCommit  func(recordID int64)
}

// Engine keeps the automations, evaluates them and runs their scheduler.
type Engine struct {
	deps Deps
	opts Options

	runMu sync.Mutex // one run at a time: the scheduler, Run now and approvals

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns an engine; Start starts its scheduler.
func New(deps Deps, opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Minute
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	return &Engine{deps: deps, opts: opts}
}

func (e *Engine) emit(ev Event) {
	if e.deps.Emit != nil {
		e.deps.Emit(ev)
	}
}

const columns = `a.id, a.name, a.type_id, a.trigger, a.field_key, a.offset_days, a.value, a.conditions, a.template_id,
	a.recipient_mode, a.recipient_field, a.recipient_role, a.account_id, a.hour, a.timezone, a.threshold, a.enabled,
	a.last_run_day, a.last_run_at, a.created_at, a.updated_at,
	(SELECT COUNT(*) FROM automation_ledger l WHERE l.automation_id = a.id AND l.state = 'pending')`

type scanner interface{ Scan(...any) error }

func scan(row scanner) (Automation, error) {
	var a Automation
	var value, conds string
	var tpl, acc, lastRun sql.NullInt64
	var created, updated int64
	err := row.Scan(&a.ID, &a.Name, &a.TypeID, &a.Trigger, &a.FieldKey, &a.OffsetDays, &value, &conds, &tpl,
		&a.RecipientMode, &a.RecipientField, &a.RecipientRole, &acc, &a.Hour, &a.Timezone, &a.Threshold, &a.Enabled,
		&a.LastRunDay, &lastRun, &created, &updated, &a.Pending)
	if err != nil {
		return a, err
	}
	if value != "" {
		_ = json.Unmarshal([]byte(value), &a.Value)
	}
	_ = json.Unmarshal([]byte(conds), &a.Conditions)
	a.TemplateID, a.AccountID = tpl.Int64, acc.Int64
	if lastRun.Valid {
		a.LastRunAt = time.UnixMilli(lastRun.Int64)
	}
	a.CreatedAt, a.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return a, nil
}

// List returns every automation, by name; typeID > 0 keeps those of one kind.
func (e *Engine) List(ctx context.Context, typeID int64) ([]Automation, error) {
	rows, err := e.deps.DB.R.QueryContext(ctx, `SELECT `+columns+` FROM automations a
		WHERE ? = 0 OR a.type_id = ? ORDER BY a.name COLLATE NOCASE`, typeID, typeID)
	if err != nil {
		return nil, fmt.Errorf("automations: list: %w", err)
	}
	defer rows.Close()
	out := []Automation{}
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Get returns one automation.
func (e *Engine) Get(ctx context.Context, id int64) (Automation, error) {
	a, err := scan(e.deps.DB.R.QueryRowContext(ctx, `SELECT `+columns+` FROM automations a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound.New(nil)
	}
	return a, err
}

// check validates a against the schema and fills its defaults.
func (e *Engine) check(ctx context.Context, a *Automation) error {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return ErrNameMissing.Field("name", nil)
	}
	s, err := e.deps.Records.Schema(ctx)
	if err != nil {
		return err
	}
	t := s.Type(a.TypeID)
	if t == nil {
		return ErrTypeMissing.Field("typeId", nil)
	}
	switch a.Trigger {
	case OnDate:
		f := t.FieldByKey(a.FieldKey)
		if f == nil || f.Kind != records.Date {
			return ErrFieldInvalid.Field("fieldKey", fault.P{"field": a.FieldKey})
		}
	case OnChanged:
		if t.FieldByKey(a.FieldKey) == nil {
			return ErrFieldInvalid.Field("fieldKey", fault.P{"field": a.FieldKey})
		}
		if _, _, err := records.FilterSQL(t, []records.Filter{changedFilter(t, a)}); err != nil {
			return err
		}
	case OnCreated:
		a.FieldKey, a.OffsetDays = "", 0
	default:
		return ErrTriggerInvalid.Field("trigger", nil)
	}
	if a.Conditions == nil {
		a.Conditions = []records.Filter{}
	}
	if _, _, err := records.FilterSQL(t, a.Conditions); err != nil {
		return err
	}
	if a.TemplateID <= 0 {
		return ErrTemplateMissing.Field("templateId", nil)
	}
	if _, err := e.deps.Templates.Get(ctx, a.TemplateID); err != nil {
		return err
	}
	rf := t.FieldByKey(a.RecipientField)
	switch {
	case rf == nil:
		return ErrRecipientField.Field("recipientField", fault.P{"field": a.RecipientField})
	case rf.Kind == records.Email:
		a.RecipientMode = ToField
	case rf.Kind == records.Link:
		a.RecipientMode = ToLink
	default:
		return ErrRecipientField.Field("recipientField", fault.P{"field": a.RecipientField})
	}
	a.RecipientRole = strings.TrimSpace(a.RecipientRole)
	if a.Hour < 0 || a.Hour > 23 {
		return ErrHourInvalid.Field("hour", nil)
	}
	if a.Timezone == "" {
		a.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(a.Timezone); err != nil {
		return ErrTimezoneInvalid.Field("timezone", fault.P{"timezone": a.Timezone})
	}
	if a.Threshold <= 0 {
		a.Threshold = DefaultThreshold
	}
	if a.AccountID == 0 {
		if _, _, err := e.officeSender(ctx); err != nil {
			return err
		}
	} else if _, err := e.deps.Accounts.Get(ctx, a.AccountID); err != nil {
		return err
	}
	return nil
}

// changedFilter is the condition "field holds Value" of an OnChanged automation.
func changedFilter(t *records.Type, a *Automation) records.Filter {
	op := records.Equals
	if f := t.FieldByKey(a.FieldKey); f != nil {
		switch f.Kind {
		case records.Checkbox:
			if b, _ := a.Value.(bool); b {
				op = records.IsChecked
			} else {
				op = records.IsEmpty
			}
		case records.SingleChoice, records.MultipleChoice:
			op = records.HasChoice
		}
	}
	return records.Filter{Field: a.FieldKey, Op: op, Value: a.Value}
}

// officeSender is the office sender's account and signer (0: none chosen), or
// ErrNoSender when no office sender is chosen.
func (e *Engine) officeSender(ctx context.Context) (accountID, userID int64, err error) {
	o, err := e.deps.Accounts.OfficeSender(ctx)
	if accounts.ErrNoOfficeSender.Is(err) {
		return 0, 0, ErrNoSender.Field("accountId", nil)
	}
	if err != nil {
		return 0, 0, err
	}
	return o.AccountID, o.UserID, nil
}

// Save creates (ID 0) or updates an automation as the user by. A new automation's first
// scheduled run is its next hour: what is already due waits for it, or for Run now.
func (e *Engine) Save(ctx context.Context, by int64, a Automation) (Automation, error) {
	if err := e.check(ctx, &a); err != nil {
		return Automation{}, err
	}
	now := e.opts.Now()
	value, _ := json.Marshal(a.Value)
	if a.Value == nil {
		value = nil
	}
	conds, _ := json.Marshal(a.Conditions)
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		var taken int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM automations WHERE name = ? COLLATE NOCASE AND id <> ?`, a.Name, a.ID).Scan(&taken)
		if err == nil {
			return ErrNameTaken.Field("name", fault.P{"name": a.Name})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		args := []any{a.Name, a.TypeID, string(a.Trigger), a.FieldKey, a.OffsetDays, string(value), string(conds), a.TemplateID,
			a.RecipientMode, a.RecipientField, a.RecipientRole, nullID(a.AccountID), a.Hour, a.Timezone, a.Threshold, a.Enabled, now.UnixMilli()}
		if a.ID == 0 {
			day := lastSlot(now, a.location(), a.Hour)
			return tx.QueryRowContext(ctx, `INSERT INTO automations(name, type_id, trigger, field_key, offset_days, value, conditions,
				template_id, recipient_mode, recipient_field, recipient_role, account_id, hour, timezone, threshold, enabled,
				updated_at, armed_at, created_at, created_by, last_run_day) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
				append(args, now.UnixMilli(), now.UnixMilli(), nullID(by), day)...).Scan(&a.ID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE automations SET name = ?, type_id = ?, trigger = ?, field_key = ?, offset_days = ?,
			value = ?, conditions = ?, template_id = ?, recipient_mode = ?, recipient_field = ?, recipient_role = ?, account_id = ?,
			hour = ?, timezone = ?, threshold = ?, enabled = ?, updated_at = ? WHERE id = ?`, append(args, a.ID)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound.New(nil)
		}
		return nil
	})
	if err != nil {
		return Automation{}, err
	}
	e.emit(Event{Kind: "changed", AutomationID: a.ID})
	return e.Get(ctx, a.ID)
}

// Delete removes an automation and its ledger (the mails it queued stay in the outbox).
func (e *Engine) Delete(ctx context.Context, id int64) error {
	res, err := e.deps.DB.W.ExecContext(ctx, `DELETE FROM automations WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("automations: delete %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound.New(nil)
	}
	e.emit(Event{Kind: "changed", AutomationID: id})
	return nil
}

// SetEnabled pauses (false) or resumes (true) an automation. Resuming does not send what
// became due while paused until the next run (or Run now).
func (e *Engine) SetEnabled(ctx context.Context, id int64, on bool) error {
	res, err := e.deps.DB.W.ExecContext(ctx, `UPDATE automations SET enabled = ?, updated_at = ? WHERE id = ?`,
		on, e.opts.Now().UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("automations: pause or resume %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound.New(nil)
	}
	e.emit(Event{Kind: "changed", AutomationID: id})
	return nil
}

// lastSlot is the local day (YYYY-MM-DD) of the latest run time at hour not after now.
func lastSlot(now time.Time, loc *time.Location, hour int) string {
	l := now.In(loc)
	slot := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	if slot.After(l) {
		slot = slot.AddDate(0, 0, -1)
	}
	return slot.Format(time.DateOnly)
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}
