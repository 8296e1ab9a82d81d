// Package mailbox reads the mail the sync engine (backend/syncer) stored, for the inbox
// and the message view (F9): one list over the accounts a user may see, filters,
// keyset pagination, full-text search, one message with its bodies, and the senders
// whose remote images the user allows.
//
//	mb := mailbox.New(db)
//	q := mailbox.Query{AccountIDs: visible, FolderRole: "inbox", Limit: 50}
//	rows, next, err := mb.List(ctx, q) // newest first
//	q.Before = next                    // the following page (nil: no more)
//	hits, err := mb.Search(ctx, mailbox.Query{AccountIDs: visible, Search: "factur"}, true)
//	msg, err := mb.Get(ctx, visible, rows[0].ID) // HTML raw: sanitise before showing
//
// Every read takes the accounts the user may see (the caller, which checks permissions,
// passes them); an empty list sees nothing. Disabled accounts are hidden everywhere.
// Flags are changed through the sync engine (syncer.Engine.SetFlags), which also tells
// the server.
package mailbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// Limits of a page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Mailbox reads synced mail.
type Mailbox struct {
	db *store.DB
}

// New returns a Mailbox over db. It does no I/O.
func New(db *store.DB) *Mailbox { return &Mailbox{db: db} }

// Cursor is the position after the last row of a page: the next page holds the rows
// strictly older (by date, then id) than it. Pages are stable: rows that arrive meanwhile
// never shift a later page.
type Cursor struct {
	Date int64 // unix seconds
	ID   int64
}

// Query selects messages.
type Query struct {
	AccountIDs []int64 // the accounts the user may see; empty: none
	AccountID  int64   // one of them only; 0: all
	FolderRole string  // "inbox", "sent", …; with FolderID 0 and no role: every synced folder
	FolderID   int64
	Unread     bool
	Flagged    bool
	Search     string  // words, each matched as a prefix in subject, addresses and body
	Before     *Cursor // nil: the first (newest) page
	Limit      int     // 0: DefaultLimit; at most MaxLimit
}

// Row is one line of the message list.
type Row struct {
	ID             int64
	AccountID      int64
	FolderID       int64
	FolderRole     string
	FromName       string
	FromEmail      string
	ToName         string // the first To address: what a list of sent mail shows
	ToEmail        string
	Recipients     int // To and Cc addresses
	Subject        string
	Snippet        string
	Date           time.Time
	Seen           bool
	Flagged        bool
	Answered       bool
	HasAttachments bool
	Handled        bool // marked handled, here or on another workstation ($MailroomHandled)
	SharedFiled    bool // the mailbox says filed, here or on another workstation ($MailroomFiled)
}

// rowColumns are a list row's columns. The first recipient and the count come from
// message_addresses by its primary key, for the rows of the page only.
const rowColumns = `m.id, m.account_id, m.folder_id, m.from_name, m.from_email,
	coalesce((SELECT a.name FROM message_addresses a WHERE a.message_id = m.id AND a.kind = 'to' ORDER BY a.position LIMIT 1), ''),
	coalesce((SELECT a.email FROM message_addresses a WHERE a.message_id = m.id AND a.kind = 'to' ORDER BY a.position LIMIT 1), ''),
	(SELECT count(*) FROM message_addresses a WHERE a.message_id = m.id AND a.kind IN ('to', 'cc')),
	m.subject, m.snippet, m.date, m.seen, m.flagged, m.answered, m.has_attachments, m.handled, m.shared_filed`

func scanRow(sc interface{ Scan(...any) error }, extra ...any) (Row, int64, error) {
	var r Row
	var date int64
	err := sc.Scan(append([]any{&r.ID, &r.AccountID, &r.FolderID, &r.FromName, &r.FromEmail, &r.ToName, &r.ToEmail, &r.Recipients, &r.Subject,
		&r.Snippet, &date, &r.Seen, &r.Flagged, &r.Answered, &r.HasAttachments, &r.Handled, &r.SharedFiled}, extra...)...)
	r.Date = time.Unix(date, 0).UTC()
	return r, date, err
}

func (q Query) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

type folderRef struct {
	id   int64
	role string
}

