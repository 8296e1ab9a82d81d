package api

import (
	"context"

	"mailroom/backend/fault"
	"mailroom/backend/filing"
)

// Shared mailboxes across workstations (F11): "handled" and "filed" travel as IMAP
// keywords, so colleagues syncing the same mailbox see them. The UI shows where a folder
// keeps them on this workstation only (Filing.Sharing).

// FilingSharingStates are the sharing states of a folder, for the generated contract.
var FilingSharingStates = filing.SharingStates

// FolderSharingDTO says whether a synced folder shares "filed" and "handled" with the
// mailbox's other workstations: shared (the server keeps Mailroom's keywords), local (it
// refuses new keywords: the states stay on this workstation) or unknown (not yet synced).
type FolderSharingDTO struct {
	AccountID int64  `json:"accountId"`
	FolderID  int64  `json:"folderId"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	State     string `json:"state"`
}

// SetHandled marks messages handled (or not): at once here, and on the server for the
// mailbox's other workstations ($MailroomHandled) when the folder allows it.
func (s *Filing) SetHandled(messageIDs []int64, handled bool) error {
	return do(s.b, "Filing.SetHandled", func(ctx context.Context, c caller) error {
		if len(messageIDs) > maxFlagBatch {
			return errTooMany.Field("messageIds", fault.P{"count": maxFlagBatch})
		}
		if err := (&Mail{b: s.b}).checkVisible(ctx, c, messageIDs); err != nil {
			return err
		}
		return s.b.Sync.SetHandled(ctx, messageIDs, handled)
	})
}

// Sharing lists the synced folders of the caller's accounts with their sharing state.
func (s *Filing) Sharing() ([]FolderSharingDTO, error) {
	return run(s.b, "Filing.Sharing", func(ctx context.Context, c caller) ([]FolderSharingDTO, error) {
		sc, err := s.scope(ctx, c)
		if err != nil {
			return nil, err
		}
		list, err := s.b.Filing.Sharing(ctx, sc)
		if err != nil {
			return nil, err
		}
		out := make([]FolderSharingDTO, 0, len(list))
		for _, f := range list {
			out = append(out, FolderSharingDTO{AccountID: f.AccountID, FolderID: f.FolderID, Name: f.Name, Role: f.Role, State: f.State})
		}
		return out, nil
	})
}
