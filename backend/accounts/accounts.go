// Package accounts is the registry of email accounts: their server settings, who may use
// them, the quota of active accounts and the admins' domain presets (F2, F5, F6, F18).
//
//	reg := accounts.New(db, vault)
//	acc, err := reg.Create(ctx, creatorID, accounts.NewAccount{…}, password) // password → keychain
//	pw, err := reg.Password(ctx, acc.ID)
//	err = reg.SetDisabled(ctx, acc.ID, true) // frees a place in the quota
//	err = reg.Delete(ctx, acc.ID)            // refused while someone has access or mail was processed
//
// Settings live in SQLite; the password lives only in the vault, under a key made from a
// random per-account id (so two databases on one machine never share keychain items).
package accounts

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

// Security is how a connection is protected. There is no plaintext option.
type Security string

// The two ways to protect a connection.
const (
	TLS      Security = "tls"      // implicit TLS (IMAPS 993, SMTPS 465)
	StartTLS Security = "starttls" // plain connection upgraded with STARTTLS (143, 587); refused if not offered
)

// Valid reports whether s is a known security mode.
func (s Security) Valid() bool { return s == TLS || s == StartTLS }

// Server is one server of an account.
type Server struct {
	Host     string
	Port     int
	Security Security
	Username string
}

// Status is the result of the last connection check.
type Status string

// Account statuses. Disabled is a separate flag.
const (
	Unchecked     Status = "unchecked"
	OK            Status = "ok"
	Failing       Status = "error"
	NeedsPassword Status = "needs_password"
)

// Account is a connected mailbox.
type Account struct {
	ID             int64
	Name           string
	Email          string
	FromName       string
	Provider       string
	SettingsSource string
	IMAP           Server
	SMTP           Server
	Status         Status
	StatusCode     string
	LastCheck      time.Time // zero when never checked
	Disabled       bool
	CreatedAt      time.Time
	secretID       string
}

// NewAccount is what the wizard collects (the password travels separately).
type NewAccount struct {
	Name           string
	Email          string
	FromName       string
	Provider       string
	SettingsSource string
	IMAP           Server
	SMTP           Server
}

// Limits on fields.
const (
	maxNameLen = 200
	maxHostLen = 253
)

// quotaKey is the setting holding the quota of active accounts; absent or 0 means no limit.
const quotaKey = "accounts.quota"

// Registry reads and writes accounts.
type Registry struct {
	db    *store.DB
	vault vault.Vault
}

// New returns the registry. It does no I/O.
func New(db *store.DB, v vault.Vault) *Registry { return &Registry{db: db, vault: v} }

func passwordKey(secretID string) string { return "account/" + secretID + "/password" }

func newSecretID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validServer(field string, s Server) (Server, error) {
	s.Host = strings.TrimSpace(strings.ToLower(s.Host))
	s.Username = strings.TrimSpace(s.Username)
	switch {
	case s.Host == "" || len(s.Host) > maxHostLen || strings.ContainsAny(s.Host, " /:@"):
		return s, fault.Invalid(field+".host", "Enter the server's name, such as imap.example.com.")
	case s.Port < 1 || s.Port > 65535:
		return s, fault.Invalid(field+".port", "Enter a port between 1 and 65535.")
	case !s.Security.Valid():
		return s, fault.Invalid(field+".security", "Choose TLS or STARTTLS.")
	case s.Username == "":
		return s, fault.Invalid(field+".username", "Enter the username (often your email address).")
	}
	return s, nil
}

func (in NewAccount) normalise() (NewAccount, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.FromName = strings.TrimSpace(in.FromName)
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != in.Email || !strings.Contains(in.Email, "@") {
		return in, fault.Invalid("email", "Enter an email address such as name@example.com.")
	}
	if in.Name == "" {
		in.Name = in.Email
	}
	if len(in.Name) > maxNameLen || len(in.FromName) > maxNameLen {
		return in, fault.Invalid("name", fmt.Sprintf("The name is too long (at most %d characters).", maxNameLen))
	}
	if in.IMAP, err = validServer("imap", in.IMAP); err != nil {
		return in, err
	}
	if in.SMTP, err = validServer("smtp", in.SMTP); err != nil {
		return in, err
	}
	return in, nil
}

