package postmark

import (
	"mailroom/backend/fault"
	"mailroom/backend/sendresult"
)

// The reasons of Postmark's failures, worded by the UI (frontend/src/lib/i18n/reasons/
// senders.json). Postmark's own answer ("HTTP 422, ErrorCode 406: …") is their detail.
var (
	ErrTokenMissing = fault.Define("postmark_token_missing", fault.InvalidInput, "enter the Postmark server's API token")
	// ErrToken: Postmark refused the server token (field token: the account's setting).
	ErrToken       = fault.Define("postmark_token", fault.AuthFailed, "Postmark refused the server token")
	ErrFromInvalid = fault.Define("postmark_from_invalid", fault.InvalidInput, "{from} is not an email address")
	// ErrSender: no sender signature (nor verified domain) for the From (ErrorCode 400).
	ErrSender = fault.Define("postmark_sender", fault.ProviderRejected, "Postmark has no sender signature for {from} (nor the domain {domain})")
	// ErrSenderUnconfirmed: the From's sender signature is not confirmed yet (ErrorCode 401).
	ErrSenderUnconfirmed = fault.Define("postmark_sender_unconfirmed", fault.ProviderRejected, "the sender signature {from} is not confirmed yet (nor the domain {domain} verified)")
	// ErrMessageUnreadable: the message cannot be converted to Postmark's JSON; part says
	// what: header, from, address (with header: To, Cc…), recipient, body.
	ErrMessageUnreadable = fault.Define("postmark_message_unreadable", fault.InvalidInput, "the message cannot be sent through Postmark: {part} {header}")
	ErrRequestUnprepared = fault.Define("postmark_request_unprepared", fault.Internal, "the message could not be prepared for Postmark")
	ErrURLInvalid        = fault.Define("postmark_url_invalid", fault.InvalidInput, "the Postmark API address is not valid")
	// ErrAnswerUnreadable: a 200 whose body is not Postmark's (a proxy's page); possibly sent
	// when the request could send mail.
	ErrAnswerUnreadable = fault.Define("postmark_answer_unreadable", fault.ProviderRejected, "Postmark's answer could not be read").Temporary()
	ErrPossiblySent     = sendresult.PossiblySent(fault.Define("postmark_possibly_sent", fault.Network, "the message reached Postmark but its answer never arrived"))
	ErrUnreachable      = fault.Define("postmark_unreachable", fault.Network, "Postmark could not be reached").Temporary()
	ErrTimeout          = fault.Define("postmark_timeout", fault.Network, "Postmark did not answer in time").Temporary()
	ErrRateLimited      = fault.Define("postmark_rate_limited", fault.ProviderRejected, "Postmark is limiting how fast this server may send").Temporary()
	ErrUnavailable      = fault.Define("postmark_unavailable", fault.Network, "Postmark is not available at the moment (HTTP {status})").Temporary()
	ErrTooLarge         = fault.Define("postmark_too_large", fault.ProviderRejected, "the message is too large for Postmark (at most 10 MB)")
	ErrInvalidMessage   = fault.Define("postmark_invalid_message", fault.InvalidInput, "Postmark found the message invalid")
	ErrRequestRefused   = fault.Define("postmark_request_unreadable", fault.ProviderRejected, "Postmark could not read the request Mailroom sent")
	ErrCannotSend       = fault.Define("postmark_account_cannot_send", fault.ProviderRejected, "Postmark does not allow this account to send at the moment")
	ErrInactive         = fault.Define("postmark_recipient_inactive", fault.ProviderRejected, "Postmark will not send to a recipient of this message (inactive)")
	ErrAttachmentType   = fault.Define("postmark_attachment_type", fault.ProviderRejected, "Postmark does not accept the file type of an attachment")
	ErrPendingApproval  = fault.Define("postmark_pending_approval", fault.ProviderRejected, "the Postmark account is waiting for Postmark's approval")
	ErrServerInactive   = fault.Define("postmark_server_inactive", fault.ProviderRejected, "Postmark does not let this server or account send at the moment")
	ErrRefused          = fault.Define("postmark_refused", fault.ProviderRejected, "Postmark refused the message (HTTP {status}, error {code})")
)
