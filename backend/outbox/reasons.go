package outbox

import (
	"errors"
	"math"

	"mailroom/backend/fault"
)

// The reasons of the outbox's failures. What the UI words (frontend/src/lib/i18n/reasons/
// outbox.json) and what an outbox row keeps (error_reason, error_params, error_reply).

// Refusals of a message to queue (Render, Enqueue).
var (
	ErrFromInvalid       = fault.Define("outbox_from_invalid", fault.InvalidInput, "{address} cannot be used as the sender's address")
	ErrAddressInvalid    = fault.Define("outbox_address_invalid", fault.InvalidInput, "{address} is not an email address")
	ErrNoRecipient       = fault.Define("outbox_no_recipient", fault.InvalidInput, "the message has no recipient")
	ErrTooManyRecipients = fault.Define("outbox_too_many_recipients", fault.InvalidInput, "a message can have at most {max} recipients; this one has {count}")
	ErrMessageIDInvalid  = fault.Define("outbox_message_id_invalid", fault.InvalidInput, "<{messageId}> is not a valid Message-ID")
	ErrMessageIDMismatch = fault.Define("outbox_message_id_mismatch", fault.InvalidInput, "the message's Message-ID is <{found}>, not <{messageId}>")
	ErrAttachmentNoName  = fault.Define("outbox_attachment_unnamed", fault.InvalidInput, "an attachment has no file name")
	ErrMessageEmpty      = fault.Define("outbox_message_empty", fault.InvalidInput, "the message is empty")
	ErrMessageUnreadable = fault.Define("outbox_message_unreadable", fault.InvalidInput, "the message's header cannot be read")
	ErrNoFromHeader      = fault.Define("outbox_no_from_header", fault.InvalidInput, "the message has no From header")
	// ErrTooLarge is a message above Options.MaxMessageBytes, or above the SMTP server's SIZE
	// (sizes in MB, one decimal).
	ErrTooLarge        = fault.Define("message_too_large", fault.ProviderRejected, "the message is too large ({size} MB; at most {limit} MB)")
	ErrDuplicateID     = fault.Define("outbox_duplicate_message_id", fault.Conflict, "another message with the Message-ID <{messageId}> is already in the outbox")
	ErrAccountDisabled = fault.Define("outbox_account_disabled", fault.Conflict, "this account is disabled: enable it to send from it")
	ErrGone            = fault.Define("outbox_message_gone", fault.NotFound, "this message is no longer in the outbox")
	ErrPageGone        = fault.Define("outbox_page_gone", fault.InvalidInput, "this page of the outbox no longer exists")
	ErrCannotRetry     = fault.Define("outbox_cannot_retry", fault.Conflict, "only a failed, possibly sent or waiting message can be sent again; this one is {state}")
	ErrCannotCancel    = fault.Define("outbox_cannot_cancel", fault.Conflict, "only a queued, failed or possibly sent message can be cancelled; this one is {state}")
	ErrCannotMarkSent  = fault.Define("outbox_cannot_mark_sent", fault.Conflict, "only a possibly sent message can be marked as sent; this one is {state}")
)

