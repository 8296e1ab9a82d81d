package setup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/outbox"
)

// testEmailLimits bound the test email's fields.
const (
	maxTestSubject = 200
	maxTestBody    = 10000
	outcomePoll    = 100 * time.Millisecond
)

// TestEmail is the wizard's test email.
type TestEmail struct {
	To, Subject, Body string
}

// TestEmailResult is how far the test email went within the wait.
type TestEmailResult struct {
	OutboxID  int64
	MessageID string
	State     outbox.State // sent, or still queued, sending, possibly sent
	// Answer is the server's answer when sent, else its last answer.
	Answer string
	// NextAttempt is when a queued test email is tried again (zero: not waiting).
	NextAttempt time.Time
}

// SendTestEmail sends a test email from an account through the outbox, like every message,
// queued by userID, and waits for the outcome, because the wizard shows it at once: sent,
// with the server's answer; refused, as an error with the server's own words (the message
// is then cancelled in the outbox: the wizard has reported it, and a test email is not
// worth a later retry); or, when the server has not settled it in time (a temporary
// refusal retried later, a slow server), queued or sending, for the Outbox to follow.
func (w *Wizard) SendTestEmail(ctx context.Context, accountID, userID int64, m TestEmail) (TestEmailResult, error) {
	a, err := w.d.Accounts.Get(ctx, accountID)
	if err != nil {
		return TestEmailResult{}, err
	}
	if len(m.Subject) > maxTestSubject || len(m.Body) > maxTestBody {
		return TestEmailResult{}, ErrTestEmailTooLong.Field("body", nil)
	}
	to := strings.TrimSpace(m.To)
	if to == "" {
		return TestEmailResult{}, ErrTestEmailNoRecipient.Field("to", nil)
	}
	env, err := outbox.Render(outbox.Compose{From: outbox.Address{Name: a.FromName, Email: a.Email},
		To: []outbox.Address{{Email: to}}, Subject: m.Subject, Text: m.Body})
	if err != nil { // an address that cannot be used: invalid_input on its field
		return TestEmailResult{}, err
	}
	env.QueuedBy = userID
	oid, err := w.d.Outbox.Enqueue(ctx, a.ID, env)
	if err != nil {
		return TestEmailResult{}, err
	}
	it, err := w.awaitOutcome(ctx, oid, w.opts.TestEmailWait)
	if err != nil {
		return TestEmailResult{}, err
	}
	res := TestEmailResult{OutboxID: oid, MessageID: env.MessageID, State: it.State}
	switch it.State {
	case outbox.Sent:
		res.Answer = it.Reply
	case outbox.Failed:
		if err := w.d.Outbox.Cancel(ctx, oid); err != nil {
			w.logger().Warn("outbox: cancel a refused test email", "id", oid, "err", err)
		}
		return TestEmailResult{}, refusal(it)
	default: // queued (waiting for a retry), sending, possibly sent: the Outbox follows it
		res.Answer = it.Error.Detail
		if it.State == outbox.Queued && it.NextAttempt.After(time.Now()) {
			res.NextAttempt = it.NextAttempt
		}
	}
	return res, nil
}

// awaitOutcome waits until the message is settled (sent, failed, possibly sent,
// cancelled), or wait has passed, and returns it as it then is.
func (w *Wizard) awaitOutcome(ctx context.Context, id int64, wait time.Duration) (outbox.Item, error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(outcomePoll)
	defer tick.Stop()
	for {
		it, err := w.d.Outbox.Get(ctx, id)
		if err != nil {
			return outbox.Item{}, err
		}
		switch it.State {
		case outbox.Sent, outbox.Failed, outbox.PossiblySent, outbox.Cancelled:
			return it, nil
		}
		select {
		case <-ctx.Done():
			return it, nil
		case <-deadline.C:
			return it, nil
		case <-tick.C:
		}
	}
}

// refusal is a failed test email as an error: the message's own failure as the outbox kept
// it (its reason and params, the server's own words), or, for a failure kept without a
// reason, ErrTestEmailRefused with the outbox's code (auth_failed, provider_rejected…).
func refusal(it outbox.Item) error {
	f := it.Error
	if f.Reason != "" && fault.Lookup(f.Reason) != nil {
		e := fault.Lookup(f.Reason).Wrap(fmt.Errorf("outbox %d: test email refused", it.ID), f.Params)
		if f.Code != "" {
			e.Code = f.Code
		}
		return e.WithClass(fault.Permanent).WithDetail(f.Detail)
	}
	e := ErrTestEmailRefused.Wrap(fmt.Errorf("outbox %d: %s", it.ID, f.Reason), nil)
	if f.Code != "" {
		e.Code = f.Code
	}
	return e.WithDetail(f.Detail)
}
