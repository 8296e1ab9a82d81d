package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// Outbox rows kept by an older version (an English message beside a code and a reason)
// still read after 0010: their reasons map to the new ones with the params they need, the
// others read as their code (reason cleared), the server's words stay, and a refused Sent
// copy keeps its folder as a param and the server's words.
func TestMigration0010MapsTheOutboxsOldFailures(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mailroom.db")
	old, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version >= 10 {
			break
		}
		if _, err := old.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms {
		if m.version < 10 {
			mustExec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
		}
	}
	mustExec(`INSERT INTO accounts(id, name, email, secret_id, imap_host, imap_port, imap_security, imap_username,
		smtp_host, smtp_port, smtp_security, smtp_username, created_at)
		VALUES (1, 'Shop', 'shop@example.fr', 's1', 'imap.example.fr', 993, 'tls', 'shop', 'smtp.example.fr', 465, 'tls', 'shop', 0)`)
	row := func(id int, state, code, reason, msg, reply, copyErr string, attempts int, first, updated int64) {
		mustExec(`INSERT INTO outbox(id, account_id, state, message_id, env_from, env_to, size, next_attempt_at, attempts,
			first_failure_at, created_at, updated_at, error_code, error_reason, error_message, error_reply, copy_error)
			VALUES (?, 1, ?, ?, 'shop@example.fr', '["a@example.org"]', 10, 0, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
			id, state, "m"+string(rune('a'+id)), attempts, first, updated, code, reason, msg, reply, copyErr)
	}
	row(1, "failed", "network", "gave_up", "Mailroom gave up after 4 attempts over 5 hours.", "452 4.3.1 full", "", 4, 0, 5*3600_000+10)
	row(2, "possibly_sent", "network", "possibly_sent", "It may have been sent.", "", "", 1, 0, 0)
	row(3, "failed", "provider_rejected", "recipients_refused", "smtp refused a@example.org", "a@example.org (550 5.1.1 unknown)", "", 1, 0, 0)
	row(4, "failed", "provider_rejected", "", "smtp refused the message", "554 spam", "", 1, 0, 0)
	row(5, "sent", "", "", "", "", "The server refused to file this message in Sent: Quota exceeded", 1, 0, 0)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.SchemaVersion(ctx); v < 9 {
		t.Fatalf("schema %d", v)
	}
	want := map[int][5]string{
		1: {"network", "outbox_gave_up", `{"attempts":4,"hours":5}`, "452 4.3.1 full", ""},
		2: {"network", "outbox_possibly_sent", "", "", ""},
		3: {"provider_rejected", "", "", "a@example.org (550 5.1.1 unknown)", ""},
		4: {"provider_rejected", "", "", "554 spam", ""},
		5: {"", "", "", "", "outbox_copy_refused|{\"folder\":\"Sent\"}|Quota exceeded"},
	}
	for id, w := range want {
		var code, reason, params, reply, copyReason, copyParams, copyErr string
		err := db.R.QueryRow(`SELECT error_code, error_reason, error_params, error_reply, copy_reason, copy_params, copy_error
			FROM outbox WHERE id = ?`, id).Scan(&code, &reason, &params, &reply, &copyReason, &copyParams, &copyErr)
		if err != nil {
			t.Fatal(err)
		}
		copyGot := ""
		if copyReason != "" || copyErr != "" {
			copyGot = copyReason + "|" + copyParams + "|" + copyErr
		}
		if got := [5]string{code, reason, params, reply, copyGot}; got != w {
			t.Errorf("row %d: %q, want %q", id, got, w)
		}
	}
	if _, err := db.R.Exec(`SELECT error_message FROM outbox`); err == nil {
		t.Error("error_message is still there")
	}
}
