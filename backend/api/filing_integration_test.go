package api

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/records"
	"mailroom/backend/syncer"
)

// TestFilingThroughTheAPIReachesTheServer: the harness wires filing as the app does (the
// sync's notices reach it; its Queued hook wakes the account's worker). A message synced
// from Dovecot waits in "To file"; a contact created through the API files it, and
// $MailroomFiled is on the server within seconds, well inside the sync's IDLE window: the
// worker was woken to push it, not left to find it at its next round.
func TestFilingThroughTheAPIReachesTheServer(t *testing.T) {
	env := testenv.Mail(t)
	u := env.NewUser(t)
	const client = "client@nouveau-client.fr"
	raw, msgID := testenv.NewMessage(client, u.Address, "Demande de devis", "Bonjour,\nVoici notre demande.\n")
	env.Deliver(t, raw, client, u.Address)

	h := newHarness(t)
	h.as(t, super)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := h.b.Filing.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.b.Filing.Stop)
	connectMailbox(t, h, env, u, "Cabinet")
	waitInbox(t, h, 1)
	within(t, 20*time.Second, "the message waits in To file", func() bool {
		n, err := h.svcs.Filing.Count()
		return err == nil && n == 1
	})

	types, err := h.svcs.Records.Types()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(types, func(x RecordTypeDTO) bool { return x.Builtin == records.ContactType })
	if i < 0 {
		t.Fatalf("no contact type in %+v", types)
	}
	if _, err := h.svcs.Records.Create(RecordInputDTO{TypeID: types[i].ID, Values: map[string]any{
		records.ContactFirstName: "Client", records.ContactEmails: []any{client}}}); err != nil {
		t.Fatal(err)
	}
	within(t, 20*time.Second, "the message is filed", func() bool {
		n, err := h.svcs.Filing.Count()
		return err == nil && n == 0
	})

	c, err := imapclient.DialTLS(env.IMAPSAddr, &imapclient.Options{TLSConfig: env.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(u.Address, u.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	took := within(t, 10*time.Second, "$MailroomFiled on the server", func() bool {
		if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			t.Fatal(err)
		}
		all, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range all {
			if m.Envelope != nil && m.Envelope.MessageID == msgID {
				return slices.Contains(m.Flags, syncer.KeywordFiled)
			}
		}
		return false
	})
	t.Logf("filed through the API, on the server after %s", took)
}

// within waits until cond holds, and says how long it took.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("never: %s (%s)", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}
