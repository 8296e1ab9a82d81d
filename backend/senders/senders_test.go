package senders_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testpostmark"
	"mailroom/backend/outbox"
	"mailroom/backend/probe"
	"mailroom/backend/senders"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

const (
	pmToken = "pm-token-5c1d7f0e-2a9b-4c3d-8e6f-71a2b3c4d5e6"
	mgKey   = "key-0123456789abcdef0123456789abcdef"
)

type rig struct {
	t   *testing.T
	db  *store.DB
	v   *vault.Memory
	reg *accounts.Registry
	pm  *testpostmark.Server
	mg  *mailgunFake
	f   *senders.Factory
}

func newRig(t *testing.T) *rig {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	v := vault.NewMemory()
	r := &rig{t: t, db: db, v: v, reg: accounts.New(db, v), pm: testpostmark.Start(t, pmToken), mg: newMailgunFake(t, mgKey)}
	r.f = senders.New(r.reg, senders.Options{PostmarkURL: r.pm.URL, MailgunURL: r.mg.URL})
	return r
}

func (r *rig) account(in accounts.NewAccount, sec accounts.Secrets) accounts.Account {
	r.t.Helper()
	acc, err := r.reg.CreateWith(context.Background(), 0, in, sec)
	if err != nil {
		r.t.Fatal(err)
	}
	return acc
}

func postmarkAccount(email string) accounts.NewAccount {
	return accounts.NewAccount{Name: "Receipts", Email: email, Sender: accounts.Sender{Kind: accounts.Postmark}}
}

func mailgunAccount(email, domain string) accounts.NewAccount {
	return accounts.NewAccount{Name: "News", Email: email, Sender: accounts.Sender{Kind: accounts.Mailgun, Domain: domain, Region: "eu"}}
}

