// Package sendresult is what an API sender (backend/postmark, backend/mailgun) shares with
// the outbox about one send: the provider's receipt when it accepted the message, and how
// a refused request becomes an error.
//
//	res, err := sender.Send(ctx, raw)
//	switch fault.ClassOf(err) { // with err != nil
//	case fault.Permanent:    // fail it: the reason says why, the detail is the provider's answer
//	case fault.PossiblySent: // the provider may have it: never resend without asking
//	default:                 // fault.Temporary: retry later, with backoff and jitter
//	}
//
// The senders' errors are *fault.Error: a reason of the provider's package (worded by the
// UI), a class (temporary, permanent, possibly sent) and the provider's own answer as the
// detail, so the outbox decides what to do from the class and the UI shows the same error
// it would show for any other failure.
package sendresult

import (
	"time"

	"mailroom/backend/fault"
)

// Result is the provider's receipt for a message it accepted.
type Result struct {
	// ProviderID is the provider's id for the message, as its API, logs and webhooks name
	// it: Postmark's MessageID (a UUID), Mailgun's id without its angle brackets.
	ProviderID string
	// MessageID is the Message-ID header of the message as sent, without angle brackets
	// (empty if the message had none).
	MessageID string
	// SubmittedAt is when the provider accepted the message: the provider's own time when
	// it reports one (Postmark), else the local time its answer arrived (Mailgun).
	SubmittedAt time.Time
}

// Refusal is one refused API request: its answer, kept verbatim as the errors' detail, and
// its cause, kept for logs.
type Refusal struct {
	Reply string // e.g. "HTTP 401, ErrorCode 10: …": the status, the provider's code and words
	Cause error
}

// Err is the refusal as an error of reason r (its class is the reason's), with the
// provider's answer as the detail. field names the setting to fix, if any: a refusal
// that names one concerns the account, not the message.
func (r Refusal) Err(reason *fault.Reason, field string, p fault.P) *fault.Error {
	return reason.Wrap(r.Cause, p).WithDetail(r.Reply).WithField(field)
}

// PossiblySent marks a reason's failures as possibly sent by default, for a Define.
func PossiblySent(r *fault.Reason) *fault.Reason { r.Class = fault.PossiblySent; return r }