// folders returns the folders q covers: synced folders of visible, enabled accounts.
func (mb *Mailbox) folders(ctx context.Context, q Query) ([]folderRef, error) {
	if len(q.AccountIDs) == 0 {
		return nil, nil
	}
	var b strings.Builder
	args := make([]any, 0, len(q.AccountIDs)+3)
	b.WriteString(`SELECT f.id, f.role FROM folders f JOIN accounts a ON a.id = f.account_id
		WHERE a.disabled = 0 AND f.enabled = 1 AND f.account_id IN (`)
	for i, id := range q.AccountIDs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('?')
		args = append(args, id)
	}
	b.WriteByte(')')
	if q.AccountID != 0 {
		b.WriteString(` AND f.account_id = ?`)
		args = append(args, q.AccountID)
	}
	if q.FolderID != 0 {
		b.WriteString(` AND f.id = ?`)
		args = append(args, q.FolderID)
	} else if q.FolderRole != "" {
		b.WriteString(` AND f.role = ?`)
		args = append(args, q.FolderRole)
	}
	rows, err := mb.db.R.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("mailbox: folders: %w", err)
	}
	defer rows.Close()
	var out []folderRef
	for rows.Next() {
		var f folderRef
		if err := rows.Scan(&f.id, &f.role); err != nil {
			return nil, fmt.Errorf("mailbox: folders: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// filters returns the WHERE terms (after the folder) of q, without the cursor.
func filters(q Query) (string, []any) {
	var b strings.Builder
	var args []any
	if q.Unread {
		b.WriteString(` AND m.seen = 0`)
	}
	if q.Flagged {
		b.WriteString(` AND m.flagged = 1`)
	}
	if fq := FTSQuery(q.Search); fq != "" {
		b.WriteString(` AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)`)
		args = append(args, fq)
	}
	return b.String(), args
}

// List returns a page of messages, newest first, and the cursor of the next page (nil
// after the last). It runs one index range per folder and merges them, so a page costs
// the same at row 100,000 as at row 0 (no OFFSET).
func (mb *Mailbox) List(ctx context.Context, q Query) ([]Row, *Cursor, error) {
	if strings.TrimSpace(q.Search) != "" && FTSQuery(q.Search) == "" {
		return nil, nil, nil // only punctuation: nothing to look for
	}
	folders, err := mb.folders(ctx, q)
	if err != nil || len(folders) == 0 {
		return nil, nil, err
	}
	limit := q.limit()
	where, fargs := filters(q)
	query := `SELECT ` + rowColumns + ` FROM messages m WHERE m.folder_id = ?` + where
	if q.Before != nil {
		query += ` AND (m.date, m.id) < (?, ?)`
	}
	query += ` ORDER BY m.date DESC, m.id DESC LIMIT ?`
	st, err := mb.db.R.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, fmt.Errorf("mailbox: list: %w", err)
	}
	defer st.Close()
	type keyed struct {
		row  Row
		date int64
	}
	var all []keyed
	for _, f := range folders {
		args := append([]any{f.id}, fargs...)
		if q.Before != nil {
			args = append(args, q.Before.Date, q.Before.ID)
		}
		args = append(args, limit+1)
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("mailbox: list: %w", err)
		}
		for rows.Next() {
			r, date, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("mailbox: list: %w", err)
			}
			r.FolderRole = f.role
			all = append(all, keyed{r, date})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, fmt.Errorf("mailbox: list: %w", err)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].date != all[j].date {
			return all[i].date > all[j].date
		}
		return all[i].row.ID > all[j].row.ID
	})
	var next *Cursor
	if len(all) > limit {
		all = all[:limit]
		last := all[limit-1]
		next = &Cursor{Date: last.date, ID: last.row.ID}
	}
	out := make([]Row, len(all))
	for i, k := range all {
		out[i] = k.row
	}
	return out, next, nil
}

// Count returns how many messages q selects (its cursor and limit aside): the height
// of a virtualised list.
func (mb *Mailbox) Count(ctx context.Context, q Query) (int, error) {
	if strings.TrimSpace(q.Search) != "" && FTSQuery(q.Search) == "" {
		return 0, nil
	}
	folders, err := mb.folders(ctx, q)
	if err != nil || len(folders) == 0 {
		return 0, err
	}
	where, fargs := filters(q)
	st, err := mb.db.R.PrepareContext(ctx, `SELECT count(*) FROM messages m WHERE m.folder_id = ?`+where)
	if err != nil {
		return 0, fmt.Errorf("mailbox: count: %w", err)
	}
	defer st.Close()
	total := 0
	for _, f := range folders {
		var n int
		if err := st.QueryRowContext(ctx, append([]any{f.id}, fargs...)...).Scan(&n); err != nil {
			return 0, fmt.Errorf("mailbox: count: %w", err)
		}
		total += n
	}
	return total, nil
}

// Folder is a folder of a visible account with its counts.
type Folder struct {
	ID        int64
	AccountID int64
	Name      string
	Role      string
	Enabled   bool // synced
	Total     int
	Unread    int
	LastSync  time.Time // zero: never completed
}

