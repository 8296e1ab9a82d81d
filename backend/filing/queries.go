package filing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/records"
)

// Scope limits a read to the messages of these accounts (those the user may read); nil
// means every account.
type Scope []int64

func (s Scope) where(col string) (string, []any) {
	if s == nil {
		return "1", nil
	}
	if len(s) == 0 {
		return "0", nil
	}
	in, args := placeholders(s)
	return col + " IN (" + in + ")", args
}

const notIgnored = `NOT EXISTS (SELECT 1 FROM filing_ignored i WHERE i.value = f.correspondent OR i.value = f.domain)`

func countToFile(ctx context.Context, db querier, scope Scope) (int, error) {
	w, args := scope.where("m.account_id")
	var n int
	err := each(ctx, db, `SELECT count(*) FROM message_filing f JOIN messages m ON m.id = f.message_id
		WHERE f.state = 'to_file' AND m.shared_filed = 0 AND `+notIgnored+` AND `+w, args, func(r *sql.Rows) error { return r.Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("filing: count to file: %w", err)
	}
	return n, nil
}

// ToFileCount is how many messages of the scope wait in "To file".
func (e *Engine) ToFileCount(ctx context.Context, scope Scope) (int, error) {
	return countToFile(ctx, e.deps.DB.R, scope)
}

// Correspondent is one group of "To file": an external address and its messages.
type Correspondent struct {
	Email    string
	Name     string // the display name of its latest message
	Domain   string
	Freemail bool // its domain is a free-mail one: no company is made from it
	Count    int
	Latest   time.Time
	Messages []int64 // newest first, at most MaxGroupMessages
}

// MaxGroupMessages bounds the messages listed per correspondent of "To file".
const MaxGroupMessages = 50

// ToFile lists "To file", grouped by correspondent, the latest first.
func (e *Engine) ToFile(ctx context.Context, scope Scope, offset, limit int) ([]Correspondent, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	w, args := scope.where("m.account_id")
	db := e.deps.DB.R
	var total int
	err := each(ctx, db, `SELECT count(DISTINCT f.correspondent) FROM message_filing f JOIN messages m ON m.id = f.message_id
		WHERE f.state = 'to_file' AND m.shared_filed = 0 AND `+notIgnored+` AND `+w, args, func(r *sql.Rows) error { return r.Scan(&total) })
	if err != nil {
		return nil, 0, fmt.Errorf("filing: count correspondents: %w", err)
	}
	var out []Correspondent
	err = each(ctx, db, `SELECT f.correspondent, f.domain, count(*), max(m.date),
			(SELECT f2.name FROM message_filing f2 JOIN messages m2 ON m2.id = f2.message_id
			 WHERE f2.correspondent = f.correspondent AND f2.state = 'to_file' AND m2.shared_filed = 0 ORDER BY m2.date DESC LIMIT 1)
		FROM message_filing f JOIN messages m ON m.id = f.message_id
		WHERE f.state = 'to_file' AND m.shared_filed = 0 AND `+notIgnored+` AND `+w+`
		GROUP BY f.correspondent ORDER BY max(m.date) DESC, f.correspondent LIMIT ? OFFSET ?`,
		append(args, limit, max(offset, 0)), func(r *sql.Rows) error {
			var c Correspondent
			var latest int64
			if err := r.Scan(&c.Email, &c.Domain, &c.Count, &latest, &c.Name); err != nil {
				return err
			}
			c.Latest = time.Unix(latest, 0).UTC()
			out = append(out, c)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("filing: to file: %w", err)
	}
	free, err := e.freeDomains(ctx)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Freemail = free(out[i].Domain)
		err := each(ctx, db, `SELECT m.id FROM message_filing f JOIN messages m ON m.id = f.message_id
			WHERE f.correspondent = ? AND f.state = 'to_file' AND m.shared_filed = 0 AND `+w+` ORDER BY m.date DESC, m.id DESC LIMIT ?`,
			append(append([]any{out[i].Email}, args...), MaxGroupMessages), func(r *sql.Rows) error {
				var id int64
				if err := r.Scan(&id); err != nil {
					return err
				}
				out[i].Messages = append(out[i].Messages, id)
				return nil
			})
		if err != nil {
			return nil, 0, fmt.Errorf("filing: messages of %s: %w", out[i].Email, err)
		}
	}
	return out, total, nil
}

// freeDomains returns whether a domain counts as free-mail, with the admins' exceptions.
func (e *Engine) freeDomains(ctx context.Context) (func(string) bool, error) {
	exc := map[string]bool{}
	err := each(ctx, e.deps.DB.R, `SELECT domain, free FROM filing_domains`, nil, func(r *sql.Rows) error {
		var d string
		var f bool
		if err := r.Scan(&d, &f); err != nil {
			return err
		}
		exc[d] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: read free-mail exceptions: %w", err)
	}
	return func(d string) bool {
		if f, ok := exc[d]; ok {
			return f
		}
		return freemail[d]
	}, nil
}

// Link is a record a message is filed to.
type Link struct {
	RecordID int64
	TypeID   int64
	Title    string
	Origin   string // auto, manual or sent
}

// Suggestion is an open record a message may belong to, best first.
type Suggestion struct {
	RecordID int64
	TypeID   int64
	Title    string
	Score    int
}

// Origins of a link: the rules', a user's, or a send from the record (a button, a bulk send,
// an automation: FileSent), which filing keeps as it keeps a user's.
const (
	OriginAuto   = "auto"
	OriginManual = "manual"
	OriginSent   = "sent"
)

// Origins lists the origins of a link (for the generated contract).
var Origins = []string{OriginAuto, OriginManual, OriginSent}

// originColumn reads a link's origin for the API: a manual link made by a send is "sent".
const originColumn = `CASE WHEN l.sent = 1 THEN 'sent' ELSE l.origin END`

// MessageRecords returns the records a message is filed to and the suggestions waiting
// for a click. The message must be in scope.
func (e *Engine) MessageRecords(ctx context.Context, scope Scope, messageID int64) ([]Link, []Suggestion, error) {
	if err := e.visible(ctx, scope, messageID); err != nil {
		return nil, nil, err
	}
	db := e.deps.DB.R
	links := []Link{}
	err := each(ctx, db, `SELECT r.id, r.type_id, r.title, `+originColumn+` FROM message_records l
		JOIN records r ON r.id = l.record_id AND r.deleted_at IS NULL
		WHERE l.message_id = ? ORDER BY r.type_id, r.title_sort, r.id`, []any{messageID}, func(r *sql.Rows) error {
		var l Link
		if err := r.Scan(&l.RecordID, &l.TypeID, &l.Title, &l.Origin); err != nil {
			return err
		}
		links = append(links, l)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("filing: records of message %d: %w", messageID, err)
	}
	sugg := []Suggestion{}
	err = each(ctx, db, `SELECT r.id, r.type_id, r.title, s.score FROM message_suggestions s
		JOIN records r ON r.id = s.record_id AND r.deleted_at IS NULL
		WHERE s.message_id = ? ORDER BY s.score DESC, r.id DESC`, []any{messageID}, func(r *sql.Rows) error {
		var s Suggestion
		if err := r.Scan(&s.RecordID, &s.TypeID, &s.Title, &s.Score); err != nil {
			return err
		}
		sugg = append(sugg, s)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("filing: suggestions of message %d: %w", messageID, err)
	}
	return links, sugg, nil
}

func (e *Engine) visible(ctx context.Context, scope Scope, messageID int64) error {
	w, args := scope.where("account_id")
	var ok bool
	err := e.deps.DB.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE id = ? AND `+w+`)`,
		append([]any{messageID}, args...)...).Scan(&ok)
	if err != nil {
		return fmt.Errorf("filing: read message %d: %w", messageID, err)
	}
	if !ok {
		return ErrMessageGone.New(nil)
	}
	return nil
}

func liveRecord(ctx context.Context, tx *sql.Tx, id int64) error {
	var deleted sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT deleted_at FROM records WHERE id = ?`, id).Scan(&deleted)
	if errors.Is(err, sql.ErrNoRows) || err == nil && deleted.Valid {
		return ErrRecordGone.New(nil)
	}
	return err
}

// FileTo files messages to a record by hand (a manual link, which no re-file touches); it
// forgets an earlier removal of that link and confirms a suggestion.
func (e *Engine) FileTo(ctx context.Context, by int64, scope Scope, messageIDs []int64, recordID int64) error {
	return e.fileTo(ctx, by, scope, messageIDs, recordID, false)
}

// FileSent files messages sent from a record to it: a manual link, marked as made by the
// send (origin "sent"). by is who sent them (0: the office, for an automation).
func (e *Engine) FileSent(ctx context.Context, by int64, messageIDs []int64, recordID int64) error {
	return e.fileTo(ctx, by, nil, messageIDs, recordID, true)
}

func (e *Engine) fileTo(ctx context.Context, by int64, scope Scope, messageIDs []int64, recordID int64, sent bool) error {
	for _, id := range messageIDs {
		if err := e.visible(ctx, scope, id); err != nil {
			return err
		}
	}
	now := e.opts.Now().UnixMilli()
	queued := map[int64]bool{}
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := liveRecord(ctx, tx, recordID); err != nil {
			return err
		}
		for _, id := range messageIDs {
			for _, q := range []string{
				`DELETE FROM message_records_removed WHERE message_id = ? AND record_id = ?`,
				`DELETE FROM message_suggestions WHERE message_id = ? AND record_id = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, id, recordID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO message_records(message_id, record_id, origin, created_at, created_by, sent)
				VALUES (?, ?, 'manual', ?, ?, ?) ON CONFLICT(message_id, record_id) DO UPDATE SET origin = 'manual',
				created_at = excluded.created_at, created_by = excluded.created_by, sent = excluded.sent`,
				id, recordID, now, nullID(by), sent); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE message_filing SET state = 'filed' WHERE message_id = ?`, id); err != nil {
				return err
			}
			// Filed here: the mailbox's other workstations hear of it ($MailroomFiled).
			var acc int64
			var st sharedState
			if err := tx.QueryRowContext(ctx, `SELECT m.account_id, m.shared_filed, coalesce(f.keywords_ok, 1)
				FROM messages m LEFT JOIN folders f ON f.id = m.folder_id WHERE m.id = ?`, id).Scan(&acc, &st.filed, &st.keywordsOK); err != nil {
				return err
			}
			if v, ok := st.change(true); ok {
				if err := queueFiled(ctx, tx, []int64{id}, v, now); err != nil {
					return err
				}
				queued[acc] = true
			}
		}
		return nil
	})
	e.queued(queued)
	if err != nil {
		return fmt.Errorf("filing: file to record %d: %w", recordID, err)
	}
	e.MessagesStored(nil) // the count
	return nil
}

// Unfile removes a message from a record by hand: the link goes (automatic or manual),
// and it is remembered so that no re-file recreates it.
func (e *Engine) Unfile(ctx context.Context, by int64, scope Scope, messageID, recordID int64) error {
	if err := e.visible(ctx, scope, messageID); err != nil {
		return err
	}
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM message_records WHERE message_id = ? AND record_id = ?`, messageID, recordID)
		if err != nil {
			return err
		}
		res2, err := tx.ExecContext(ctx, `DELETE FROM message_suggestions WHERE message_id = ? AND record_id = ?`, messageID, recordID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		n2, _ := res2.RowsAffected()
		if n == 0 && n2 == 0 {
			return ErrNotLinked.New(nil)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO message_records_removed(message_id, record_id, removed_at, removed_by)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, messageID, recordID, e.opts.Now().UnixMilli(), nullID(by))
		return err
	})
	if err != nil {
		return fmt.Errorf("filing: remove message %d from record %d: %w", messageID, recordID, err)
	}
	e.MessagesStored([]int64{messageID}) // its state: it may now wait in "To file"
	return nil
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// Thread is one conversation of a record's timeline: its messages filed to the record,
// newest first.
type Thread struct {
	Latest   time.Time
	Messages []TimelineMessage
}

// TimelineMessage is a message of a record's timeline.
type TimelineMessage struct {
	ID     int64
	Origin string // auto, manual or sent
}

// Timeline returns the messages filed to a record (in and out, every account of the
// scope), grouped by thread (Message-ID and In-Reply-To; copies of one message in two
// folders are one thread), the latest thread first; total is the number of threads.
func (e *Engine) Timeline(ctx context.Context, scope Scope, recordID int64, offset, limit int) ([]Thread, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	w, args := scope.where("m.account_id")
	type row struct {
		id               int64
		msgID, inReplyTo string
		date             int64
		origin           string
	}
	var rows []row
	err := each(ctx, e.deps.DB.R, `SELECT m.id, m.message_id, m.in_reply_to, m.date, `+originColumn+`
		FROM message_records l JOIN messages m ON m.id = l.message_id
		WHERE l.record_id = ? AND `+w+` ORDER BY m.date DESC, m.id DESC`, append([]any{recordID}, args...),
		func(r *sql.Rows) error {
			var x row
			if err := r.Scan(&x.id, &x.msgID, &x.inReplyTo, &x.date, &x.origin); err != nil {
				return err
			}
			rows = append(rows, x)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("filing: timeline of record %d: %w", recordID, err)
	}
	// Union-find over Message-IDs: a reply joins the thread of the message it answers.
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok || p == k {
			parent[k] = k
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	key := func(x row) string {
		if x.msgID != "" {
			return "<" + x.msgID + ">"
		}
		return fmt.Sprintf("#%d", x.id)
	}
	for _, x := range rows {
		k := key(x)
		find(k)
		if x.inReplyTo != "" {
			a, b := find(k), find("<"+x.inReplyTo+">")
			if a != b {
				parent[a] = b
			}
		}
	}
	byRoot := map[string]*Thread{}
	var threads []*Thread
	for _, x := range rows { // newest first: a thread's first message is its latest
		root := find(key(x))
		t := byRoot[root]
		if t == nil {
			t = &Thread{Latest: time.Unix(x.date, 0).UTC()}
			byRoot[root] = t
			threads = append(threads, t)
		}
		t.Messages = append(t.Messages, TimelineMessage{ID: x.id, Origin: x.origin})
	}
	sort.SliceStable(threads, func(i, j int) bool { return threads[i].Latest.After(threads[j].Latest) })
	total := len(threads)
	out := []Thread{}
	for i := max(offset, 0); i < total && len(out) < limit; i++ {
		out = append(out, *threads[i])
	}
	return out, total, nil
}

// Ignore sets an address or a domain aside: its mail leaves "To file" (Unignore undoes).
func (e *Engine) Ignore(ctx context.Context, by int64, value string) (string, error) {
	kind, n, err := addressOrDomain(value)
	if err != nil {
		return "", err
	}
	err = e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO filing_ignored(value, kind, ignored_at, ignored_by) VALUES (?, ?, ?, ?)
			ON CONFLICT(value) DO NOTHING`, n, kind, e.opts.Now().UnixMilli(), nullID(by))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("filing: ignore %s: %w", n, err)
	}
	e.MessagesStored(nil)
	return n, nil
}

// Unignore brings an ignored address or domain back to "To file".
func (e *Engine) Unignore(ctx context.Context, value string) error {
	_, n, err := addressOrDomain(value)
	if err != nil {
		return err
	}
	err = e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM filing_ignored WHERE value = ?`, n)
		return err
	})
	if err != nil {
		return fmt.Errorf("filing: unignore %s: %w", n, err)
	}
	e.MessagesStored(nil)
	return nil
}

// Ignored is an address or domain set aside.
type Ignored struct {
	Value string
	Kind  string // address or domain
	At    time.Time
}

// IgnoredList lists what was set aside, the latest first.
func (e *Engine) IgnoredList(ctx context.Context) ([]Ignored, error) {
	out := []Ignored{}
	err := each(ctx, e.deps.DB.R, `SELECT value, kind, ignored_at FROM filing_ignored ORDER BY ignored_at DESC, value`, nil,
		func(r *sql.Rows) error {
			var x Ignored
			var at int64
			if err := r.Scan(&x.Value, &x.Kind, &at); err != nil {
				return err
			}
			x.At = time.UnixMilli(at).UTC()
			out = append(out, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("filing: ignored: %w", err)
	}
	return out, nil
}

func addressOrDomain(v string) (kind, normalised string, err error) {
	if n, ok := records.NormalizeEmail(v); ok {
		return "address", n, nil
	}
	if n, ok := records.NormalizeDomain(v); ok {
		return "domain", n, nil
	}
	return "", "", ErrBadAddress.Field("value", fault.P{"value": v})
}
