package automations

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/templates"
)

// sender is the account an automation sends from, and the template's sender values.
type sender struct {
	accountID int64
	from      outbox.Address
	tpl       templates.Sender
}

func (e *Engine) sender(ctx context.Context, a Automation) (sender, error) {
	id, signer := a.AccountID, int64(0)
	if id == 0 {
		var err error
		if id, signer, err = e.officeSender(ctx); err != nil {
			return sender{}, err
		}
	}
	acc, err := e.deps.Accounts.Get(ctx, id)
	if err != nil {
		return sender{}, err
	}
	tpl := templates.Sender{UserName: acc.FromName, AccountName: acc.FromName, AccountAddress: acc.Email}
	if signer != 0 && e.deps.Users != nil {
		// The office sender's signer: {{user.*}} are theirs.
		if u, err := e.deps.Users.Get(ctx, signer); err == nil {
			tpl.UserName, tpl.UserEmail, tpl.UserTitle, tpl.UserPhone = u.Name, u.Email, u.Title, u.Phone
			// and their default signature on the account follows the body.
			tpl.Signature, err = e.deps.Accounts.SignatureFor(ctx, acc.ID, signer, accounts.Signer{Name: u.Name, Title: u.Title, Phone: u.Phone})
			if err != nil {
				return sender{}, err
			}
		}
	}
	return sender{accountID: acc.ID, from: outbox.Address{Name: acc.FromName, Email: acc.Email}, tpl: tpl}, nil
}

// RunResult counts what a run did.
type RunResult struct {
	Due     int // records the run found due
	Queued  int // mails queued in the outbox
	Blocked int // records that could not get the mail (see the run log)
	Pending int // records waiting for approval (over the threshold)
}

// errAlreadyDone rolls back a mail whose ledger row another run wrote meanwhile.
var errAlreadyDone = errors.New("automations: already sent or skipped")

// Run evaluates automation id now and queues its mails, once per record and trigger value.
// When more records are due than the automation's threshold, or some already wait for
// approval, it queues nothing: they wait for Approve or Skip.
func (e *Engine) Run(ctx context.Context, id int64) (RunResult, error) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return e.run(ctx, id)
}

