// Package buttons is send by button (F13): an admin adds buttons to a record type
// ("Envoyer la relance": a template, a sender, the recipients); on a record's page each one
// renders its template for the record, the user reads and edits the mail in the composer,
// and Send queues it in the outbox, logs it on the record ("Relance envoyée le 12/11 par
// Camille", with its outbox state) and files the sent copy to the record once the sync
// has stored it (a manual link: it shows on the record's timeline).
//
//	bs := buttons.New(buttons.Deps{DB: db, Records: recs, Templates: tpls, Accounts: reg, Outbox: ob, Filing: fl})
//	p, err := bs.Prepare(ctx, buttonID, recordID, clicker) // err: why not, in the user's words
//	id, err := bs.Send(ctx, buttons.Send{Button: buttonID, Record: recordID, By: uid, ByName: "Camille", Mail: compose})
//	bs.FilePending(ctx) // when the sync stored messages: the sent copies reach their records
package buttons

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/filing"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/templates"
)

// Who a button writes to.
const (
	// FieldPrefix + a field key: the record's own email field.
	FieldPrefix = "field:"
	// Contacts: the contacts the record links to (or that link to it).
	Contacts = "contacts"
	// CompanyContacts: the contacts of the company the record links to.
	CompanyContacts = "company_contacts"
)

const maxLabelRunes = 60

var (
	ErrButtonNotFound = fault.Define("button_not_found", fault.NotFound, "this button no longer exists")
	ErrLabelMissing   = fault.Define("button_label_missing", fault.InvalidInput, "give the button a label")
	ErrLabelTooLong   = fault.Define("button_label_too_long", fault.InvalidInput,
		"a button's label has at most {max} characters")
	ErrTemplateMissing = fault.Define("button_template_missing", fault.InvalidInput, "choose the template the button sends")
	ErrTemplateOther   = fault.Define("button_template_other_type", fault.InvalidInput,
		"the template {template} is written for another kind of record")
	ErrRecipientsInvalid = fault.Define("button_recipients_invalid", fault.InvalidInput,
		"choose who the button writes to: an email field of this kind, its contacts or its company's contacts")
	ErrAccountMissing = fault.Define("button_account_gone", fault.NotFound,
		"the account this button sends from no longer exists: an admin chooses another")
	ErrWrongType = fault.Define("button_other_type", fault.InvalidInput, "this button belongs to another kind of record")

	// The reasons a button does not send, shown on it instead.
	ErrNoAddress = fault.Define("button_no_address", fault.InvalidInput,
		"{record} has no email address to send to: add one, then send")
	ErrDoNotEmail = fault.Define("button_do_not_email", fault.InvalidInput,
		"{name} asked not to receive email")
	ErrMissingValues = fault.Define("button_missing_values", fault.InvalidInput,
		"the mail would lack {placeholders}: fill them in on the record, or give them a default in the template")
)

// Deps are what buttons use.
type Deps struct {
	DB        *store.DB
	Records   *records.Records
	Templates *templates.Templates
	Accounts  *accounts.Registry
	Outbox    *outbox.Engine
	Filing    *filing.Engine
	// SyncNow, when set, asks the sync for an account's folders at once: a button's sent
	// copy, once in the Sent folder, reaches its record within seconds rather than at the
	// next poll of that folder (five minutes).
	SyncNow func(accountID int64)
	Now     func() time.Time // time.Now if nil
}

