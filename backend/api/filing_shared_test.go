package api

import (
	"context"
	"testing"

	"mailroom/backend/accounts"
)

// TestHandledIsMarkedAndSharingIsShown marks a message handled through the API: the row
// at once, an intent for the server ($MailroomHandled); a collaborator without access to
// the account can do neither, and the folder's sharing state is listed.
func TestHandledIsMarkedAndSharingIsShown(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	acc, err := h.b.Accounts.CreateWith(ctx, h.users[super], accounts.NewAccount{
		Email: "partage@cabinet.test",
		IMAP:  accounts.Server{Host: "127.0.0.1", Port: 9, Security: accounts.TLS, Username: "partage@cabinet.test"},
		SMTP:  accounts.Server{Host: "127.0.0.1", Port: 9, Security: accounts.TLS, Username: "partage@cabinet.test"},
	}, accounts.Secrets{Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := h.b.DB.W.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO folders(id, account_id, name, role, keywords_ok) VALUES (10, ?, 'INBOX', 'inbox', 1), (11, ?, 'Archives', '', 0)`, acc.ID, acc.ID)
	exec(`INSERT INTO messages(id, account_id, folder_id, uid, subject, date) VALUES (100, ?, 10, 1, 'Devis', 1700000000)`, acc.ID)

	h.as(t, super)
	if err := h.svcs.Filing.SetHandled([]int64{100}, true); err != nil {
		t.Fatal(err)
	}
	var handled, intent int
	if err := h.b.DB.R.QueryRowContext(ctx, `SELECT handled, (SELECT count(*) FROM pending_flags WHERE message_id = 100 AND flag = 'handled' AND value = 1)
		FROM messages WHERE id = 100`).Scan(&handled, &intent); err != nil {
		t.Fatal(err)
	}
	if handled != 1 || intent != 1 {
		t.Fatalf("handled %d, intent %d", handled, intent)
	}
	page, err := h.svcs.Mail.List(MailQueryDTO{})
	if err != nil || len(page.Rows) != 1 || !page.Rows[0].Handled {
		t.Fatalf("the list shows handled: %+v %v", page.Rows, err)
	}
	sh, err := h.svcs.Filing.Sharing()
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, f := range sh {
		states[f.Name] = f.State
	}
	if states["INBOX"] != "shared" || states["Archives"] != "local" {
		t.Fatalf("sharing: %+v", sh)
	}
	if err := h.svcs.Filing.SetHandled(make([]int64, maxFlagBatch+1), true); err == nil {
		t.Fatal("an unbounded batch was taken")
	}

	h.as(t, collab)
	if err := h.svcs.Filing.SetHandled([]int64{100}, false); err == nil {
		t.Fatal("a collaborator without access marked a message")
	}
	if sh, _ := h.svcs.Filing.Sharing(); len(sh) != 0 {
		t.Fatalf("a collaborator without access sees folders: %+v", sh)
	}
}
