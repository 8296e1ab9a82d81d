package syncer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// folder is a folders row: a mailbox of the account and its sync state.
type folder struct {
	id          int64
	name        string
	role        string
	uidvalidity uint32
	uidnext     uint32       // the server's UIDNEXT when headers were last complete; 0: never
	modseq      uint64       // HIGHESTMODSEQ when flags were last complete; 0: none
	count       int          // messages stored at the last complete sync
	keywordsOK  sql.NullBool // the folder takes new keywords (PERMANENTFLAGS); unknown until selected
}

const folderColumns = `id, name, role, uidvalidity, uidnext, highestmodseq, message_count, keywords_ok`

func scanFolder(row interface{ Scan(...any) error }) (*folder, error) {
	f := &folder{}
	err := row.Scan(&f.id, &f.name, &f.role, &f.uidvalidity, &f.uidnext, &f.modseq, &f.count, &f.keywordsOK)
	return f, err
}

// Folder roles (folders.role), from special-use attributes (RFC 6154) or INBOX.
var roleOfAttr = map[imap.MailboxAttr]string{
	imap.MailboxAttrSent:    "sent",
	imap.MailboxAttrDrafts:  "drafts",
	imap.MailboxAttrTrash:   "trash",
	imap.MailboxAttrJunk:    "junk",
	imap.MailboxAttrArchive: "archive",
}

// FolderRoles lists every folder role: inbox and the special-use ones ("" is any other folder).
var FolderRoles = []string{"inbox", "sent", "drafts", "archive", "junk", "trash"}

// sentNames are the names servers without SPECIAL-USE commonly give the Sent folder.
var sentNames = []string{"Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent",
	"INBOX/Sent", "Envoyés", "Éléments envoyés", "Messages envoyés", "[Gmail]/Sent Mail"}

// defaultEnabled lists the roles synced unless the user chooses otherwise.
var defaultEnabled = map[string]bool{"inbox": true, "sent": true}

type listed struct {
	name, role string
}

// refreshFolders lists the account's mailboxes and brings the folders table in step:
// new mailboxes are added (INBOX and Sent enabled), roles updated, vanished ones removed
// with their messages.
func (w *worker) refreshFolders(ctx context.Context, s *session) error {
	var opts *imap.ListOptions
	if s.has(imap.CapSpecialUse) && s.has(imap.CapListExtended) {
		opts = &imap.ListOptions{ReturnSpecialUse: true}
	}
	s.begin()
	boxes, err := s.c.List("", "*", opts).Collect()
	s.end()
	if err != nil {
		return fmt.Errorf("syncer: list folders: %w", err)
	}
	var found []listed
	taken := map[string]bool{}
	for _, b := range boxes {
		if hasAttr(b.Attrs, imap.MailboxAttrNoSelect) || hasAttr(b.Attrs, imap.MailboxAttrNonExistent) {
			continue
		}
		role := ""
		if strings.EqualFold(b.Mailbox, "INBOX") {
			role = "inbox"
		}
		for attr, r := range roleOfAttr {
			if hasAttr(b.Attrs, attr) {
				role = r
			}
		}
		if taken[role] {
			role = "" // one folder per role: the first listed
		}
		if role != "" {
			taken[role] = true
		}
		found = append(found, listed{name: b.Mailbox, role: role})
	}
	if !taken["sent"] {
	guess:
		for _, n := range sentNames {
			for i := range found {
				if found[i].role == "" && strings.EqualFold(found[i].name, n) {
					found[i].role = "sent"
					break guess
				}
			}
		}
	}
	if same, err := w.foldersUnchanged(ctx, found); err != nil || same {
		return err
	}
	err = w.e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM folders WHERE account_id = ?`, w.id)
		if err != nil {
			return err
		}
		existing := map[string]int64{}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			existing[name] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range found {
			if _, err := tx.ExecContext(ctx, `INSERT INTO folders(account_id, name, role, enabled) VALUES (?, ?, ?, ?)
				ON CONFLICT(account_id, name) DO UPDATE SET role = excluded.role`,
				w.id, l.name, l.role, defaultEnabled[l.role]); err != nil {
				return err
			}
			delete(existing, l.name)
		}
		for _, id := range existing { // gone from the server
			if _, err := tx.ExecContext(ctx, `DELETE FROM folders WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return dbError(fmt.Errorf("syncer: store folders: %w", err))
	}
	return nil
}

// foldersUnchanged reports whether the store already has exactly these folders and
// roles (the usual case: no write then).
func (w *worker) foldersUnchanged(ctx context.Context, found []listed) (bool, error) {
	rows, err := w.e.deps.DB.R.QueryContext(ctx, `SELECT name, role FROM folders WHERE account_id = ?`, w.id)
	if err != nil {
		return false, dbError(fmt.Errorf("syncer: folders: %w", err))
	}
	defer rows.Close()
	stored := map[string]string{}
	for rows.Next() {
		var name, role string
		if err := rows.Scan(&name, &role); err != nil {
			return false, dbError(fmt.Errorf("syncer: folders: %w", err))
		}
		stored[name] = role
	}
	if err := rows.Err(); err != nil {
		return false, dbError(fmt.Errorf("syncer: folders: %w", err))
	}
	if len(stored) != len(found) {
		return false, nil
	}
	for _, l := range found {
		if role, ok := stored[l.name]; !ok || role != l.role {
			return false, nil
		}
	}
	return true, nil
}

func hasAttr(attrs []imap.MailboxAttr, want imap.MailboxAttr) bool {
	for _, a := range attrs {
		if strings.EqualFold(string(a), string(want)) {
			return true
		}
	}
	return false
}

// enabledFolders returns the folders to sync, INBOX first, then Sent.
func (w *worker) enabledFolders(ctx context.Context) ([]*folder, error) {
	rows, err := w.e.deps.DB.R.QueryContext(ctx, `SELECT `+folderColumns+` FROM folders
		WHERE account_id = ? AND enabled = 1 ORDER BY role = 'inbox' DESC, role = 'sent' DESC, name`, w.id)
	if err != nil {
		return nil, dbError(fmt.Errorf("syncer: enabled folders: %w", err))
	}
	defer rows.Close()
	var out []*folder
	for rows.Next() {
		f, err := scanFolder(rows)
		if err != nil {
			return nil, dbError(fmt.Errorf("syncer: enabled folders: %w", err))
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// inboxFolder returns the enabled INBOX, or nil.
func (w *worker) inboxFolder() (*folder, error) {
	f, err := scanFolder(w.e.deps.DB.R.QueryRowContext(w.ctx, `SELECT `+folderColumns+` FROM folders
		WHERE account_id = ? AND role = 'inbox' AND enabled = 1`, w.id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError(fmt.Errorf("syncer: inbox folder: %w", err))
	}
	return f, nil
}

// loadFolder re-reads a folder's state.
func (w *worker) loadFolder(ctx context.Context, id int64) (*folder, error) {
	f, err := scanFolder(w.e.deps.DB.R.QueryRowContext(ctx, `SELECT `+folderColumns+` FROM folders WHERE id = ?`, id))
	if err != nil {
		return nil, dbError(fmt.Errorf("syncer: folder %d: %w", id, err))
	}
	return f, nil
}
