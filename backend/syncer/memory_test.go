package syncer_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/syncer"
)

// memServer starts go-imap's in-memory server: IMAP4rev1 and IDLE only — no CONDSTORE,
// no SPECIAL-USE, no ESEARCH, no UIDPLUS, no BINARY — so the engine's fallbacks run.
func memServer(t *testing.T) server {
	ca := testcert.NewCA(t)
	const user, pw = "me@example.test", "secret"
	port := testimap.Start(t, testimap.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(), ImplicitTLS: true,
		Users: map[string]string{user: pw}})
	return server{host: "127.0.0.1", port: port, user: user, password: pw, roots: ca.Pool()}
}

func TestWithoutExtensionsTheSyncStillConverges(t *testing.T) {
	t.Parallel()
	srv := memServer(t)
	c := srv.client(t)
	if err := c.Create("Sent", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Archives 2019", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-1000 * time.Hour)
	for i := 0; i < 120; i++ {
		var flags []imap.Flag
		if i%3 == 0 {
			flags = append(flags, imap.FlagSeen)
		}
		appendMessage(t, c, "INBOX", rawMessage(fmt.Sprintf("Message %d", i), "Body of the message.", base.Add(time.Duration(i)*time.Hour)), flags...)
	}
	appendMessage(t, c, "Sent", rawMessage("My answer", "Thanks.", base), imap.FlagSeen)

	r := newRig(t, srv, withOptions(syncer.Options{StallTimeout: testStall, IdleRefresh: testIdleRefresh, FirstBatch: 10, HeaderBatch: 25}))
	r.start()
	took := r.waitInStep(c, "INBOX", waitLong)
	r.waitInStep(c, "Sent", waitLong)
	t.Logf("120 messages in step in %v", took)
	if roles := r.folderRoles(); roles["INBOX"] != "inbox+" || roles["Sent"] != "sent+" || roles["Archives 2019"] != "" {
		t.Fatalf("folders = %v: want INBOX and Sent (found by name) synced, the rest not", roles)
	}

	// Changes made elsewhere: a flag, a removal, a new message.
	if err := c.Store(imap.UIDSetNum(5), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(7, 8), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	appendMessage(t, c, "INBOX", rawMessage("Late arrival", "New.", time.Now()))
	r.eng.SyncNow(r.accID)
	r.waitInStep(c, "INBOX", waitLong)
	r.checkNoDuplicates()
}

// The Stored notice of the batch that stores a folder's last missing body says so
// (Drained, which lets filing file at once); the batches before it do not.
func TestTheLastBatchOfBodiesIsMarkedDrained(t *testing.T) {
	t.Parallel()
	srv := memServer(t)
	c := srv.client(t)
	base := time.Now().Add(-500 * time.Hour)
	const n = 60
	for i := range n {
		appendMessage(t, c, "INBOX", rawMessage(fmt.Sprintf("Message %d", i), "Body.", base.Add(time.Duration(i)*time.Hour)))
	}
	var mu sync.Mutex
	var bodies []syncer.Stored
	r := newRig(t, srv, withOptions(syncer.Options{StallTimeout: testStall, IdleRefresh: testIdleRefresh, FirstBatch: 10,
		HeaderBatch: 25, BodyBatch: 16}), withStored(func(st syncer.Stored) {
		if st.Bodies {
			mu.Lock()
			bodies = append(bodies, st)
			mu.Unlock()
		}
	}))
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	eventually(t, waitLong, "every body's notice", func() bool {
		mu.Lock()
		defer mu.Unlock()
		got := 0
		for _, st := range bodies {
			got += len(st.MessageIDs)
		}
		return got == n
	})
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) < 2 {
		t.Fatalf("%d batches of bodies: want several", len(bodies))
	}
	for i, st := range bodies {
		if last := i == len(bodies)-1; st.Drained != last {
			t.Errorf("batch %d of %d (%d bodies): Drained %v", i+1, len(bodies), len(st.MessageIDs), st.Drained)
		}
	}
}
