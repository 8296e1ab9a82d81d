package backup_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailroom/backend/backup"
	"mailroom/backend/fault"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

// fixture is a data directory with a user, a record, an account with mail and a queued
// message, written through the packages (and SQL for the synced mail, as the syncer writes it).
type fixture struct {
	dir    string
	db     *store.DB
	owner  users.User
	record int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	us := users.New(db)
	owner, err := us.CreateOwner(ctx, users.NewUser{Name: "Élise Martin", Email: "elise@example.fr", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := us.Create(ctx, users.NewUser{Name: "Paul", Email: "paul@example.fr", Role: users.Collaborator, Language: "fr", Password: "motdepasse-paul"}); err != nil {
		t.Fatal(err)
	}
	recs := records.New(db, records.Options{})
	s, err := recs.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := recs.Create(ctx, owner.ID, s.TypeByKey(records.CompanyType).ID, records.Values{"name": "ACME Sàrl", "domains": []any{"acme.fr"}})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, db, `INSERT INTO accounts(id, name, email, secret_id, imap_host, imap_port, imap_security, imap_username,
		smtp_host, smtp_port, smtp_security, smtp_username, status, created_at, password_secret)
		VALUES (1, 'Bureau', 'bureau@example.fr', 'sid1', 'imap.example.fr', 993, 'tls', 'bureau', 'smtp.example.fr', 465, 'tls', 'bureau', 'ok', 1, 'pw1')`)
	exec(t, db, `INSERT INTO folders(id, account_id, name, role, uidvalidity, uidnext, highestmodseq, message_count, last_sync_at)
		VALUES (1, 1, 'INBOX', 'inbox', 7, 3, 9, 2, 1)`)
	for i, subj := range []string{"Devis piscine", "Facture mars"} {
		exec(t, db, `INSERT INTO messages(id, account_id, folder_id, uid, subject, from_email, date, body_state) VALUES (?, 1, 1, ?, ?, 'client@acme.fr', 1, 'done')`, i+1, i+1, subj)
		exec(t, db, `INSERT INTO message_bodies(message_id, text) VALUES (?, ?)`, i+1, "corps-unique-du-message "+subj)
		exec(t, db, `INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, 'from', 0, '', 'client@acme.fr')`, i+1)
		exec(t, db, `INSERT INTO messages_fts(rowid, subject, addresses, body) SELECT id, subject, addresses, body FROM messages_search WHERE id = ?`, i+1)
	}
	exec(t, db, `INSERT INTO outbox(id, account_id, state, message_id, env_from, env_to, size, next_attempt_at, created_at, updated_at)
		VALUES (1, 1, 'queued', 'm1@example.fr', 'bureau@example.fr', '["x@acme.fr"]', 10, 0, 1, 1)`)
	exec(t, db, `INSERT INTO outbox_raw(id, raw) VALUES (1, 'raw')`)
	return &fixture{dir: dir, db: db, owner: owner, record: r.ID}
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.W.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// restoreInto restores file into a fresh data directory and opens it.
func restoreInto(t *testing.T, file string, current *store.DB) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "mailroom.db")
	fresh, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if current == nil {
		current = fresh
	}
	var phases []backup.Phase
	p, err := backup.Prepare(ctx, file, path, current, func(pr backup.Progress) { phases = append(phases, pr.Phase) })
	if err != nil {
		t.Fatal(err)
	}
	if len(phases) == 0 {
		t.Error("no progress reported")
	}
	fresh.Close()
	if _, err := backup.Swap(p, path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dir
}

func TestBackupWithMailRestoresEverythingAccountsDisabled(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out := t.TempDir()
	info, err := backup.Write(ctx, f.db, filepath.Join(out, backup.FileName(time.Now())), "1.2.3", backup.Options{WithMail: true})
	if err != nil {
		t.Fatal(err)
	}
	if !info.Manifest.WithMail || info.Manifest.AppVersion != "1.2.3" || info.Size == 0 {
		t.Fatalf("manifest %+v size %d", info.Manifest, info.Size)
	}
	// Only the backup is in the folder: no temporary file left.
	if es, _ := os.ReadDir(out); len(es) != 1 {
		t.Fatalf("folder holds %d files", len(es))
	}
	m, err := backup.Inspect(ctx, info.Path)
	if err != nil || !m.WithMail || m.SchemaVersion() == 0 {
		t.Fatalf("inspect: %+v %v", m, err)
	}
	db, _ := restoreInto(t, info.Path, nil)
	if n := count(t, db, `SELECT count(*) FROM users`); n != 2 {
		t.Errorf("users: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM users WHERE password_hash <> ''`); n != 1 {
		t.Errorf("passwords' hashes: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM records`); n < 1 {
		t.Errorf("records: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM messages`); n != 2 {
		t.Errorf("messages: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'piscine'`); n != 1 {
		t.Errorf("search finds %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM accounts WHERE disabled = 1 AND status = 'needs_password' AND password_secret = '' AND sender_secret = '' AND oauth_secret = ''`); n != 1 {
		t.Errorf("accounts waiting for their password: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE state = 'possibly_sent'`); n != 1 {
		t.Errorf("queued message not held: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM sqlite_schema WHERE name = 'mailroom_backup'`); n != 0 {
		t.Errorf("manifest left in the restored data")
	}
	recs := records.New(db, records.Options{})
	d, err := recs.Get(ctx, f.record)
	if err != nil || d.Record.Title != "ACME Sàrl" {
		t.Errorf("record: %+v %v", d.Record, err)
	}
}

func TestBackupWithoutMailLeavesNoMailInTheFile(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out := t.TempDir()
	info, err := backup.Write(ctx, f.db, filepath.Join(out, "b"+backup.Ext), "1.2.3", backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("corps-unique-du-message")) || bytes.Contains(raw, []byte("Devis piscine")) {
		t.Fatal("the mail is in a backup without mail")
	}
	// The current data keeps its mail.
	if n := count(t, f.db, `SELECT count(*) FROM messages`); n != 2 {
		t.Fatalf("current messages: %d", n)
	}
	db, _ := restoreInto(t, info.Path, nil)
	if n := count(t, db, `SELECT count(*) FROM messages`) + count(t, db, `SELECT count(*) FROM messages_fts`) + count(t, db, `SELECT count(*) FROM message_bodies`); n != 0 {
		t.Errorf("mail restored: %d rows", n)
	}
	if n := count(t, db, `SELECT count(*) FROM folders WHERE uidvalidity = 0 AND uidnext = 0 AND highestmodseq = 0 AND last_sync_at IS NULL`); n != 1 {
		t.Errorf("folders' sync state not reset: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM records`); n < 1 {
		t.Errorf("records: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox`); n != 1 {
		t.Errorf("outbox: %d", n)
	}
}

func TestRestoreRefusesDamagedForeignAndNewerFilesLeavingTheDataUntouched(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out := t.TempDir()
	info, err := backup.Write(ctx, f.db, filepath.Join(out, "good"+backup.Ext), "1.2.3", backup.Options{WithMail: true})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(info.Path)

	text := filepath.Join(out, "notes.txt")
	writeFile(t, text, []byte("bonjour"))
	// A damaged backup: a page in the middle overwritten.
	damaged := filepath.Join(out, "damaged"+backup.Ext)
	bad := bytes.Clone(good)
	for i := len(bad) / 2; i < len(bad)/2+8192 && i < len(bad); i++ {
		bad[i] = 0xA5
	}
	writeFile(t, damaged, bad)
	// A truncated one.
	truncated := filepath.Join(out, "truncated"+backup.Ext)
	writeFile(t, truncated, good[:len(good)/3])
	// A SQLite database that is not a backup: the data directory's own file.
	foreign := f.db.Path
	// A backup from a newer Mailroom: a migration this one does not know.
	newer := filepath.Join(out, "newer"+backup.Ext)
	writeFile(t, newer, good)
	c, err := store.OpenCopy(ctx, newer, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, '9999_future.sql', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(`UPDATE mailroom_backup SET app_version = '9.0.0'`); err != nil {
		t.Fatal(err)
	}
	c.Close()

	dbPath := filepath.Join(f.dir, "mailroom.db")
	before := count(t, f.db, `SELECT count(*) FROM messages`) + count(t, f.db, `SELECT count(*) FROM users`)
	for _, tc := range []struct {
		file, reason string
	}{
		{text, "backup_not_a_backup"}, {damaged, "backup_damaged"}, {truncated, "backup_damaged"},
		{foreign, "backup_not_a_backup"}, {newer, "backup_newer"}, {filepath.Join(out, "missing"+backup.Ext), "backup_unreadable"},
	} {
		_, err := backup.Prepare(ctx, tc.file, dbPath, f.db, nil)
		if got := reasonOf(err); got != tc.reason {
			t.Errorf("%s: reason %q (%v), want %s", filepath.Base(tc.file), got, err, tc.reason)
		}
	}
	if _, err := backup.Inspect(ctx, newer); reasonOf(err) != "backup_newer" {
		t.Errorf("inspect newer: %v", err)
	}
	// Nothing left beside the database, and the data as it was.
	es, _ := os.ReadDir(f.dir)
	for _, e := range es {
		if strings.Contains(e.Name(), ".restore-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	if after := count(t, f.db, `SELECT count(*) FROM messages`) + count(t, f.db, `SELECT count(*) FROM users`); after != before {
		t.Errorf("current data changed: %d → %d", before, after)
	}
}

func TestSwapKeepsTheReplacedDataAndUndoPutsItBack(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out := t.TempDir()
	info, err := backup.Write(ctx, f.db, filepath.Join(out, "b"+backup.Ext), "1.2.3", backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, f.db, `INSERT INTO users(name, email, role, language, created_at) VALUES ('Après', 'apres@example.fr', 'collaborator', 'fr', 1)`)
	path := filepath.Join(f.dir, "mailroom.db")
	p, err := backup.Prepare(ctx, info.Path, path, f.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The current accounts' secrets wait to be removed from the keychain.
	c, _ := store.OpenCopy(ctx, p.Path, true)
	var pending int
	if err := c.QueryRow(`SELECT count(*) FROM pending_secrets WHERE secret_id = 'pw1'`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if pending != 1 {
		t.Errorf("current secrets pending: %d", pending)
	}
	f.db.Close()
	undo, err := backup.Swap(p, path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM users`); n != 2 {
		t.Errorf("restored users: %d", n)
	}
	db.Close()
	if _, err := os.Stat(path + ".before-restore"); err != nil {
		t.Errorf("replaced data not kept: %v", err)
	}
	if err := undo(); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(t, db, `SELECT count(*) FROM users`); n != 3 {
		t.Errorf("after undo, users: %d", n)
	}
}

func TestAutomaticBackupsDailyKeepingTheLastN(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	folder := t.TempDir()
	s := backup.New(backup.Deps{DB: f.db, Version: "1.2.3"})
	if err := s.SetSettings(ctx, backup.Settings{Enabled: true, Folder: filepath.Join(folder, "absent"), Keep: 2}); reasonOf(err) != "backup_folder_not_found" {
		t.Fatalf("missing folder: %v", err)
	}
	if err := s.SetSettings(ctx, backup.Settings{Enabled: true, Folder: folder, Keep: 0}); reasonOf(err) != "backup_keep_invalid" {
		t.Fatalf("keep 0: %v", err)
	}
	if err := s.SetSettings(ctx, backup.Settings{Enabled: true, Folder: folder, Keep: 2}); err != nil {
		t.Fatal(err)
	}
	// A backup made by hand in the same folder is never pruned.
	if _, err := s.Write(ctx, filepath.Join(folder, backup.FileName(time.Now().Add(-time.Hour))), false); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	backup.SetClock(s, clock)
	if !s.RunDue(ctx) {
		t.Fatal("first automatic backup not written")
	}
	if s.RunDue(ctx) {
		t.Fatal("a second backup the same day")
	}
	for i := 1; i <= 3; i++ {
		now = now.Add(backup.Interval + time.Second)
		if !s.RunDue(ctx) {
			t.Fatalf("day %d: not written", i)
		}
	}
	es, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	auto, manual := 0, 0
	for _, e := range es {
		if e.Automatic {
			auto++
		} else {
			manual++
		}
	}
	if auto != 2 || manual != 1 {
		t.Fatalf("automatic %d manual %d: %+v", auto, manual, es)
	}
	st, err := s.Settings(ctx)
	if err != nil || st.LastError != "" || st.LastAt.Unix() != now.Unix() || !st.NextAt.Equal(time.Unix(now.Unix(), 0).Add(backup.Interval)) {
		t.Fatalf("status %+v %v", st, err)
	}
	// A folder gone (an unplugged disk): the failure is kept, and the data untouched.
	os.RemoveAll(folder)
	now = now.Add(backup.Interval + time.Second)
	if s.RunDue(ctx) {
		t.Fatal("written into a missing folder")
	}
	st, _ = s.Settings(ctx)
	if st.LastError != "backup_write_failed" {
		t.Fatalf("last error %q", st.LastError)
	}
}

func reasonOf(err error) string { return fault.ReasonOf(err) }

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