func render(t *testing.T, from string) outbox.Envelope {
	t.Helper()
	env, err := outbox.Render(outbox.Compose{
		From:    outbox.Address{Name: "Shop", Email: from},
		To:      []outbox.Address{{Email: "ada@client.test"}},
		Cc:      []outbox.Address{{Email: "grace@client.test"}},
		Bcc:     []outbox.Address{{Email: "archive@shop.test"}},
		Subject: "Votre facture",
		Text:    "Bonjour, voici votre facture.",
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestTransportIsNilForAnSMTPAccount(t *testing.T) {
	r := newRig(t)
	acc := r.account(accounts.NewAccount{Email: "a@shop.test",
		IMAP: accounts.Server{Host: "imap.shop.test", Port: 993, Security: accounts.TLS, Username: "a"},
		SMTP: accounts.Server{Host: "smtp.shop.test", Port: 465, Security: accounts.TLS, Username: "a"}},
		accounts.Secrets{Password: "pw"})
	tr, err := r.f.Transport(context.Background(), acc)
	if err != nil || tr != nil {
		t.Fatalf("Transport = %v, %v; want nil (the outbox's SMTP)", tr, err)
	}
}

func TestPostmarkTransportSendsBccRecipientsAndCommitsFirst(t *testing.T) {
	r := newRig(t)
	r.pm.AddSignature("shop.test", true)
	in := postmarkAccount("hello@shop.test")
	in.Sender.Stream = "billing"
	acc := r.account(in, accounts.Secrets{Sender: pmToken})
	tr, err := r.f.Transport(context.Background(), acc)
	if err != nil || tr == nil {
		t.Fatalf("Transport = %v, %v", tr, err)
	}
	env := render(t, "hello@shop.test")
	committed := false
	reply, err := tr.Send(context.Background(), env, func() error {
		if len(r.pm.Messages()) != 0 {
			t.Error("the request left before commit")
		}
		committed = true
		return nil
	})
	if err != nil || !committed {
		t.Fatalf("Send = %q, %v (committed %v)", reply, err, committed)
	}
	if !strings.Contains(reply, "Postmark accepted") || !strings.Contains(reply, "0a129aee") {
		t.Errorf("reply = %q; want Postmark's MessageID", reply)
	}
	got := r.pm.Messages()
	if len(got) != 1 {
		t.Fatalf("Postmark received %d messages", len(got))
	}
	e := got[0]
	if e.To != "ada@client.test" || e.Cc != "grace@client.test" || e.Bcc != "archive@shop.test" || e.MessageStream != "billing" {
		t.Errorf("Postmark got To %q Cc %q Bcc %q stream %q; want the Bcc recipient from the envelope and the account's stream",
			e.To, e.Cc, e.Bcc, e.MessageStream)
	}
}

func TestPostmarkTransportDoesNotSendWhenCommitFails(t *testing.T) {
	r := newRig(t)
	r.pm.AddSignature("shop.test", true)
	acc := r.account(postmarkAccount("hello@shop.test"), accounts.Secrets{Sender: pmToken})
	tr, _ := r.f.Transport(context.Background(), acc)
	boom := errors.New("disk full")
	if _, err := tr.Send(context.Background(), render(t, "hello@shop.test"), func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Send = %v; want commit's error", err)
	}
	if n := len(r.pm.Messages()); n != 0 {
		t.Fatalf("Postmark received %d messages although the commit failed", n)
	}
}

func TestMailgunTransportSendsTheEnvelopeWithoutBcc(t *testing.T) {
	r := newRig(t)
	r.mg.domains["mg.shop.test"] = "active"
	acc := r.account(mailgunAccount("news@shop.test", "mg.shop.test"), accounts.Secrets{Sender: mgKey})
	tr, err := r.f.Transport(context.Background(), acc)
	if err != nil || tr == nil {
		t.Fatalf("Transport = %v, %v", tr, err)
	}
	reply, err := tr.Send(context.Background(), render(t, "news@shop.test"), func() error { return nil })
	if err != nil || !strings.Contains(reply, "Mailgun accepted") {
		t.Fatalf("Send = %q, %v", reply, err)
	}
	got := r.mg.sent()
	if len(got) != 1 {
		t.Fatalf("Mailgun received %d messages", len(got))
	}
	want := []string{"ada@client.test", "grace@client.test", "archive@shop.test"}
	slices.Sort(want)
	to := slices.Clone(got[0].To)
	slices.Sort(to)
	if !slices.Equal(to, want) || got[0].Domain != "mg.shop.test" {
		t.Errorf("Mailgun got to=%v on %q; want %v on mg.shop.test", got[0].To, got[0].Domain, want)
	}
	if strings.Contains(strings.ToLower(got[0].Message), "archive@shop.test") {
		t.Error("the Bcc recipient is in the MIME every recipient receives")
	}
}

func TestTransportWithoutItsSecretFails(t *testing.T) {
	r := newRig(t)
	acc := r.account(postmarkAccount("hello@shop.test"), accounts.Secrets{Sender: pmToken})
	for _, k := range r.v.Keys() {
		if err := r.v.Delete(k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.f.Transport(context.Background(), acc); !fault.Is(err, fault.AuthFailed) {
		t.Fatalf("Transport without a token = %v; want auth_failed", err)
	}
}

var errTestRefused = fault.Define("senders_test_refused", fault.ProviderRejected, "refused")

func TestClassifyMarksTheFailuresOfTheAccount(t *testing.T) {
	perm := func(code fault.Code, field string) error {
		return &fault.Error{Code: code, Reason: "senders_test_refused", Field: field, Class: fault.Permanent, Detail: "HTTP 422, ErrorCode 406: inactive"}
	}
	cases := []struct {
		name    string
		err     error
		class   fault.Class
		account bool
	}{
		{"an inactive recipient fails the message only", perm(fault.ProviderRejected, ""), fault.Permanent, false},
		{"a refused token pauses the account", perm(fault.AuthFailed, "token"), fault.Permanent, true},
		{"an unconfirmed sender pauses the account", perm(fault.ProviderRejected, "from"), fault.Permanent, true},
		{"a domain in the other region pauses the account", perm(fault.ProviderRejected, "region"), fault.Permanent, true},
		{"a rate limit waits without using attempts", errTestRefused.New(nil).WithClass(fault.Temporary), fault.Temporary, true},
		{"a lost answer is possibly sent", errTestRefused.New(nil).WithClass(fault.PossiblySent), fault.PossiblySent, false},
		{"a failure no provider classed waits", errors.New("odd"), fault.Temporary, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := senders.Classify(tc.err)
			var ae *outbox.AccountError
			if got := fault.ClassOf(err); got != tc.class || errors.As(err, &ae) != tc.account {
				t.Fatalf("Classify = %v: class %s, account %v; want %s, %v", err, got, errors.As(err, &ae), tc.class, tc.account)
			}
		})
	}
	if fe, _ := fault.As(senders.Classify(perm(fault.ProviderRejected, ""))); fe.Detail != "HTTP 422, ErrorCode 406: inactive" {
		t.Errorf("detail = %q; want the provider's answer", fe.Detail)
	}
}

func TestChecksRunAsProbeSteps(t *testing.T) {
	r := newRig(t)
	r.pm.AddSignature("hello@shop.test", true)
	r.pm.AddSignature("pending@shop.test", false)
	r.mg.domains["mg.shop.test"] = "active"
	r.mg.domains["mg.new.test"] = "unverified"
	pm := accounts.Sender{Kind: accounts.Postmark}
	mg := accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.shop.test", Region: accounts.RegionUS}

	cases := []struct {
		name   string
		sender accounts.Sender
		from   string
		secret string
		steps  []probe.Name
		failed probe.Name
		hint   string
	}{
		{"postmark confirmed sender", pm, "hello@shop.test", pmToken, []probe.Name{probe.PostmarkSender}, "", ""},
		{"postmark bad token", pm, "hello@shop.test", "wrong", []probe.Name{probe.PostmarkSender}, probe.PostmarkSender, "postmark_token"},
		{"postmark no signature", pm, "other@elsewhere.test", pmToken, []probe.Name{probe.PostmarkSender}, probe.PostmarkSender, "postmark_signature"},
		{"postmark unconfirmed signature", pm, "pending@shop.test", pmToken, []probe.Name{probe.PostmarkSender}, probe.PostmarkSender, "postmark_unconfirmed"},
		{"mailgun active domain, aligned From", mg, "news@shop.test", mgKey, []probe.Name{probe.MailgunDomain, probe.MailgunFrom}, "", ""},
		{"mailgun bad key", mg, "news@shop.test", "key-wrong", []probe.Name{probe.MailgunDomain, probe.MailgunFrom}, probe.MailgunDomain, "mailgun_key"},
		{"mailgun From on another domain", mg, "news@elsewhere.test", mgKey, []probe.Name{probe.MailgunDomain, probe.MailgunFrom}, probe.MailgunFrom, "mailgun_from"},
		{"mailgun unverified domain", accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.new.test", Region: accounts.RegionUS},
			"news@new.test", mgKey, []probe.Name{probe.MailgunDomain, probe.MailgunFrom}, probe.MailgunDomain, "mailgun_unverified"},
		{"mailgun unknown domain names the region", accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.absent.test", Region: accounts.RegionEU},
			"news@absent.test", mgKey, []probe.Name{probe.MailgunDomain, probe.MailgunFrom}, probe.MailgunDomain, "mailgun_region"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checks, err := r.f.Checks(tc.sender, tc.from, tc.secret)
			if err != nil {
				t.Fatal(err)
			}
			var emitted []probe.Step
			// A send-only account: no IMAP server, the sender's checks are the whole test.
			rep := probe.New(nil).Run(context.Background(), probe.Target{API: checks}, func(s probe.Step) { emitted = append(emitted, s) })
			var names []probe.Name
			var failed *probe.Step
			for i, s := range rep.Steps {
				names = append(names, s.Name)
				if s.Status == probe.Failed {
					failed = &rep.Steps[i]
				}
			}
			if !slices.Equal(names, tc.steps) {
				t.Fatalf("steps = %v; want %v", names, tc.steps)
			}
			if len(emitted) != 2*len(tc.steps) && tc.failed == "" {
				t.Errorf("emitted %d events; want a start and an end per step", len(emitted))
			}
			if tc.failed == "" {
				if !rep.OK || failed != nil {
					t.Fatalf("report = %+v; want every check passed", rep)
				}
				return
			}
			if rep.OK || failed == nil || failed.Name != tc.failed || failed.HintCode != tc.hint {
				t.Fatalf("failed step = %+v; want %s with hint %s", failed, tc.failed, tc.hint)
			}
			if failed.Err == nil || failed.Params["domain"] == "" {
				t.Fatalf("the failure does not say what happened: %+v", failed)
			}
			if tc.secret != "" && (strings.Contains(failed.Err.Error(), tc.secret) || strings.Contains(failed.Err.Detail, tc.secret)) {
				t.Fatal("the secret is in the step's error")
			}
		})
	}
}

func TestCheckFromRefusesAMailgunFromOffTheDomain(t *testing.T) {
	mg := accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.shop.test"}
	if err := senders.CheckFrom(mg, "news@shop.test"); err != nil {
		t.Errorf("a From on the sending domain's registered domain was refused: %v", err)
	}
	err := senders.CheckFrom(mg, "news@other.test")
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != fault.InvalidInput || fe.Field != "email" || fe.Params["domain"] != "mg.shop.test" {
		t.Errorf("CheckFrom(other.test) = %v; want invalid_input on email naming the domain", err)
	}
	if err := senders.CheckFrom(accounts.Sender{Kind: accounts.Postmark}, "x@any.test"); err != nil {
		t.Errorf("Postmark's From is checked by Postmark, not here: %v", err)
	}
}

// The outbox end to end: an API-sender account's message is queued, the provider's fake
// receives it, and the row is sent; a sender the provider refuses fails with its words.
func TestOutboxSendsThroughAnAPISender(t *testing.T) {
	r := newRig(t)
	r.pm.AddSignature("shop.test", true)
	r.mg.domains["mg.shop.test"] = "active"
	good := r.account(postmarkAccount("hello@shop.test"), accounts.Secrets{Sender: pmToken})
	refused := r.account(postmarkAccount("hello@unsigned.test"), accounts.Secrets{Sender: pmToken})
	mg := r.account(mailgunAccount("news@shop.test", "mg.shop.test"), accounts.Secrets{Sender: mgKey})

	ob := outbox.New(outbox.Deps{DB: r.db, Accounts: r.reg, Transport: r.f.Transport},
		outbox.Options{RetryMin: 50 * time.Millisecond, ConnectBackoffMin: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := ob.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer ob.Stop()

	idGood, err := ob.Enqueue(ctx, good.ID, render(t, "hello@shop.test"))
	if err != nil {
		t.Fatal(err)
	}
	idRefused, err := ob.Enqueue(ctx, refused.ID, render(t, "hello@unsigned.test"))
	if err != nil {
		t.Fatal(err)
	}
	idMG, err := ob.Enqueue(ctx, mg.ID, render(t, "news@shop.test"))
	if err != nil {
		t.Fatal(err)
	}

	sent := waitState(t, ob, idGood, outbox.Sent)
	if !strings.Contains(sent.Reply, "Postmark accepted") {
		t.Errorf("sent reply = %q", sent.Reply)
	}
	if sent.Copy == outbox.CopyDone {
		t.Error("a send-only account got a Sent copy: it has no IMAP")
	}
	if got := r.pm.Messages(); len(got) != 1 || got[0].Subject != "Votre facture" {
		t.Fatalf("Postmark received %+v", got)
	}
	waitState(t, ob, idMG, outbox.Sent)
	if n := len(r.mg.sent()); n != 1 {
		t.Fatalf("Mailgun received %d messages", n)
	}

	failed := waitState(t, ob, idRefused, outbox.Failed)
	if failed.Error.Code != fault.ProviderRejected || failed.Error.Reason != "postmark_sender" ||
		!strings.Contains(failed.Error.Detail, "ErrorCode 400") || !strings.Contains(failed.Error.Detail, "is not a Sender Signature") {
		t.Fatalf("failed item: %+v; want Postmark's refusal as a reason, with its own words", failed.Error)
	}
}

func waitState(t *testing.T, ob *outbox.Engine, id int64, want outbox.State) outbox.Item {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		it, err := ob.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if it.State == want {
			return it
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d is %s (%+v); want %s", id, it.State, it.Error, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A refused token fails the message with a reason the UI turns into words (fix the token,
// then retry); once the account holds the right token, a retry sends it, exactly once.
func TestOutboxRetryAfterTheTokenIsFixed(t *testing.T) {
	r := newRig(t)
	r.pm.AddSignature("shop.test", true)
	in := postmarkAccount("hello@shop.test")
	acc := r.account(in, accounts.Secrets{Sender: "not-the-server-token"})

	var mu sync.Mutex
	var told []outbox.Event // the account's sending, as the UI is told
	emit := func(ev outbox.Event) {
		if ev.Kind == outbox.KindAccount {
			mu.Lock()
			told = append(told, ev)
			mu.Unlock()
		}
	}
	ob := outbox.New(outbox.Deps{DB: r.db, Accounts: r.reg, Transport: r.f.Transport, Emit: emit},
		outbox.Options{RetryMin: 50 * time.Millisecond, ConnectBackoffMin: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := ob.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer ob.Stop()

	id, err := ob.Enqueue(ctx, acc.ID, render(t, "hello@shop.test"))
	if err != nil {
		t.Fatal(err)
	}
	failed := waitState(t, ob, id, outbox.Failed)
	if failed.Error.Code != fault.AuthFailed || failed.Error.Reason != "postmark_token" || !strings.Contains(failed.Error.Detail, "ErrorCode 10") {
		t.Fatalf("failed item: %+v; want auth_failed, postmark_token and Postmark's ErrorCode 10", failed.Error)
	}

	if _, err := r.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{Sender: pmToken}); err != nil {
		t.Fatal(err)
	}
	if err := ob.AccountChanged(acc.ID); err != nil {
		t.Fatal(err)
	}
	if err := ob.Retry(ctx, id); err != nil {
		t.Fatal(err)
	}
	sent := waitState(t, ob, id, outbox.Sent)
	if !strings.Contains(sent.Reply, "Postmark accepted") {
		t.Errorf("reply = %q", sent.Reply)
	}
	time.Sleep(200 * time.Millisecond) // a second send would come now
	if got := r.pm.Messages(); len(got) != 1 || got[0].Token != pmToken {
		t.Fatalf("Postmark accepted %d messages (%+v); want the retried one, once, with the new token", len(got), got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) < 2 || told[0].Failure.Reason != "postmark_token" || !told[0].Paused || !told[len(told)-1].Failure.IsZero() {
		t.Fatalf("account events %+v; want the refused token, then the all-clear once it sent", told)
	}
}

func TestAccountReasonsForTheUI(t *testing.T) {
	r := newRig(t)
	r.pm.AddSignature("hello@shop.test", false)
	acc := r.account(postmarkAccount("hello@shop.test"), accounts.Secrets{Sender: pmToken})
	tr, err := r.f.Transport(context.Background(), acc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Send(context.Background(), render(t, "hello@shop.test"), func() error { return nil })
	var ae *outbox.AccountError
	if !errors.As(err, &ae) || fault.ReasonOf(err) != "postmark_sender_unconfirmed" {
		t.Fatalf("Send = %v; want postmark_sender_unconfirmed, failing the account", err)
	}
	mgAcc := r.account(mailgunAccount("news@shop.test", "mg.shop.test"), accounts.Secrets{Sender: "wrong-key"})
	tr, err = r.f.Transport(context.Background(), mgAcc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Send(context.Background(), render(t, "news@shop.test"), func() error { return nil })
	if !errors.As(err, &ae) || fault.ReasonOf(err) != "mailgun_key" {
		t.Fatalf("Send = %v; want mailgun_key, failing the account", err)
	}
}
