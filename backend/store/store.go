// Package store owns Mailroom's SQLite database: it is the only package that opens it.
//
//	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "mailroom.db")) // cfg: backend/config
//	defer db.Close()
//	err = db.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(`INSERT …`); return err })
//	rows, err := db.R.QueryContext(ctx, `SELECT …`)
//
// The file is opened in WAL mode with foreign keys on and a busy timeout. There is one
// writer connection (SQLite allows one writer at a time; serialising in Go avoids
// SQLITE_BUSY storms) and a pool of read-only connections that read concurrently with it.
// Migrations are embedded SQL files applied in order, each in its own transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"mailroom/backend/fault" // registers the "sqlite3" driver (built with sqlite_fts5)
)

// Limits of the connection pools and waits.
const (
	busyTimeout    = 5 * time.Second // how long a connection waits on a lock before SQLITE_BUSY
	maxReaders     = 4               // read connections in the pool
	stmtCacheSize  = 64              // statements each connection keeps prepared
	dataDirPerm    = 0o700           // the data directory holds private mail
	migrationsGlob = "migrations/*.sql"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open Mailroom database.
type DB struct {
	W    *sql.DB // the single writer connection; use Tx for writes
	R    *sql.DB // read-only pool
	Path string
}

// Why the database cannot be opened, for the screen the app shows instead of itself.
var (
	ErrCannotOpen = fault.Define("store_cannot_open", fault.StoreUnavailable,
		"the database in {dir} cannot be opened")
	ErrNewerSchema = fault.Define("store_newer_schema", fault.StoreUnavailable,
		"the data in {dir} was written by a newer Mailroom (version {found} of its data; this one knows up to {known}): update Mailroom")
)

// Open opens (creating if needed) the database at path and applies pending migrations. A
// failure has the reason ErrCannotOpen (the system's own words as its detail) or
// ErrNewerSchema.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := open(ctx, path)
	if err == nil {
		return db, nil
	}
	if _, ok := fault.As(err); ok {
		return nil, err
	}
	return nil, CannotOpen(filepath.Dir(path), err)
}

// CannotOpen is ErrCannotOpen for the folder dir, with the innermost error's words (the
// system's or SQLite's) as its detail.
func CannotOpen(dir string, err error) error {
	inner := err
	for {
		next := errors.Unwrap(inner)
		if next == nil {
			break
		}
		inner = next
	}
	return ErrCannotOpen.Wrap(err, fault.P{"dir": dir}).WithDetail(inner.Error())
}

func open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), dataDirPerm); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout/time.Millisecond)))
	q.Set("_synchronous", "NORMAL") // safe in WAL mode: a crash loses no committed transaction's integrity
	q.Set("_txlock", "immediate")   // writers take the lock at BEGIN, so no upgrade deadlocks
	// Each connection is used by one goroutine at a time (database/sql holds it for every
	// call, and the driver only interrupts from another, which SQLite allows): SQLite's
	// per-connection mutex is then pure cost, a few per cent of an import's CPU.
	q.Set("_mutex", "no")
	// Each connection keeps its last statements prepared (the driver's cache): the outbox,
	// the bulk sends and the records' reads run the same few queries again and again, and
	// parsing and planning them each time was a good part of their CPU per message.
	q.Set("_stmt_cache_size", strconv.Itoa(stmtCacheSize))
	w, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// Touch the writer first so the file exists and WAL is set before readers open it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	rq := url.Values{}
	rq.Set("_foreign_keys", "on")
	rq.Set("_busy_timeout", strconv.Itoa(int(busyTimeout/time.Millisecond)))
	rq.Set("_query_only", "true")
	rq.Set("_mutex", "no") // as the writer's
	rq.Set("_stmt_cache_size", strconv.Itoa(stmtCacheSize))
	r, err := sql.Open("sqlite3", "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open readers %s: %w", path, err)
	}
	r.SetMaxOpenConns(maxReaders)
	r.SetMaxIdleConns(maxReaders)
	db := &DB{W: w, R: r, Path: path}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.R.Close(), db.W.Close())
}

// Tx runs fn in a write transaction, committing when fn returns nil and rolling back
// otherwise (also on panic, which it re-raises). A write refused because the disk is full
// fails with the reason fault.ErrDiskFull.
//
// fn holds the only writer connection: it must not wait for anything but the database (no
// keychain, no network), or every other write (a sync batch, an outbox marker) waits too.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	defer func() { err = refusal(err) }()
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// migration is one embedded SQL file, numbered by its name's prefix ("0001_init.sql").
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, migrationsGlob)
	if err != nil {
		return nil, fmt.Errorf("store: list migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, n := range names {
		base := filepath.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %q: name must start with a positive number and '_'", base)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("store: migrations %q and %q share version %d", prev, base, v)
		}
		seen[v] = base
		body, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("store: read migration %q: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return db.apply(ctx, ms)
}

// apply brings the database to ms: every migration not yet applied, in order.
func (db *DB) apply(ctx context.Context, ms []migration) error {
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	// Every migration not yet applied is applied, in order, even one numbered below the
	// highest applied: areas number their migrations apart (0011 records, 0020 users…), so a
	// database may have 0020 and not yet 0012. A version this Mailroom does not know means a
	// newer one wrote the data: refused rather than damaged.
	applied := map[int]bool{}
	rows, err := db.W.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("store: read schema versions: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("store: read schema versions: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: read schema versions: %w", err)
	}
	known := map[int]bool{}
	for _, m := range ms {
		known[m.version] = true
	}
	for v := range applied {
		if !known[v] {
			last := 0
			if n := len(ms); n > 0 {
				last = ms[n-1].version
			}
			return ErrNewerSchema.New(fault.P{"dir": filepath.Dir(db.Path), "found": v, "known": last})
		}
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().Unix())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
