package backup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// SettingsPrefix starts the settings that belong to this computer, not to the data: where
// and how often it backs up. A restore keeps the current ones.
const SettingsPrefix = "backup."

// Inspect reads a backup where it lies, without writing to it: its manifest, whether this
// Mailroom can restore it. It does not check every page (Prepare does, on its copy).
func Inspect(ctx context.Context, src string) (Manifest, error) {
	file := filepath.Base(src)
	if err := checkHeader(src); err != nil {
		return Manifest{}, err
	}
	c, err := store.OpenCopy(ctx, src, true)
	if err != nil {
		return Manifest{}, ErrDamaged.Wrap(err, fault.P{"file": file}).WithDetail(innermost(err))
	}
	defer c.Close()
	return checkManifest(ctx, c, file)
}

// Prepared is a backup copied into the data directory, checked whole and made ready to
// replace the database: Swap puts it in place, Discard removes it.
type Prepared struct {
	Path     string
	Manifest Manifest
}

// Discard removes a prepared copy that will not be restored.
func (p *Prepared) Discard() {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(p.Path + s)
	}
}

// Prepare copies the backup src next to dbPath, checks it whole (a damaged file, a file that
// is not a backup, a backup from a newer Mailroom are refused, the current data untouched),
// brings it to this version's schema and makes it ready for this computer:
//   - every account comes back disabled, needing its password or sign-in (its secrets are in
//     the old computer's keychain, never in the backup);
//   - messages queued or being sent when the backup was taken are held as "possibly sent"
//     (the old computer may have sent them since): nothing is sent twice without the user;
//   - the backup settings stay this computer's (current's);
//   - the current accounts' secrets are recorded as pending, so the next start removes them
//     from the keychain once no account names them.
//
// current is the open database being replaced (read only here).
func Prepare(ctx context.Context, src, dbPath string, current *store.DB, progress func(Progress)) (*Prepared, error) {
	report := reporter("restore", 4, progress)
	file := filepath.Base(src)
	if err := checkHeader(src); err != nil {
		return nil, err
	}
	report(PhaseCopy)
	p := &Prepared{Path: dbPath + ".restore-" + randomSuffix()}
	if err := copyFile(src, p.Path); err != nil {
		p.Discard()
		return nil, ErrUnreadable.Wrap(err, fault.P{"file": file}).WithDetail(innermost(err))
	}
	ok := false
	defer func() {
		if !ok {
			p.Discard()
		}
	}()
	report(PhaseCheck)
	c, err := store.OpenCopy(ctx, p.Path, false)
	if err != nil {
		return nil, ErrDamaged.Wrap(err, fault.P{"file": file}).WithDetail(innermost(err))
	}
	err = func() error {
		defer c.Close()
		if err := quickCheck(ctx, c, src); err != nil {
			return err
		}
		p.Manifest, err = checkManifest(ctx, c, file)
		return err
	}()
	if err != nil {
		return nil, err
	}
	report(PhasePrepare)
	carried, err := carried(ctx, current)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, p.Path) // older backups are migrated here, on the copy
	if err != nil {
		if store.ErrNewerSchema.Is(err) {
			return nil, ErrNewer.Wrap(err, fault.P{"version": p.Manifest.AppVersion})
		}
		return nil, ErrDamaged.Wrap(err, fault.P{"file": file}).WithDetail(innermost(err))
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error { return prepareTx(ctx, tx, carried) })
	if err == nil {
		// The copy leaves WAL mode as one complete file.
		_, err = db.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("backup: prepare the restore: %w", err)
	}
	// Back to one file: the rollback journal mode checkpoints and removes the WAL.
	c, err = store.OpenCopy(ctx, p.Path, false)
	if err != nil {
		return nil, fmt.Errorf("backup: prepare the restore: %w", err)
	}
	if err := c.Close(); err != nil {
		return nil, fmt.Errorf("backup: prepare the restore: %w", err)
	}
	ok = true
	return p, nil
}

// fromCurrent is what a restore carries over from the data it replaces.
type fromCurrent struct {
	secrets  []pendingSecret
	settings map[string]string
}

type pendingSecret struct{ id, kind string }

