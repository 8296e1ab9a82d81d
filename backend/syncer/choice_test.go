package syncer_test

import (
	"path/filepath"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/store"
	"mailroom/backend/syncer"
	"mailroom/backend/vault"
)

// Choosing folders, without a server: the engine is not started, so turning a folder on
// only records the choice.
func TestTheFoldersToSyncAreChosenButNeverTheInbox(t *testing.T) {
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.CreateWith(ctx, 0, accounts.NewAccount{Email: "ana@example.test",
		IMAP: accounts.Server{Host: "127.0.0.1", Port: 993, Security: accounts.TLS, Username: "ana@example.test"},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: 465, Security: accounts.TLS, Username: "ana@example.test"}},
		accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	var inbox, archive int64
	for name, id := range map[string]*int64{"INBOX": &inbox, "Archive": &archive} {
		role := map[string]string{"INBOX": "inbox", "Archive": ""}[name]
		if err := db.W.QueryRowContext(ctx, `INSERT INTO folders (account_id, name, role, enabled) VALUES (?, ?, ?, ?) RETURNING id`,
			acc.ID, name, role, name == "INBOX").Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	eng := syncer.New(syncer.Deps{DB: db, Accounts: reg, Dialer: &connect.Dialer{}}, syncer.Options{})

	if got, err := eng.FolderAccount(ctx, archive); err != nil || got != acc.ID {
		t.Fatalf("FolderAccount = %d, %v; want %d", got, err, acc.ID)
	}
	enabled := func(id int64) bool {
		var on bool
		if err := db.R.QueryRowContext(ctx, `SELECT enabled FROM folders WHERE id = ?`, id).Scan(&on); err != nil {
			t.Fatal(err)
		}
		return on
	}
	cases := []struct {
		name   string
		folder int64
		synced bool
		reason *fault.Reason // nil: accepted
		want   bool          // the folder's choice afterwards
	}{
		{"a folder is turned on", archive, true, nil, true},
		{"and off again", archive, false, nil, false},
		{"the inbox cannot be turned off", inbox, false, syncer.ErrInboxAlwaysSynced, true},
		{"turning the inbox on is harmless", inbox, true, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := eng.SetFolderSynced(ctx, c.folder, c.synced)
			if c.reason == nil && err != nil || c.reason != nil && !c.reason.Is(err) {
				t.Fatalf("SetFolderSynced = %v; want reason %v", err, c.reason)
			}
			if enabled(c.folder) != c.want {
				t.Fatalf("folder synced = %v; want %v", !c.want, c.want)
			}
		})
	}
	for _, call := range []func() error{
		func() error { _, err := eng.FolderAccount(ctx, 999999); return err },
		func() error { return eng.SetFolderSynced(ctx, 999999, true) },
		func() error { return eng.SetFolderEnabled(ctx, 999999, true) },
	} {
		if err := call(); !syncer.ErrFolderGone.Is(err) {
			t.Fatalf("an unknown folder: %v; want %s", err, syncer.ErrFolderGone.Name)
		}
	}
}
