package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// IsUniqueViolation reports whether err is SQLite refusing a row that repeats a UNIQUE
// column (an address already taken), by its extended result code, not its wording.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// IsForeignKeyViolation reports whether err is SQLite refusing a row whose FOREIGN KEY
// names a row that does not exist (or no longer does).
func IsForeignKeyViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}
