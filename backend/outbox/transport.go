package outbox

import (
	"context"
	"errors"
	"fmt"

	"mailroom/backend/fault"
)

// Transport delivers messages for one account: SMTP (this package), or an API sender
// adapted with OneShot. The engine calls it from one goroutine at a time and keeps it
// between messages, so a transport may hold a connection open; Close ends it (the
// transport may be used again after: it reconnects).
//
// Errors are classified through *SendError (see Classify): transient (try again later),
// permanent (the server refused: fail with its words), or possibly sent (the server may
// have accepted the message: never resent without the user's word).
type Transport interface {
	// Send delivers env. Before the point after which the server may have accepted the
	// message — for SMTP the final dot, for an HTTP API the request — it calls commit, once,
	// which records that point durably; if commit fails, Send must stop short of that
	// point and return commit's error. Commit may run on another goroutine (SMTP runs it
	// while the server answers the commands), but Send returns only after it has
	// returned; once it has succeeded, an error that is not a *SendError counts as
	// possibly sent (see Classify). The reply is the server's final answer, in its words
	// (e.g. "250 2.0.0 Ok: queued as 4Fx…").
	Send(ctx context.Context, env Envelope, commit func() error) (reply string, err error)
	Close() error
}

// Outcome is what a failed send means for the message.
type Outcome int

// Outcomes of a failed send.
const (
	Transient Outcome = iota + 1 // not delivered; try again later (4xx, network, timeout)
	Permanent                    // refused for good (5xx, a provider's rejection)
	Uncertain                    // possibly sent: the message's end went out, its answer never came
)

func (o Outcome) String() string {
	switch o {
	case Transient:
		return "transient"
	case Permanent:
		return "permanent"
	case Uncertain:
		return "possibly sent"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Reasons finer than a fault code, kept with a failed message (Item.ErrorReason) so the UI
// can offer the right next step.
const (
	ReasonSMTPAuthDisabled = "smtp_auth_disabled" // Microsoft 365 535 5.7.139: offer an API sender
	ReasonTooLarge         = "message_too_large"
	ReasonRecipients       = "recipients_refused"
	ReasonGaveUp           = "gave_up"       // transient failures until MaxAttempts or GiveUpAfter
	ReasonPossiblySent     = "possibly_sent" // the answer to the final dot never came
	ReasonInterrupted      = "interrupted"   // Mailroom stopped (or crashed) during the final dot
	ReasonAccountDisabled  = "account_disabled"
	// An API sender (backend/senders) refused the account itself: fix it in the account's
	// settings (or at the provider), then retry the message.
	ReasonPostmarkToken  = "postmark_token"  // Postmark refused the server token
	ReasonPostmarkSender = "postmark_sender" // the From is no confirmed sender signature
	ReasonMailgunKey     = "mailgun_key"     // Mailgun refused the API key
	ReasonMailgunDomain  = "mailgun_domain"  // the sending domain (or the From on it) cannot send
)

// SendError is a classified failure of a transport.
type SendError struct {
	Outcome Outcome
	// Connect is set when the failure came before the message was offered (resolving,
	// connecting, TLS, login): it concerns the account, not this message. A transient one
	// makes the account's worker wait and try again without counting an attempt; a
	// permanent one (a refused password, Microsoft's 5.7.139) fails the message tried and
	// pauses the account until the user acts.
	Connect bool
	Code    fault.Code // for the UI
	Reason  string     // one of the Reason constants, or ""
	Message string     // for people: what happened and what to do
	Reply   string     // the server's own words, with its code (e.g. "550 5.1.1 …"), if it answered
	Err     error
}

func (e *SendError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("outbox: %s: %s: %v", e.Outcome, e.Message, e.Err)
	}
	return fmt.Sprintf("outbox: %s: %s", e.Outcome, e.Message)
}

func (e *SendError) Unwrap() error { return e.Err }

// Classify returns the outcome of err from a transport's Send. A *SendError says it
// itself; any other error is transient if commit was not called (or failed), and possibly
// sent once it succeeded — nothing is known of what the server did with the message.
func Classify(err error, committed bool) Outcome {
	var se *SendError
	if errors.As(err, &se) {
		return se.Outcome
	}
	if committed {
		return Uncertain
	}
	return Transient
}

// asSendError returns err as a *SendError, classifying a foreign error with Classify.
func asSendError(err error, committed bool) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	out := Classify(err, committed)
	code := fault.CodeOf(err)
	msg := "The message could not be sent: " + messageOf(err)
	switch {
	case out == Uncertain:
		code, msg = fault.Network, "The message may have been sent: the answer to it never came ("+messageOf(err)+")."
	case code == fault.Internal:
		code = fault.Network
	}
	reason := ""
	if out == Uncertain {
		reason = ReasonPossiblySent
	}
	return &SendError{Outcome: out, Code: code, Reason: reason, Message: msg, Err: err}
}

// messageOf returns the words of a fault error, or the error's text.
func messageOf(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe.Message
	}
	return err.Error()
}

// OneShot adapts a sender that makes one request per message (Postmark's and Mailgun's
// HTTP APIs) to a Transport: it calls commit just before the request — once the request
// has left, the provider may have the message — and classifies the request's error with
// Classify, the provider package's helper.
type OneShot struct {
	Do func(ctx context.Context, env Envelope) (reply string, err error)
	// Classify turns Do's error into a *SendError (a rejected sender, a bad token, an
	// inactive recipient are permanent; 429 and 5xx transient; a timeout after the
	// request was written possibly sent). Nil, or nil returned: see the package's Classify.
	Classify func(err error) *SendError
}

// Send implements Transport.
func (o OneShot) Send(ctx context.Context, env Envelope, commit func() error) (string, error) {
	if err := commit(); err != nil {
		return "", err
	}
	reply, err := o.Do(ctx, env)
	if err != nil && o.Classify != nil {
		if se := o.Classify(err); se != nil {
			return "", se
		}
	}
	return reply, err
}

// Close implements Transport: a one-shot sender holds no connection.
func (OneShot) Close() error { return nil }
