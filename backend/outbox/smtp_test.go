package outbox_test

// The SMTP dialogue against go-smtp's server in-process, with scripted answers and cuts:
// what each failure does to a message, where in the dialogue it happens.

import (
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/outbox"
)

func smtpErr(code int, enh smtp.EnhancedCode, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
}

func TestSendsAndRecordsTheServersAnswer(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{})
	r := smtpRig(t, srv, fastOptions())
	env := message(t, "client@example.org", "Facture 2024-117")
	env.QueuedBy = 0
	id := r.enqueue(env)
	it := r.waitState(id, outbox.Sent)
	if !strings.HasPrefix(it.Reply, "250") || it.SentAt.IsZero() || it.Attempts != 1 || it.Copy != outbox.CopyNone {
		t.Fatalf("sent item = %+v", it)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].From != user || !slices.Equal(got[0].To, []string{"client@example.org"}) || got[0].User != user {
		t.Fatalf("received %+v", got)
	}
	if mid := messageIDOf(got[0].Data); mid != it.MessageID || mid != env.MessageID {
		t.Fatalf("received Message-ID %q, stored %q, rendered %q", mid, it.MessageID, env.MessageID)
	}
	if states := r.itemStates(id); !slices.Equal(states, []outbox.State{outbox.Queued, outbox.Sending, outbox.Sent}) {
		t.Fatalf("events %v", states)
	}
}

func TestTransientAnswersAreRetriedUntilSent(t *testing.T) {
	cases := []struct {
		name  string
		opts  testsmtp.Options
		reply string
	}{
		{"451 after the final dot", testsmtp.Options{DataError: func(n int) error {
			if n == 1 {
				return smtpErr(451, smtp.EnhancedCode{4, 3, 0}, "Temporary local problem, try again")
			}
			return nil
		}}, "451 4.3.0 Temporary local problem"},
		{"421 at MAIL FROM", testsmtp.Options{MailError: func(n int) error {
			if n == 1 {
				return smtpErr(421, smtp.EnhancedCode{4, 7, 0}, "Too many messages, slow down")
			}
			return nil
		}}, "421 4.7.0 Too many messages"},
		{"450 at RCPT TO", testsmtp.Options{RcptError: func(n int, _ string) error {
			if n == 1 {
				return smtpErr(450, smtp.EnhancedCode{4, 2, 0}, "Mailbox busy")
			}
			return nil
		}}, "450 4.2.0 Mailbox busy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, tc.opts)
			r := smtpRig(t, srv, fastOptions())
			id := r.enqueue(message(t, "client@example.org", tc.name))
			it := r.waitState(id, outbox.Sent)
			if it.Attempts != 2 || !it.Error.IsZero() || it.Error.Detail != "" {
				t.Fatalf("sent after %d attempts, error %+v; want 2 attempts and the error cleared", it.Attempts, it.Error)
			}
			if n := len(srv.Messages()); n != 1 {
				t.Fatalf("server kept %d messages, want 1", n)
			}
			var sawRetry bool
			r.mu.Lock()
			for _, ev := range r.events {
				if ev.Kind == outbox.KindItem && ev.ItemID == id && ev.State == outbox.Queued && strings.Contains(ev.Failure.Detail, tc.reply) {
					sawRetry = true
				}
			}
			r.mu.Unlock()
			if !sawRetry {
				t.Fatalf("no 'queued again' event quoting %q", tc.reply)
			}
		})
	}
}

