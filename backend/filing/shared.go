package filing

import (
	"context"
	"database/sql"
	"fmt"
)

// Shared mailboxes across workstations (F11). A message's "filed" state travels to the
// server as the $MailroomFiled keyword, through the sync's durable queue of flag changes
// (pending_flags, flag 'filed'; the account's worker pushes it when connected, after a
// reconnect or a restart). Another Mailroom syncing the same mailbox reads it back into
// messages.shared_filed: that message never waits in its "To file", though no record of
// its own holds it. "Handled" is the user's (syncer.Engine.SetHandled, $MailroomHandled).
//
// Only a change of this workstation's filing is pushed: a message becomes filed here and
// the server does not say so yet → set; a message filed here stops being filed (its last
// link removed) and the server says filed → cleared. A message filed elsewhere and not
// here changes nothing, so two workstations with different records never undo each other.
// Where the folder refuses new keywords (folders.keywords_ok = 0) nothing is queued.

// sharedState is what a message's shared filing was before this filing.
type sharedState struct {
	filed      bool // the server says $MailroomFiled (or our intent does)
	keywordsOK bool // the folder takes new keywords (or it is not known yet)
	wasFiled   bool // the last filing here found a record
}

// change returns the keyword value to push now that the message is (or is not) filed here.
func (s sharedState) change(filed bool) (value, push bool) {
	switch {
	case !s.keywordsOK:
		return false, false
	case filed && !s.filed:
		return true, true
	case !filed && s.wasFiled && s.filed:
		return false, true
	}
	return false, false
}

// queueFiled records the intents and the rows' state in the filing's transaction: the
// sync's worker pushes them ($MailroomFiled set or cleared).
func queueFiled(ctx context.Context, tx *sql.Tx, ids []int64, value bool, nowMilli int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET shared_filed = ? WHERE id IN (SELECT value FROM json_each(?))`,
		value, jsonInts(ids)); err != nil {
		return err
	}
	x := newRowsInserter(ctx, tx, `INSERT INTO pending_flags(message_id, flag, value, queued_at)`,
		[]string{"v0", "'filed'", "v1", "v2"},
		` ON CONFLICT(message_id, flag) DO UPDATE SET value = excluded.value, queued_at = excluded.queued_at`)
	for _, id := range ids {
		if err := x.add(id, value, nowMilli/1000); err != nil {
			return err
		}
	}
	return x.flush()
}

func (e *Engine) queued(accounts map[int64]bool) {
	if len(accounts) == 0 || e.deps.Queued == nil {
		return
	}
	e.deps.Queued(keys(accounts)...)
}

// FolderSharing is whether a synced folder shares "filed" and "handled" with other
// workstations.
type FolderSharing struct {
	AccountID int64
	FolderID  int64
	Name      string
	Role      string
	// State: SharingShared (the server keeps our keywords), SharingLocal (it refuses new
	// keywords: the states stay on this workstation) or SharingUnknown (not yet synced).
	State string
}

// Sharing states of a folder.
const (
	SharingShared  = "shared"
	SharingLocal   = "local"
	SharingUnknown = "unknown"
)

// SharingStates lists the sharing states (for the generated contract).
var SharingStates = []string{SharingShared, SharingLocal, SharingUnknown}

// Sharing lists the synced folders of the scope's accounts with their sharing state.
func (e *Engine) Sharing(ctx context.Context, scope Scope) ([]FolderSharing, error) {
	w, args := scope.where("account_id")
	out := []FolderSharing{}
	err := each(ctx, e.deps.DB.R, `SELECT account_id, id, name, role, keywords_ok FROM folders
		WHERE enabled = 1 AND `+w+` ORDER BY account_id, role = '', name`, args, func(r *sql.Rows) error {
		var f FolderSharing
		var ok sql.NullBool
		if err := r.Scan(&f.AccountID, &f.FolderID, &f.Name, &f.Role, &ok); err != nil {
			return err
		}
		switch {
		case !ok.Valid:
			f.State = SharingUnknown
		case ok.Bool:
			f.State = SharingShared
		default:
			f.State = SharingLocal
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: folders' sharing: %w", err)
	}
	return out, nil
}
