// Package backup writes and restores Mailroom's backups (F24).
//
// A backup is one SQLite file: a consistent copy of the database taken while the app runs
// (store.SnapshotTo, SQLite's VACUUM INTO), so every table comes along — records, templates,
// automations, settings, users, filing, and any table a later version adds — then stripped
// of what must not or need not travel:
//   - secrets never were in it: passwords, tokens and API keys live in the keychain (vault);
//   - the synced mail, when the user chooses a backup without it: messages, their bodies,
//     addresses, attachments' metadata, their filing links and the search index are emptied,
//     and the folders' sync state reset, so the mail comes back from the servers.
//
// The copy carries a small manifest, a table of its own (mailroom_backup): the format, the
// schema's migrations, the app's version, when, with or without mail. A table rather than a
// zip keeps the backup one file any SQLite tool opens and checks. It is written under a
// temporary name in the destination folder and renamed once complete and synced, so a crash
// never leaves a half file under a backup's name.
//
// A restore never touches the current data until the backup has been copied into the data
// directory, checked whole (SQLite's integrity check, the manifest, the schema's version),
// brought to this version's schema and prepared (accounts disabled, waiting for their
// password or sign-in; queued messages held): only then does Swap replace the database file,
// while the store is closed.
package backup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// FormatVersion is the version of the backup file's own layout (the manifest).
const FormatVersion = 1

// manifestTable is the table a backup carries its manifest in; a restore drops it.
const manifestTable = "mailroom_backup"

// Ext is the backups' file name extension: a backup is a SQLite database.
const Ext = ".sqlite"

// Why a backup or a restore fails, in the user's words.
var (
	ErrNotBackup = fault.Define("backup_not_a_backup", fault.InvalidInput,
		"{file} is not a Mailroom backup")
	ErrDamaged = fault.Define("backup_damaged", fault.InvalidInput,
		"{file} is damaged: it cannot be restored")
	ErrNewer = fault.Define("backup_newer", fault.InvalidInput,
		"this backup was made by a newer Mailroom ({version}): update Mailroom, then restore it")
	ErrUnreadable = fault.Define("backup_unreadable", fault.InvalidInput,
		"{file} cannot be read")
	ErrWriteFailed = fault.Define("backup_write_failed", fault.InvalidInput,
		"the backup could not be written in {folder}")
	ErrPathInvalid = fault.Define("backup_path_invalid", fault.InvalidInput,
		"choose a file or a folder with its full path")
)

// Manifest describes a backup.
type Manifest struct {
	Format     int
	Schema     []int // the migrations applied to the copied database
	AppVersion string
	CreatedAt  time.Time
	WithMail   bool
	Automatic  bool
}

// SchemaVersion is the highest migration of the backup's data.
func (m Manifest) SchemaVersion() int {
	v := 0
	for _, s := range m.Schema {
		v = max(v, s)
	}
	return v
}

// Phase is a step of a backup or a restore, reported as progress.
type Phase string

// The phases, in order.
const (
	PhaseCopy    Phase = "copy"    // the snapshot of the database, or the backup's copy
	PhaseStrip   Phase = "strip"   // the synced mail left out
	PhaseCompact Phase = "compact" // the copy compacted, freed pages dropped
	PhaseCheck   Phase = "check"   // the copy checked
	PhasePrepare Phase = "prepare" // accounts disabled, schema brought up to date
	PhaseSwap    Phase = "swap"    // the data replaced and reopened
	PhaseDone    Phase = "done"
)

// Progress is one step reached: Step of Steps.
type Progress struct {
	Op    string // "backup" or "restore"
	Phase Phase
	Step  int
	Steps int
}

// Options choose what a backup holds.
type Options struct {
	WithMail  bool
	Automatic bool
	Progress  func(Progress) // nil: no report
}

// Info is a backup written.
type Info struct {
	Path     string
	Size     int64
	Manifest Manifest
}

// Write writes a backup of db to dest (a file name; an existing file is replaced only once
// the new one is complete). version is the app's version, recorded in the manifest.
func Write(ctx context.Context, db *store.DB, dest, version string, opt Options) (Info, error) {
	if !filepath.IsAbs(dest) {
		return Info{}, ErrPathInvalid.New(nil)
	}
	folder := filepath.Dir(dest)
	report := reporter("backup", 4, opt.Progress)
	fail := func(err error) (Info, error) {
		if _, ok := fault.As(err); ok {
			return Info{}, err
		}
		return Info{}, ErrWriteFailed.Wrap(err, fault.P{"folder": folder}).WithDetail(innermost(err))
	}
	if st, err := os.Stat(folder); err != nil || !st.IsDir() {
		if err == nil {
			err = fmt.Errorf("%s is not a folder", folder)
		}
		return fail(err)
	}
	// The temporary name sits in the destination's folder (a rename never crosses file
	// systems) and says what it is; it never ends in Ext, so no list takes it for a backup.
	tmp := filepath.Join(folder, "."+strings.TrimSuffix(filepath.Base(dest), Ext)+".partial-"+randomSuffix())
	defer os.Remove(tmp) // a failure leaves nothing; after the rename there is nothing to remove

	report(PhaseCopy)
	if err := db.SnapshotTo(ctx, tmp); err != nil {
		return fail(err)
	}
	m := Manifest{Format: FormatVersion, AppVersion: version, CreatedAt: time.Now().UTC().Truncate(time.Second),
		WithMail: opt.WithMail, Automatic: opt.Automatic}
	c, err := store.OpenCopy(ctx, tmp, false)
	if err != nil {
		return fail(err)
	}
	err = func() (err error) {
		defer c.Close()
		if m.Schema, err = appliedVersions(ctx, c); err != nil {
			return err
		}
		if !opt.WithMail {
			report(PhaseStrip)
			if err := stripMail(ctx, c); err != nil {
				return err
			}
		}
		if err := writeManifest(ctx, c, m); err != nil {
			return err
		}
		report(PhaseCompact)
		// Deleted mail would stay readable in free pages until they are reused.
		if !opt.WithMail {
			if _, err := c.ExecContext(ctx, `VACUUM`); err != nil {
				return fmt.Errorf("backup: compact: %w", err)
			}
		}
		report(PhaseCheck)
		return quickCheck(ctx, c, tmp)
	}()
	if err != nil {
		return fail(err)
	}
	if err := syncFile(tmp); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fail(err)
	}
	syncDir(folder)
	st, err := os.Stat(dest)
	if err != nil {
		return fail(err)
	}
	report(PhaseDone)
	return Info{Path: dest, Size: st.Size(), Manifest: m}, nil
}

