package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/outbox"
)

// An API sender (Postmark, Mailgun) plugs in through Deps.Transport and OneShot; the
// engine treats its outcomes as it treats SMTP's.
func TestAnAPISenderPlugsInThroughDepsTransport(t *testing.T) {
	errInactive := outbox.ErrRefused.New(fault.P{"host": "api.postmarkapp.test"}).WithDetail("406")
	errTimeout := errors.New("post https://api.postmarkapp.test/email: context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
	var mu sync.Mutex
	var requests []string
	var marked []bool
	var r *rig
	api := outbox.OneShot{
		Do: func(ctx context.Context, env outbox.Envelope) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			requests = append(requests, env.To[0])
			var m bool
			if err := r.db.R.QueryRow(`SELECT data_at IS NOT NULL FROM outbox WHERE message_id = ?`, env.MessageID).Scan(&m); err != nil {
				return "", err
			}
			marked = append(marked, m)
			switch env.To[0] {
			case "inactive@example.org":
				return "", errInactive
			case "slow@example.org":
				return "", errTimeout
			}
			return "0 OK, MessageID 4f6ba8c1-…", nil
		},
	}
	r = newRig(t, rigConfig{smtp: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.StartTLS, Username: user}, opts: fastOptions(),
		transport: func(context.Context, accounts.Account) (outbox.Transport, error) { return api, nil }})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ok := r.waitState(r.enqueue(message(t, "client@example.org", "ok")), outbox.Sent)
	refused := r.waitState(r.enqueue(message(t, "inactive@example.org", "refused")), outbox.Failed)
	unsure := r.waitState(r.enqueue(message(t, "slow@example.org", "unsure")), outbox.PossiblySent)
	// The unsure one failed with a plain error after the request had left: possibly sent.
	if !strings.HasPrefix(ok.Reply, "0 OK") || refused.Error.Detail != "406" || refused.Error.Reason != "smtp_message_refused" ||
		unsure.Error.Reason != "outbox_possibly_sent" {
		t.Fatalf("sent %q; refused %+v; unsure %+v", ok.Reply, refused.Error, unsure.Error)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requests) != 3 {
		t.Fatalf("%d requests (%v), want one per message and no resend of the unsure one", len(requests), requests)
	}
	for i, m := range marked {
		if !m {
			t.Fatalf("request %d (%s) left before the marker was committed", i, requests[i])
		}
	}
}