func carried(ctx context.Context, db *store.DB) (fromCurrent, error) {
	out := fromCurrent{settings: map[string]string{}}
	if db == nil {
		return out, nil
	}
	rows, err := db.R.QueryContext(ctx, `SELECT password_secret, sender_secret, oauth_secret FROM accounts`)
	if err != nil {
		return out, fmt.Errorf("backup: read the current accounts: %w", err)
	}
	for rows.Next() {
		var pw, sender, oa string
		if err := rows.Scan(&pw, &sender, &oa); err != nil {
			rows.Close()
			return out, err
		}
		for _, s := range []pendingSecret{{pw, "password"}, {sender, "sender"}, {oa, "oauth"}} {
			if s.id != "" {
				out.secrets = append(out.secrets, s)
			}
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return out, fmt.Errorf("backup: read the current accounts: %w", err)
	}
	rows, err = db.R.QueryContext(ctx, `SELECT key, value FROM settings WHERE key LIKE ? ESCAPE '\'`, escapeLike(SettingsPrefix)+"%")
	if err != nil {
		return out, fmt.Errorf("backup: read the current settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return out, err
		}
		out.settings[k] = v
	}
	return out, rows.Err()
}

func prepareTx(ctx context.Context, tx *sql.Tx, cur fromCurrent) error {
	stmts := []string{
		`DROP TABLE ` + manifestTable,
		`UPDATE accounts SET disabled = 1, status = 'needs_password', status_code = 'auth_failed',
			password_secret = '', sender_secret = '', oauth_secret = '', last_check_at = NULL`,
		`UPDATE outbox SET state = 'possibly_sent' WHERE state IN ('queued', 'sending')`,
		// The old computer's keychain is not this one's: nothing to clean there from here.
		`DELETE FROM pending_secrets`,
		`DELETE FROM settings WHERE key LIKE '` + escapeLike(SettingsPrefix) + `%' ESCAPE '\'`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	now := time.Now().UnixMilli()
	for _, s := range cur.secrets {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO pending_secrets(secret_id, kind, run, created_at) VALUES (?, ?, 'restore', ?)`,
			s.id, s.kind, now); err != nil {
			return err
		}
	}
	for k, v := range cur.settings {
		if err := store.SetSettingTx(ctx, tx, k, v); err != nil {
			return err
		}
	}
	return nil
}

func escapeLike(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// checkHeader refuses at once a file that is not a SQLite database.
func checkHeader(src string) error {
	file := filepath.Base(src)
	f, err := os.Open(src)
	if err != nil {
		return ErrUnreadable.Wrap(err, fault.P{"file": file}).WithDetail(innermost(err))
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return ErrNotBackup.New(fault.P{"file": file})
	}
	return nil
}

// checkManifest reads the manifest and refuses a backup this Mailroom cannot restore.
func checkManifest(ctx context.Context, c *sql.DB, file string) (Manifest, error) {
	m, ok, err := readManifest(ctx, c)
	if err != nil {
		return Manifest{}, ErrDamaged.Wrap(err, fault.P{"file": file}).WithDetail(innermost(err))
	}
	if !ok {
		return Manifest{}, ErrNotBackup.New(fault.P{"file": file})
	}
	known, err := store.KnownVersions()
	if err != nil {
		return Manifest{}, err
	}
	applied, err := appliedVersions(ctx, c)
	if err != nil {
		return Manifest{}, ErrDamaged.Wrap(err, fault.P{"file": file}).WithDetail(innermost(err))
	}
	if m.Format > FormatVersion {
		return Manifest{}, ErrNewer.New(fault.P{"version": m.AppVersion})
	}
	for _, v := range append(applied, m.Schema...) {
		if !slices.Contains(known, v) {
			return Manifest{}, ErrNewer.New(fault.P{"version": m.AppVersion})
		}
	}
	return m, nil
}

// Swap replaces the database at dbPath with the prepared copy. The store must be closed.
// The replaced database is kept beside it (dbPath + ".before-restore", with its WAL files if
// any: they belong to it, and would damage the new one) until the next restore. undo puts it
// back (the reopened store failed).
func Swap(p *Prepared, dbPath string) (undo func() error, err error) {
	old := dbPath + ".before-restore"
	sfx := []string{"", "-wal", "-shm", "-journal"}
	for _, s := range sfx {
		if err := os.Remove(old + s); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("backup: swap: %w", err)
		}
	}
	var moved []string
	back := func() error {
		var errs []error
		for _, s := range sfx {
			if err := os.Remove(dbPath + s); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		for _, s := range moved {
			errs = append(errs, os.Rename(old+s, dbPath+s))
		}
		syncDir(filepath.Dir(dbPath))
		return errors.Join(errs...)
	}
	for _, s := range sfx {
		err := os.Rename(dbPath+s, old+s)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			_ = back()
			return nil, fmt.Errorf("backup: swap: %w", err)
		}
		moved = append(moved, s)
	}
	if err := os.Rename(p.Path, dbPath); err != nil {
		_ = back()
		return nil, fmt.Errorf("backup: swap: %w", err)
	}
	syncDir(filepath.Dir(dbPath))
	return back, nil
}
