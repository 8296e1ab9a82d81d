package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Copies of the database, for backups (F24). The store stays the only package that opens a
// database file: backup asks it for a snapshot and for a plain handle on a copy.

// SnapshotTo writes a consistent copy of the database to dest (which must not exist) while
// the app keeps working: SQLite's VACUUM INTO reads inside one read transaction, so the copy
// is the database as of one instant, and writers (the sync, the outbox) go on meanwhile in
// WAL mode. It runs on a read connection, never on the writer.
func (db *DB) SnapshotTo(ctx context.Context, dest string) error {
	conn, err := db.R.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer conn.Close()
	// query_only forbids writes to this database, not VACUUM INTO's new file; lifted for
	// this statement all the same so no SQLite version reads it otherwise.
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = false`); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer conn.ExecContext(context.Background(), `PRAGMA query_only = true`) //nolint:errcheck // the connection is reused read-only; a failure here is SQLite's own
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return refusal(fmt.Errorf("store: snapshot to %s: %w", dest, err))
	}
	return nil
}

// OpenCopy opens a copy of a database (a backup being written or checked) as one plain
// connection: foreign keys on, rollback journal (the copy stays one file), no migrations.
// readOnly opens it without writing a byte (a backup looked at where it lies). The caller
// closes it.
func OpenCopy(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout/time.Millisecond)))
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_journal_mode", "DELETE")
	}
	d, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open copy %s: %w", path, err)
	}
	d.SetMaxOpenConns(1)
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("store: open copy %s: %w", path, err)
	}
	return d, nil
}

// KnownVersions lists the migrations this Mailroom knows, in order: a database (or a
// backup) with any other version was written by a newer Mailroom.
func KnownVersions() ([]int, error) {
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	out := make([]int, len(ms))
	for i, m := range ms {
		out[i] = m.version
	}
	return out, nil
}
