package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mailroom/backend/oauth"
	"mailroom/backend/vault"
)

// Secrets and the keychain
//
// The store has one writer connection, so a keychain call inside a write transaction makes
// every other write wait for it — and a keychain may wait minutes for its unlock prompt,
// while the sync commits its batches and the outbox its "final dot" markers. The registry
// therefore never calls the vault inside a transaction:
//
//   - create: the secrets are written under a new id, then the row is committed naming
//     them; a refused row deletes them again;
//   - update: a new secret is written under a new id, the row is committed naming it, then
//     the secret it replaces is deleted (a refused update deletes the new one, and the old
//     one still works);
//   - delete: the row is deleted, then its secrets.
//
// Each secret of an account has its own id (the row's password_secret, sender_secret and
// oauth_secret; the vault key is account/<id>/<kind>), so replacing a password never moves
// the OAuth grant a running sync is refreshing.
//
// The keychain cannot list its items (go-keyring has no such call), so a secret that no row
// names — written before a crash, or that a failing keychain would not delete — could not be
// found again by looking at the keychain. The table pending_secrets finds them: a secret is
// recorded there, in a transaction of its own, before it is written, and leaves it in the
// transaction that commits the row naming it; a secret a row stops naming is recorded in the
// transaction that commits that change, and leaves it once the keychain deleted it. At start,
// CleanOrphanedSecrets deletes every pending secret that no row names. Each record carries
// the id of the process run that wrote it, and the cleaning only touches earlier runs', so it
// never races a Create of its own run.

// secretKind is what a secret is for; it ends the secret's vault key.
type secretKind string

const (
	kindPassword secretKind = "password" // the IMAP/SMTP password
	kindSender   secretKind = "sender"   // the API sender's token or key
	kindOAuth    secretKind = "oauth"    // the OAuth grant (through oauth.TokenStore)
)

// secretColumn is the accounts column naming each kind's id.
var secretColumn = map[secretKind]string{
	kindPassword: "password_secret",
	kindSender:   "sender_secret",
	kindOAuth:    "oauth_secret",
}

// secretIDs are the ids of an account's secrets; "" is none.
type secretIDs struct{ password, sender, oauth string }

// refs lists the secrets the ids name.
func (s secretIDs) refs() []secretRef {
	var out []secretRef
	for _, r := range []secretRef{{s.password, kindPassword}, {s.sender, kindSender}, {s.oauth, kindOAuth}} {
		if r.id != "" {
			out = append(out, r)
		}
	}
	return out
}

// replacedBy lists the secrets s names that next no longer names.
func (s secretIDs) replacedBy(next secretIDs) []secretRef {
	var out []secretRef
	for _, r := range s.refs() {
		if (r.kind == kindPassword && next.password != r.id) || (r.kind == kindSender && next.sender != r.id) ||
			(r.kind == kindOAuth && next.oauth != r.id) {
			out = append(out, r)
		}
	}
	return out
}

// secretRef names one secret in the vault.
type secretRef struct {
	id   string
	kind secretKind
}

// key is the secret's vault key; for kindOAuth it is oauth.VaultKey(id).
func (s secretRef) key() string { return "account/" + s.id + "/" + string(s.kind) }

// secretWrite is one secret to write: a value, or for kindOAuth a grant.
type secretWrite struct {
	ref   secretRef
	value string
	grant *oauth.Grant
}

func refsOf(ws []secretWrite) []secretRef {
	out := make([]secretRef, len(ws))
	for i, w := range ws {
		out[i] = w.ref
	}
	return out
}

// get reads a secret; ErrNotFound when the row names none.
func (r *Registry) get(s secretRef) (string, error) {
	if s.id == "" {
		return "", vault.ErrNotFound
	}
	return r.vault.Get(s.key())
}