func TestPermanentRefusalsFailWithTheServersWords(t *testing.T) {
	cases := []struct {
		name   string
		opts   testsmtp.Options
		reason string
		words  string
	}{
		{"554 after the final dot", testsmtp.Options{DataError: func(n int) error {
			if n == 1 {
				return smtpErr(554, smtp.EnhancedCode{5, 7, 1}, "Message rejected: looks like spam")
			}
			return nil
		}}, "smtp_message_refused", "554 5.7.1 Message rejected: looks like spam"},
		{"550 at RCPT TO", testsmtp.Options{RcptError: func(_ int, rcpt string) error {
			if strings.HasPrefix(rcpt, "nobody") {
				return smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "Recipient address rejected: User unknown")
			}
			return nil
		}}, "smtp_recipient_refused", "550 5.1.1 Recipient address rejected: User unknown"},
		{"553 at MAIL FROM", testsmtp.Options{MailError: func(n int) error {
			if n == 1 {
				return smtpErr(553, smtp.EnhancedCode{5, 7, 1}, "Sender address rejected: not owned by user")
			}
			return nil
		}}, "smtp_sender_refused", "553 5.7.1 Sender address rejected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, tc.opts)
			r := smtpRig(t, srv, fastOptions())
			env := message(t, "nobody@example.org", tc.name)
			id := r.enqueue(env)
			it := r.waitState(id, outbox.Failed)
			if it.Error.Code != fault.ProviderRejected || it.Error.Reason != tc.reason ||
				!strings.Contains(it.Error.Detail, tc.words) || it.Error.Params["host"] != "127.0.0.1" {
				t.Fatalf("failed item: %+v; want %s with the server's words %q", it.Error, tc.reason, tc.words)
			}
			time.Sleep(300 * time.Millisecond) // several retry periods: a refused message stays refused
			if it := r.waitState(id, outbox.Failed); it.Attempts != 1 {
				t.Fatalf("a refused message was tried %d times", it.Attempts)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Fatalf("server kept %d messages", n)
			}
			// The connection stays good for the next message (RSET after a refusal).
			r.waitState(r.enqueue(message(t, "client@example.org", "next")), outbox.Sent)
			if c := srv.Connections(); c != 1 {
				t.Fatalf("%d connections, want the first one reused", c)
			}
		})
	}
}

func TestAConnectionDroppedBeforeTheFinalDotIsRetried(t *testing.T) {
	for _, step := range []testsmtp.Step{testsmtp.StepMail, testsmtp.StepRcpt} {
		t.Run(string(step), func(t *testing.T) {
			srv := startSMTP(t, testsmtp.Options{Drop: func(s testsmtp.Step, n int) bool { return s == step && n == 1 }})
			r := smtpRig(t, srv, fastOptions())
			id := r.enqueue(message(t, "client@example.org", "dropped at "+string(step)))
			it := r.waitState(id, outbox.Sent)
			if it.Attempts != 2 {
				t.Fatalf("sent after %d attempts, want 2", it.Attempts)
			}
			if n, c := len(srv.Messages()), srv.Connections(); n != 1 || c != 2 {
				t.Fatalf("server: %d messages over %d connections, want 1 over 2", n, c)
			}
		})
	}
}

func TestAConnectionDroppedAfterTheFinalDotIsPossiblySentAndNotResent(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{Drop: func(s testsmtp.Step, n int) bool { return s == testsmtp.StepData && n == 1 }})
	r := smtpRig(t, srv, fastOptions())
	id := r.enqueue(message(t, "client@example.org", "Possibly sent"))
	it := r.waitState(id, outbox.PossiblySent)
	if !outbox.ErrPossiblySent.Is(&fault.Error{Reason: it.Error.Reason}) || it.Error.Code != fault.Network {
		t.Fatalf("possibly sent item: %+v", it.Error)
	}
	// Well past several retry periods, with other mail flowing: never sent again by itself.
	other := r.enqueue(message(t, "client@example.org", "Other"))
	r.waitState(other, outbox.Sent)
	time.Sleep(400 * time.Millisecond)
	if it := r.waitState(id, outbox.PossiblySent); it.Attempts != 1 {
		t.Fatalf("attempts = %d", it.Attempts)
	}
	count := func(mid string) (n int) {
		for _, m := range srv.Messages() {
			if messageIDOf(m.Data) == mid {
				n++
			}
		}
		return n
	}
	if n := count(it.MessageID); n != 1 {
		t.Fatalf("the server received the message %d times, want 1", n)
	}

	t.Run("the user marks it sent", func(t *testing.T) {
		if err := r.eng.MarkSent(ctx, id); err != nil {
			t.Fatal(err)
		}
		if it := r.waitState(id, outbox.Sent); it.SentAt.IsZero() {
			t.Fatalf("marked sent without a time: %+v", it)
		}
		if err := r.eng.MarkSent(ctx, id); !fault.Is(err, fault.Conflict) {
			t.Fatalf("marking a sent message sent again: %v, want conflict", err)
		}
	})
	t.Run("the user retries another one", func(t *testing.T) {
		srv2 := startSMTP(t, testsmtp.Options{Drop: func(s testsmtp.Step, n int) bool { return s == testsmtp.StepData && n == 1 }})
		r2 := smtpRig(t, srv2, fastOptions())
		id := r2.enqueue(message(t, "client@example.org", "Retried"))
		r2.waitState(id, outbox.PossiblySent)
		if err := r2.eng.Retry(ctx, id); err != nil {
			t.Fatal(err)
		}
		it := r2.waitState(id, outbox.Sent)
		if n := len(srv2.Messages()); n != 2 || it.Attempts != 1 {
			t.Fatalf("after the user's retry: %d received (want 2: the user chose to resend), attempts %d", n, it.Attempts)
		}
	})
}

