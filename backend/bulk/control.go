package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/deliverability"
	"mailroom/backend/fault"
	"mailroom/backend/outbox"
)

// Progress is where a job is.
type Progress struct {
	ID         int64
	AccountID  int64
	TemplateID int64
	TypeID     int64
	Name       string
	State      string // running, paused, cancelled, done
	Total      int    // recipients that get the mail
	Skipped    int    // set aside (no address, do not email, missing value)
	Waiting    int    // not yet handed to the outbox (later in the pace, or paused)
	Queued     int    // in the outbox, not sent yet
	Sent       int
	Failed     int // failed or possibly sent: the outbox screen says what to do
	Cancelled  int
	PerDay     int
	LastSend   time.Time // the last pending mail's slot (zero when none waits)
	CreatedAt  time.Time
}

// Progress reads a job's counts.
func (b *Bulk) Progress(ctx context.Context, id int64) (Progress, error) {
	p := Progress{ID: id}
	var tpl sql.NullInt64
	var created int64
	err := b.d.DB.R.QueryRowContext(ctx, `SELECT account_id, template_id, type_id, name, state, per_day, created_at FROM bulk_jobs WHERE id = ?`, id).
		Scan(&p.AccountID, &tpl, &p.TypeID, &p.Name, &p.State, &p.PerDay, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrJobNotFound.New(nil)
	}
	if err != nil {
		return p, fmt.Errorf("bulk: read job %d: %w", id, err)
	}
	p.TemplateID, p.CreatedAt = tpl.Int64, time.UnixMilli(created)
	rows, err := b.d.DB.R.QueryContext(ctx, `SELECT r.state, coalesce(o.state, ''), count(*), max(r.not_before)
		FROM bulk_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id WHERE r.job_id = ? GROUP BY 1, 2`, id)
	if err != nil {
		return p, fmt.Errorf("bulk: read job %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var rs, os string
		var n int
		var last int64
		if err := rows.Scan(&rs, &os, &n, &last); err != nil {
			return p, err
		}
		switch rs {
		case "skipped":
			p.Skipped += n
			continue
		case "pending":
			p.Waiting += n
			if t := time.UnixMilli(last); t.After(p.LastSend) {
				p.LastSend = t
			}
		case "cancelled":
			p.Cancelled += n
		case "queued":
			switch outbox.State(os) {
			case outbox.Queued, outbox.Sending:
				p.Queued += n
				if t := time.UnixMilli(last); t.After(p.LastSend) {
					p.LastSend = t
				}
			case outbox.Sent:
				p.Sent += n
			case outbox.Cancelled:
				p.Cancelled += n
			default:
				p.Failed += n
			}
		}
		p.Total += n
	}
	return p, rows.Err()
}

// Jobs lists the jobs, newest first (at most 50).
func (b *Bulk) Jobs(ctx context.Context) ([]Progress, error) {
	rows, err := b.d.DB.R.QueryContext(ctx, `SELECT id FROM bulk_jobs ORDER BY id DESC LIMIT 50`)
	if err != nil {
		return nil, fmt.Errorf("bulk: list jobs: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Progress, 0, len(ids))
	for _, id := range ids {
		p, err := b.Progress(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// setState moves a job from one of the states in from to to.
func (b *Bulk) setState(ctx context.Context, id int64, to string, from ...string) error {
	res, err := b.d.DB.W.ExecContext(ctx, `UPDATE bulk_jobs SET state = ?, updated_at = ? WHERE id = ? AND state IN ('`+
		strings.Join(from, "','")+`')`, to, b.o.Now().UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("bulk: job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := b.job(ctx, id); err != nil {
			return err
		}
		return ErrJobFinished.New(nil)
	}
	return nil
}

// takeBack cancels in the outbox the job's mails still waiting there, and marks their
// recipients with state (pending, with a new generation, for a pause; cancelled).
func (b *Bulk) takeBack(ctx context.Context, id int64, state string) error {
	rows, err := b.d.DB.R.QueryContext(ctx, `SELECT r.record_id, r.outbox_id FROM bulk_recipients r JOIN outbox o ON o.id = r.outbox_id
		WHERE r.job_id = ? AND r.state = 'queued' AND o.state = 'queued'`, id)
	if err != nil {
		return err
	}
	type item struct{ rec, ob int64 }
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.rec, &it.ob); err != nil {
			rows.Close()
			return err
		}
		items = append(items, it)
	}
	rows.Close()
	for _, it := range items {
		if err := b.d.Outbox.Cancel(ctx, it.ob); err != nil {
			continue // being sent meanwhile: it goes
		}
		q := `UPDATE bulk_recipients SET state = 'pending', generation = generation + 1, outbox_id = NULL WHERE job_id = ? AND record_id = ?`
		if state == "cancelled" {
			q = `UPDATE bulk_recipients SET state = 'cancelled' WHERE job_id = ? AND record_id = ?`
		}
		if _, err := b.d.DB.W.ExecContext(ctx, q, id, it.rec); err != nil {
			return err
		}
	}
	if state == "cancelled" {
		_, err = b.d.DB.W.ExecContext(ctx, `UPDATE bulk_recipients SET state = 'cancelled' WHERE job_id = ? AND state = 'pending'`, id)
	}
	return err
}

// reconcile, before a job goes on, takes up what a pause interrupted by a crash left:
// a queued recipient whose mail the outbox holds cancelled gets a new generation.
func (b *Bulk) reconcile(ctx context.Context, id int64) error {
	_, err := b.d.DB.W.ExecContext(ctx, `UPDATE bulk_recipients SET state = 'pending', generation = generation + 1, outbox_id = NULL
		WHERE job_id = ? AND state = 'queued' AND outbox_id IN (SELECT id FROM outbox WHERE state = 'cancelled')`, id)
	return err
}

// Pause stops handing the job's mails to the outbox and takes back those waiting there.
func (b *Bulk) Pause(ctx context.Context, id int64) error {
	if err := b.setState(ctx, id, "paused", "running"); err != nil {
		return err
	}
	err := b.takeBack(ctx, id, "pending")
	b.emit(id)
	return err
}

// Resume goes on with a paused job, at the pace: the slots of the mails still to send are
// computed again from now.
func (b *Bulk) Resume(ctx context.Context, id int64) error {
	j, err := b.job(ctx, id)
	if err != nil {
		return err
	}
	if err := b.reconcile(ctx, id); err != nil {
		return err
	}
	lim, err := b.Limit(ctx, j.accountID)
	if err != nil {
		return err
	}
	used, err := b.usedLast24h(ctx, j.accountID)
	if err != nil {
		return err
	}
	rows, err := b.d.DB.R.QueryContext(ctx, `SELECT record_id FROM bulk_recipients WHERE job_id = ? AND state = 'pending' ORDER BY position`, id)
	if err != nil {
		return err
	}
	var recs []int64
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return err
		}
		recs = append(recs, r)
	}
	rows.Close()
	slots := Schedule(b.o.Now(), len(recs), lim.PerDay, used)
	err = b.d.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bulk_jobs SET state = 'running', per_day = ?, updated_at = ? WHERE id = ? AND state = 'paused'`,
			lim.PerDay, b.o.Now().UnixMilli(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrJobFinished.New(nil)
		}
		for i, r := range recs {
			if _, err := tx.ExecContext(ctx, `UPDATE bulk_recipients SET not_before = ? WHERE job_id = ? AND record_id = ?`,
				slots[i].UnixMilli(), id, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.launch(id)
	b.emit(id)
	return nil
}

// Cancel stops the job for good: what waits (here or in the outbox) is not sent.
func (b *Bulk) Cancel(ctx context.Context, id int64) error {
	if err := b.setState(ctx, id, "cancelled", "running", "paused"); err != nil {
		return err
	}
	err := b.takeBack(ctx, id, "cancelled")
	b.emit(id)
	return err
}

// Limit is an account's daily limit for bulk and automated sends.
type Limit struct {
	PerDay   int
	Default  int    // the provider's published limit (or Mailroom's prudent one)
	Source   string // gmail, google_workspace, outlook, microsoft365, other
	Edited   bool   // PerDay is the user's
	MaxValue int
}

// maxPerDay bounds what a user may set.
const maxPerDay = 100000

// The providers' published daily limits, the defaults of an account's pace.
//   - Gmail: 500 messages a day for a consumer account (and a Workspace trial), 2,000 for
//     a paid Google Workspace account, over a rolling 24 hours ("Gmail sending limits in
//     Google Workspace", https://support.google.com/a/answer/166852; consumer Gmail:
//     https://support.google.com/mail/answer/22839).
//   - Microsoft: Outlook.com allows 300 recipients a day ("Sending limits in Outlook.com",
//     https://support.microsoft.com/office/sending-limits-in-outlook-com-279ee200-594c-40f0-9ec8-bb6af7735c2e);
//     Exchange Online (Microsoft 365) 10,000 recipients a day, also over a rolling 24 hours
//     ("Exchange Online limits", https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits).
//   - Others publish nothing Mailroom can rely on: 500, Gmail's consumer figure, is the prudent default.
const (
	GmailPerDay        = 500
	WorkspacePerDay    = 2000
	OutlookPerDay      = 300
	Microsoft365PerDay = 10000
	OtherPerDay        = 500
)

var consumerGoogle = map[string]bool{"gmail.com": true, "googlemail.com": true}

var consumerMicrosoft = map[string]bool{"outlook.com": true, "hotmail.com": true, "live.com": true, "msn.com": true,
	"outlook.fr": true, "hotmail.fr": true, "live.fr": true, "hotmail.co.uk": true, "outlook.de": true, "hotmail.de": true}

// DefaultLimit is the published daily limit of the account's provider.
func DefaultLimit(a accounts.Account) (perDay int, source string) {
	domain := deliverability.DomainOf(a.Email)
	host := strings.ToLower(a.SMTP.Host)
	switch {
	case consumerGoogle[domain]:
		return GmailPerDay, "gmail"
	case a.Provider == "gmail" || string(a.OAuthProvider) == "google" || strings.HasSuffix(host, ".gmail.com") || strings.HasSuffix(host, ".google.com"):
		return WorkspacePerDay, "google_workspace"
	case consumerMicrosoft[domain] || a.Provider == "outlook":
		return OutlookPerDay, "outlook"
	case a.Provider == "microsoft365" || string(a.OAuthProvider) == "microsoft" || strings.HasSuffix(host, ".office365.com") || strings.HasSuffix(host, ".outlook.com"):
		return Microsoft365PerDay, "microsoft365"
	}
	return OtherPerDay, "other"
}

// Limit returns the account's daily limit: the user's, else the provider's.
func (b *Bulk) Limit(ctx context.Context, accountID int64) (Limit, error) {
	a, err := b.d.Accounts.Get(ctx, accountID)
	if err != nil {
		return Limit{}, err
	}
	l := Limit{MaxValue: maxPerDay}
	l.Default, l.Source = DefaultLimit(a)
	l.PerDay = l.Default
	var v int
	err = b.d.DB.R.QueryRowContext(ctx, `SELECT per_day FROM bulk_limits WHERE account_id = ?`, accountID).Scan(&v)
	switch {
	case err == nil:
		l.PerDay, l.Edited = v, true
	case !errors.Is(err, sql.ErrNoRows):
		return Limit{}, fmt.Errorf("bulk: read the account's limit: %w", err)
	}
	return l, nil
}

// SetLimit sets the account's daily limit; 0 goes back to the provider's.
func (b *Bulk) SetLimit(ctx context.Context, accountID int64, perDay int) (Limit, error) {
	if _, err := b.d.Accounts.Get(ctx, accountID); err != nil {
		return Limit{}, err
	}
	switch {
	case perDay < 0 || perDay > maxPerDay:
		return Limit{}, ErrLimitInvalid.Field("perDay", fault.P{"max": maxPerDay})
	case perDay == 0:
		_, err := b.d.DB.W.ExecContext(ctx, `DELETE FROM bulk_limits WHERE account_id = ?`, accountID)
		if err != nil {
			return Limit{}, err
		}
	default:
		_, err := b.d.DB.W.ExecContext(ctx, `INSERT INTO bulk_limits(account_id, per_day) VALUES (?, ?)
			ON CONFLICT(account_id) DO UPDATE SET per_day = excluded.per_day`, accountID, perDay)
		if err != nil {
			return Limit{}, err
		}
	}
	return b.Limit(ctx, accountID)
}

// Warning is the deliverability check shown before an account's first bulk or automated
// send: never a block.
type Warning struct {
	Show         bool // not acknowledged yet, and something to say (findings worse than ok, or never checked)
	Checked      bool // a result exists
	Stale        bool
	Report       deliverability.Report
	Acknowledged time.Time // zero when not yet
}

// DeliverabilityWarning is what a bulk send (and an automation, before its first send)
// asks first: the account's last deliverability findings, whether they are stale, and
// whether the user has already acknowledged them for this account. It never blocks.
func (b *Bulk) DeliverabilityWarning(ctx context.Context, accountID int64) (Warning, error) {
	var w Warning
	var at int64
	err := b.d.DB.R.QueryRowContext(ctx, `SELECT acknowledged_at FROM bulk_deliverability_acks WHERE account_id = ?`, accountID).Scan(&at)
	switch {
	case err == nil:
		w.Acknowledged = time.UnixMilli(at)
	case !errors.Is(err, sql.ErrNoRows):
		return w, fmt.Errorf("bulk: read the acknowledgement: %w", err)
	}
	if b.d.Deliverability != nil {
		r, ok, stale, err := b.d.Deliverability.BeforeSend(ctx, accountID)
		if err != nil {
			return w, err
		}
		w.Report, w.Checked, w.Stale = r, ok, stale
	}
	w.Show = w.Acknowledged.IsZero() && (!w.Checked || w.Report.Worst() != deliverability.OK)
	return w, nil
}

// AcknowledgeWarning remembers that the user has seen the account's deliverability
// warning: it is not shown again before the next bulk send.
func (b *Bulk) AcknowledgeWarning(ctx context.Context, by, accountID int64) error {
	_, err := b.d.DB.W.ExecContext(ctx, `INSERT INTO bulk_deliverability_acks(account_id, acknowledged_at, acknowledged_by) VALUES (?,?,?)
		ON CONFLICT(account_id) DO UPDATE SET acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by`,
		accountID, b.o.Now().UnixMilli(), nullID(by))
	if err != nil {
		return fmt.Errorf("bulk: acknowledge: %w", err)
	}
	return nil
}
