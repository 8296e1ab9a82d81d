// Package users keeps the people who use this workstation, their roles and the current
// session (F17).
//
//	u := users.New(db)
//	owner, err := u.CreateOwner(ctx, users.NewUser{Name: "Alice", Email: "alice@shop.fr", Language: "fr"})
//	me, ok, err := u.Current(ctx) // the signed-in user; ok is false before onboarding
//
// Roles: the super admin manages users, the account quota and domain presets; an admin
// connects and manages accounts and grants access; a collaborator uses what is granted.
// Who may call what is decided in one place, the API's permission check; this package
// keeps the invariants of the data (one owner created once, never zero super admins).
package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// Role is what a user may do.
type Role string

// The roles, from most to least powerful.
const (
	SuperAdmin   Role = "super_admin"
	Admin        Role = "admin"
	Collaborator Role = "collaborator"
)

// Roles lists every role.
var Roles = []Role{SuperAdmin, Admin, Collaborator}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == SuperAdmin || r == Admin || r == Collaborator }

// Languages the UI ships in.
var Languages = []string{"fr", "en"}

// ValidLanguage reports whether the UI ships in lang.
func ValidLanguage(lang string) bool { return lang == "fr" || lang == "en" }

// Limits on user fields.
const (
	maxNameLen  = 200
	maxEmailLen = 254 // RFC 5321 path limit
)

// sessionKey is the setting that remembers who is signed in on this workstation.
const sessionKey = "session.user_id"

// User is one person using Mailroom.
type User struct {
	ID        int64
	Name      string
	Email     string
	Role      Role
	Language  string
	CreatedAt time.Time
}

// NewUser is what is needed to create a user.
type NewUser struct {
	Name     string
	Email    string
	Role     Role
	Language string
}

// The reasons of the users' failures (worded in frontend/src/lib/i18n/reasons/users.json).
var (
	// ErrUserNameMissing: a user without a name.
	ErrUserNameMissing = fault.Define("user_name_missing", fault.InvalidInput, "enter a name")
	// ErrUserNameTooLong: a user's name is too long.
	ErrUserNameTooLong = fault.Define("user_name_too_long", fault.InvalidInput,
		"the name is too long (at most {max} characters)")
	// ErrUserEmailInvalid: a user's address is not an email address.
	ErrUserEmailInvalid = fault.Define("user_email_invalid", fault.InvalidInput,
		"enter an email address such as name@example.com")
	// ErrUserEmailTaken: another user has this address.
	ErrUserEmailTaken = fault.Define("user_email_taken", fault.Conflict,
		"a user with the address {address} already exists")
	// ErrLanguageInvalid: a language the UI does not ship in.
	ErrLanguageInvalid = fault.Define("language_invalid", fault.InvalidInput, "choose French or English")
	// ErrRoleInvalid: an unknown role.
	ErrRoleInvalid = fault.Define("role_invalid", fault.InvalidInput,
		"choose a role: super admin, admin or collaborator")
	// ErrAlreadySetUp: onboarding once a user exists.
	ErrAlreadySetUp = fault.Define("already_set_up", fault.Conflict, "Mailroom is already set up on this computer")
	// ErrUserGone: the user no longer exists.
	ErrUserGone = fault.Define("user_gone", fault.NotFound, "this user no longer exists")
	// ErrLastSuperAdmin: the last super admin cannot be demoted or removed.
	ErrLastSuperAdmin = fault.Define("last_super_admin", fault.Conflict,
		"Mailroom needs at least one super admin: make someone else super admin first")
)

// Service reads and writes users.
type Service struct{ db *store.DB }

// New returns the user service over db. It does no I/O.
func New(db *store.DB) *Service { return &Service{db: db} }

func (in NewUser) normalise() (NewUser, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	if in.Name == "" {
		return in, ErrUserNameMissing.Field("name", nil)
	}
	if len(in.Name) > maxNameLen {
		return in, ErrUserNameTooLong.Field("name", fault.P{"max": maxNameLen})
	}
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != in.Email || !strings.Contains(in.Email, "@") || len(in.Email) > maxEmailLen {
		return in, ErrUserEmailInvalid.Field("email", nil)
	}
	if !ValidLanguage(in.Language) {
		return in, ErrLanguageInvalid.Field("language", nil)
	}
	if !in.Role.Valid() {
		return in, ErrRoleInvalid.Field("role", nil)
	}
	return in, nil
}

// Count returns how many users exist (zero before onboarding).
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("users: count: %w", err)
	}
	return n, nil
}

