// Package sendresult is what an API sender (backend/postmark, backend/mailgun) tells the
// outbox about one send: the provider's receipt when it accepted the message, or, when it
// did not, whether trying again can help.
//
//	res, err := sender.Send(ctx, raw)
//	switch sendresult.ClassOf(err) {
//	case sendresult.OK:
//		markSent(res.ProviderID, res.SubmittedAt)
//	case sendresult.Permanent:
//		markFailed(err, sendresult.ReplyOf(err)) // fault.CodeOf(err) and its message for the UI
//	case sendresult.PossiblySent:
//		markPossiblySent(err) // the provider may have it: never resend without asking
//	default: // sendresult.Transient
//		retryLater(err) // with backoff and jitter
//	}
//
// The senders return errors that are both a class (here) and a *fault.Error (code and
// message for people), so the outbox decides what to do with one call and the UI shows
// the same error it would show for any other failure.
package sendresult

import (
	"errors"
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

// Class says what a failed send means for the message.
type Class int

const (
	// OK: there was no error.
	OK Class = iota
	// Transient failures (rate limits, the provider's 5xx, a network that did not let the
	// request through) may pass: retry later.
	Transient
	// Permanent failures (a refused key, an unconfirmed sender, an invalid or inactive
	// recipient) will happen again until someone changes something: do not retry.
	Permanent
	// PossiblySent: the whole request reached the provider but no answer came back (the
	// connection dropped or timed out while waiting). The provider may have accepted the
	// message, so resending it blindly could deliver it twice.
	PossiblySent
)

func (c Class) String() string {
	switch c {
	case OK:
		return "ok"
	case Transient:
		return "transient"
	case Permanent:
		return "permanent"
	case PossiblySent:
		return "possibly_sent"
	}
	return "unknown"
}

// Error gives an error its class. Err is usually a *fault.Error, which errors.As finds
// through Error.
type Error struct {
	Class Class
	// Reply is the provider's own answer when it gave one, with its status and code
	// (e.g. `HTTP 422, ErrorCode 406: You tried to send to a recipient that has been marked
	// as inactive.`), for the outbox's log of the server's words; "" when nothing answered.
	Reply string
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New classes err. A nil err stays nil.
func New(class Class, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Class: class, Err: err}
}

// ReplyOf returns the provider's answer carried by err, or "".
func ReplyOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reply
	}
	return ""
}

// ClassOf returns the class of the first *Error in err's chain: OK for nil, and Transient
// for an error no sender classed — retrying with backoff is the safe default for a failure
// nobody understood, since a bounded number of retries ends it.
func ClassOf(err error) Class {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return Transient
}

// Refusal words the errors of one refused API request: each message gets the provider's own
// words appended, and all share the request's reply and cause.
type Refusal struct {
	Provider string // as people know it: "Postmark"
	Reply    string // e.g. "HTTP 401, ErrorCode 10: …", kept as the server's answer
	Words    string // the provider's message, "" when it gave none
	Cause    error
}

func (r Refusal) classed(class Class, code fault.Code, field, msg string) error {
	if r.Words != "" {
		msg += " " + r.Provider + ` said: "` + r.Words + `"`
	}
	return &Error{Class: class, Reply: r.Reply, Err: &fault.Error{Code: code, Field: field, Message: msg, Err: r.Cause}}
}

// Permanent is a refusal that sending again will not change; field names the setting to fix.
func (r Refusal) Permanent(code fault.Code, field, msg string) error {
	return r.classed(Permanent, code, field, msg)
}

// Transient is a refusal worth trying again later.
func (r Refusal) Transient(code fault.Code, msg string) error {
	return r.classed(Transient, code, "", msg)
}