// Create adds an account, stores its password in the vault and grants access to its
// creator. Nothing is kept if the vault refuses the password or the quota is reached.
func (r *Registry) Create(ctx context.Context, creatorID int64, in NewAccount, password string) (Account, error) {
	in, err := in.normalise()
	if err != nil {
		return Account{}, err
	}
	if password == "" {
		return Account{}, fault.Invalid("password", "Enter the password.")
	}
	secretID := newSecretID()
	now := time.Now().UTC()
	var id int64
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := r.checkQuota(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts(name, email, secret_id, from_name, provider, settings_source,
			imap_host, imap_port, imap_security, imap_username, smtp_host, smtp_port, smtp_security, smtp_username,
			created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			in.Name, in.Email, secretID, in.FromName, in.Provider, in.SettingsSource,
			in.IMAP.Host, in.IMAP.Port, string(in.IMAP.Security), in.IMAP.Username,
			in.SMTP.Host, in.SMTP.Port, string(in.SMTP.Security), in.SMTP.Username,
			nullID(creatorID), now.Unix())
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint failed") {
				return &fault.Error{Code: fault.Conflict, Field: "email", Message: "This address is already connected."}
			}
			return fmt.Errorf("accounts: insert: %w", err)
		}
		id, _ = res.LastInsertId()
		if creatorID > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO account_access(account_id, user_id, granted_at) VALUES (?,?,?)`,
				id, creatorID, now.Unix()); err != nil {
				return fmt.Errorf("accounts: grant creator: %w", err)
			}
		}
		// The secret goes to the vault inside the transaction: if the vault refuses, the
		// account row is rolled back and nothing is half-created.
		return r.vault.Set(passwordKey(secretID), password)
	})
	if err != nil {
		_ = r.vault.Delete(passwordKey(secretID)) // in case the commit itself failed
		return Account{}, err
	}
	return r.Get(ctx, id)
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// Update changes an account's settings; an empty password keeps the stored one.
func (r *Registry) Update(ctx context.Context, id int64, in NewAccount, password string) (Account, error) {
	in, err := in.normalise()
	if err != nil {
		return Account{}, err
	}
	cur, err := r.Get(ctx, id)
	if err != nil {
		return Account{}, err
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET name=?, email=?, from_name=?, provider=?, settings_source=?,
			imap_host=?, imap_port=?, imap_security=?, imap_username=?, smtp_host=?, smtp_port=?, smtp_security=?, smtp_username=?,
			status = CASE WHEN ? THEN 'unchecked' ELSE status END
			WHERE id=?`,
			in.Name, in.Email, in.FromName, in.Provider, in.SettingsSource,
			in.IMAP.Host, in.IMAP.Port, string(in.IMAP.Security), in.IMAP.Username,
			in.SMTP.Host, in.SMTP.Port, string(in.SMTP.Security), in.SMTP.Username,
			password != "" || in.IMAP != cur.IMAP || in.SMTP != cur.SMTP, id)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint failed") {
				return &fault.Error{Code: fault.Conflict, Field: "email", Message: "This address is already connected."}
			}
			return fmt.Errorf("accounts: update %d: %w", id, err)
		}
		if password != "" {
			return r.vault.Set(passwordKey(cur.secretID), password)
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	return r.Get(ctx, id)
}

const selectAccount = `SELECT id, name, email, secret_id, from_name, provider, settings_source,
	imap_host, imap_port, imap_security, imap_username, smtp_host, smtp_port, smtp_security, smtp_username,
	status, status_code, COALESCE(last_check_at, 0), disabled, created_at FROM accounts`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var imapSec, smtpSec, status string
	var lastCheck, created int64
	err := row.Scan(&a.ID, &a.Name, &a.Email, &a.secretID, &a.FromName, &a.Provider, &a.SettingsSource,
		&a.IMAP.Host, &a.IMAP.Port, &imapSec, &a.IMAP.Username, &a.SMTP.Host, &a.SMTP.Port, &smtpSec, &a.SMTP.Username,
		&status, &a.StatusCode, &lastCheck, &a.Disabled, &created)
	if err != nil {
		return Account{}, err
	}
	a.IMAP.Security, a.SMTP.Security, a.Status = Security(imapSec), Security(smtpSec), Status(status)
	if lastCheck > 0 {
		a.LastCheck = time.Unix(lastCheck, 0).UTC()
	}
	a.CreatedAt = time.Unix(created, 0).UTC()
	return a, nil
}

var errGone = fault.New(fault.NotFound, "This account no longer exists.")

