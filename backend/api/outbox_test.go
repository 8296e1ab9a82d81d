package api

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/outbox"
)

// outboxAccount creates, as the admin, an account sending through smtpPort on loopback
// (port 9: nobody listens, its messages wait), granted to the admin only.
func outboxAccount(t *testing.T, h *harness, email string, smtpPort int) accounts.Account {
	t.Helper()
	acc, err := h.b.Accounts.CreateWith(context.Background(), h.users[admin], accounts.NewAccount{Name: email, Email: email,
		IMAP: accounts.Server{Host: "127.0.0.1", Port: 9, Security: accounts.TLS, Username: email},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: smtpPort, Security: accounts.StartTLS, Username: email}}, accounts.Secrets{Password: mailPass})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// waitState waits until the message reaches state, through the API as the current caller.
func waitState(t *testing.T, h *harness, id int64, state string) OutboxItemDTO {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		it, err := h.svcs.Outbox.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if it.State == state {
			return it
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d is %s (%+v), want %s", id, it.State, it.Error, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestACollaboratorSeesAndActsOnlyOnTheOutboxOfAccountsGrantedToThem(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	mine := outboxAccount(t, h, "shop@example.test", 9)
	other := outboxAccount(t, h, "other@example.test", 9)
	if err := h.svcs.Accounts.Grant(mine.ID, h.users[collab]); err != nil {
		t.Fatal(err)
	}
	// The collaborator queues a message from the account granted to them.
	h.as(t, collab)
	sent, err := h.svcs.Mail.Send(SendInput{AccountID: mine.ID, To: []AddressDTO{{Email: "client@example.test"}}, Subject: "Devis", Text: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	if sent.State != "queued" || sent.OutboxID == 0 || !strings.HasSuffix(sent.MessageID, "@example.test") {
		t.Fatalf("Send = %+v; want queued with an outbox id and a Message-ID in the sender's domain", sent)
	}
	// … and may not queue one from an account not granted to them.
	if _, err := h.svcs.Mail.Send(SendInput{AccountID: other.ID, To: []AddressDTO{{Email: "x@example.test"}}, Subject: "x"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("send from another's account: %v; want not_found", err)
	}
	// The admin queues one from the other account (not granted to the collaborator).
	h.as(t, admin)
	theirs, err := h.svcs.Mail.Send(SendInput{AccountID: other.ID, To: []AddressDTO{{Email: "y@example.test"}}, Subject: "Interne"})
	if err != nil {
		t.Fatal(err)
	}
	h.as(t, collab)
	page, err := h.svcs.Outbox.List(OutboxQueryDTO{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != sent.OutboxID || page.Items[0].Subject != "Devis" || page.Items[0].AccountName != mine.Name {
		t.Fatalf("the collaborator's outbox = %+v; want only their message", page.Items)
	}
	// The worker may already have taken it: queued or sending, both waiting for the server.
	if it := page.Items[0]; (it.State != "queued" && it.State != "sending") || len(it.To) != 1 || it.To[0] != "client@example.test" || it.CreatedAt == "" {
		t.Fatalf("item = %+v", it)
	}
	counts, err := h.svcs.Outbox.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if counts.Queued+counts.Sending != 1 {
		t.Fatalf("the collaborator's counts = %+v; want one message", counts)
	}
	if _, err := h.svcs.Outbox.List(OutboxQueryDTO{AccountID: other.ID}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("listing another's account: %v; want not_found", err)
	}
	if _, err := h.svcs.Outbox.SentLog(OutboxQueryDTO{AccountID: other.ID}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("the sent log of another's account: %v; want not_found", err)
	}
	// Another's message does not exist for them, whatever they try; a message that does not
	// exist at all reads the same.
	for name, try := range map[string]func(int64) error{
		"get":       func(id int64) error { _, err := h.svcs.Outbox.Get(id); return err },
		"retry":     h.svcs.Outbox.Retry,
		"cancel":    h.svcs.Outbox.Cancel,
		"mark sent": h.svcs.Outbox.MarkSent,
	} {
		errOther, errNone := try(theirs.OutboxID), try(999999)
		if !fault.Is(errOther, fault.NotFound) || !fault.Is(errNone, fault.NotFound) {
			t.Errorf("%s another's message: %v; a missing one: %v; want not_found for both", name, errOther, errNone)
		}
		// What the UI receives is the same.
		if other, none := FormatError(errOther), FormatError(errNone); !reflect.DeepEqual(other, none) {
			t.Errorf("%s: another's message (%+v) reads differently from a missing one (%+v)", name, other, none)
		}
	}
	h.as(t, admin)
	if it, err := h.svcs.Outbox.Get(theirs.OutboxID); err != nil || it.State == "cancelled" {
		t.Fatalf("the admin's message after the collaborator's attempts: %+v, %v", it, err)
	}
	// Revoked, the collaborator no longer sees their own queued message either.
	if err := h.svcs.Accounts.Revoke(mine.ID, h.users[collab]); err != nil {
		t.Fatal(err)
	}
	h.as(t, collab)
	if page, err := h.svcs.Outbox.List(OutboxQueryDTO{}); err != nil || len(page.Items) != 0 {
		t.Fatalf("after revoke: %+v, %v", page.Items, err)
	}
	if err := h.svcs.Outbox.Cancel(sent.OutboxID); !fault.Is(err, fault.NotFound) {
		t.Fatalf("cancel after revoke: %v; want not_found", err)
	}
}

func TestOutboxQueriesAreChecked(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	acc := outboxAccount(t, h, "shop@example.test", 9)
	for i := range 3 {
		if _, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: []AddressDTO{{Email: "c@example.test"}}, Subject: fmt.Sprint("m", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.svcs.Outbox.List(OutboxQueryDTO{States: []string{"lost"}}); !fault.Is(err, fault.InvalidInput) {
		t.Fatalf("an unknown state: %v; want invalid_input", err)
	}
	if _, err := h.svcs.Outbox.List(OutboxQueryDTO{Cursor: "x"}); !fault.Is(err, fault.InvalidInput) {
		t.Fatalf("a broken cursor: %v; want invalid_input", err)
	}
	// Keyset pages: newest first, two then one.
	p1, err := h.svcs.Outbox.List(OutboxQueryDTO{Limit: 2})
	if err != nil || len(p1.Items) != 2 || p1.Next == "" || p1.Items[0].Subject != "m2" {
		t.Fatalf("first page = %+v, %v", p1, err)
	}
	p2, err := h.svcs.Outbox.List(OutboxQueryDTO{Limit: 2, Cursor: p1.Next})
	if err != nil || len(p2.Items) != 1 || p2.Next != "" || p2.Items[0].Subject != "m0" {
		t.Fatalf("second page = %+v, %v", p2, err)
	}
	if p, err := h.svcs.Outbox.List(OutboxQueryDTO{States: []string{"failed"}}); err != nil || len(p.Items) != 0 {
		t.Fatalf("failed messages: %+v, %v; want none", p.Items, err)
	}
	// The composer's refusals come before anything is queued.
	if _, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, Subject: "nobody"}); !fault.Is(err, fault.InvalidInput) {
		t.Fatalf("no recipient: %v", err)
	}
	if _, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: []AddressDTO{{Email: "not an address"}}}); !fault.Is(err, fault.InvalidInput) {
		t.Fatalf("a broken address: %v", err)
	}
}

// TestRetryCancelAndMarkSentFollowTheStateRules drives messages through an in-process SMTP
// server that refuses one recipient for good, through the API, as the Outbox screen does.
func TestRetryCancelAndMarkSentFollowTheStateRules(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	var events []OutboxEventDTO
	evCh := make(chan OutboxEventDTO, 256)
	h.b.Emit = func(name string, data any) {
		if name == OutboxChangedEvent {
			evCh <- data.(OutboxEventDTO)
		}
	}
	ca := testcert.NewCA(t)
	srv := testsmtp.Start(t, testsmtp.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(), Users: map[string]string{mailUser: mailPass},
		RcptError: func(_ int, rcpt string) error {
			if strings.HasPrefix(rcpt, "gone@") {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + rcpt + ">: Recipient address rejected: User unknown"}
			}
			return nil
		}})
	h.b.Dialer.RootCAs = ca.Pool()
	acc := outboxAccount(t, h, mailUser, srv.Port)

	ok, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: []AddressDTO{{Name: "Client", Email: "client@example.test"}}, Subject: "Facture", Text: "Ci-joint."})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: []AddressDTO{{Email: "gone@example.test"}}, Subject: "Relance", Text: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	sent := waitState(t, h, ok.OutboxID, "sent")
	if sent.Reply == "" || sent.SentAt == "" || sent.MessageID != ok.MessageID {
		t.Fatalf("sent = %+v; want the server's answer and the time", sent)
	}
	failed := waitState(t, h, bad.OutboxID, "failed")
	if failed.Error == nil || !strings.Contains(failed.Error.Detail, "550") || !strings.Contains(failed.Error.Detail, "gone@example.test") ||
		failed.Error.Reason != "smtp_recipient_refused" || failed.Attempts < 1 {
		t.Fatalf("failed = %+v; want the server's own words, a code and the attempt", failed)
	}

	// The rules: a sent message cannot be retried, cancelled or marked sent; a failed one
	// cannot be marked sent (only a possibly sent one can).
	for name, err := range map[string]error{
		"retry sent":       h.svcs.Outbox.Retry(ok.OutboxID),
		"cancel sent":      h.svcs.Outbox.Cancel(ok.OutboxID),
		"mark sent sent":   h.svcs.Outbox.MarkSent(ok.OutboxID),
		"mark sent failed": h.svcs.Outbox.MarkSent(bad.OutboxID),
	} {
		if !fault.Is(err, fault.Conflict) {
			t.Errorf("%s: %v; want conflict", name, err)
		}
	}
	// Retried, the refused message fails again, in the server's words, its attempts started over.
	if err := h.svcs.Outbox.Retry(bad.OutboxID); err != nil {
		t.Fatal(err)
	}
	again := waitState(t, h, bad.OutboxID, "failed")
	if again.Attempts != 1 || again.Error == nil || !strings.Contains(again.Error.Detail, "User unknown") {
		t.Fatalf("after retry = %+v", again)
	}
	// Cancelled, it stays in the outbox as cancelled, and cannot be cancelled twice.
	if err := h.svcs.Outbox.Cancel(bad.OutboxID); err != nil {
		t.Fatal(err)
	}
	if it, _ := h.svcs.Outbox.Get(bad.OutboxID); it.State != "cancelled" {
		t.Fatalf("after cancel: %+v", it)
	}
	if err := h.svcs.Outbox.Cancel(bad.OutboxID); !fault.Is(err, fault.Conflict) {
		t.Fatalf("cancel twice: %v; want conflict", err)
	}

	// A possibly sent message (the engine's tests make real ones; here the row is set so)
	// can be marked sent: it joins the sent log.
	maybe, err := h.svcs.Mail.Send(SendInput{AccountID: acc.ID, To: []AddressDTO{{Email: "client@example.test"}}, Subject: "Peut-être"})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, h, maybe.OutboxID, "sent")
	if _, err := h.b.DB.W.Exec(`UPDATE outbox SET state = 'possibly_sent', sent_at = NULL, reply = '' WHERE id = ?`, maybe.OutboxID); err != nil {
		t.Fatal(err)
	}
	if err := h.svcs.Outbox.MarkSent(maybe.OutboxID); err != nil {
		t.Fatal(err)
	}
	log, err := h.svcs.Outbox.SentLog(OutboxQueryDTO{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Items) != 2 || log.Items[0].ID != maybe.OutboxID || log.Items[1].ID != ok.OutboxID {
		t.Fatalf("sent log = %+v; want the marked message, then the first", log.Items)
	}
	if c, _ := h.svcs.Outbox.Counts(); c.Sent != 2 || c.Cancelled != 1 || c.Failed != 0 {
		t.Fatalf("counts = %+v", c)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("the server received %d messages; want 2 (a refused recipient gets nothing)", n)
	}

	// Every change reached the UI as outbox:changed, the failure with its code.
	deadline := time.After(2 * time.Second)
	for sawFailed, sawSent := false, false; !sawFailed || !sawSent; {
		select {
		case e := <-evCh:
			events = append(events, e)
			sawFailed = sawFailed || (e.Kind == string(outbox.KindItem) && e.ItemID == bad.OutboxID && e.State == "failed" && e.Failure != nil && e.Failure.Reason != "")
			sawSent = sawSent || (e.Kind == string(outbox.KindItem) && e.ItemID == ok.OutboxID && e.State == "sent")
		case <-deadline:
			t.Fatalf("events = %+v; want the failure and the sent message", events)
		}
	}
}
