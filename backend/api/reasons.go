package api

import "mailroom/backend/fault"

// The API's own failures: who may call what, and the arguments of the bound methods
// (worded in frontend/src/lib/i18n/reasons/session.json, mail.json and outbox.json).
// Every other failure comes from the package that knows it.
var (
	// errNotSetUp: a method for signed-in users called before onboarding.
	errNotSetUp = fault.Define("session_not_set_up", fault.Forbidden, "set up Mailroom first")
	// errSignedOut: a method for signed-in users called while nobody is signed in.
	errSignedOut = fault.Define("session_signed_out", fault.Forbidden, "sign in first")
	// errLockedIdle: the session ended after the idle limit; someone must sign in again.
	errLockedIdle = fault.Define("session_locked_idle", fault.Forbidden,
		"Mailroom locked itself after a time without activity: sign in again")
	// errRemoveSelf: a super admin removing themselves.
	errRemoveSelf = fault.Define("user_remove_self", fault.Conflict,
		"you cannot remove yourself: another super admin can")

	// errAccountNotGranted: an account the caller has no access to (or that does not exist:
	// the two are not told apart).
	errAccountNotGranted = fault.Define("account_not_granted", fault.NotFound,
		"this account is not available to you: ask an administrator for access")
	// errAccountDisabled: sending from a disabled account.
	errAccountDisabled = fault.Define("mail_account_disabled", fault.Conflict,
		"{address} is disabled: enable it to send from it")
	// errCursor: a page of the list asked for with a cursor Mailroom did not give.
	errCursor = fault.Define("mail_cursor_invalid", fault.InvalidInput,
		"this page of the list is no longer valid: reload the list")
	// errTooMany: a flag change over more messages than one call takes.
	errTooMany = fault.Define("mail_too_many_selected", fault.InvalidInput,
		"select at most {count} messages at once")
	// errNoRecipient: a message without a recipient.
	errNoRecipient = fault.Define("mail_no_recipient", fault.InvalidInput, "add at least one recipient")
	// errSaveUnavailable: no native dialog to save a file (not in the app's window).
	errSaveUnavailable = fault.Define("attachment_save_unavailable", fault.Internal,
		"saving files is not available here")
	// errSaveFolder: the chosen folder cannot be written.
	errSaveFolder = fault.Define("attachment_folder_unwritable", fault.InvalidInput,
		"Mailroom cannot write in this folder: choose another")
	// errSaveIncomplete: the attachment could not be written in full; nothing was kept.
	errSaveIncomplete = fault.Define("attachment_save_incomplete", fault.Network,
		"the attachment could not be saved completely; nothing was written").Temporary()

	// errOutboxItemGone: an outbox message of an account the caller may not use, or gone.
	errOutboxItemGone = fault.Define("outbox_item_unavailable", fault.NotFound,
		"this message is no longer in the outbox")
	// errOutboxStates: a filter on states Mailroom does not have.
	errOutboxStates = fault.Define("outbox_filter_invalid", fault.InvalidInput,
		"choose the messages to show among queued, sending, sent, failed, possibly sent and cancelled")
)