// stored reports whether the vault holds the secret.
func (r *Registry) stored(s secretRef) (bool, error) {
	_, err := r.get(s)
	if errors.Is(err, vault.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (r *Registry) put(w secretWrite) error {
	if w.ref.kind == kindOAuth {
		if r.tokens == nil {
			return ErrAccountOAuthUnavailable.New(nil)
		}
		return r.tokens.Save(w.ref.id, w.grant)
	}
	return r.vault.Set(w.ref.key(), w.value)
}

func (r *Registry) remove(s secretRef) error {
	if s.kind == kindOAuth && r.tokens != nil {
		return r.tokens.Delete(s.id) // also forgets its access token
	}
	if s.kind == kindOAuth {
		return r.vault.Delete(oauth.VaultKey(s.id))
	}
	return r.vault.Delete(s.key())
}

// pending records secrets that no row may name, in the caller's transaction.
func (r *Registry) pending(ctx context.Context, tx *sql.Tx, refs []secretRef) error {
	now := time.Now().Unix()
	for _, s := range refs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending_secrets(secret_id, kind, run, created_at) VALUES (?,?,?,?)
			ON CONFLICT(secret_id, kind) DO UPDATE SET run=excluded.run`, s.id, string(s.kind), r.run, now); err != nil {
			return fmt.Errorf("accounts: record pending secret: %w", err)
		}
	}
	return nil
}

// settled removes secrets from the pending ones, in the caller's transaction: a row names
// them, or the keychain deleted them.
func settled(ctx context.Context, tx *sql.Tx, refs []secretRef) error {
	for _, s := range refs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_secrets WHERE secret_id=? AND kind=?`, s.id, string(s.kind)); err != nil {
			return fmt.Errorf("accounts: settle pending secret: %w", err)
		}
	}
	return nil
}

// writeSecrets records the secrets as pending (committed before the keychain is called),
// then writes them to the vault, outside any transaction. If one fails, those written are
// deleted again and the error returned.
func (r *Registry) writeSecrets(ctx context.Context, ws []secretWrite) error {
	if len(ws) == 0 {
		return nil
	}
	refs := refsOf(ws)
	if err := r.db.Tx(ctx, func(tx *sql.Tx) error { return r.pending(ctx, tx, refs) }); err != nil {
		return err
	}
	for _, w := range ws {
		if err := r.put(w); err != nil {
			// All are taken back: the failed one may be half-written, and deleting one
			// never written is no error (the pending records go with them).
			_ = r.dropSecrets(ctx, refs)
			return err
		}
	}
	return nil
}

// dropSecrets deletes secrets from the vault, outside any transaction, and removes from the
// pending ones those the keychain deleted; those it refused stay pending, for the next
// start. It runs even when ctx is cancelled: it is the undo of something already done.
func (r *Registry) dropSecrets(ctx context.Context, refs []secretRef) error {
	if len(refs) == 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	var done []secretRef
	var errs []error
	for _, s := range refs {
		if err := r.remove(s); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, s)
	}
	if len(done) > 0 {
		if err := r.db.Tx(ctx, func(tx *sql.Tx) error { return settled(ctx, tx, done) }); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// CleanOrphanedSecrets deletes from the vault the secrets that earlier runs left pending
// and that no account names: written before a crash, or that a failing keychain would not
// delete. It returns how many it deleted; a secret the keychain refuses to delete stays
// pending and the error says so (the next start tries again). Call it at start, once the
// token store is set (SetTokens); it is safe while the app works.
func (r *Registry) CleanOrphanedSecrets(ctx context.Context) (int, error) {
	rows, err := r.db.R.QueryContext(ctx, `SELECT secret_id, kind FROM pending_secrets WHERE run <> ? ORDER BY created_at`, r.run)
	if err != nil {
		return 0, fmt.Errorf("accounts: list pending secrets: %w", err)
	}
	var refs []secretRef
	for rows.Next() {
		var s secretRef
		var kind string
		if err := rows.Scan(&s.id, &kind); err != nil {
			rows.Close()
			return 0, fmt.Errorf("accounts: list pending secrets: %w", err)
		}
		s.kind = secretKind(kind)
		refs = append(refs, s)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fmt.Errorf("accounts: list pending secrets: %w", err)
	}
	removed := 0
	var errs []error
	for _, s := range refs {
		col, ok := secretColumn[s.kind]
		if !ok {
			continue // the table's CHECK allows no other kind
		}
		var named bool
		// col is one of three literal column names.
		if err := r.db.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM accounts WHERE `+col+` = ?)`, s.id).Scan(&named); err != nil {
			errs = append(errs, err)
			continue
		}
		if named {
			// A row names it: it is no orphan (a record the commit did not remove).
			if err := r.db.Tx(ctx, func(tx *sql.Tx) error { return settled(ctx, tx, []secretRef{s}) }); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := r.dropSecrets(ctx, []secretRef{s}); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("accounts: clean orphaned secrets (%d left for the next start): %w", len(errs), err)
	}
	return removed, nil
}
