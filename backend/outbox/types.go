package outbox

import (
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

	// The last failure: a fault code, a finer reason (the Reason constants), words for
	// people, and the server's own answer when it gave one.
	ErrorCode    fault.Code
	ErrorReason  string
	ErrorMessage string
	ErrorReply   string

	Reply string // the server's final answer when sent

	Copy      CopyState
	CopyError string

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
	KindItem    Kind = "item"    // a message changed state: ItemID, State, and on failure Code, Reason, Message
	KindCounts  Kind = "counts"  // an account's counts changed: Counts (throttled, the last never lost)
	KindAccount Kind = "account" // the account's sending: Code and Message when it waits or is paused, empty when it works again
	KindCopies  Kind = "copies"  // the account's Sent copies: Code and Message when they cannot be filed, empty when they can again
)

// Event is what the engine tells the UI.
type Event struct {
	Kind      Kind
	AccountID int64
	ItemID    int64
	State     State
	Code      fault.Code
	Reason    string
	Message   string
	Counts    Counts
}