// stripMail leaves the synced mail out of a copy: the messages (their addresses, bodies,
// attachments' metadata, filing links and parties go with them through their foreign keys),
// the search index, the flags waiting for the server; each folder's sync state is reset so
// the next sync fetches everything again. Outbox rows are not mail from the servers: they
// stay.
func stripMail(ctx context.Context, c *sql.DB) error {
	for _, q := range []string{
		`DELETE FROM pending_flags`,
		// Each message's index row leaves with it (the cleanup trigger, while its words
		// are still in the view the index reads); then the index is emptied of anything
		// else — an external-content FTS5 table is emptied by its 'delete-all' command.
		`DELETE FROM messages`,
		`INSERT INTO messages_fts(messages_fts) VALUES ('delete-all')`,
		`UPDATE folders SET uidvalidity = 0, uidnext = 0, highestmodseq = 0, message_count = 0, last_sync_at = NULL`,
	} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("backup: leave the mail out (%s): %w", q, err)
		}
	}
	return nil
}

func writeManifest(ctx context.Context, c *sql.DB, m Manifest) error {
	schema := make([]string, len(m.Schema))
	for i, v := range m.Schema {
		schema[i] = fmt.Sprint(v)
	}
	_, err := c.ExecContext(ctx, `CREATE TABLE `+manifestTable+` (
		format INTEGER NOT NULL, schema TEXT NOT NULL, app_version TEXT NOT NULL,
		created_at INTEGER NOT NULL, with_mail INTEGER NOT NULL, automatic INTEGER NOT NULL)`)
	if err != nil {
		return fmt.Errorf("backup: manifest: %w", err)
	}
	_, err = c.ExecContext(ctx, `INSERT INTO `+manifestTable+` VALUES (?, ?, ?, ?, ?, ?)`,
		m.Format, strings.Join(schema, " "), m.AppVersion, m.CreatedAt.Unix(), m.WithMail, m.Automatic)
	if err != nil {
		return fmt.Errorf("backup: manifest: %w", err)
	}
	return nil
}

func readManifest(ctx context.Context, c *sql.DB) (Manifest, bool, error) {
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, manifestTable).Scan(&n); err != nil {
		return Manifest{}, false, err
	}
	if n == 0 {
		return Manifest{}, false, nil
	}
	var m Manifest
	var schema string
	var at int64
	err := c.QueryRowContext(ctx, `SELECT format, schema, app_version, created_at, with_mail, automatic FROM `+manifestTable).
		Scan(&m.Format, &schema, &m.AppVersion, &at, &m.WithMail, &m.Automatic)
	if errors.Is(err, sql.ErrNoRows) {
		return Manifest{}, false, nil
	}
	if err != nil {
		return Manifest{}, false, err
	}
	m.CreatedAt = time.Unix(at, 0).UTC()
	for _, f := range strings.Fields(schema) {
		var v int
		if _, err := fmt.Sscan(f, &v); err != nil {
			return Manifest{}, false, fmt.Errorf("backup: manifest's schema %q: %w", schema, err)
		}
		m.Schema = append(m.Schema, v)
	}
	return m, true, nil
}

func appliedVersions(ctx context.Context, c *sql.DB) ([]int, error) {
	rows, err := c.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("backup: schema versions: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// quickCheck runs SQLite's integrity check on the copy (every page, index and constraint).
func quickCheck(ctx context.Context, c *sql.DB, path string) error {
	rows, err := c.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return ErrDamaged.Wrap(err, fault.P{"file": filepath.Base(path)}).WithDetail(innermost(err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return ErrDamaged.Wrap(err, fault.P{"file": filepath.Base(path)})
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return ErrDamaged.Wrap(err, fault.P{"file": filepath.Base(path)}).WithDetail(innermost(err))
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = problems[:5]
		}
		return ErrDamaged.New(fault.P{"file": filepath.Base(path)}).WithDetail(strings.Join(problems, "; "))
	}
	return nil
}

func reporter(op string, steps int, fn func(Progress)) func(Phase) {
	step := 0
	return func(p Phase) {
		if fn == nil {
			return
		}
		if p == PhaseDone {
			step = steps
		} else if step < steps {
			step++
		}
		fn(Progress{Op: op, Phase: p, Step: step, Steps: steps})
	}
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// innermost is the deepest error's words: the system's or SQLite's, shown as a detail.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename durable; a file system that cannot sync a folder (some network
// ones) has done what it can.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// copyFile copies src to dst (created, never existing) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