func TestMicrosoftSMTPAuthDisabledIsItsOwnErrorAndPausesTheAccount(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{AuthError: smtpErr(535, smtp.EnhancedCode{5, 7, 139},
		"Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")})
	r := smtpRig(t, srv, fastOptions())
	first := r.enqueue(message(t, "client@example.org", "First"))
	it := r.waitState(first, outbox.Failed)
	// Its reason is connect's (which the UI words with the way out: an API sender).
	if it.Error.Code != fault.ProviderRejected || !strings.Contains(it.Error.Detail, "5.7.139") {
		t.Fatalf("failed item: %+v; want the server's words", it.Error)
	}
	// The account is paused: the next message waits instead of hammering the login.
	second := r.enqueue(message(t, "client@example.org", "Second"))
	conns := srv.Connections()
	time.Sleep(300 * time.Millisecond)
	if it, _ := r.eng.Get(ctx, second); it.State != outbox.Queued || srv.Connections() != conns {
		t.Fatalf("second message %s, connections %d → %d: the paused account kept trying", it.State, conns, srv.Connections())
	}
	var told bool
	r.mu.Lock()
	for _, ev := range r.events {
		told = told || ev.Kind == outbox.KindAccount && ev.Paused && ev.Failure.Code == fault.ProviderRejected
	}
	r.mu.Unlock()
	if !told {
		t.Fatal("no account event with the 5.7.139 reason")
	}
	// The user retries: one more try (still refused here).
	if err := r.eng.Retry(ctx, first); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitLong)
	for srv.Connections() == conns {
		if time.Now().After(deadline) {
			t.Fatal("Retry did not make the paused account try again")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOneConnectionCarriesManyMessages(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{})
	r := smtpRig(t, srv, fastOptions())
	const n = 25
	var envs []outbox.Envelope
	for i := range n {
		envs = append(envs, message(t, fmt.Sprintf("client-%d@example.org", i), fmt.Sprintf("Relevé n°%d", i)))
	}
	ids, err := r.eng.EnqueueAll(ctx, r.accID, envs)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		r.waitState(id, outbox.Sent)
	}
	if got, c := len(srv.Messages()), srv.Connections(); got != n || c != 1 {
		t.Fatalf("server: %d messages over %d connections, want %d over 1", got, c, n)
	}
	// In queue order.
	for i, m := range srv.Messages() {
		if want := fmt.Sprintf("client-%d@example.org", i); m.To[0] != want {
			t.Fatalf("message %d went to %s, want %s (queue order)", i, m.To[0], want)
		}
	}
}