// Folders lists the folders of the visible, enabled accounts (synced or not, for the
// folder picker) with their message and unread counts; INBOX first, then Sent.
func (mb *Mailbox) Folders(ctx context.Context, accountIDs []int64) ([]Folder, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	ph, args := placeholders(accountIDs)
	rows, err := mb.db.R.QueryContext(ctx, `SELECT f.id, f.account_id, f.name, f.role, f.enabled,
		(SELECT count(*) FROM messages WHERE folder_id = f.id),
		(SELECT count(*) FROM messages WHERE folder_id = f.id AND seen = 0),
		COALESCE(f.last_sync_at, 0)
		FROM folders f JOIN accounts a ON a.id = f.account_id
		WHERE a.disabled = 0 AND f.account_id IN (`+ph+`)
		ORDER BY f.account_id, f.role = 'inbox' DESC, f.role = 'sent' DESC, f.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("mailbox: folders: %w", err)
	}
	defer rows.Close()
	var out []Folder
	for rows.Next() {
		var f Folder
		var last int64
		if err := rows.Scan(&f.ID, &f.AccountID, &f.Name, &f.Role, &f.Enabled, &f.Total, &f.Unread, &last); err != nil {
			return nil, fmt.Errorf("mailbox: folders: %w", err)
		}
		if last > 0 {
			f.LastSync = time.Unix(last, 0).UTC()
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func placeholders(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// Address is one mailbox of an address header.
type Address struct {
	Name  string
	Email string
}

// Attachment describes a part of a message that is not its body; its content is
// fetched from the server by PartPath (syncer.Engine.FetchPart).
type Attachment struct {
	PartPath    string
	Filename    string
	ContentType string
	Size        int64
	ContentID   string
	Inline      bool
}

// Message is one message with everything the message view shows.
type Message struct {
	Row
	FolderName  string
	MessageID   string
	InReplyTo   string
	Size        int64
	Draft       bool
	Keywords    []string
	From        []Address
	Sender      []Address
	ReplyTo     []Address
	To          []Address
	Cc          []Address
	Bcc         []Address
	BodyState   string // "none" (not fetched yet), "done", "failed" (unreadable; see Problems)
	Text        string
	HTML        string // as received: NOT safe to show — sanitise it (message.Sanitize)
	Attachments []Attachment
	Problems    []string // what the parser repaired or could not read (message.Problem* codes)
}

// The reasons of the mailbox's refusals, worded by the UI (frontend/src/lib/i18n/reasons/mail.json).
var (
	ErrMessageGone    = fault.Define("mail_message_gone", fault.NotFound, "this message no longer exists")
	ErrAddressInvalid = fault.Define("mail_address_invalid", fault.InvalidInput, "{email} is not an email address")
)

var errNoMessage = ErrMessageGone.New(nil)

// Get returns one message of a visible, enabled account.
func (mb *Mailbox) Get(ctx context.Context, accountIDs []int64, id int64) (*Message, error) {
	if len(accountIDs) == 0 {
		return nil, errNoMessage
	}
	ph, args := placeholders(accountIDs)
	m := &Message{}
	var keywords, problems string
	row := mb.db.R.QueryRowContext(ctx, `SELECT `+rowColumns+`, f.role, f.name, m.message_id, m.in_reply_to,
		m.size, m.draft, m.keywords, m.body_state, m.problems, COALESCE(b.text, ''), COALESCE(b.html, '')
		FROM messages m JOIN folders f ON f.id = m.folder_id JOIN accounts a ON a.id = m.account_id
		LEFT JOIN message_bodies b ON b.message_id = m.id
		WHERE m.id = ? AND a.disabled = 0 AND m.account_id IN (`+ph+`)`, append([]any{id}, args...)...)
	r, _, err := scanRow(row, &m.FolderRole, &m.FolderName, &m.MessageID, &m.InReplyTo, &m.Size, &m.Draft,
		&keywords, &m.BodyState, &problems, &m.Text, &m.HTML)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoMessage
	}
	if err != nil {
		return nil, fmt.Errorf("mailbox: get %d: %w", id, err)
	}
	role := m.FolderRole
	m.Row = r
	m.FolderRole = role
	m.Keywords = strings.Fields(keywords)
	m.Problems = strings.Fields(problems)

	addrs, err := mb.db.R.QueryContext(ctx, `SELECT kind, name, email FROM message_addresses
		WHERE message_id = ? ORDER BY kind, position`, id)
	if err != nil {
		return nil, fmt.Errorf("mailbox: get %d addresses: %w", id, err)
	}
	defer addrs.Close()
	lists := map[string]*[]Address{"from": &m.From, "sender": &m.Sender, "reply_to": &m.ReplyTo,
		"to": &m.To, "cc": &m.Cc, "bcc": &m.Bcc}
	for addrs.Next() {
		var kind string
		var a Address
		if err := addrs.Scan(&kind, &a.Name, &a.Email); err != nil {
			return nil, fmt.Errorf("mailbox: get %d addresses: %w", id, err)
		}
		if l := lists[kind]; l != nil {
			*l = append(*l, a)
		}
	}
	if err := addrs.Err(); err != nil {
		return nil, fmt.Errorf("mailbox: get %d addresses: %w", id, err)
	}

	atts, err := mb.db.R.QueryContext(ctx, `SELECT part_path, filename, content_type, size, content_id, inline
		FROM attachments WHERE message_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("mailbox: get %d attachments: %w", id, err)
	}
	defer atts.Close()
	for atts.Next() {
		var a Attachment
		if err := atts.Scan(&a.PartPath, &a.Filename, &a.ContentType, &a.Size, &a.ContentID, &a.Inline); err != nil {
			return nil, fmt.Errorf("mailbox: get %d attachments: %w", id, err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	if err := atts.Err(); err != nil {
		return nil, fmt.Errorf("mailbox: get %d attachments: %w", id, err)
	}
	sort.Slice(m.Attachments, func(i, j int) bool { return partLess(m.Attachments[i].PartPath, m.Attachments[j].PartPath) })
	return m, nil
}

// partLess orders part paths numerically ("2" before "10", "1.2" before "1.10").
func partLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if len(as[i]) != len(bs[i]) {
			return len(as[i]) < len(bs[i])
		}
		if as[i] != bs[i] {
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

// RemoteAllowed reports whether the user chose to always show remote images from email.
func (mb *Mailbox) RemoteAllowed(ctx context.Context, email string) (bool, error) {
	var ok bool
	err := mb.db.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM remote_content_senders WHERE email = ?)`,
		strings.TrimSpace(email)).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("mailbox: remote allowed: %w", err)
	}
	return ok, nil
}

// AllowRemote always shows remote images from email from now on.
func (mb *Mailbox) AllowRemote(ctx context.Context, email string, userID int64) error {
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") {
		return ErrAddressInvalid.Field("email", fault.P{"email": email})
	}
	var by any
	if userID > 0 {
		by = userID
	}
	return mb.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO remote_content_senders(email, allowed_by, allowed_at) VALUES (?, ?, ?)
			ON CONFLICT(email) DO NOTHING`, email, by, time.Now().Unix())
		if err != nil {
			return fmt.Errorf("mailbox: allow remote content: %w", err)
		}
		return nil
	})
}

