package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"

	"mailroom/backend/fault"
)

// IsUnique reports whether err is SQLite refusing a row that repeats a UNIQUE or PRIMARY
// KEY value (matched by SQLite's extended result code, not its English text).
func IsUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// IsForeignKey reports whether err is SQLite refusing a row whose foreign key names no row.
func IsForeignKey(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}

// IsDiskFull reports whether err is SQLite failing for want of disk space.
func IsDiskFull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrFull
}

// refusal gives a write's failure the reason the user sees when SQLite says the disk is
// full (fault.ErrDiskFull); any other error, and an error that already has a reason, is
// returned as it is.
func refusal(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := fault.As(err); ok || !IsDiskFull(err) {
		return err
	}
	return fault.ErrDiskFull.Wrap(err, nil)
}