// Failures of a send.
var (
	// ErrRecipientRefused: the SMTP server refused recipients for good (5xx to RCPT TO);
	// their addresses and its answers are the detail.
	ErrRecipientRefused = fault.Define("smtp_recipient_refused", fault.ProviderRejected, "{host} refused {count} recipient(s): {recipients}")
	// ErrRecipientDeferred: the SMTP server cannot take recipients now (4xx to RCPT TO).
	ErrRecipientDeferred = fault.Define("smtp_recipient_deferred", fault.ProviderRejected, "{host} cannot take the message for {count} recipient(s) now: {recipients}").Temporary()
	ErrSenderRefused     = fault.Define("smtp_sender_refused", fault.ProviderRejected, "{host} refused the sender {from}")
	ErrSenderDeferred    = fault.Define("smtp_sender_deferred", fault.ProviderRejected, "{host} cannot take mail from {from} now").Temporary()
	ErrRefused           = fault.Define("smtp_message_refused", fault.ProviderRejected, "{host} refused the message")
	ErrDeferred          = fault.Define("smtp_deferred", fault.ProviderRejected, "{host} cannot take the message now").Temporary()
	ErrLineBreak         = fault.Define("smtp_envelope_line_break", fault.InvalidInput, "an address of the envelope holds a line break")
	ErrConnectionLost    = fault.Define("smtp_connection_lost", fault.Network, "the connection to {host} was lost before the message was sent").Temporary()
	ErrSMTPClient        = fault.Define("smtp_client_failed", fault.Internal, "the SMTP client returned an unknown DATA writer").Temporary()
	// ErrPossiblySent: the whole message went out and its answer never came.
	ErrPossiblySent = possiblySent(fault.Define("outbox_possibly_sent", fault.Network, "the connection ended after the whole message was sent and before the server answered: it may have been sent"))
	// ErrInterrupted: Mailroom stopped (or crashed) during the final dot.
	ErrInterrupted = possiblySent(fault.Define("outbox_interrupted", fault.Network, "Mailroom stopped while the message was handed to the server, after its end was sent: it may have been sent"))
	ErrStopped     = fault.Define("outbox_stopped", fault.Network, "Mailroom stopped before the message was sent").Temporary()
	ErrSendFailed  = fault.Define("outbox_send_failed", fault.Network, "the message could not be sent").Temporary()
	// ErrGaveUp: temporary failures until MaxAttempts or GiveUpAfter; the last one's
	// server words are the detail.
	ErrGaveUp = fault.Define("outbox_gave_up", fault.Network, "Mailroom gave up after {attempts} attempts over {hours} hours")
	// ErrWorkerStopped: a panic stopped an account's sending.
	ErrWorkerStopped = fault.Define("outbox_worker_stopped", fault.Internal, "Mailroom stopped sending from this account after an internal error")
	// ErrCopyRefused: the IMAP server refused the copy in the Sent folder (its words: detail).
	ErrCopyRefused = fault.Define("outbox_copy_refused", fault.ProviderRejected, "the server refused to file this message in {folder}")
)

// possiblySent makes a reason's failures possibly sent by default.
func possiblySent(r *fault.Reason) *fault.Reason { r.Class = fault.PossiblySent; return r }

// megabytes is a size in MB with one decimal, for ErrTooLarge.
func megabytes(n int) float64 { return math.Round(float64(n)/1e5) / 10 }

// AccountError marks a failure of a transport that concerns the account rather than the
// message: it came before the message was offered (resolving, connecting, TLS, login), or
// an API sender refused the account itself (its token or key, a From it may not send).
// A temporary one makes the account's worker wait and try again without counting an
// attempt; a permanent one fails the message tried and pauses the account until the user
// acts. Its class is its error's (fault.ClassOf).
type AccountError struct{ Err error }

func (e *AccountError) Error() string { return e.Err.Error() }
func (e *AccountError) Unwrap() error { return e.Err }

// ForAccount marks err as concerning the account (nil stays nil).
func ForAccount(err error) error {
	if err == nil {
		return nil
	}
	return &AccountError{Err: err}
}

// concernsAccount reports whether err is marked by ForAccount.
func concernsAccount(err error) bool {
	var ae *AccountError
	return errors.As(err, &ae)
}

// classed returns err as a *fault.Error of the given class: a copy of the first one in
// its chain (its cause kept), or, for an error without one, ErrSendFailed with err as its
// cause.
func classed(err error, class fault.Class) *fault.Error {
	if fe, ok := fault.As(err); ok {
		c := *fe
		c.Class = class
		return &c
	}
	return ErrSendFailed.Wrap(err, nil).WithClass(class)
}

// failure returns err from a transport's Send as a *fault.Error, classified: a *fault.Error
// says its class itself; any other error is temporary if commit was not called (or
// failed), and possibly sent once it succeeded — nothing is known of what the server did
// with the message.
func failure(err error, committed bool) *fault.Error {
	if fe, ok := fault.As(err); ok {
		if fe.Class == "" {
			return classed(fe, fault.Permanent)
		}
		return fe
	}
	if committed {
		return ErrPossiblySent.Wrap(err, nil)
	}
	return ErrSendFailed.Wrap(err, nil)
}