func (e *Engine) run(ctx context.Context, id int64) (RunResult, error) {
	a, err := e.Get(ctx, id)
	if err != nil {
		return RunResult{}, err
	}
	now := e.opts.Now()
	due, err := e.Due(ctx, a, now)
	if err != nil {
		return RunResult{}, err
	}
	if err := e.forgetStale(ctx, a.ID, due); err != nil {
		return RunResult{}, err
	}
	res := RunResult{Due: len(due)}
	defer e.touch(ctx, a.ID, now)
	pending := 0
	for _, d := range due {
		if d.State == "pending" {
			pending++
		}
	}
	if pending > 0 || len(due) > a.Threshold {
		err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, d := range due {
				if _, err := tx.ExecContext(ctx, `INSERT INTO automation_ledger(automation_id, record_id, trigger_value, state,
					created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT DO UPDATE SET state = 'pending',
					updated_at = excluded.updated_at WHERE state = 'blocked'`, a.ID, d.RecordID, d.Value, now.UnixMilli(), now.UnixMilli()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("automations: hold %d for approval: %w", a.ID, err)
		}
		res.Pending = len(due)
		e.emit(Event{Kind: "pending", AutomationID: a.ID, Pending: res.Pending, Total: len(due)})
		return res, nil
	}
	return e.send(ctx, a, due, 0, res)
}

// send queues the mail of each due record: its ledger row and its outbox row in one
// transaction, or neither.
func (e *Engine) send(ctx context.Context, a Automation, due []Due, by int64, res RunResult) (RunResult, error) {
	if len(due) == 0 {
		e.emit(Event{Kind: "run", AutomationID: a.ID})
		return res, nil
	}
	snd, err := e.sender(ctx, a)
	if err != nil {
		return res, err
	}
	s, err := e.deps.Records.Schema(ctx)
	if err != nil {
		return res, err
	}
	for i, d := range due {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		p := e.prepare(ctx, s, a, snd, d)
		if p.Error != nil {
			if errors.Is(p.Error, context.Canceled) {
				return res, p.Error
			}
			if err := e.block(ctx, a.ID, d, p.Error, by); err != nil {
				return res, err
			}
			res.Blocked++
		} else {
			err := e.queue(ctx, a, snd, p, by)
			switch {
			case errors.Is(err, errAlreadyDone):
			case err != nil:
				if _, ok := fault.As(err); !ok || fault.Is(err, fault.StoreUnavailable) {
					return res, err
				}
				// The outbox refused this one message (an address it cannot send to).
				if err := e.block(ctx, a.ID, d, err, by); err != nil {
					return res, err
				}
				res.Blocked++
			default:
				res.Queued++
			}
		}
		e.emit(Event{Kind: "run", AutomationID: a.ID, Done: i + 1, Total: len(due), Queued: res.Queued})
	}
	return res, nil
}

// queue renders p's message and queues it with its ledger row. Like a bulk send's, it
// carries List-Unsubscribe: a mailto to the account's own address, where a reply asking
// to unsubscribe is recognised (bulk.UnsubscribeRequest) and its sender's "do not email"
// set in one click. outbox.Render writes the header.
func (e *Engine) queue(ctx context.Context, a Automation, snd sender, p prepared, by int64) error {
	c := outbox.Compose{From: snd.from, To: []outbox.Address{{Name: p.Recipient.Name, Email: p.Recipient.Email}},
		Subject: p.rendered.Subject, Text: p.rendered.Text, HTML: p.rendered.HTML, Date: e.opts.Now(),
		ListUnsubscribe: snd.from.Email}
	for _, at := range p.rendered.Attachments {
		c.Attachments = append(c.Attachments, outbox.Attachment{Filename: at.Name, ContentType: at.ContentType, Data: at.Data})
	}
	env, err := outbox.Render(c)
	if err != nil {
		return err
	}
	env.QueuedBy = by
	_, err = e.deps.Outbox.EnqueueWith(ctx, snd.accountID, []outbox.Envelope{env}, func(tx *sql.Tx, ids []int64) error {
		now := e.opts.Now().UnixMilli()
		res, err := tx.ExecContext(ctx, `INSERT INTO automation_ledger(automation_id, record_id, trigger_value, state, outbox_id,
			recipient, created_at, updated_at, decided_by) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET state = 'queued', outbox_id = excluded.outbox_id, recipient = excluded.recipient,
			reason = '', reason_params = '', updated_at = excluded.updated_at, decided_by = excluded.decided_by
			WHERE state IN ('pending', 'blocked')`,
			a.ID, p.RecordID, p.Value, ids[0], p.Recipient.Email, now, now, nullID(by))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errAlreadyDone
		}
		if e.opts.BeforeCommit != nil {
			e.opts.BeforeCommit(p.RecordID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if e.opts.AfterCommit != nil {
		e.opts.AfterCommit(p.RecordID)
	}
	return nil
}

// block records why a due record did not get its mail; the next run tries it again.
func (e *Engine) block(ctx context.Context, automationID int64, d Due, why error, by int64) error {
	reason, params := "", ""
	if fe, ok := fault.As(why); ok {
		reason = fe.Reason
		b, _ := json.Marshal(fe.Params)
		params = string(b)
	} else {
		reason = "internal"
		e.deps.Log.Warn("automations: cannot prepare a mail", "automation", automationID, "record", d.RecordID, "err", why)
	}
	now := e.opts.Now().UnixMilli()
	_, err := e.deps.DB.W.ExecContext(ctx, `INSERT INTO automation_ledger(automation_id, record_id, trigger_value, state,
		reason, reason_params, created_at, updated_at, decided_by) VALUES (?, ?, ?, 'blocked', ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET state = 'blocked', reason = excluded.reason, reason_params = excluded.reason_params,
		updated_at = excluded.updated_at WHERE state IN ('pending', 'blocked')`,
		automationID, d.RecordID, d.Value, reason, params, now, now, nullID(by))
	if err != nil {
		return fmt.Errorf("automations: note a record that cannot get its mail: %w", err)
	}
	return nil
}

// forgetStale removes the pending and blocked rows that are no longer due (the date
// moved, the invoice was paid).
func (e *Engine) forgetStale(ctx context.Context, automationID int64, due []Due) error {
	type key struct {
		id int64
		v  string
	}
	keep := make(map[key]bool, len(due))
	for _, d := range due {
		keep[key{d.RecordID, d.Value}] = true
	}
	rows, err := e.deps.DB.R.QueryContext(ctx, `SELECT record_id, trigger_value FROM automation_ledger
		WHERE automation_id = ? AND state IN ('pending', 'blocked')`, automationID)
	if err != nil {
		return err
	}
	var stale []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.id, &k.v); err != nil {
			rows.Close()
			return err
		}
		if !keep[k] {
			stale = append(stale, k)
		}
	}
	rows.Close()
	if len(stale) == 0 {
		return nil
	}
	return e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range stale {
			if _, err := tx.ExecContext(ctx, `DELETE FROM automation_ledger WHERE automation_id = ? AND record_id = ?
				AND trigger_value = ? AND state IN ('pending', 'blocked')`, automationID, k.id, k.v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *Engine) touch(ctx context.Context, id int64, now time.Time) {
	if _, err := e.deps.DB.W.ExecContext(context.WithoutCancel(ctx), `UPDATE automations SET last_run_at = ? WHERE id = ?`,
		now.UnixMilli(), id); err != nil {
		e.deps.Log.Warn("automations: cannot note a run", "automation", id, "err", err)
	}
}

// Approve sends the records of automation id that wait for approval: those of recordIDs,
// or all of them when recordIDs is nil. The others keep waiting.
func (e *Engine) Approve(ctx context.Context, by, id int64, recordIDs []int64) (RunResult, error) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	a, err := e.Get(ctx, id)
	if err != nil {
		return RunResult{}, err
	}
	due, err := e.Due(ctx, a, e.opts.Now())
	if err != nil {
		return RunResult{}, err
	}
	if err := e.forgetStale(ctx, a.ID, due); err != nil {
		return RunResult{}, err
	}
	chosen := map[int64]bool{}
	for _, r := range recordIDs {
		chosen[r] = true
	}
	var send []Due
	for _, d := range due {
		if d.State == "pending" && (recordIDs == nil || chosen[d.RecordID]) {
			send = append(send, d)
		}
	}
	if len(send) == 0 {
		return RunResult{}, ErrNotPending.New(nil)
	}
	res, err := e.send(ctx, a, send, by, RunResult{Due: len(send)})
	e.emit(Event{Kind: "pending", AutomationID: a.ID})
	return res, err
}

// Skip declines the records of automation id that wait for approval (recordIDs, or all
// when nil): they never get this mail for the current trigger value.
func (e *Engine) Skip(ctx context.Context, by, id int64, recordIDs []int64) (int, error) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	n := 0
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE automation_ledger SET state = 'skipped', decided_by = ?, updated_at = ? WHERE automation_id = ? AND state = 'pending'`
		now := e.opts.Now().UnixMilli()
		if recordIDs == nil {
			res, err := tx.ExecContext(ctx, q, nullID(by), now, id)
			if err != nil {
				return err
			}
			c, _ := res.RowsAffected()
			n = int(c)
			return nil
		}
		for _, r := range recordIDs {
			res, err := tx.ExecContext(ctx, q+` AND record_id = ?`, nullID(by), now, id, r)
			if err != nil {
				return err
			}
			c, _ := res.RowsAffected()
			n += int(c)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("automations: skip: %w", err)
	}
	e.emit(Event{Kind: "pending", AutomationID: id})
	return n, nil
}

// Entry is a row of an automation's ledger: a mail queued (with its outbox state), waiting
// for approval, skipped, or blocked (with why).
type Entry struct {
	AutomationID   int64
	AutomationName string
	RecordID       int64
	Title          string // the record's title
	Value          string // the trigger's value (the date)
	State          string
	Recipient      string
	OutboxID       int64
	OutboxState    string // "" when the outbox no longer has it
	Subject        string
	Reason         string
	ReasonParams   map[string]any
	At             time.Time
}

const entryColumns = `l.automation_id, a.name, l.record_id, COALESCE(r.title, ''), l.trigger_value, l.state, l.recipient,
	COALESCE(l.outbox_id, 0), COALESCE(o.state, ''), COALESCE(o.subject, ''), l.reason, l.reason_params, l.updated_at
	FROM automation_ledger l JOIN automations a ON a.id = l.automation_id
	LEFT JOIN records r ON r.id = l.record_id LEFT JOIN outbox o ON o.id = l.outbox_id`

func (e *Engine) entries(ctx context.Context, where string, args ...any) ([]Entry, error) {
	rows, err := e.deps.DB.R.QueryContext(ctx, `SELECT `+entryColumns+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("automations: ledger: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var en Entry
		var params string
		var at int64
		if err := rows.Scan(&en.AutomationID, &en.AutomationName, &en.RecordID, &en.Title, &en.Value, &en.State, &en.Recipient,
			&en.OutboxID, &en.OutboxState, &en.Subject, &en.Reason, &params, &at); err != nil {
			return nil, err
		}
		if params != "" {
			_ = json.Unmarshal([]byte(params), &en.ReasonParams)
		}
		en.At = time.UnixMilli(at)
		out = append(out, en)
	}
	return out, rows.Err()
}

// Log is automation id's run log, latest first: every mail queued (with its outbox state)
// and every record that could not get it.
func (e *Engine) Log(ctx context.Context, id int64, offset, limit int) ([]Entry, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return e.entries(ctx, `WHERE l.automation_id = ? AND l.state IN ('queued', 'blocked', 'skipped')
		ORDER BY l.updated_at DESC, l.record_id LIMIT ? OFFSET ?`, id, limit, max(offset, 0))
}

// PendingList lists the records of automation id waiting for approval.
func (e *Engine) PendingList(ctx context.Context, id int64) ([]Entry, error) {
	return e.entries(ctx, `WHERE l.automation_id = ? AND l.state = 'pending' ORDER BY r.title_sort, l.record_id`, id)
}

// FileSent files to its record every mail an automation queued whose copy in Sent has been
// synced (a manual link: the mail is about that record, whoever it went to).
func (e *Engine) FileSent(ctx context.Context) (int, error) {
	if e.deps.Filing == nil {
		return 0, nil
	}
	rows, err := e.deps.DB.R.QueryContext(ctx, `SELECT l.automation_id, l.record_id, l.trigger_value, m.id
		FROM automation_ledger l JOIN outbox o ON o.id = l.outbox_id JOIN messages m ON m.message_id = o.message_id
		WHERE l.state = 'queued' AND l.filed = 0 AND o.message_id <> ''`)
	if err != nil {
		return 0, fmt.Errorf("automations: sent mails to file: %w", err)
	}
	type item struct {
		auto, record, msg int64
		value             string
	}
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.auto, &it.record, &it.value, &it.msg); err != nil {
			rows.Close()
			return 0, err
		}
		items = append(items, it)
	}
	rows.Close()
	n := 0
	for _, it := range items {
		if err := e.deps.Filing.FileSent(ctx, 0, []int64{it.msg}, it.record); err != nil && !records.ErrRecordNotFound.Is(err) {
			return n, err
		}
		if _, err := e.deps.DB.W.ExecContext(ctx, `UPDATE automation_ledger SET filed = 1 WHERE automation_id = ? AND record_id = ?
			AND trigger_value = ?`, it.auto, it.record, it.value); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