// Buttons keeps the buttons of record types and their sends.
type Buttons struct {
	d      Deps
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns the buttons over d. It does no I/O.
func New(d Deps) *Buttons {
	if d.Now == nil {
		d.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Buttons{d: d, ctx: ctx, cancel: cancel}
}

// Stop ends the follow-ups of sends in flight (before the store closes). A send whose
// copy was not synced yet is filed at the next poll of the Sent folder.
func (bs *Buttons) Stop() {
	bs.cancel()
	bs.wg.Wait()
}

// Button is one button of a record type.
type Button struct {
	ID         int64
	TypeID     int64
	Label      string // "Envoyer la relance"
	SentLabel  string // "Relance envoyée"; "" : the label
	TemplateID int64
	AccountID  int64  // 0: the office sender
	Recipients string // FieldPrefix+key, Contacts or CompanyContacts
	Position   int
}

const buttonCols = `id, type_id, label, sent_label, template_id, coalesce(account_id, 0), recipients, position`

func scanButton(row interface{ Scan(...any) error }) (Button, error) {
	var b Button
	err := row.Scan(&b.ID, &b.TypeID, &b.Label, &b.SentLabel, &b.TemplateID, &b.AccountID, &b.Recipients, &b.Position)
	return b, err
}

// List returns the buttons of a record type (0: of every type), in their order.
func (bs *Buttons) List(ctx context.Context, typeID int64) ([]Button, error) {
	rows, err := bs.d.DB.R.QueryContext(ctx, `SELECT `+buttonCols+` FROM record_buttons
		WHERE ? = 0 OR type_id = ? ORDER BY type_id, position, id`, typeID, typeID)
	if err != nil {
		return nil, fmt.Errorf("buttons: list: %w", err)
	}
	defer rows.Close()
	out := []Button{}
	for rows.Next() {
		b, err := scanButton(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Get reads a button.
func (bs *Buttons) Get(ctx context.Context, id int64) (Button, error) {
	b, err := scanButton(bs.d.DB.R.QueryRowContext(ctx, `SELECT `+buttonCols+` FROM record_buttons WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrButtonNotFound.New(nil)
	}
	return b, err
}

// Save checks a button and stores it (ID 0 adds it last).
func (bs *Buttons) Save(ctx context.Context, by int64, in Button) (Button, error) {
	in.Label = strings.TrimSpace(in.Label)
	in.SentLabel = strings.TrimSpace(in.SentLabel)
	switch {
	case in.Label == "":
		return in, ErrLabelMissing.Field("label", nil)
	case utf8.RuneCountInString(in.Label) > maxLabelRunes:
		return in, ErrLabelTooLong.Field("label", fault.P{"max": maxLabelRunes})
	case utf8.RuneCountInString(in.SentLabel) > maxLabelRunes:
		return in, ErrLabelTooLong.Field("sentLabel", fault.P{"max": maxLabelRunes})
	case in.TemplateID == 0:
		return in, ErrTemplateMissing.Field("templateId", nil)
	}
	s, err := bs.d.Records.Schema(ctx)
	if err != nil {
		return in, err
	}
	typ := s.Type(in.TypeID)
	if typ == nil {
		return in, records.ErrTypeNotFound.New(nil)
	}
	if !validRecipients(typ, s, in.Recipients) {
		return in, ErrRecipientsInvalid.Field("recipients", nil)
	}
	tpl, err := bs.d.Templates.Get(ctx, in.TemplateID)
	if err != nil {
		return in, withField(err, "templateId")
	}
	if tpl.TypeID != 0 && tpl.TypeID != in.TypeID {
		return in, ErrTemplateOther.Field("templateId", fault.P{"template": tpl.Name})
	}
	if in.AccountID != 0 {
		if _, err := bs.d.Accounts.Get(ctx, in.AccountID); err != nil {
			return in, withField(err, "accountId")
		}
	}
	err = bs.d.DB.Tx(ctx, func(tx *sql.Tx) error {
		if in.ID == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO record_buttons(type_id, label, sent_label, template_id, account_id,
				recipients, position, created_at, created_by)
				VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM record_buttons WHERE type_id = ?), ?, ?)`,
				in.TypeID, in.Label, in.SentLabel, in.TemplateID, nullID(in.AccountID), in.Recipients, in.TypeID,
				bs.d.Now().UnixMilli(), nullID(by))
			if err != nil {
				return err
			}
			in.ID, err = res.LastInsertId()
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE record_buttons SET label = ?, sent_label = ?, template_id = ?,
			account_id = ?, recipients = ? WHERE id = ? AND type_id = ?`,
			in.Label, in.SentLabel, in.TemplateID, nullID(in.AccountID), in.Recipients, in.ID, in.TypeID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrButtonNotFound.New(nil)
		}
		return nil
	})
	if err != nil {
		return in, err
	}
	return bs.Get(ctx, in.ID)
}

// Delete removes a button; its past sends stay in the records' logs.
func (bs *Buttons) Delete(ctx context.Context, id int64) error {
	res, err := bs.d.DB.W.ExecContext(ctx, `DELETE FROM record_buttons WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("buttons: delete %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrButtonNotFound.New(nil)
	}
	return nil
}

func validRecipients(typ *records.Type, s *records.Schema, r string) bool {
	switch {
	case strings.HasPrefix(r, FieldPrefix):
		f := typ.FieldByKey(strings.TrimPrefix(r, FieldPrefix))
		return f != nil && f.Kind == records.Email
	case r == Contacts:
		return typ.Builtin != records.ContactType
	case r == CompanyContacts:
		return typ.Builtin != records.CompanyType && linksTo(typ, s, records.CompanyType)
	}
	return false
}

// linksTo reports whether typ has a link field to the built-in type builtin.
func linksTo(typ *records.Type, s *records.Schema, builtin string) bool {
	for _, f := range typ.Fields {
		if f.Kind == records.Link {
			if t := s.Type(f.TargetTypeID); t != nil && t.Builtin == builtin {
				return true
			}
		}
	}
	return false
}

func withField(err error, field string) error {
	if fe, ok := fault.As(err); ok {
		return fe.WithField(field)
	}
	return err
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}
