package syncer

import (
	"mailroom/backend/fault"
)

// The reasons of the syncer's failures, worded by the UI (frontend/src/lib/i18n/reasons/
// sync.json). A server's own words (an IMAP refusal) are their detail.
var (
	ErrMessageGone    = fault.Define("sync_message_gone", fault.NotFound, "this message no longer exists")
	ErrPartGone       = fault.Define("sync_part_gone", fault.NotFound, "this attachment is no longer on the server")
	ErrPartInvalid    = fault.Define("sync_part_invalid", fault.InvalidInput, "this is not a part of the message")
	ErrPartRefused    = fault.Define("sync_part_refused", fault.ProviderRejected, "the server refused to send this attachment")
	ErrDisabled       = fault.Define("sync_account_disabled", fault.Forbidden, "this account is disabled: enable it to open its attachments")
	ErrShuttingDown   = fault.Define("sync_shutting_down", fault.Internal, "Mailroom is shutting down").Temporary()
	ErrFlagUnknown    = fault.Define("sync_flag_unknown", fault.InvalidInput, "unknown flag {flag}: use seen or flagged")
	ErrConnectionLost = fault.Define("sync_connection_lost", fault.Network, "the connection to {host} was lost").Temporary()
	ErrCommandRefused = fault.Define("sync_command_refused", fault.ProviderRejected, "{host} refused a command").Temporary()
	ErrFolderRefused  = fault.Define("sync_folder_refused", fault.ProviderRejected, "the server refused to open a folder").Temporary()
	ErrStore          = fault.Define("sync_store_failed", fault.StoreUnavailable, "Mailroom could not save mail in its database").Temporary()
	// ErrInternal: a panic in a sync; the worker tries again.
	ErrInternal = fault.Define("sync_internal", fault.Internal, "Mailroom hit an internal error while syncing").Temporary()
	// ErrWorkerStopped: a panic stopped the account's worker; syncing it again restarts it.
	ErrWorkerStopped = fault.Define("sync_worker_stopped", fault.Internal, "Mailroom stopped syncing this account after an internal error")
)

// classOf is what retrying can do about err: its class (backend/fault). An error of a
// package that gives it no reason yet (fault.New) carries no class of its own: it is
// permanent when its code says the settings or the credentials are wrong, temporary
// otherwise.
func classOf(err error) fault.Class {
	fe, ok := fault.As(err)
	if !ok {
		return fault.Temporary
	}
	if fe.Reason != "" {
		return fault.ClassOf(err)
	}
	switch fe.Code {
	case fault.AuthFailed, fault.TLSUntrusted, fault.TLSRequired, fault.InvalidInput:
		return fault.Permanent
	}
	return fault.Temporary
}
