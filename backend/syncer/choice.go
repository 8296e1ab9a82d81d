package syncer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mailroom/backend/fault"
)

// The failures of choosing the folders to sync.
var (
	// ErrFolderGone: the folder is no longer there (the server removed it, the account was
	// deleted).
	ErrFolderGone = fault.Define("folder_gone", fault.NotFound, "this folder no longer exists")
	// ErrInboxAlwaysSynced: the inbox cannot be left out of the sync.
	ErrInboxAlwaysSynced = fault.Define("folder_inbox_always_synced", fault.InvalidInput,
		"the inbox is always synced")
)

// FolderAccount returns the id of the account a folder belongs to, for the caller's
// access check before SetFolderSynced.
func (e *Engine) FolderAccount(ctx context.Context, folderID int64) (int64, error) {
	var accountID int64
	err := e.deps.DB.R.QueryRowContext(ctx, `SELECT account_id FROM folders WHERE id = ?`, folderID).Scan(&accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrFolderGone.New(nil)
	}
	if err != nil {
		return 0, fmt.Errorf("syncer: folder %d: %w", folderID, err)
	}
	return accountID, nil
}

// SetFolderSynced chooses whether a folder is synced, as the user asks it: the inbox is
// always synced. Turning a folder off forgets its local copy (the mail stays on the
// server); turning one on fetches it at once (SetFolderEnabled).
func (e *Engine) SetFolderSynced(ctx context.Context, folderID int64, synced bool) error {
	var role string
	err := e.deps.DB.R.QueryRowContext(ctx, `SELECT role FROM folders WHERE id = ?`, folderID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrFolderGone.New(nil)
	}
	if err != nil {
		return fmt.Errorf("syncer: folder %d: %w", folderID, err)
	}
	if role == "inbox" && !synced {
		return ErrInboxAlwaysSynced.New(nil)
	}
	return e.SetFolderEnabled(ctx, folderID, synced)
}
