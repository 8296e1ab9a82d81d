package syncer

import (
	"context"
	"path/filepath"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

// A send-only account (an API sender without IMAP) has no mailbox: the engine starts no
// worker for it, neither at Start nor when it is created, edited or synced by hand.
func TestASendOnlyAccountGetsNoSyncWorker(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.CreateWith(ctx, 0, accounts.NewAccount{Email: "receipts@shop.test",
		Sender: accounts.Sender{Kind: accounts.Postmark}}, accounts.Secrets{Sender: "pm-token"})
	if err != nil {
		t.Fatal(err)
	}
	e := New(Deps{DB: db, Accounts: reg}, Options{})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	if err := e.AccountChanged(acc.ID); err != nil {
		t.Fatal(err)
	}
	e.SyncNow(acc.ID)
	if w := e.worker(acc.ID); w != nil {
		t.Fatal("a sync worker was started for an account without IMAP")
	}
}
