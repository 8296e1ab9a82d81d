package outbox

import (
	"context"
)

// Transport delivers messages for one account: SMTP (this package), or an API sender
// adapted with OneShot. The engine calls it from one goroutine at a time and keeps it
// between messages, so a transport may hold a connection open; Close ends it (the
// transport may be used again after: it reconnects).
//
// Errors are *fault.Error whose class says what the outbox does: temporary (try again
// later), permanent (the server refused: fail, with its words as the error's detail), or
// possibly sent (the server may have accepted the message: never resent without the
// user's word). ForAccount marks a failure of the account rather than of the message.
type Transport interface {
	// Send delivers env. Before the point after which the server may have accepted the
	// message — for SMTP the final dot, for an HTTP API the request — it calls commit, once,
	// which records that point durably; if commit fails, Send must stop short of that
	// point and return commit's error. Commit may run on another goroutine (SMTP runs it
	// while the server answers the commands), but Send returns only after it has
	// returned; once it has succeeded, an error that is not a *fault.Error counts as
	// possibly sent. The reply is the server's final answer, in its words
	// (e.g. "250 2.0.0 Ok: queued as 4Fx…").
	Send(ctx context.Context, env Envelope, commit func() error) (reply string, err error)
	Close() error
}

// OneShot adapts a sender that makes one request per message (Postmark's and Mailgun's
// HTTP APIs) to a Transport: it calls commit just before the request — once the request
// has left, the provider may have the message. Do's errors are classified by the
// provider (a rejected sender, a bad token, an inactive recipient are permanent; 429 and
// 5xx temporary; a timeout after the request was written possibly sent).
type OneShot struct {
	Do func(ctx context.Context, env Envelope) (reply string, err error)
}

// Send implements Transport.
func (o OneShot) Send(ctx context.Context, env Envelope, commit func() error) (string, error) {
	if err := commit(); err != nil {
		return "", err
	}
	return o.Do(ctx, env)
}

// Close implements Transport: a one-shot sender holds no connection.
func (OneShot) Close() error { return nil }
