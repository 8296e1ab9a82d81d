package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/outbox"
)

// gatedTransport accepts every message, and holds the first one until released.
type gatedTransport struct {
	started, release chan struct{}
	once             sync.Once
	mu               sync.Mutex
	sent             []string // Message-IDs, in order
}

func (g *gatedTransport) Send(ctx context.Context, env outbox.Envelope, commit func() error) (string, error) {
	g.once.Do(func() {
		close(g.started)
		<-g.release
	})
	if err := commit(); err != nil {
		return "", err
	}
	g.mu.Lock()
	g.sent = append(g.sent, env.MessageID)
	g.mu.Unlock()
	return "250 2.0.0 Ok", nil
}

func (g *gatedTransport) Close() error { return nil }

// The worker reads several due messages at a time: one cancelled, or put off, after that
// read and before its turn is not sent.
func TestAMessageCancelledOrPutOffAfterTheQueueWasReadIsNotSent(t *testing.T) {
	g := &gatedTransport{started: make(chan struct{}), release: make(chan struct{})}
	r := newRig(t, rigConfig{smtp: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.StartTLS, Username: user},
		opts: fastOptions(), transport: func(context.Context, accounts.Account) (outbox.Transport, error) {
			return g, nil
		}})
	envs := make([]outbox.Envelope, 8)
	for i := range envs {
		envs[i] = message(t, "client@example.org", "Facture "+string(rune('A'+i)))
	}
	ids, err := r.eng.EnqueueAll(ctx, r.accID, envs)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select { // the first is being sent: the others were read with it
	case <-g.started:
	case <-time.After(waitLong):
		t.Fatal("nothing sent")
	}
	cancelled, putOff := ids[2], ids[4]
	if err := r.eng.Cancel(ctx, cancelled); err != nil {
		t.Fatal(err)
	}
	mustExec(t, r.db.W, `UPDATE outbox SET next_attempt_at = ? WHERE id = ?`, time.Now().Add(time.Hour).UnixMilli(), putOff)
	close(g.release)
	for _, id := range ids {
		if id != cancelled && id != putOff {
			r.waitState(id, outbox.Sent)
		}
	}
	if it, err := r.eng.Get(ctx, putOff); err != nil || it.State != outbox.Queued {
		t.Fatalf("the message put off is %+v (%v); want queued", it, err)
	}
	if it, err := r.eng.Get(ctx, cancelled); err != nil || it.State == outbox.Sent {
		t.Fatalf("the cancelled message is %+v (%v)", it, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.sent) != len(ids)-2 {
		t.Fatalf("sent %d messages %v; want %d: not the cancelled one nor the one put off", len(g.sent), g.sent, len(ids)-2)
	}
}

// Sending wakes the copier only for messages that want a Sent copy: each wake costs it a
// read of the store, for nothing when none is wanted.
func TestTheCopierIsNotWokenForMessagesThatWantNoCopy(t *testing.T) {
	g := &gatedTransport{started: make(chan struct{}), release: make(chan struct{})}
	close(g.release)
	opts := fastOptions()
	opts.SentCopies = outbox.CopyNever
	r := newRig(t, rigConfig{smtp: accounts.Server{Host: "127.0.0.1", Port: 1, Security: accounts.StartTLS, Username: user},
		opts: opts, transport: func(context.Context, accounts.Account) (outbox.Transport, error) { return g, nil }})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r.waitState(r.enqueue(message(t, "client@example.org", "Première")), outbox.Sent)
	for deadline := time.Now().Add(waitLong); outbox.CopierReads(r.eng, r.accID) < 1; { // its read when it started
		if time.Now().After(deadline) {
			t.Fatal("the copier never looked for copies to make")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	before := outbox.CopierReads(r.eng, r.accID)
	envs := make([]outbox.Envelope, 20)
	for i := range envs {
		envs[i] = message(t, "client@example.org", fmt.Sprintf("Facture %d", i))
	}
	ids, err := r.eng.EnqueueAll(ctx, r.accID, envs)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		r.waitState(id, outbox.Sent)
	}
	time.Sleep(200 * time.Millisecond) // a copier woken has had the time to read
	if after := outbox.CopierReads(r.eng, r.accID); after != before {
		t.Fatalf("the copier read the store %d times, then %d while 20 messages wanting no copy were queued and sent; want no more", before, after)
	}
}
