package api

import (
	"context"
	"slices"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/outbox"
)

// OutboxChangedEvent tells the UI that the outbox changed: a message changed state, an
// account's counts moved, or an account's sending (or Sent copies) ran into trouble or
// works again (OutboxEventDTO). The UI re-reads what it shows through the Outbox methods,
// which check access; the event itself carries no message content.
const OutboxChangedEvent = "outbox:changed"

// Outbox is the durable send queue as the user sees it (F15): what waits, what is being
// sent, what failed and why in the server's words, what may have been sent, and the sent
// log. A user sees and acts on the messages of the accounts granted to them; a message of
// any other account does not exist for them (not_found).
type Outbox struct{ b *Backend }

// OutboxQueryDTO selects messages for List and SentLog.
type OutboxQueryDTO struct {
	States    []string `json:"states"`    // empty: every state (List only)
	AccountID int64    `json:"accountId"` // 0: every account the user may use
	Cursor    string   `json:"cursor"`    // the previous page's next; "" for the first
	Limit     int      `json:"limit"`     // 0: 50; at most 500
}

// OutboxItemDTO is one message of the outbox, without its content.
type OutboxItemDTO struct {
	ID          int64    `json:"id"`
	AccountID   int64    `json:"accountId"`
	AccountName string   `json:"accountName"`
	State       string   `json:"state"` // queued, sending, sent, failed, possibly_sent, cancelled
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	To          []string `json:"to"` // every envelope recipient (To, Cc, Bcc)
	Subject     string   `json:"subject"`
	Size        int      `json:"size"`
	Attempts    int      `json:"attempts"`    // since it was queued or last retried
	NextAttempt string   `json:"nextAttempt"` // RFC 3339; "" unless it waits for a later attempt
	// Error is the last failure (nil without one): its reason, params and the server's
	// own words when it refused, with its code.
	Error     *FailureDTO `json:"error"`
	Reply     string      `json:"reply"` // the server's answer when sent
	Copy      string      `json:"copy"`  // the Sent copy: none, pending, done, failed
	CopyError *FailureDTO `json:"copyError"`
	QueuedBy  int64       `json:"queuedBy"` // user id; 0: Mailroom itself
	CreatedAt string      `json:"createdAt"`
	UpdatedAt string      `json:"updatedAt"`
	SentAt    string      `json:"sentAt"` // "" unless sent
}

// FailureDTO is a failure the backend kept and shows later (an outbox message's, an
// account's sending or sync): the reason the UI words with its params (as an error's), and
// the server's own words, shown verbatim.
type FailureDTO struct {
	Code   string         `json:"code"`
	Reason string         `json:"reason"` // "" for an error without a reason: worded by its code
	Params map[string]any `json:"params"`
	Detail string         `json:"detail"`
	Class  string         `json:"class"` // permanent, temporary, possibly_sent; "" when not kept
}

func failureDTO(f outbox.Failure) *FailureDTO {
	if f.IsZero() {
		return nil
	}
	return &FailureDTO{Code: string(f.Code), Reason: f.Reason, Params: f.Params, Detail: f.Detail}
}

// faultFailureDTO is a fault error as a FailureDTO (nil for nil).
func faultFailureDTO(err error) *FailureDTO {
	if err == nil {
		return nil
	}
	fe, ok := fault.As(err)
	if !ok {
		return &FailureDTO{Code: string(fault.Internal), Reason: fault.ErrInternal.Name}
	}
	return &FailureDTO{Code: string(fe.Code), Reason: fe.Reason, Params: fe.Params, Detail: fe.Detail, Class: string(fe.Class)}
}

// OutboxPageDTO is one page of the outbox or of the sent log.
type OutboxPageDTO struct {
	Items []OutboxItemDTO `json:"items"`
	Next  string          `json:"next"` // "" at the end
}

// OutboxCountsDTO are the numbers of messages in each state, over the accounts the user
// may use.
type OutboxCountsDTO struct {
	Queued       int `json:"queued"`
	Sending      int `json:"sending"`
	Sent         int `json:"sent"`
	Failed       int `json:"failed"`
	PossiblySent int `json:"possiblySent"`
	Cancelled    int `json:"cancelled"`
}