// Get returns one account.
func (r *Registry) Get(ctx context.Context, id int64) (Account, error) {
	a, err := scanAccount(r.db.R.QueryRowContext(ctx, selectAccount+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, errGone
	}
	if err != nil {
		return Account{}, fmt.Errorf("accounts: get %d: %w", id, err)
	}
	return a, nil
}

// List returns every account; with userID > 0, only those the user has access to.
func (r *Registry) List(ctx context.Context, userID int64) ([]Account, error) {
	q, args := selectAccount+` ORDER BY name COLLATE NOCASE, id`, []any{}
	if userID > 0 {
		q = selectAccount + ` WHERE id IN (SELECT account_id FROM account_access WHERE user_id = ?) ORDER BY name COLLATE NOCASE, id`
		args = append(args, userID)
	}
	rows, err := r.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: list: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("accounts: list: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Password returns the account's password from the vault.
func (r *Registry) Password(ctx context.Context, id int64) (string, error) {
	a, err := r.Get(ctx, id)
	if err != nil {
		return "", err
	}
	pw, err := r.vault.Get(passwordKey(a.secretID))
	if errors.Is(err, vault.ErrNotFound) {
		return "", fault.New(fault.AuthFailed, "Mailroom has no password for this account: enter it again.")
	}
	return pw, err
}

// RecordCheck stores the result of a connection check: code is "" on success.
func (r *Registry) RecordCheck(ctx context.Context, id int64, code fault.Code) error {
	status, c := OK, ""
	if code != "" {
		status, c = Failing, string(code)
		if code == fault.AuthFailed {
			status = NeedsPassword
		}
	}
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET status=?, status_code=?, last_check_at=? WHERE id=?`,
			string(status), c, time.Now().Unix(), id)
		if err != nil {
			return fmt.Errorf("accounts: record check %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errGone
		}
		return nil
	})
}

// SetDisabled disables (no sync, hidden from inboxes, not counted in the quota) or enables
// an account. Enabling needs a free place in the quota.
func (r *Registry) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		var cur bool
		err := tx.QueryRowContext(ctx, `SELECT disabled FROM accounts WHERE id=?`, id).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return errGone
		}
		if err != nil || cur == disabled {
			return err
		}
		if !disabled {
			if err := r.checkQuota(ctx, tx); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET disabled=? WHERE id=?`, disabled, id)
		return err
	})
}

// Delete removes an account and its secrets. It is refused while a user has access to it
// or when any of its messages was processed; disable it instead.
func (r *Registry) Delete(ctx context.Context, id int64) error {
	a, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		var users, processed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM account_access WHERE account_id=?`, id).Scan(&users); err != nil {
			return err
		}
		if users > 0 {
			return fault.New(fault.Conflict, fmt.Sprintf("This account cannot be deleted: %d user(s) still have access to it. Remove their access first, or disable the account.", users))
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE account_id=? AND processed_at IS NOT NULL`, id).Scan(&processed); err != nil {
			return err
		}
		if processed > 0 {
			return fault.New(fault.Conflict, "This account cannot be deleted: some of its messages have been filed or sent. Disable it instead.")
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id=?`, id)
		return err
	})
	if err != nil {
		return err
	}
	return r.vault.Delete(passwordKey(a.secretID))
}

// Grant gives a user access to an account.
func (r *Registry) Grant(ctx context.Context, accountID, userID int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_access(account_id, user_id, granted_at) VALUES (?,?,?)
			ON CONFLICT DO NOTHING`, accountID, userID, time.Now().Unix())
		if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
			return fault.New(fault.NotFound, "This account or user no longer exists.")
		}
		return err
	})
}

// Revoke removes a user's access to an account.
func (r *Registry) Revoke(ctx context.Context, accountID, userID int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM account_access WHERE account_id=? AND user_id=?`, accountID, userID)
		return err
	})
}

// Access lists the ids of the users who may use an account.
func (r *Registry) Access(ctx context.Context, accountID int64) ([]int64, error) {
	rows, err := r.db.R.QueryContext(ctx, `SELECT user_id FROM account_access WHERE account_id=? ORDER BY user_id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CanUse reports whether a user has access to an account.
func (r *Registry) CanUse(ctx context.Context, accountID, userID int64) (bool, error) {
	var ok bool
	err := r.db.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM account_access WHERE account_id=? AND user_id=?)`,
		accountID, userID).Scan(&ok)
	return ok, err
}

// Quota returns the quota of active accounts (0: no limit) and how many are active.
func (r *Registry) Quota(ctx context.Context) (limit, active int, err error) {
	v, _, err := r.db.Setting(ctx, quotaKey)
	if err != nil {
		return 0, 0, err
	}
	fmt.Sscan(v, &limit)
	err = r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE disabled = 0`).Scan(&active)
	return limit, active, err
}

// SetQuota sets the quota of active accounts; 0 removes the limit. A quota below the
// number of active accounts is allowed (nothing is disabled) but blocks new ones.
func (r *Registry) SetQuota(ctx context.Context, limit int) error {
	if limit < 0 || limit > 10000 {
		return fault.Invalid("quota", "Enter a number of accounts between 0 (no limit) and 10000.")
	}
	return r.db.SetSetting(ctx, quotaKey, fmt.Sprint(limit))
}

func (r *Registry) checkQuota(ctx context.Context, tx *sql.Tx) error {
	var v string
	var limit, active int
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, quotaKey).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	fmt.Sscan(v, &limit)
	if limit == 0 {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE disabled = 0`).Scan(&active); err != nil {
		return err
	}
	if active >= limit {
		return fault.New(fault.QuotaReached, fmt.Sprintf("The quota of %d active accounts is reached. Disable an account, or ask the super admin to raise the quota.", limit))
	}
	return nil
}
