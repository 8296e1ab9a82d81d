package store

import (
	"context"
	"path/filepath"
	"testing"
)

// The search index reads its content from messages_search (migration 0099): a message
// indexed through the view is found, its snippet comes from the stored body, and deleting
// the message (also by its folder's cascade) takes its words out of the index. FTS5's
// integrity check compares the index with the view; it fails when they disagree.
func TestSearchIndexFollowsTheMessages(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.W.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	consistent := func() error {
		_, err := db.W.ExecContext(ctx, `INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`)
		return err
	}
	matches := func(q string) int {
		t.Helper()
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?`, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	exec(`INSERT INTO accounts(id, name, email, secret_id, imap_host, imap_port, imap_security, imap_username,
		smtp_host, smtp_port, smtp_security, smtp_username, status, created_at)
		VALUES (1, 'Bureau', 'bureau@example.fr', 's1', 'imap.example.fr', 993, 'tls', 'b', 'smtp.example.fr', 465, 'tls', 'b', 'ok', 1)`)
	exec(`INSERT INTO folders(id, account_id, name, role) VALUES (1, 1, 'INBOX', 'inbox'), (2, 1, 'Archives', '')`)
	for id, folder := range map[int]int{1: 1, 2: 1, 3: 2} {
		exec(`INSERT INTO messages(id, account_id, folder_id, uid, subject, body_state) VALUES (?, 1, ?, ?, 'Devis piscine', 'done')`, id, folder, id)
		exec(`INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, 'from', 0, 'Léa Roux', 'lea@acme.fr')`, id)
		exec(`INSERT INTO message_bodies(message_id, text) VALUES (?, 'Bonjour, voici le carrelage choisi.')`, id)
		exec(`INSERT INTO messages_fts(rowid, subject, addresses, body) SELECT id, subject, addresses, body FROM messages_search WHERE id = ?`, id)
	}
	// Headers without a body yet: not in the view, not indexed, and deleting it is fine.
	exec(`INSERT INTO messages(id, account_id, folder_id, uid, subject) VALUES (4, 1, 1, 4, 'Sans corps')`)
	if err := consistent(); err != nil {
		t.Fatalf("a consistent index fails the check: %v", err)
	}
	if n := matches(`carre*`); n != 3 {
		t.Fatalf("%d messages match 'carre*', want 3", n)
	}
	var snippet string
	if err := db.R.QueryRowContext(ctx, `SELECT snippet(messages_fts, 2, '[', ']', '…', 8) FROM messages_fts
		WHERE messages_fts MATCH 'carrelage' AND rowid = 1`).Scan(&snippet); err != nil || snippet != "Bonjour, voici le [carrelage] choisi." {
		t.Fatalf("snippet %q (%v)", snippet, err)
	}
	exec(`DELETE FROM messages WHERE id IN (1, 4)`)
	exec(`DELETE FROM folders WHERE id = 2`) // message 3 by cascade
	if n := matches(`carre*`); n != 1 {
		t.Fatalf("%d messages match after deleting two, want 1", n)
	}
	if n := matches(`roux`); n != 1 {
		t.Fatalf("%d messages match the sender after deleting two, want 1", n)
	}
	if err := consistent(); err != nil {
		t.Fatalf("after the deletes the index disagrees with the messages: %v", err)
	}
	// The check can fail: content changed under the index is caught.
	exec(`UPDATE message_bodies SET text = 'autre chose' WHERE message_id = 2`)
	if consistent() == nil {
		t.Fatal("the integrity check passed with a body changed under the index")
	}
}
