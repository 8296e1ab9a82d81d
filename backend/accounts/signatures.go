package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"mailroom/backend/fault"
	"mailroom/backend/message"
	"mailroom/backend/store"
)

// Signatures (F14): an account has up to MaxSignatures, each a name and HTML that an admin
// edits. The HTML is sanitised by the mail sanitiser (message.Sanitize) when it is saved and
// again when it is rendered for a message, so a signature is never more than mail HTML that
// Mailroom would show. Merge tags of the sending user ({{user.name}}, {{user.title}},
// {{user.phone}}) are kept as typed and replaced by RenderSignature.
//
// Each user with access to an account has defaults there (F18): whether it is their default
// account (at most one per user) and their default signature on it.

// Limits of a signature.
const (
	MaxSignatures        = 3
	maxSignatureNameLen  = 80
	maxSignatureHTMLSize = 64 << 10
)

var (
	// ErrSignatureLimit: a fourth signature on an account.
	ErrSignatureLimit = fault.Define("signature_limit", fault.Conflict,
		"an account has at most {max} signatures: delete one before adding another")
	// ErrSignatureNameMissing: a signature without a name.
	ErrSignatureNameMissing = fault.Define("signature_name_missing", fault.InvalidInput,
		"give the signature a name")
	// ErrSignatureNameTooLong: a signature's name over the limit.
	ErrSignatureNameTooLong = fault.Define("signature_name_too_long", fault.InvalidInput,
		"the signature's name is too long (at most {max} characters)")
	// ErrSignatureTooLarge: a signature's HTML over the limit.
	ErrSignatureTooLarge = fault.Define("signature_too_large", fault.InvalidInput,
		"the signature is too large (at most {max} KB): link images by their address rather than pasting them")
	// ErrSignatureGone: a signature that no longer exists, or not one of the account's.
	ErrSignatureGone = fault.Define("signature_gone", fault.NotFound,
		"this signature no longer exists")
	// ErrAccessMissing: defaults set for a user who has no access to the account.
	ErrAccessMissing = fault.Define("account_access_missing", fault.NotFound,
		"this person no longer has access to the account")
)

// Signature is one of an account's signatures. HTML is sanitised, with its merge tags.
type Signature struct {
	ID        int64
	AccountID int64
	Name      string
	HTML      string
	UpdatedAt time.Time
}

// Grant is one user's access to an account, with their defaults there.
type Grant struct {
	AccountID int64
	UserID    int64
	// Default: this is the user's default account (the composer starts with it).
	Default bool
	// SignatureID is the user's default signature on the account; 0: none.
	SignatureID int64
}

// Signer is what the merge tags of a signature read: the sending user's profile.
type Signer struct {
	Name  string
	Title string
	Phone string
}

// SanitizeSignature is the mail sanitiser's output for a signature's HTML: remote images
// are kept (a signature's logo is linked by URL), everything else follows the mail policy.
func SanitizeSignature(s string) string {
	return message.Sanitize(s, message.SanitizeOptions{AllowRemoteImages: true}).HTML
}

// RenderSignature replaces the merge tags of a signature with the signer's values, each
// HTML-escaped, and sanitises the result again. No template library is needed: there are
// three fixed tags and no logic (no conditions, loops or filters), and a template engine
// would be one more language to make safe in text an admin types; a fixed replacement of
// escaped values cannot inject markup.
func RenderSignature(signature string, u Signer) string {
	r := strings.NewReplacer(
		"{{user.name}}", html.EscapeString(u.Name),
		"{{user.title}}", html.EscapeString(u.Title),
		"{{user.phone}}", html.EscapeString(u.Phone),
	)
	return SanitizeSignature(r.Replace(signature))
}

