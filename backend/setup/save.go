package setup

import (
	"context"
	"strings"

	"mailroom/backend/accounts"
	"mailroom/backend/senders"
)

// secrets returns what the registry stores for c: a completed sign-in's grant in place of
// the password when the account signs in (and c names one, or a new account needs one),
// and the sign-in's run id as the password of the test fingerprint.
func (w *Wizard) secrets(a accounts.NewAccount, c Credentials, isNew bool) (accounts.Secrets, string, error) {
	sec := accounts.Secrets{Password: c.Password, Sender: c.SenderSecret}
	if a.Auth == accounts.OAuth && (c.SignInID != "" || isNew) {
		g, err := w.pendingGrant(c.SignInID)
		if err != nil {
			return sec, "", err
		}
		return accounts.Secrets{Grant: g, Sender: c.SenderSecret}, c.SignInID, nil
	}
	return sec, c.Password, nil
}

// Create saves a new account, its password, API token or sign-in going to the keychain;
// userID gets access. A Mailgun account's From must be on its sending domain. When a
// connection test of exactly these settings and secrets just passed, the account starts as
// connected rather than unchecked, without a second login. An error after the account was
// saved comes with the account (its ID set).
func (w *Wizard) Create(ctx context.Context, userID int64, in accounts.NewAccount, c Credentials) (accounts.Account, error) {
	if err := senders.CheckFrom(in.Sender, strings.TrimSpace(in.Email)); err != nil {
		return accounts.Account{}, err
	}
	sec, fingerprint, err := w.secrets(in, c, true)
	if err != nil {
		return accounts.Account{}, err
	}
	a, err := w.d.Accounts.CreateWith(ctx, userID, in, sec)
	if err != nil {
		return accounts.Account{}, err
	}
	if sec.Grant != nil {
		w.dropGrant(c.SignInID) // in the keychain now
	}
	if w.passedRecently(in, fingerprint, c.SenderSecret) {
		if err := w.d.Accounts.RecordCheck(ctx, a.ID, ""); err != nil {
			return a, err
		}
		got, err := w.d.Accounts.Get(ctx, a.ID)
		if err != nil {
			return a, err
		}
		a = got
	}
	return a, nil
}

// Update changes an account's settings; an empty password or sender secret keeps the
// stored one, and a completed sign-in (Credentials.SignInID) replaces its grant. Switching
// the sender to Postmark or Mailgun needs its token or key.
func (w *Wizard) Update(ctx context.Context, id int64, in accounts.NewAccount, c Credentials) (accounts.Account, error) {
	if err := senders.CheckFrom(in.Sender, strings.TrimSpace(in.Email)); err != nil {
		return accounts.Account{}, err
	}
	sec, _, err := w.secrets(in, c, false)
	if err != nil {
		return accounts.Account{}, err
	}
	return w.d.Accounts.UpdateWith(ctx, id, in, sec)
}
