package syncer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/message"
)

// statementContext is the context of the statements of a write transaction. go-sqlite3
// starts a goroutine per statement to watch a context that can be cancelled, which cost
// more than many of the statements themselves (one insert per row, thousands per batch).
// Cancellation still reaches a batch: the transaction is begun with the cancellable
// context (database/sql rolls it back when that ends, and later statements fail), and the
// sync checks it between batches.
func statementContext(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

func (w *worker) localCount(ctx context.Context, folderID int64) (int, error) {
	var n int
	err := w.e.deps.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE folder_id = ?`, folderID).Scan(&n)
	if err != nil {
		return 0, dbError(fmt.Errorf("syncer: count messages: %w", err))
	}
	return n, nil
}

// localUIDs returns the stored UIDs of a folder from a UID on.
func (w *worker) localUIDs(ctx context.Context, folderID int64, from uint32) (map[uint32]bool, error) {
	rows, err := w.e.deps.DB.R.QueryContext(ctx, `SELECT uid FROM messages WHERE folder_id = ? AND uid >= ?`, folderID, from)
	if err != nil {
		return nil, dbError(fmt.Errorf("syncer: stored UIDs: %w", err))
	}
	defer rows.Close()
	out := map[uint32]bool{}
	for rows.Next() {
		var u uint32
		if err := rows.Scan(&u); err != nil {
			return nil, dbError(fmt.Errorf("syncer: stored UIDs: %w", err))
		}
		out[u] = true
	}
	return out, rows.Err()
}

// purgeFolder forgets a folder's messages and sync state (a new UIDVALIDITY, or the
// folder disabled). Addresses, bodies, attachments, intents and index rows go with the
// messages (cascades and the messages_fts_cleanup trigger).
func purgeFolder(ctx context.Context, tx *sql.Tx, folderID int64, uidvalidity uint32) error {
	ctx = statementContext(ctx)
	if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE folder_id = ?`, folderID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE folders SET uidvalidity = ?, uidnext = 0, highestmodseq = 0,
		message_count = 0 WHERE id = ?`, uidvalidity, folderID)
	return err
}

// saveFolderState records what the sync that started with sel has stored.
func saveFolderState(ctx context.Context, tx *sql.Tx, folderID int64, sel *imap.SelectData) error {
	ctx = statementContext(ctx)
	_, err := tx.ExecContext(ctx, `UPDATE folders SET uidvalidity = ?, uidnext = ?, highestmodseq = ?,
		message_count = (SELECT count(*) FROM messages WHERE folder_id = ?), last_sync_at = ? WHERE id = ?`,
		sel.UIDValidity, uint32(sel.UIDNext), sel.HighestModSeq, folderID, time.Now().Unix(), folderID)
	return err
}

func applyDeletes(ctx context.Context, tx *sql.Tx, folderID int64, uids []uint32) error {
	ctx = statementContext(ctx)
	if len(uids) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `DELETE FROM messages WHERE folder_id = ? AND uid = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, u := range uids {
		if _, err := st.ExecContext(ctx, folderID, u); err != nil {
			return err
		}
	}
	return nil
}

// applyFlags stores the server's flags, except those with an intent of the user not yet
// on the server (pending_flags): the intent wins until it is pushed.
func applyFlags(ctx context.Context, tx *sql.Tx, folderID int64, rows []flagRow) error {
	ctx = statementContext(ctx)
	if len(rows) == 0 {
		return nil
	}
	// handled and shared_filed keep the local value too where the folder refuses new
	// keywords: there they live on this workstation only.
	st, err := tx.PrepareContext(ctx, `UPDATE messages SET
		seen = CASE WHEN EXISTS (SELECT 1 FROM pending_flags p WHERE p.message_id = messages.id AND p.flag = 'seen') THEN seen ELSE ? END,
		flagged = CASE WHEN EXISTS (SELECT 1 FROM pending_flags p WHERE p.message_id = messages.id AND p.flag = 'flagged') THEN flagged ELSE ? END,
		handled = CASE WHEN EXISTS (SELECT 1 FROM pending_flags p WHERE p.message_id = messages.id AND p.flag = 'handled')
			OR (SELECT keywords_ok FROM folders WHERE id = messages.folder_id) = 0 THEN handled ELSE ? END,
		shared_filed = CASE WHEN EXISTS (SELECT 1 FROM pending_flags p WHERE p.message_id = messages.id AND p.flag = 'filed')
			OR (SELECT keywords_ok FROM folders WHERE id = messages.folder_id) = 0 THEN shared_filed ELSE ? END,
		answered = ?, draft = ?, keywords = ?
		WHERE folder_id = ? AND uid = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r.flags.seen, r.flags.flagged, r.flags.handled, r.flags.filed,
			r.flags.answered, r.flags.draft, r.flags.keywords, folderID, r.uid); err != nil {
			return err
		}
	}
	return nil
}

// Address kinds of message_addresses, in envelope order.
var addressKinds = []string{"from", "sender", "reply_to", "to", "cc", "bcc"}

func envelopeLists(env *imap.Envelope) [][]imap.Address {
	return [][]imap.Address{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc}
}

// sameAddresses reports whether two address lists hold the same addresses in order.
func sameAddresses(a, b []imap.Address) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i].Addr(), b[i].Addr()) || a[i].Name != b[i].Name {
			return false
		}
	}
	return true
}

// insertHeaders stores new messages with their addresses and returns their ids. A message
// already stored (an interrupted sync fetched it) only gets its flags refreshed. The
// search index row is written once, with the body (storeBodies): the body phase follows
// the headers in every sync, and an FTS5 row written twice costs a delete and an insert.
func insertHeaders(ctx context.Context, tx *sql.Tx, accountID, folderID int64, hs []header) ([]int64, error) {
	ctx = statementContext(ctx)
	ins, err := tx.PrepareContext(ctx, `INSERT INTO messages(account_id, folder_id, uid, message_id, in_reply_to,
		subject, from_name, from_email, date, size, seen, flagged, handled, shared_filed, answered, draft, keywords, has_attachments)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(folder_id, uid) DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	addr, err := tx.PrepareContext(ctx, `INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer addr.Close()
	var again []flagRow
	ids := make([]int64, 0, len(hs))
	for _, h := range hs {
		env := h.env
		date := env.Date
		if date.IsZero() {
			date = h.internalDate
		}
		var fromName, fromEmail string
		if len(env.From) > 0 {
			fromName, fromEmail = message.FixHeaderText(env.From[0].Name), env.From[0].Addr()
		}
		// Raw 8-bit headers (no encoded words) come through the ENVELOPE undecoded.
		subject := message.FixHeaderText(env.Subject)
		inReplyTo := ""
		if len(env.InReplyTo) > 0 {
			inReplyTo = env.InReplyTo[0]
		}
		res, err := ins.ExecContext(ctx, accountID, folderID, h.uid, env.MessageID, inReplyTo,
			subject, fromName, fromEmail, date.Unix(), h.size,
			h.flags.seen, h.flags.flagged, h.flags.handled, h.flags.filed, h.flags.answered, h.flags.draft,
			h.flags.keywords, h.hasAttachments)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			again = append(again, flagRow{uid: h.uid, flags: h.flags})
			continue
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
		for k, list := range envelopeLists(env) {
			if (k == 1 || k == 2) && sameAddresses(list, env.From) {
				// The server fills Sender and Reply-To with From when the message has
				// neither (RFC 3501, ENVELOPE): nothing to keep twice.
				continue
			}
			pos := 0
			for _, a := range list {
				email := a.Addr()
				if email == "" {
					continue // a group marker
				}
				name := message.FixHeaderText(a.Name)
				if _, err := addr.ExecContext(ctx, id, addressKinds[k], pos, name, email); err != nil {
					return nil, err
				}
				pos++
			}
		}
	}
	return ids, applyFlags(ctx, tx, folderID, again)
}
