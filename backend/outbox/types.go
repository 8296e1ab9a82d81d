package outbox

import (
	"encoding/json"
	"time"

	"mailroom/backend/fault"
)

// State is where a message is in the outbox (outbox.state).
type State string

// States of a message; see the package comment for the transitions.
const (
	Queued       State = "queued"
	Sending      State = "sending"
	Sent         State = "sent"
	Failed       State = "failed"
	PossiblySent State = "possibly_sent"
	Cancelled    State = "cancelled"
)

// States lists every state, in the order the outbox screen shows them.
var States = []State{Queued, Sending, PossiblySent, Failed, Sent, Cancelled}

// CopyState is where a sent message's copy in the IMAP Sent folder is.
type CopyState string

// Sent-copy states.
const (
	CopyNone    CopyState = "none"    // not wanted: the provider files it, or no IMAP
	CopyPending CopyState = "pending" // to append
	CopyDone    CopyState = "done"    // in the Sent folder, exactly once
	CopyFailed  CopyState = "failed"  // the server refused it CopyMaxAttempts times
)

// CopyStates lists every sent-copy state.
var CopyStates = []CopyState{CopyNone, CopyPending, CopyDone, CopyFailed}

// Envelope is one message to send: the SMTP envelope and the complete message.
type Envelope struct {
	From string   // envelope sender (MAIL FROM), a bare address
	To   []string // envelope recipients (RCPT TO): To, Cc and Bcc, bare addresses
	Raw  []byte   // the complete RFC 5322 message
	// MessageID is the message's Message-ID without angle brackets. Enqueue fills it: it
	// keeps the message's own, or adds the header (with this value when set, else a new
	// one) to a message without one. Set and different from the message's: refused.
	MessageID string
	// QueuedBy is the user who queued the message (0: Mailroom itself, e.g. an automation).
	QueuedBy int64
	// NotBefore holds the message until then (zero: at once): a bulk send paced to the
	// account's daily limit spreads its mails over days this way.
	NotBefore time.Time
}

// Item is one message of the outbox, without its content (see Engine.Raw).
type Item struct {
	ID          int64
	AccountID   int64
	State       State
	MessageID   string
	From        string
	To          []string
	Subject     string
	Size        int
	Attempts    int       // since it was queued or last retried by the user
	NextAttempt time.Time // when queued: not before this

	// Error is the last failure (zero when none): kept until the message is sent or
	// retried.
	Error Failure

	Reply string // the server's final answer when sent

	Copy      CopyState
	CopyError Failure // why the Sent copy was refused, the server's words as its detail

	QueuedBy  int64
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    time.Time // zero unless sent
}

// Counts are the numbers of messages in each state.
type Counts struct {
	Queued, Sending, Sent, Failed, PossiblySent, Cancelled int
}

func (c *Counts) add(s State, n int) {
	switch s {
	case Queued:
		c.Queued += n
	case Sending:
		c.Sending += n
	case Sent:
		c.Sent += n
	case Failed:
		c.Failed += n
	case PossiblySent:
		c.PossiblySent += n
	case Cancelled:
		c.Cancelled += n
	}
}

// Query selects messages for List and SentLog.
type Query struct {
	AccountIDs []int64 // nil: every account; empty but not nil: none
	States     []State // nil: every state (List only)
	Cursor     string  // Page.Next of the previous page; "" for the first
	Limit      int     // default 50, at most 500
}

// Page is one page of a list, newest first.
type Page struct {
	Items []Item
	Next  string // cursor of the next page; "" at the end
}

// Kind says what an Event is about.
type Kind string

// Event kinds.
const (
	KindItem    Kind = "item"    // a message changed state: ItemID, State, and on failure Failure
	KindCounts  Kind = "counts"  // an account's counts changed: Counts (throttled, the last never lost)
	KindAccount Kind = "account" // the account's sending: Failure (and Paused) when it waits or is paused, empty when it works again
	KindCopies  Kind = "copies"  // the account's Sent copies: Failure (and Paused) when they cannot be filed, empty when they can again
)

// Event is what the engine tells the UI.
type Event struct {
	Kind      Kind
	AccountID int64
	ItemID    int64
	State     State
	Failure   Failure
	// Paused (kinds account and copies): nothing is tried again until the user acts
	// (retries a message, edits the account); otherwise Mailroom tries again by itself.
	Paused bool
	Counts Counts
}

// Failure is a failure as the outbox keeps and tells it: the reason the UI words (a
// backend/fault reason; "" for an error without one, worded by its code), its params, and
// the server's own words (an SMTP reply, a provider's answer), shown verbatim.
type Failure struct {
	Code   fault.Code
	Reason string
	Params fault.P
	Detail string
}

// IsZero reports that there is no failure.
func (f Failure) IsZero() bool { return f.Code == "" && f.Reason == "" }

// failureOf is fe as kept (nil: none).
func failureOf(fe *fault.Error) Failure {
	if fe == nil {
		return Failure{}
	}
	return Failure{Code: fe.Code, Reason: fe.Reason, Params: fe.Params, Detail: fe.Detail}
}

// paramsJSON is the params as stored ("" when none).
func (f Failure) paramsJSON() string {
	if len(f.Params) == 0 {
		return ""
	}
	b, err := json.Marshal(f.Params)
	if err != nil {
		return ""
	}
	return string(b)
}

// readParams reads stored params; unreadable ones read as none.
func readParams(s string) fault.P {
	if s == "" {
		return nil
	}
	var p fault.P
	if json.Unmarshal([]byte(s), &p) != nil {
		return nil
	}
	return p
}