// OutboxEventDTO is the payload of OutboxChangedEvent.
type OutboxEventDTO struct {
	Kind      string `json:"kind"` // item, counts, account, copies
	AccountID int64  `json:"accountId"`
	ItemID    int64  `json:"itemId"` // kind item
	State     string `json:"state"`  // kind item
	// Kind account or copies: the trouble, nil when it is over; kind item: why it failed.
	Failure *FailureDTO `json:"failure"`
	// Kind account or copies: nothing is tried again until the user acts (retries a
	// message, edits the account); otherwise Mailroom tries again by itself.
	Paused bool `json:"paused"`
}

// usable returns the accounts whose outbox the caller sees: those granted to them,
// disabled ones included (their queued messages wait, and the user must see them), by id.
func (s *Outbox) usable(ctx context.Context, c caller) (map[int64]string, []int64, error) {
	list, err := s.b.Accounts.List(ctx, c.user.ID)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(list))
	ids := make([]int64, 0, len(list))
	for _, a := range list {
		names[a.ID] = a.Name
		ids = append(ids, a.ID)
	}
	return names, ids, nil
}

// scope is the query's accounts: the one asked for, if the caller may use it, or all of theirs.
func (s *Outbox) scope(ctx context.Context, c caller, accountID int64) (map[int64]string, []int64, error) {
	names, ids, err := s.usable(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	if accountID != 0 {
		if _, ok := names[accountID]; !ok {
			return nil, nil, errAccountNotGranted.New(nil)
		}
		ids = []int64{accountID}
	}
	return names, ids, nil
}

func outboxStates(in []string) ([]outbox.State, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]outbox.State, 0, len(in))
	for _, st := range in {
		if !slices.Contains(outbox.States, outbox.State(st)) {
			return nil, errOutboxStates.Field("states", nil)
		}
		out = append(out, outbox.State(st))
	}
	return out, nil
}

// List returns a page of the outbox, newest first, over the accounts the user may use.
func (s *Outbox) List(q OutboxQueryDTO) (OutboxPageDTO, error) {
	return run(s.b, "Outbox.List", func(ctx context.Context, c caller) (OutboxPageDTO, error) {
		names, ids, err := s.scope(ctx, c, q.AccountID)
		if err != nil {
			return OutboxPageDTO{}, err
		}
		states, err := outboxStates(q.States)
		if err != nil {
			return OutboxPageDTO{}, err
		}
		p, err := s.b.Outbox.List(ctx, outbox.Query{AccountIDs: ids, States: states, Cursor: q.Cursor, Limit: q.Limit})
		if err != nil {
			return OutboxPageDTO{}, err
		}
		return outboxPageDTO(p, names), nil
	})
}

// SentLog returns the sent messages, the last sent first, over the accounts the user may use.
func (s *Outbox) SentLog(q OutboxQueryDTO) (OutboxPageDTO, error) {
	return run(s.b, "Outbox.SentLog", func(ctx context.Context, c caller) (OutboxPageDTO, error) {
		names, ids, err := s.scope(ctx, c, q.AccountID)
		if err != nil {
			return OutboxPageDTO{}, err
		}
		p, err := s.b.Outbox.SentLog(ctx, outbox.Query{AccountIDs: ids, Cursor: q.Cursor, Limit: q.Limit})
		if err != nil {
			return OutboxPageDTO{}, err
		}
		return outboxPageDTO(p, names), nil
	})
}

// Counts returns how many messages are in each state, over the accounts the user may use.
func (s *Outbox) Counts() (OutboxCountsDTO, error) {
	return run(s.b, "Outbox.Counts", func(ctx context.Context, c caller) (OutboxCountsDTO, error) {
		_, ids, err := s.usable(ctx, c)
		if err != nil {
			return OutboxCountsDTO{}, err
		}
		n, err := s.b.Outbox.Counts(ctx, ids)
		if err != nil {
			return OutboxCountsDTO{}, err
		}
		return OutboxCountsDTO{Queued: n.Queued, Sending: n.Sending, Sent: n.Sent, Failed: n.Failed,
			PossiblySent: n.PossiblySent, Cancelled: n.Cancelled}, nil
	})
}

