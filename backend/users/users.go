// Package users keeps the people who use this workstation, their roles and the current
// session (F17).
//
//	u := users.New(db)
//	owner, err := u.CreateOwner(ctx, users.NewUser{Name: "Alice", Email: "alice@shop.fr", Language: "fr"})
//	me, ok, err := u.Current(ctx) // the signed-in user; ok is false when nobody is
//	_, err = u.SignIn(ctx, id, password) // slowed down after wrong passwords (session.go)
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
	"strings"
	"sync"
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
	maxTitleLen = 200
	maxPhoneLen = 40
)

// User is one person using Mailroom.
type User struct {
	ID       int64
	Name     string
	Email    string
	Role     Role
	Language string
	// Title and Phone are the profile's (signatures' merge tags use them); "" when not given.
	Title string
	Phone string
	// HasPassword: signing in as this user asks for their password.
	HasPassword bool
	CreatedAt   time.Time
}

// NewUser is what is needed to create a user.
type NewUser struct {
	Name     string
	Email    string
	Role     Role
	Language string
	// Password is optional ("" = none); when given, 8 to 64 characters.
	Password string
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

// Service reads and writes users and keeps who is signed in (in memory: each start asks
// again, once a second user exists).
type Service struct {
	db  *store.DB
	now func() time.Time

	mu      sync.Mutex
	session session
	// idle is the idle limit once read (idleKnown), 0 = never.
	idle      time.Duration
	idleKnown bool

	// attempts serialises password checks, so parallel attempts cannot pass the slowdown.
	attempts sync.Mutex
}

// New returns the user service over db. It does no I/O.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

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
	if in.Password != "" {
		if err := checkPassword(in.Password, "password"); err != nil {
			return in, err
		}
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
	hash, err := hashIfGiven(in.Password)
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
		u, err = insert(ctx, tx, in, hash)
		if err != nil {
			return err
		}
		return store.SetSettingTx(ctx, tx, "language", u.Language)
	})
	if err == nil {
		s.begin(u.ID)
	}
	return u, err
}

// Create adds a user, with a password if one is given.
func (s *Service) Create(ctx context.Context, in NewUser) (User, error) {
	in, err := in.normalise()
	if err != nil {
		return User{}, err
	}
	hash, err := hashIfGiven(in.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		u, err = insert(ctx, tx, in, hash)
		return err
	})
	return u, err
}

// hashIfGiven hashes a password outside any transaction (Argon2id takes tens of
// milliseconds, which the one writer must not wait for); "" stays "".
func hashIfGiven(pw string) (string, error) {
	if pw == "" {
		return "", nil
	}
	return hashPassword(pw)
}

func insert(ctx context.Context, tx *sql.Tx, in NewUser, hash string) (User, error) {
	now := time.Now().UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO users(name, email, role, language, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		in.Name, in.Email, string(in.Role), in.Language, hash, now.Unix())
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
	return User{ID: id, Name: in.Name, Email: in.Email, Role: in.Role, Language: in.Language, HasPassword: hash != "",
		CreatedAt: now.Truncate(time.Second)}, nil
}

const selectUser = `SELECT id, name, email, role, language, title, phone, password_hash <> '', created_at FROM users`

func scan(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var role string
	var created int64
	if err := row.Scan(&u.ID, &u.Name, &u.Email, &role, &u.Language, &u.Title, &u.Phone, &u.HasPassword, &created); err != nil {
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
