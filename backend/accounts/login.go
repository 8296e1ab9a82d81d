package accounts

import (
	"context"
	"database/sql"
	"fmt"

	"golang.org/x/oauth2"

	"mailroom/backend/fault"
	"mailroom/backend/oauth"
)

// TokenSource gives fresh OAuth access tokens; *oauth.Source is one. Invalidate forgets the
// current token after a server refused it, so the next Token asks the provider for another.
type TokenSource interface {
	Token(ctx context.Context) (*oauth2.Token, error)
	Invalidate()
}

// Login is what a connection signs in with: the account's password, or (OAuth) a source of
// access tokens, sent with XOAUTH2 as the server's username.
type Login struct {
	Password string
	Tokens   TokenSource // nil for a password account
}

// OAuth reports whether the login uses access tokens.
func (l Login) OAuth() bool { return l.Tokens != nil }

// PasswordLogin is a password login (tests, the wizard's first test).
func PasswordLogin(pw string) Login { return Login{Password: pw} }

// Login returns how to sign in to the account's servers: its password from the vault, or
// its OAuth token source. A token source does no I/O until a connection asks it for a token;
// a grant refused by the provider then fails at once, every time, with oauth.ErrNeedsSignIn
// (fault code auth_failed) until the user signs in again.
func (r *Registry) Login(ctx context.Context, id int64) (Login, error) {
	a, err := r.Get(ctx, id)
	if err != nil {
		return Login{}, err
	}
	if a.Auth == OAuth {
		if r.tokens == nil {
			return Login{}, ErrAccountOAuthUnavailable.New(nil)
		}
		return Login{Tokens: r.tokens.Source(a.secrets.oauth)}, nil
	}
	pw, err := r.Password(ctx, id)
	if err != nil {
		return Login{}, err
	}
	return Login{Password: pw}, nil
}

// GrantInfo describes an OAuth account's sign-in (provider, address, known expiry), without
// its tokens.
func (r *Registry) GrantInfo(ctx context.Context, id int64) (oauth.Info, error) {
	a, err := r.Get(ctx, id)
	if err != nil {
		return oauth.Info{}, err
	}
	if a.Auth != OAuth || r.tokens == nil {
		return oauth.Info{}, ErrAccountNotOAuth.New(fault.P{"address": a.Email})
	}
	return r.tokens.Info(a.secrets.oauth)
}

// SignIn replaces an OAuth account's grant with a new sign-in ("sign in again"): the
// address must be the account's. The account is enabled again and its status reset, so the
// sync and the outbox use it at once. The grant replaces the old one in place, before and
// outside the transaction: it is for the same address, so the row needs no other change to
// match it, and the account's token source (shared with a running sync) takes it at once.
func (r *Registry) SignIn(ctx context.Context, id int64, g *oauth.Grant) (Account, error) {
	a, err := r.Get(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if a.Auth != OAuth {
		return Account{}, ErrAccountNotOAuth.New(fault.P{"address": a.Email})
	}
	in := NewAccount{Email: a.Email, Auth: OAuth, OAuthProvider: a.OAuthProvider}
	if err := checkGrant(in, g, r.tokens); err != nil {
		return Account{}, err
	}
	if err := r.tokens.Save(a.secrets.oauth, g); err != nil {
		return Account{}, err
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if a.Disabled {
			if err := r.checkQuota(ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET status='unchecked', status_code='', disabled=0 WHERE id=?`, id)
		return err
	})
	if err != nil {
		return Account{}, err
	}
	return r.Get(ctx, id)
}

// Disconnect ends an OAuth account's sign-in: the grant is revoked at the provider where it
// offers revocation (revoked reports whether it did), its tokens leave the vault, and the
// account is disabled with the status "needs sign-in". Its settings stay, so signing in
// again brings it back; with keepMail false its local copy of the mail is removed too
// (messages already filed into records stay). The caller stops the sync first.
func (r *Registry) Disconnect(ctx context.Context, id int64, keepMail bool) (revoked bool, err error) {
	a, err := r.Get(ctx, id)
	if err != nil {
		return false, err
	}
	if a.Auth != OAuth || r.tokens == nil {
		return false, ErrAccountNotOAuth.New(fault.P{"address": a.Email})
	}
	revoked, rerr := r.tokens.Revoke(ctx, a.secrets.oauth)
	if rerr != nil {
		// The user asked to cut Mailroom off: the tokens still leave this computer, and the
		// error says the provider may still list the access.
		r.tokens.Source(a.secrets.oauth).Invalidate()
	}
	if err := r.tokens.Delete(a.secrets.oauth); err != nil {
		return revoked, err
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET status='needs_password', status_code=?, disabled=1 WHERE id=?`,
			string(fault.AuthFailed), id); err != nil {
			return err
		}
		if keepMail {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE account_id=? AND processed_at IS NULL`, id); err != nil {
			return fmt.Errorf("accounts: forget mail of %d: %w", id, err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM folders WHERE account_id=? AND id NOT IN (SELECT folder_id FROM messages WHERE account_id=? AND folder_id IS NOT NULL)`, id, id)
		return err
	})
	if err != nil {
		return revoked, err
	}
	if rerr != nil {
		// The provider's refusal stays the cause, for the logs; a temporary one (the
		// provider unreachable) keeps its class.
		return false, ErrAccountRevokeUnconfirmed.Wrap(rerr, fault.P{"provider": providerName(a.OAuthProvider)}).
			WithClass(fault.ClassOf(rerr))
	}
	return revoked, nil
}