// item returns a message of the outbox if the caller may use its account; any other is
// not found, whether it exists or not.
func (s *Outbox) item(ctx context.Context, c caller, id int64) (outbox.Item, string, error) {
	it, err := s.b.Outbox.Get(ctx, id)
	if fault.Is(err, fault.NotFound) {
		// Missing and not the caller's read the same.
		return outbox.Item{}, "", errOutboxItemGone.Wrap(err, nil)
	}
	if err != nil {
		return outbox.Item{}, "", err
	}
	names, _, err := s.usable(ctx, c)
	if err != nil {
		return outbox.Item{}, "", err
	}
	name, ok := names[it.AccountID]
	if !ok {
		return outbox.Item{}, "", errOutboxItemGone.New(nil)
	}
	return it, name, nil
}

// Get returns one message of the outbox: its state, attempts, next attempt, and the
// server's answer (or its refusal, in its own words).
func (s *Outbox) Get(id int64) (OutboxItemDTO, error) {
	return run(s.b, "Outbox.Get", func(ctx context.Context, c caller) (OutboxItemDTO, error) {
		it, name, err := s.item(ctx, c, id)
		if err != nil {
			return OutboxItemDTO{}, err
		}
		return outboxItemDTO(it, name), nil
	})
}

// Retry sends again, at once, a message that failed, that may have been sent (the user
// decided it was not: a duplicate is possible, and the UI says so before), or that waits
// for its next attempt.
func (s *Outbox) Retry(id int64) error {
	return do(s.b, "Outbox.Retry", func(ctx context.Context, c caller) error {
		if _, _, err := s.item(ctx, c, id); err != nil {
			return err
		}
		return s.b.Outbox.Retry(ctx, id)
	})
}

// Cancel gives up a message that is queued, failed or possibly sent; one being sent
// cannot be cancelled (conflict).
func (s *Outbox) Cancel(id int64) error {
	return do(s.b, "Outbox.Cancel", func(ctx context.Context, c caller) error {
		if _, _, err := s.item(ctx, c, id); err != nil {
			return err
		}
		return s.b.Outbox.Cancel(ctx, id)
	})
}

// MarkSent records that a possibly sent message did go out (the user checked with a
// recipient or in the Sent folder): it moves to the sent log and is never resent.
func (s *Outbox) MarkSent(id int64) error {
	return do(s.b, "Outbox.MarkSent", func(ctx context.Context, c caller) error {
		if _, _, err := s.item(ctx, c, id); err != nil {
			return err
		}
		return s.b.Outbox.MarkSent(ctx, id)
	})
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func outboxItemDTO(it outbox.Item, accountName string) OutboxItemDTO {
	d := OutboxItemDTO{ID: it.ID, AccountID: it.AccountID, AccountName: accountName, State: string(it.State),
		MessageID: it.MessageID, From: it.From, To: append([]string{}, it.To...), Subject: it.Subject, Size: it.Size,
		Attempts: it.Attempts, Error: failureDTO(it.Error), Reply: it.Reply, Copy: string(it.Copy),
		CopyError: failureDTO(it.CopyError), QueuedBy: it.QueuedBy,
		CreatedAt: stamp(it.CreatedAt), UpdatedAt: stamp(it.UpdatedAt), SentAt: stamp(it.SentAt)}
	// A queued message whose next attempt is still to come waits (after a transient
	// failure); one due now is simply next in line.
	if it.State == outbox.Queued && it.NextAttempt.After(time.Now()) {
		d.NextAttempt = stamp(it.NextAttempt)
	}
	return d
}

func outboxPageDTO(p outbox.Page, names map[int64]string) OutboxPageDTO {
	out := OutboxPageDTO{Items: make([]OutboxItemDTO, 0, len(p.Items)), Next: p.Next}
	for _, it := range p.Items {
		out.Items = append(out.Items, outboxItemDTO(it, names[it.AccountID]))
	}
	return out
}

// outboxEvent maps an outbox event to the UI's event.
func outboxEvent(b *Backend) func(outbox.Event) {
	return func(e outbox.Event) {
		b.emit(OutboxChangedEvent, OutboxEventDTO{Kind: string(e.Kind), AccountID: e.AccountID, ItemID: e.ItemID,
			State: string(e.State), Failure: failureDTO(e.Failure), Paused: e.Paused})
	}
}
