package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// The office sender (F22): the account, and the user whose name and signature go with it,
// that automations and bulk sends use by default, and that a collaborator with no account
// of their own sends through. A super admin chooses them; they live in the settings.
const (
	officeAccountKey = "office_sender_account_id" // the key automations reads too
	officeUserKey    = "office_sender_user_id"
)

var (
	// ErrNoOfficeSender: a send wanted the office sender and none was chosen (or its
	// account was removed).
	ErrNoOfficeSender = fault.Define("office_sender_unset", fault.InvalidInput,
		"no office sender is chosen: a super admin chooses one in Settings")
	// ErrOfficeUserUnknown: the user chosen to sign the office's mail does not exist.
	ErrOfficeUserUnknown = fault.Define("office_sender_user_unknown", fault.NotFound,
		"the person chosen to sign the office's mail no longer exists")
)

// OfficeSender is the office's sender: AccountID 0 when none is chosen; UserID 0 when no
// one signs (the account's own From name is used).
type OfficeSender struct {
	AccountID int64
	UserID    int64
}

// OfficeSender returns the office sender as chosen, with an account that still exists;
// ErrNoOfficeSender when there is none. Other packages (automations, bulk sends, the
// composer) call it.
func (r *Registry) OfficeSender(ctx context.Context) (OfficeSender, error) {
	o, err := r.officeSetting(ctx)
	if err != nil {
		return o, err
	}
	if o.AccountID == 0 {
		return o, ErrNoOfficeSender.New(nil)
	}
	var n int
	if err := r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE id = ?`, o.AccountID).Scan(&n); err != nil {
		return o, fmt.Errorf("accounts: read the office sender: %w", err)
	}
	if n == 0 {
		return OfficeSender{}, ErrNoOfficeSender.New(nil)
	}
	if o.UserID != 0 {
		err := r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ?`, o.UserID).Scan(&n)
		if err != nil {
			return o, fmt.Errorf("accounts: read the office sender: %w", err)
		}
		if n == 0 {
			o.UserID = 0
		}
	}
	return o, nil
}

// OfficeSenderChosen returns the setting as stored, without checking the account still
// exists (the Settings screen shows it; 0s when unset).
func (r *Registry) OfficeSenderChosen(ctx context.Context) (OfficeSender, error) {
	return r.officeSetting(ctx)
}

func (r *Registry) officeSetting(ctx context.Context) (OfficeSender, error) {
	var o OfficeSender
	for _, x := range []struct {
		key string
		dst *int64
	}{{officeAccountKey, &o.AccountID}, {officeUserKey, &o.UserID}} {
		v, ok, err := r.db.Setting(ctx, x.key)
		if err != nil {
			return o, err
		}
		if ok {
			*x.dst, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return o, nil
}

// SetOfficeSender chooses the office sender: an existing account (0 clears the choice) and
// the user who signs its mail (0: none).
func (r *Registry) SetOfficeSender(ctx context.Context, o OfficeSender) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		if o.AccountID != 0 {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE id = ?`, o.AccountID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrAccountGone.Field("accountId", nil)
			}
			if err != nil {
				return err
			}
		}
		if o.UserID != 0 {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE id = ?`, o.UserID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrOfficeUserUnknown.Field("userId", nil)
			}
			if err != nil {
				return err
			}
		}
		if err := store.SetSettingTx(ctx, tx, officeAccountKey, strconv.FormatInt(o.AccountID, 10)); err != nil {
			return err
		}
		return store.SetSettingTx(ctx, tx, officeUserKey, strconv.FormatInt(o.UserID, 10))
	})
}

// OfficeFor returns the office sender when userID has no account of their own to send
// from (none granted, or all disabled): what such a collaborator's composer sends through.
// ok is false when the user has an account, or no office sender is chosen.
func (r *Registry) OfficeFor(ctx context.Context, userID int64) (o OfficeSender, ok bool, err error) {
	var own bool
	err = r.db.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM account_access x JOIN accounts a ON a.id = x.account_id
		WHERE x.user_id = ? AND a.disabled = 0)`, userID).Scan(&own)
	if err != nil {
		return o, false, fmt.Errorf("accounts: the user's own accounts: %w", err)
	}
	if own {
		return o, false, nil
	}
	o, err = r.OfficeSender(ctx)
	if fault.ReasonOf(err) == ErrNoOfficeSender.Name {
		return o, false, nil
	}
	return o, err == nil, err
}
