package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

func open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestFTS5IsCompiledIn(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	var used int
	if err := db.R.QueryRowContext(ctx, `SELECT sqlite_compileoption_used('ENABLE_FTS5')`).Scan(&used); err != nil {
		t.Fatal(err)
	}
	if used != 1 {
		t.Fatalf("ENABLE_FTS5 compile option = %d; build with -tags sqlite_fts5", used)
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE VIRTUAL TABLE probe USING fts5(subject, body)`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO probe(subject, body) VALUES ('Facture de novembre', 'Bonjour, voici la facture'), ('Lunch', 'see you at noon')`)
		return err
	})
	if err != nil {
		t.Fatalf("create fts5 table: %v", err)
	}
	var subject string
	if err := db.R.QueryRowContext(ctx, `SELECT subject FROM probe WHERE probe MATCH 'factu*' ORDER BY rank`).Scan(&subject); err != nil {
		t.Fatalf("fts5 prefix query: %v", err)
	}
	if subject != "Facture de novembre" {
		t.Fatalf("fts5 match = %q", subject)
	}
}

func TestOpenSetsWALForeignKeysAndBusyTimeout(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	var mode string
	if err := db.W.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	for name, pool := range map[string]*sql.DB{"writer": db.W, "reader": db.R} {
		var fk, busy int
		if err := pool.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Errorf("%s foreign_keys = %d, %v; want 1", name, fk, err)
		}
		if err := pool.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil || busy < 1000 {
			t.Errorf("%s busy_timeout = %d, %v; want >= 1000", name, busy, err)
		}
	}
}

// TestSQLiteCompileOptions: the store's SQLite is built as the Makefile's CGO_CFLAGS say
// (a build outside make, with Go's defaults, is slower and fails here): no allocator
// statistics, no page-cache bulk allocation for every temporary b-tree, and plans that do
// not depend on bound values (so that statements are not prepared again for each run).
func TestSQLiteCompileOptions(t *testing.T) {
	db := open(t)
	rows, err := db.R.QueryContext(context.Background(), `PRAGMA compile_options`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		got[o] = true
	}
	for _, want := range []string{"DEFAULT_MEMSTATUS=0", "DEFAULT_PCACHE_INITSZ=0", "ENABLE_QPSG", "ENABLE_FTS5"} {
		if !got[want] {
			t.Errorf("SQLite was built without %s (build through make: its CGO_CFLAGS); options: %v", want, got)
		}
	}
}

func TestReadersCannotWrite(t *testing.T) {
	db := open(t)
	_, err := db.R.Exec(`INSERT INTO settings(key, value) VALUES ('x', 'y')`)
	if err == nil {
		t.Fatal("a write through the reader pool succeeded")
	}
}

func TestMigrationsApplyOnceAndSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mailroom.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := db.SchemaVersion(ctx)
	if err != nil || v1 < 1 {
		t.Fatalf("schema version = %d, %v", v1, err)
	}
	if err := db.SetSetting(ctx, "language", "fr"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	v2, _ := db.SchemaVersion(ctx)
	if v2 != v1 {
		t.Fatalf("schema version after reopen = %d, want %d", v2, v1)
	}
	var n int
	if err := db.R.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	// Numbers may leave gaps (0020 follows 0010, so parallel work keeps its own numbers):
	// one row per migration file.
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	if n != len(files) {
		t.Fatalf("%d migration rows for %d migration files: a migration ran twice or was skipped", n, len(files))
	}
	got, ok, err := db.Setting(ctx, "language")
	if err != nil || !ok || got != "fr" {
		t.Fatalf("setting after reopen = %q %v %v", got, ok, err)
	}
}

func TestRefusesADatabaseFromANewerVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mailroom.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = store.Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer schema: err = %v", err)
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	boom := os.ErrClosed
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SetSettingTx(ctx, tx, "k", "v"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx error = %v", err)
	}
	if _, ok, _ := db.Setting(ctx, "k"); ok {
		t.Fatal("a failed transaction left its write behind")
	}
}

func TestConcurrentReadsDuringWrites(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := db.SetSetting(ctx, "k", strings.Repeat("x", w+i)); err != nil {
					errs <- err
					return
				}
				if _, _, err := db.Setting(ctx, "k"); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent access: %v", err)
	}
}

// SQLite's refusals are told apart by their result codes, not their English text, and a
// full disk reaches the user as the reason disk_full.
func TestSQLiteRefusalsAreMatchedByCode(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	exec := func(q string, args ...any) error {
		return db.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err })
	}
	if err := exec(`INSERT INTO settings(key, value) VALUES ('k', 'v')`); err != nil {
		t.Fatal(err)
	}
	err := exec(`INSERT INTO settings(key, value) VALUES ('k', 'again')`)
	if !store.IsUnique(err) || store.IsForeignKey(err) || store.IsDiskFull(err) {
		t.Fatalf("a repeated key: %v; want a unique violation only", err)
	}
	err = exec(`INSERT INTO account_access(account_id, user_id, granted_at) VALUES (404, 404, 0)`)
	if !store.IsForeignKey(err) || store.IsUnique(err) {
		t.Fatalf("a row naming no account: %v; want a foreign key violation", err)
	}
	// A database that may not grow is a full disk to SQLite.
	var pages int
	if err := db.W.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	err = exec(`INSERT INTO settings(key, value) VALUES ('big', ?)`, strings.Repeat("x", 1<<20))
	if !store.IsDiskFull(err) || !fault.ErrDiskFull.Is(err) {
		t.Fatalf("a write beyond the disk: %v; want %s", err, fault.ErrDiskFull.Name)
	}
}

func TestInt64sReadsOneColumnAndPassesErrorsOn(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	ids, err := store.Int64s(db.R.QueryContext(ctx, `SELECT value FROM json_each('[3, 1, 2]')`))
	if err != nil || len(ids) != 3 || ids[0] != 3 || ids[1] != 1 || ids[2] != 2 {
		t.Fatalf("ids %v, %v", ids, err)
	}
	if ids, err := store.Int64s(db.R.QueryContext(ctx, `SELECT 1 WHERE 0`)); err != nil || len(ids) != 0 {
		t.Fatalf("no rows: %v, %v", ids, err)
	}
	if _, err := store.Int64s(db.R.QueryContext(ctx, `SELECT nope FROM nowhere`)); err == nil {
		t.Fatal("a failed query's error is lost")
	}
	if _, err := store.Int64s(db.R.QueryContext(ctx, `SELECT 'not a number'`)); err == nil {
		t.Fatal("a value that is not an integer is not refused")
	}
}