// DisallowRemote undoes AllowRemote.
func (mb *Mailbox) DisallowRemote(ctx context.Context, email string) error {
	return mb.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM remote_content_senders WHERE email = ?`, strings.TrimSpace(email))
		if err != nil {
			return fmt.Errorf("mailbox: disallow remote content: %w", err)
		}
		return nil
	})
}

// AllVisible reports whether every message id belongs to one of accountIDs (and to an
// enabled account), in one query.
func (mb *Mailbox) AllVisible(ctx context.Context, accountIDs, ids []int64) (bool, error) {
	if len(ids) == 0 {
		return true, nil
	}
	if len(accountIDs) == 0 {
		return false, nil
	}
	accPH, accArgs := placeholders(accountIDs)
	idPH, idArgs := placeholders(ids)
	var n int
	err := mb.db.R.QueryRowContext(ctx, `SELECT count(DISTINCT m.id) FROM messages m JOIN accounts a ON a.id = m.account_id
		WHERE a.disabled = 0 AND m.folder_id IS NOT NULL AND m.account_id IN (`+accPH+`) AND m.id IN (`+idPH+`)`,
		append(accArgs, idArgs...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("mailbox: visible: %w", err)
	}
	distinct := map[int64]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	return n == len(distinct), nil
}

// Rows returns the list rows of these messages that belong to accountIDs (nil: any
// account), in the order of ids; gone or hidden ones are left out.
func (mb *Mailbox) Rows(ctx context.Context, accountIDs []int64, ids []int64) ([]Row, error) {
	if len(ids) == 0 || accountIDs != nil && len(accountIDs) == 0 {
		return []Row{}, nil
	}
	in, args := placeholders(ids)
	where := "m.id IN (" + in + ")"
	if accountIDs != nil {
		ain, aargs := placeholders(accountIDs)
		where += " AND m.account_id IN (" + ain + ")"
		args = append(args, aargs...)
	}
	rows, err := mb.db.R.QueryContext(ctx, `SELECT `+rowColumns+`, f.role FROM messages m
		JOIN folders f ON f.id = m.folder_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("mailbox: rows: %w", err)
	}
	defer rows.Close()
	byID := map[int64]Row{}
	for rows.Next() {
		var role string
		r, _, err := scanRow(rows, &role)
		if err != nil {
			return nil, fmt.Errorf("mailbox: rows: %w", err)
		}
		r.FolderRole = role
		byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailbox: rows: %w", err)
	}
	out := make([]Row, 0, len(byID))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}
