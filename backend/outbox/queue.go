package outbox

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// Limits of List and SentLog.
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// Enqueue validates env, gives the message its Message-ID if it has none (and a Date),
// and stores it in the outbox. When Enqueue returns nil the message is committed and
// synced to disk: it will be sent even if Mailroom is killed the next instant. Queueing a
// message again with the same Message-ID and content returns the first one's id (a retry
// of Enqueue never sends twice); with other content it is refused.
//
// A full disk fails with fault.StoreUnavailable and a message saying so; nothing is kept.
func (e *Engine) Enqueue(ctx context.Context, accountID int64, env Envelope) (int64, error) {
	ids, err := e.EnqueueAll(ctx, accountID, []Envelope{env})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// EnqueueAll is Enqueue for many messages of one account (a bulk send) in one
// transaction: all are queued, or none.
func (e *Engine) EnqueueAll(ctx context.Context, accountID int64, envs []Envelope) ([]int64, error) {
	return e.EnqueueWith(ctx, accountID, envs, nil)
}

// EnqueueWith is EnqueueAll with the caller's own writes in the same transaction: also
// runs after the messages are inserted, with their ids (in envs' order), and its error
// rolls everything back. An automation writes its ledger this way, so that a crash
// leaves both the ledger row and the queued message, or neither.
func (e *Engine) EnqueueWith(ctx context.Context, accountID int64, envs []Envelope, also func(tx *sql.Tx, ids []int64) error) ([]int64, error) {
	if len(envs) == 0 {
		return nil, nil
	}
	acc, err := e.deps.Accounts.Get(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if acc.Disabled {
		return nil, ErrAccountDisabled.New(nil)
	}
	ps := make([]prepared, len(envs))
	for i, env := range envs {
		if ps[i], err = e.prepare(env); err != nil {
			return nil, err
		}
	}
	ids := make([]int64, len(ps))
	var added []int64
	now := time.Now().UnixMilli()
	err = e.durableTx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO outbox(account_id, message_id, env_from, env_to, subject, size,
			next_attempt_at, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(account_id, message_id) DO NOTHING RETURNING id`)
		if err != nil {
			return err
		}
		defer ins.Close()
		insRaw, err := tx.PrepareContext(ctx, `INSERT INTO outbox_raw(id, raw) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer insRaw.Close()
		for i, p := range ps {
			to, _ := json.Marshal(p.to)
			err := ins.QueryRowContext(ctx, accountID, p.messageID, p.from, string(to), p.subject, len(p.raw),
				max(now, p.notBefore), nullID(p.queuedBy), now, now).Scan(&ids[i])
			if errors.Is(err, sql.ErrNoRows) {
				if ids[i], err = sameMessage(ctx, tx, accountID, p, string(to)); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if _, err := insRaw.ExecContext(ctx, ids[i], p.raw); err != nil {
				return err
			}
			added = append(added, ids[i])
		}
		if also != nil {
			return also(tx, ids)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err, "queue this message")
	}
	for _, id := range added {
		e.emit(Event{Kind: KindItem, AccountID: accountID, ItemID: id, State: Queued})
	}
	e.emitCounts(accountID, true)
	e.kick(accountID, false)
	return ids, nil
}

// sameMessage returns the id of the row already holding p's Message-ID if it holds the
// same message, and refuses otherwise.
func sameMessage(ctx context.Context, tx *sql.Tx, accountID int64, p prepared, to string) (int64, error) {
	var id int64
	var from, rowTo string
	var raw []byte
	err := tx.QueryRowContext(ctx, `SELECT o.id, o.env_from, o.env_to, r.raw FROM outbox o JOIN outbox_raw r ON r.id = o.id
		WHERE o.account_id = ? AND o.message_id = ?`,
		accountID, p.messageID).Scan(&id, &from, &rowTo, &raw)
	if err != nil {
		return 0, err
	}
	if from != p.from || rowTo != to || !bytes.Equal(raw, p.raw) {
		return 0, ErrDuplicateID.Field("messageId", fault.P{"messageId": p.messageID})
	}
	return id, nil
}

// durableTx runs fn in a write transaction whose commit is synced to disk. The store runs
// with synchronous=NORMAL, which survives a crash of the app but may lose the last commits
// on a power cut; a queued message must survive both, so its commit alone pays one fsync.
func (e *Engine) durableTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	conn, err := e.deps.DB.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
		return err
	}
	defer func() {
		// Back to the store's setting for everyone else's writes on this connection.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = NORMAL`); rerr != nil && err == nil {
			err = rerr
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// storeError says why the store refused a write (doing, for logs); fault errors pass
// through.
func storeError(err error, doing string) error {
	var fe *fault.Error
	if errors.As(err, &fe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return fault.ErrDiskFull.Wrap(fmt.Errorf("outbox: %s: %w", doing, err), nil)
	}
	return fault.ErrStoreUnavailable.Wrap(fmt.Errorf("outbox: %s: %w", doing, err), nil)
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// Retry queues again, to be sent at once, a message that failed, that may have been sent
// (the user decided it was not), or that waits for its next attempt. Its attempts start
// over, and an account paused by a refused login tries again.
func (e *Engine) Retry(ctx context.Context, id int64) error {
	now := time.Now().UnixMilli()
	var accountID int64
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE outbox SET state = 'queued', attempts = 0, first_failure_at = NULL, data_at = NULL,
			next_attempt_at = ?, error_code = '', error_reason = '', error_params = '', error_reply = '', updated_at = ?
			WHERE id = ? AND state IN ('queued', 'failed', 'possibly_sent') RETURNING account_id`, now, now, id).Scan(&accountID)
		if errors.Is(err, sql.ErrNoRows) {
			return e.refuse(ctx, tx, id, ErrCannotRetry)
		}
		return err
	})
	if err != nil {
		return storeError(err, "queue this message again")
	}
	e.emit(Event{Kind: KindItem, AccountID: accountID, ItemID: id, State: Queued})
	e.emitCounts(accountID, true)
	e.kick(accountID, true)
	return nil
}

// Cancel gives up a message that is queued, failed or possibly sent. A message being
// sent cannot be cancelled: its fate is in the server's hands.
func (e *Engine) Cancel(ctx context.Context, id int64) error {
	return e.settle(ctx, id, Cancelled, `state IN ('queued', 'failed', 'possibly_sent')`,
		"cancel this message", ErrCannotCancel)
}

// MarkSent records that a possibly sent message did go out (the user checked): it moves
// to the sent log, and its copy is filed in the Sent folder if the account wants one.
func (e *Engine) MarkSent(ctx context.Context, id int64) error {
	return e.settle(ctx, id, Sent, `state = 'possibly_sent'`,
		"mark this message as sent", ErrCannotMarkSent)
}

// settle moves a message to a final state chosen by the user.
func (e *Engine) settle(ctx context.Context, id int64, to State, from, doing string, refusal *fault.Reason) error {
	now := time.Now().UnixMilli()
	var accountID int64
	copyState := CopyNone
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		if to == Sent {
			if err := tx.QueryRowContext(ctx, `SELECT account_id FROM outbox WHERE id = ?`, id).Scan(&accountID); err == nil {
				if acc, err := e.deps.Accounts.Get(ctx, accountID); err == nil && e.copyWanted(acc) {
					copyState = CopyPending
				}
			}
		}
		err := tx.QueryRowContext(ctx, `UPDATE outbox SET state = ?, updated_at = ?,
			sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,
			reply = CASE WHEN ? = 'sent' THEN 'Marked as sent' ELSE reply END,
			copy_state = CASE WHEN ? = 'sent' THEN ? ELSE copy_state END
			WHERE id = ? AND `+from+` RETURNING account_id`,
			string(to), now, string(to), now, string(to), string(to), string(copyState), id).Scan(&accountID)
		if errors.Is(err, sql.ErrNoRows) {
			return e.refuse(ctx, tx, id, refusal)
		}
		return err
	})
	if err != nil {
		return storeError(err, doing)
	}
	e.emit(Event{Kind: KindItem, AccountID: accountID, ItemID: id, State: to})
	e.emitCounts(accountID, true)
	if copyState == CopyPending {
		e.kick(accountID, false)
	}
	return nil
}

// refuse explains why a message cannot change state: it is gone, or in another state.
func (e *Engine) refuse(ctx context.Context, tx *sql.Tx, id int64, refusal *fault.Reason) error {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrGone.New(nil)
	}
	if err != nil {
		return err
	}
	return refusal.New(fault.P{"state": state})
}

// itemColumns are what scanItem reads.
const itemColumns = `id, account_id, state, message_id, env_from, env_to, subject, size, attempts, next_attempt_at,
	error_code, error_reason, error_params, error_reply, reply, copy_state, copy_reason, copy_params, copy_error,
	COALESCE(created_by, 0), created_at, updated_at, COALESCE(sent_at, 0)`

func scanItem(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var state, code, params, copyState, copyReason, copyParams, to string
	var next, created, updated, sent int64
	err := row.Scan(&it.ID, &it.AccountID, &state, &it.MessageID, &it.From, &to, &it.Subject, &it.Size, &it.Attempts, &next,
		&code, &it.Error.Reason, &params, &it.Error.Detail, &it.Reply, &copyState, &copyReason, &copyParams, &it.CopyError.Detail,
		&it.QueuedBy, &created, &updated, &sent)
	if err != nil {
		return it, err
	}
	it.State, it.Error.Code, it.Copy = State(state), fault.Code(code), CopyState(copyState)
	it.Error.Params = readParams(params)
	if copyReason != "" {
		it.CopyError = Failure{Code: ErrCopyRefused.Code, Reason: copyReason, Params: readParams(copyParams), Detail: it.CopyError.Detail}
	}
	_ = json.Unmarshal([]byte(to), &it.To)
	it.NextAttempt, it.CreatedAt, it.UpdatedAt = ms(next), ms(created), ms(updated)
	if sent > 0 {
		it.SentAt = ms(sent)
	}
	return it, nil
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

// Get returns one message of the outbox.
func (e *Engine) Get(ctx context.Context, id int64) (Item, error) {
	it, err := scanItem(e.deps.DB.R.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, ErrGone.New(nil)
	}
	if err != nil {
		return Item{}, fmt.Errorf("outbox: get %d: %w", id, err)
	}
	return it, nil
}

// Raw returns the complete message as stored (and sent).
func (e *Engine) Raw(ctx context.Context, id int64) ([]byte, error) {
	var raw []byte
	err := e.deps.DB.R.QueryRowContext(ctx, `SELECT raw FROM outbox_raw WHERE id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrGone.New(nil)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: raw %d: %w", id, err)
	}
	return raw, nil
}

// filter builds the account and state conditions of a query. none reports that the
// query selects nothing (an empty, non-nil account list).
func filter(q Query, withStates bool) (where []string, args []any, none bool) {
	if q.AccountIDs != nil {
		if len(q.AccountIDs) == 0 {
			return nil, nil, true
		}
		where = append(where, `account_id IN (`+placeholders(len(q.AccountIDs))+`)`)
		for _, id := range q.AccountIDs {
			args = append(args, id)
		}
	}
	if withStates && len(q.States) > 0 {
		where = append(where, `state IN (`+placeholders(len(q.States))+`)`)
		for _, s := range q.States {
			args = append(args, string(s))
		}
	}
	return where, args, false
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func pageSize(n int) int {
	switch {
	case n <= 0:
		return defaultPageSize
	case n > maxPageSize:
		return maxPageSize
	}
	return n
}

// List returns the outbox's messages, newest first, a page at a time (keyset paging on
// the id: pages stay right while messages are added).
func (e *Engine) List(ctx context.Context, q Query) (Page, error) {
	where, args, none := filter(q, true)
	if none {
		return Page{Items: []Item{}}, nil
	}
	if q.Cursor != "" {
		before, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil {
			return Page{}, ErrPageGone.Field("cursor", nil)
		}
		where, args = append(where, `id < ?`), append(args, before)
	}
	return e.page(ctx, where, args, `id DESC`, pageSize(q.Limit), func(it Item) string {
		return strconv.FormatInt(it.ID, 10)
	})
}

// SentLog returns the sent messages, the last sent first, a page at a time (keyset paging
// on the time sent and the id). Query.States is ignored.
func (e *Engine) SentLog(ctx context.Context, q Query) (Page, error) {
	where, args, none := filter(q, false)
	if none {
		return Page{Items: []Item{}}, nil
	}
	where = append(where, `state = 'sent'`)
	if q.Cursor != "" {
		at, id, ok := strings.Cut(q.Cursor, ".")
		a, err1 := strconv.ParseInt(at, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return Page{}, ErrPageGone.Field("cursor", nil)
		}
		where, args = append(where, `(sent_at < ? OR (sent_at = ? AND id < ?))`), append(args, a, a, i)
	}
	return e.page(ctx, where, args, `sent_at DESC, id DESC`, pageSize(q.Limit), func(it Item) string {
		return fmt.Sprintf("%d.%d", it.SentAt.UnixMilli(), it.ID)
	})
}

func (e *Engine) page(ctx context.Context, where []string, args []any, order string, limit int, cursor func(Item) string) (Page, error) {
	q := `SELECT ` + itemColumns + ` FROM outbox`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY ` + order + ` LIMIT ?`
	rows, err := e.deps.DB.R.QueryContext(ctx, q, append(args, limit+1)...)
	if err != nil {
		return Page{}, fmt.Errorf("outbox: list: %w", err)
	}
	defer rows.Close()
	p := Page{Items: []Item{}}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return Page{}, fmt.Errorf("outbox: list: %w", err)
		}
		p.Items = append(p.Items, it)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("outbox: list: %w", err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.Next = cursor(p.Items[limit-1])
	}
	return p, nil
}

// Counts returns how many messages are in each state, over the given accounts (nil: all).
func (e *Engine) Counts(ctx context.Context, accountIDs []int64) (Counts, error) {
	var c Counts
	where, args, none := filter(Query{AccountIDs: accountIDs}, false)
	if none {
		return c, nil
	}
	q := `SELECT state, count(*) FROM outbox`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := e.deps.DB.R.QueryContext(ctx, q+` GROUP BY state`, args...)
	if err != nil {
		return c, fmt.Errorf("outbox: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return c, fmt.Errorf("outbox: counts: %w", err)
		}
		c.add(State(s), n)
	}
	return c, rows.Err()
}

// recover settles the rows a crash (or a Stop during a final dot) left in "sending": with
// the marker the final dot may have reached the server, so possibly sent; without it the
// server cannot have accepted the message, so queued again. (Account by account, so that
// the (account_id, state) index finds them among years of sent messages.)
func (e *Engine) recover(ctx context.Context) (requeued, possibly int64, err error) {
	now := time.Now().UnixMilli()
	err = e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'possibly_sent', error_code = ?, error_reason = ?,
			error_params = '', error_reply = '', updated_at = ?
			WHERE account_id IN (SELECT id FROM accounts) AND state = 'sending' AND data_at IS NOT NULL`,
			string(ErrInterrupted.Code), ErrInterrupted.Name, now)
		if err != nil {
			return err
		}
		possibly, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE outbox SET state = 'queued', updated_at = ?
			WHERE account_id IN (SELECT id FROM accounts) AND state = 'sending'`, now)
		if err != nil {
			return err
		}
		requeued, _ = res.RowsAffected()
		return nil
	})
	return requeued, possibly, err
}

// accountsWithWork returns the accounts with messages to send or to copy to Sent.
func (e *Engine) accountsWithWork(ctx context.Context) ([]int64, error) {
	ids, err := store.Int64s(e.deps.DB.R.QueryContext(ctx, `SELECT DISTINCT account_id FROM outbox WHERE state = 'queued'
		UNION SELECT DISTINCT account_id FROM outbox WHERE copy_state = 'pending'`))
	slices.Sort(ids)
	return ids, err
}