func TestAnIdleConnectionIsClosedAndOneDroppedByTheServerIsDialledAgain(t *testing.T) {
	t.Run("closed by us after IdleClose", func(t *testing.T) {
		srv := startSMTP(t, testsmtp.Options{})
		opts := fastOptions()
		opts.IdleClose = 100 * time.Millisecond
		r := smtpRig(t, srv, opts)
		r.waitState(r.enqueue(message(t, "a@example.org", "one")), outbox.Sent)
		time.Sleep(400 * time.Millisecond)
		it := r.waitState(r.enqueue(message(t, "a@example.org", "two")), outbox.Sent)
		if c := srv.Connections(); c != 2 || it.Attempts != 1 {
			t.Fatalf("%d connections, attempts %d; want 2 connections and no failed attempt", c, it.Attempts)
		}
	})
	t.Run("dropped by the server while idle", func(t *testing.T) {
		srv := startSMTP(t, testsmtp.Options{ReadTimeout: 200 * time.Millisecond})
		r := smtpRig(t, srv, fastOptions()) // IdleClose 5 s: the server closes first
		r.waitState(r.enqueue(message(t, "a@example.org", "one")), outbox.Sent)
		time.Sleep(500 * time.Millisecond)
		it := r.waitState(r.enqueue(message(t, "a@example.org", "two")), outbox.Sent)
		if c := srv.Connections(); c != 2 || it.Attempts != 1 {
			t.Fatalf("%d connections, attempts %d; want a second connection and no failed attempt", c, it.Attempts)
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	var tries atomic.Int32
	srv := startSMTP(t, testsmtp.Options{DataError: func(int) error {
		tries.Add(1)
		return smtpErr(452, smtp.EnhancedCode{4, 3, 1}, "Insufficient system storage")
	}})
	opts := fastOptions()
	opts.MaxAttempts = 3
	r := smtpRig(t, srv, opts)
	id := r.enqueue(message(t, "client@example.org", "Never"))
	it := r.waitState(id, outbox.Failed)
	if it.Error.Reason != "outbox_gave_up" || it.Attempts != 3 || tries.Load() != 3 || it.Error.Params["attempts"] != 3.0 ||
		!strings.Contains(it.Error.Detail, "452 4.3.1 Insufficient system storage") {
		t.Fatalf("item: %+v attempts %d (server saw %d)", it.Error, it.Attempts, tries.Load())
	}
}

func TestAServerThatCannotBeReachedDoesNotUseUpAttempts(t *testing.T) {
	closed := startSMTP(t, testsmtp.Options{}).server()
	closed.Port = 1 // nothing listens there: connection refused
	opts := fastOptions()
	opts.MaxAttempts = 2
	r := newRig(t, rigConfig{smtp: closed, opts: opts})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	id := r.enqueue(message(t, "client@example.org", "Offline"))
	time.Sleep(600 * time.Millisecond) // many connection attempts
	it, err := r.eng.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if it.State != outbox.Queued || it.Attempts != 0 || it.Error.Code != fault.Network {
		t.Fatalf("while the server is unreachable: %s, %d attempts, code %q; want queued, 0, network", it.State, it.Attempts, it.Error.Code)
	}
}

func TestStopDuringTheFinalAnswerLeavesTheMessagePossiblySentAndNoGoroutine(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{DataDelay: time.Second})
	base := runtime.NumGoroutine()
	r := newRig(t, rigConfig{smtp: srv.server(), dialer: dialerFor(srv), opts: fastOptions()})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	id := r.enqueue(message(t, "client@example.org", "Slow"))
	deadline := time.Now().Add(waitLong)
	for len(srv.Messages()) == 0 && !dataMarked(t, r, id) {
		if time.Now().After(deadline) {
			t.Fatal("the message never reached its final dot")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.eng.Stop()
	it, err := r.eng.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if it.State != outbox.PossiblySent {
		t.Fatalf("after Stop during the final answer: %s, want possibly_sent", it.State)
	}
	r.db.Close()
	settleGoroutines(t, base)
}

func TestCancelRetryAndMarkSentOnlyWhereTheyMakeSense(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{})
	r := newRig(t, rigConfig{smtp: srv.server(), dialer: dialerFor(srv), opts: fastOptions()}) // not started: messages wait
	queued := r.enqueue(message(t, "a@example.org", "queued"))
	cancelled := r.enqueue(message(t, "a@example.org", "to cancel"))
	if err := r.eng.Cancel(ctx, cancelled); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		do   func(int64) error
		id   int64
		code fault.Code
	}{
		{"mark a queued message sent", func(id int64) error { return r.eng.MarkSent(ctx, id) }, queued, fault.Conflict},
		{"retry a cancelled message", func(id int64) error { return r.eng.Retry(ctx, id) }, cancelled, fault.Conflict},
		{"cancel a cancelled message", func(id int64) error { return r.eng.Cancel(ctx, id) }, cancelled, fault.Conflict},
		{"retry a message that does not exist", func(id int64) error { return r.eng.Retry(ctx, id) }, 999999, fault.NotFound},
	} {
		if err := tc.do(tc.id); !fault.Is(err, tc.code) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r.waitState(queued, outbox.Sent)
	if fe, _ := fault.As(r.eng.Cancel(ctx, queued)); fe == nil || !outbox.ErrCannotCancel.Is(fe) || fe.Params["state"] != "sent" {
		t.Fatalf("cancel a sent message: %v", fe)
	}
	if it, _ := r.eng.Get(ctx, cancelled); it.State != outbox.Cancelled {
		t.Fatalf("cancelled message is %s", it.State)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("server received %d messages, want only the queued one", n)
	}
}

func dataMarked(t testing.TB, r *rig, id int64) bool {
	var marked bool
	if err := r.db.R.QueryRow(`SELECT data_at IS NOT NULL FROM outbox WHERE id = ?`, id).Scan(&marked); err != nil {
		t.Fatal(err)
	}
	return marked
}

func dialerFor(srv smtpServer) *connect.Dialer {
	return &connect.Dialer{RootCAs: srv.ca.Pool(), Timeout: 5 * time.Second}
}

func TestAnAccountThatCannotConnectSaysSoAndSaysWhenItWorksAgain(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{})
	var dials atomic.Int32
	d := dialerFor(srv)
	d.WrapConn = func(c net.Conn) net.Conn {
		if dials.Add(1) <= 2 { // the first two connections are cut before the greeting
			c.Close()
		}
		return c
	}
	r := newRig(t, rigConfig{smtp: srv.server(), dialer: d, opts: fastOptions()})
	if err := r.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	it := r.waitState(r.enqueue(message(t, "client@example.org", "after two cuts")), outbox.Sent)
	if it.Attempts != 1 {
		t.Fatalf("attempts = %d: failures to connect were counted against the message", it.Attempts)
	}
	var account []outbox.Event
	r.mu.Lock()
	for _, ev := range r.events {
		if ev.Kind == outbox.KindAccount {
			account = append(account, ev)
		}
	}
	r.mu.Unlock()
	if len(account) != 3 || account[0].Failure.Code != fault.Network || account[0].Paused ||
		!account[2].Failure.IsZero() {
		t.Fatalf("account events %+v; want two problems (network) then one all-clear", account)
	}
}

// With PIPELINING, DATA is sent before the answers to RCPT TO are read: when one recipient
// of two is refused, the server has said 354 and waits for a body. The message must fail
// with the server's words, the server must keep nothing (no final dot: the connection is
// cut), and the next message goes out on a new connection.
func TestARefusedRecipientAmongOthersSendsNoBody(t *testing.T) {
	srv := startSMTP(t, testsmtp.Options{RcptError: func(_ int, rcpt string) error {
		if strings.HasPrefix(rcpt, "nobody") {
			return smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "Recipient address rejected: User unknown")
		}
		return nil
	}})
	r := smtpRig(t, srv, fastOptions())
	env, err := outbox.Render(outbox.Compose{
		From:    outbox.Address{Name: "Sender", Email: user},
		To:      []outbox.Address{{Email: "client@example.org"}, {Email: "nobody@example.org"}},
		Subject: "Two recipients", Text: "Bonjour,\n"})
	if err != nil {
		t.Fatal(err)
	}
	it := r.waitState(r.enqueue(env), outbox.Failed)
	if it.Error.Reason != "smtp_recipient_refused" || it.Error.Params["recipients"] != "nobody@example.org" ||
		!strings.Contains(it.Error.Detail, "550 5.1.1") || !strings.Contains(it.Error.Detail, "nobody@example.org") {
		t.Fatalf("failed item: %+v", it.Error)
	}
	r.waitState(r.enqueue(message(t, "client@example.org", "next")), outbox.Sent)
	msgs := srv.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Subject: next") {
		t.Fatalf("server kept %d messages, want only the next one", len(msgs))
	}
	if c := srv.Connections(); c != 2 {
		t.Fatalf("%d connections, want 2 (the first cut before a body)", c)
	}
}