// CreateOwner creates the first user as super admin and signs them in. It fails with
// Conflict once any user exists, so onboarding cannot be replayed to gain rights.
func (s *Service) CreateOwner(ctx context.Context, in NewUser) (User, error) {
	in.Role = SuperAdmin
	in, err := in.normalise()
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return fmt.Errorf("users: count: %w", err)
		}
		if n > 0 {
			return ErrAlreadySetUp.New(nil)
		}
		u, err = insert(ctx, tx, in)
		if err != nil {
			return err
		}
		if err := store.SetSettingTx(ctx, tx, sessionKey, strconv.FormatInt(u.ID, 10)); err != nil {
			return err
		}
		return store.SetSettingTx(ctx, tx, "language", u.Language)
	})
	return u, err
}

// Create adds a user.
func (s *Service) Create(ctx context.Context, in NewUser) (User, error) {
	in, err := in.normalise()
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		u, err = insert(ctx, tx, in)
		return err
	})
	return u, err
}

func insert(ctx context.Context, tx *sql.Tx, in NewUser) (User, error) {
	now := time.Now().UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO users(name, email, role, language, created_at) VALUES (?, ?, ?, ?, ?)`,
		in.Name, in.Email, string(in.Role), in.Language, now.Unix())
	if err != nil {
		if store.IsUnique(err) {
			return User{}, ErrUserEmailTaken.Wrap(err, fault.P{"address": in.Email}).WithField("email")
		}
		return User{}, fmt.Errorf("users: insert: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return User{}, fmt.Errorf("users: insert: %w", err)
	}
	return User{ID: id, Name: in.Name, Email: in.Email, Role: in.Role, Language: in.Language, CreatedAt: now.Truncate(time.Second)}, nil
}

const selectUser = `SELECT id, name, email, role, language, created_at FROM users`

func scan(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var role string
	var created int64
	if err := row.Scan(&u.ID, &u.Name, &u.Email, &role, &u.Language, &created); err != nil {
		return User{}, err
	}
	u.Role = Role(role)
	u.CreatedAt = time.Unix(created, 0).UTC()
	return u, nil
}

// Get returns one user.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	u, err := scan(s.db.R.QueryRowContext(ctx, selectUser+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrUserGone.New(nil)
	}
	if err != nil {
		return User{}, fmt.Errorf("users: get %d: %w", id, err)
	}
	return u, nil
}

// List returns every user, by name.
func (s *Service) List(ctx context.Context) ([]User, error) {
	rows, err := s.db.R.QueryContext(ctx, selectUser+` ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("users: list: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("users: list: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetRole changes a user's role. The last super admin cannot be demoted.
func (s *Service) SetRole(ctx context.Context, id int64, role Role) error {
	if !role.Valid() {
		return ErrRoleInvalid.Field("role", nil)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := roleOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == SuperAdmin && role != SuperAdmin {
			if err := keepOneSuperAdmin(ctx, tx); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, string(role), id)
		return err
	})
}

// Remove deletes a user. The last super admin cannot be removed.
func (s *Service) Remove(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := roleOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == SuperAdmin {
			if err := keepOneSuperAdmin(ctx, tx); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		return err
	})
}

func roleOf(ctx context.Context, tx *sql.Tx, id int64) (Role, error) {
	var r string
	err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, id).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrUserGone.New(nil)
	}
	return Role(r), err
}

func keepOneSuperAdmin(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'super_admin'`).Scan(&n); err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastSuperAdmin.New(nil)
	}
	return nil
}

// SetLanguage changes a user's interface language.
func (s *Service) SetLanguage(ctx context.Context, id int64, lang string) error {
	if !ValidLanguage(lang) {
		return ErrLanguageInvalid.Field("language", nil)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET language = ? WHERE id = ?`, lang, id)
		if err != nil {
			return fmt.Errorf("users: set language: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrUserGone.New(nil)
		}
		return nil
	})
}

// Current returns the signed-in user of this workstation; ok is false when nobody is
// (before onboarding, or after the signed-in user was removed).
func (s *Service) Current(ctx context.Context) (User, bool, error) {
	v, ok, err := s.db.Setting(ctx, sessionKey)
	if err != nil || !ok {
		return User{}, false, err
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return User{}, false, nil //nolint:nilerr // an unreadable session is nobody signed in, as a removed user is
	}
	u, err := s.Get(ctx, id)
	if ErrUserGone.Is(err) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	return u, true, nil
}

// SignIn makes id the signed-in user of this workstation.
func (s *Service) SignIn(ctx context.Context, id int64) error {
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	return s.db.SetSetting(ctx, sessionKey, strconv.FormatInt(id, 10))
}