// Signatures lists an account's signatures, oldest first.
func (r *Registry) Signatures(ctx context.Context, accountID int64) ([]Signature, error) {
	rows, err := r.db.R.QueryContext(ctx, `SELECT id, account_id, name, html, updated_at FROM signatures
		WHERE account_id=? ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("accounts: signatures: %w", err)
	}
	defer rows.Close()
	out := []Signature{}
	for rows.Next() {
		var s Signature
		var at int64
		if err := rows.Scan(&s.ID, &s.AccountID, &s.Name, &s.HTML, &at); err != nil {
			return nil, err
		}
		s.UpdatedAt = time.Unix(at, 0)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Signature returns one signature.
func (r *Registry) Signature(ctx context.Context, id int64) (Signature, error) {
	var s Signature
	var at int64
	err := r.db.R.QueryRowContext(ctx, `SELECT id, account_id, name, html, updated_at FROM signatures WHERE id=?`, id).
		Scan(&s.ID, &s.AccountID, &s.Name, &s.HTML, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Signature{}, ErrSignatureGone.New(nil)
	}
	if err != nil {
		return Signature{}, fmt.Errorf("accounts: signature %d: %w", id, err)
	}
	s.UpdatedAt = time.Unix(at, 0)
	return s, nil
}

func normaliseSignature(s Signature) (Signature, error) {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return s, ErrSignatureNameMissing.Field("name", nil)
	}
	if utf8.RuneCountInString(s.Name) > maxSignatureNameLen {
		return s, ErrSignatureNameTooLong.Field("name", fault.P{"max": maxSignatureNameLen})
	}
	if len(s.HTML) > maxSignatureHTMLSize {
		return s, ErrSignatureTooLarge.Field("html", fault.P{"max": maxSignatureHTMLSize >> 10})
	}
	s.HTML = SanitizeSignature(s.HTML)
	return s, nil
}

// SaveSignature creates a signature (ID 0) on s.AccountID or updates one; the HTML is
// sanitised before it is stored. A fourth signature on an account is refused
// (ErrSignatureLimit), counted in the same write transaction.
func (r *Registry) SaveSignature(ctx context.Context, s Signature) (Signature, error) {
	s, err := normaliseSignature(s)
	if err != nil {
		return Signature{}, err
	}
	now := time.Now()
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if s.ID != 0 {
			res, err := tx.ExecContext(ctx, `UPDATE signatures SET name=?, html=?, updated_at=? WHERE id=? AND account_id=?`,
				s.Name, s.HTML, now.Unix(), s.ID, s.AccountID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrSignatureGone.New(nil)
			}
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM signatures WHERE account_id=?`, s.AccountID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxSignatures {
			return ErrSignatureLimit.New(fault.P{"max": MaxSignatures})
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO signatures(account_id, name, html, created_at, updated_at) VALUES (?,?,?,?,?)`,
			s.AccountID, s.Name, s.HTML, now.Unix(), now.Unix())
		if err != nil {
			if store.IsForeignKey(err) {
				return ErrAccountGone.Wrap(err, nil)
			}
			return err
		}
		s.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Signature{}, err
	}
	s.UpdatedAt = time.Unix(now.Unix(), 0)
	return s, nil
}

// DeleteSignature removes a signature; users who had it as their default have none there.
func (r *Registry) DeleteSignature(ctx context.Context, accountID, id int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM signatures WHERE id=? AND account_id=?`, id, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrSignatureGone.New(nil)
		}
		return nil
	})
}

// Grants lists who has access to an account, with their defaults there.
func (r *Registry) Grants(ctx context.Context, accountID int64) ([]Grant, error) {
	return r.grants(ctx, `WHERE account_id=? ORDER BY user_id`, accountID)
}

// UserGrants lists the accounts a user has access to, with their defaults on each.
func (r *Registry) UserGrants(ctx context.Context, userID int64) ([]Grant, error) {
	return r.grants(ctx, `WHERE user_id=? ORDER BY account_id`, userID)
}

func (r *Registry) grants(ctx context.Context, where string, arg int64) ([]Grant, error) {
	rows, err := r.db.R.QueryContext(ctx, `SELECT account_id, user_id, is_default, coalesce(signature_id, 0)
		FROM account_access `+where, arg)
	if err != nil {
		return nil, fmt.Errorf("accounts: grants: %w", err)
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.AccountID, &g.UserID, &g.Default, &g.SignatureID); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// SetDefaults sets a user's defaults on an account they have access to: whether it is their
// default account (making it so takes that from their previous default account), and their
// default signature there (0: none), which must be one of the account's.
func (r *Registry) SetDefaults(ctx context.Context, accountID, userID int64, isDefault bool, signatureID int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		var has bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM account_access WHERE account_id=? AND user_id=?)`,
			accountID, userID).Scan(&has); err != nil {
			return err
		}
		if !has {
			return ErrAccessMissing.New(nil)
		}
		var sig any // NULL: no default signature
		if signatureID != 0 {
			var owner int64
			err := tx.QueryRowContext(ctx, `SELECT account_id FROM signatures WHERE id=?`, signatureID).Scan(&owner)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != accountID) {
				return ErrSignatureGone.Field("signatureId", nil)
			}
			if err != nil {
				return err
			}
			sig = signatureID
		}
		if isDefault {
			if _, err := tx.ExecContext(ctx, `UPDATE account_access SET is_default=0 WHERE user_id=? AND account_id<>?`,
				userID, accountID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE account_access SET is_default=?, signature_id=? WHERE account_id=? AND user_id=?`,
			isDefault, sig, accountID, userID)
		return err
	})
}

// SignatureFor returns userID's default signature on an account, rendered for signer (their
// profile): what a mail sent for them without the composer (a bulk send, an automation
// signed by the office sender's person) carries. "" when they have none there.
func (r *Registry) SignatureFor(ctx context.Context, accountID, userID int64, signer Signer) (string, error) {
	var html string
	err := r.db.R.QueryRowContext(ctx, `SELECT s.html FROM account_access x JOIN signatures s ON s.id = x.signature_id
		WHERE x.account_id = ? AND x.user_id = ?`, accountID, userID).Scan(&html)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("accounts: the signer's signature: %w", err)
	}
	return RenderSignature(html, signer), nil
}
