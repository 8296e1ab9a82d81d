package api

import (
	"context"
	"strings"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/message"
	"mailroom/backend/outbox"
	"mailroom/backend/templates"
	"mailroom/backend/templates/buttons"
)

// ButtonsChangedEvent tells the UI that a record type's buttons changed (payload: the type id).
const ButtonsChangedEvent = "buttons:changed"

// Buttons are the send buttons of record types (F13). Admins add them in the type editor;
// everyone signed in sees them on a record's page and sends with them, from the button's
// account (they must be granted it) or the office sender.
type Buttons struct{ b *Backend }

func buttonDTO(x buttons.Button) ButtonDTO {
	return ButtonDTO{ID: x.ID, TypeID: x.TypeID, Label: x.Label, SentLabel: x.SentLabel, TemplateID: x.TemplateID,
		AccountID: x.AccountID, Recipients: x.Recipients, Position: x.Position}
}

// List returns the buttons of a record type (0: of every type).
func (s *Buttons) List(typeID int64) ([]ButtonDTO, error) {
	return run(s.b, "Buttons.List", func(ctx context.Context, c caller) ([]ButtonDTO, error) {
		list, err := s.b.Buttons.List(ctx, typeID)
		if err != nil {
			return nil, err
		}
		out := make([]ButtonDTO, 0, len(list))
		for _, x := range list {
			out = append(out, buttonDTO(x))
		}
		return out, nil
	})
}

// Save adds or changes a button (ID 0 adds it).
func (s *Buttons) Save(in ButtonDTO) (ButtonDTO, error) {
	return run(s.b, "Buttons.Save", func(ctx context.Context, c caller) (ButtonDTO, error) {
		x, err := s.b.Buttons.Save(ctx, c.user.ID, buttons.Button{ID: in.ID, TypeID: in.TypeID, Label: in.Label,
			SentLabel: in.SentLabel, TemplateID: in.TemplateID, AccountID: in.AccountID, Recipients: in.Recipients})
		if err != nil {
			return ButtonDTO{}, err
		}
		s.b.emit(ButtonsChangedEvent, x.TypeID)
		return buttonDTO(x), nil
	})
}

// Delete removes a button (its past sends stay on the records).
func (s *Buttons) Delete(id int64) error {
	return do(s.b, "Buttons.Delete", func(ctx context.Context, c caller) error {
		x, err := s.b.Buttons.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := s.b.Buttons.Delete(ctx, id); err != nil {
			return err
		}
		s.b.emit(ButtonsChangedEvent, x.TypeID)
		return nil
	})
}

// sender is the caller as templates see them ({{user.*}}).
func sender(c caller) templates.Sender {
	return templates.Sender{UserName: c.user.Name, UserEmail: c.user.Email, UserTitle: c.user.Title, UserPhone: c.user.Phone}
}

// mayUse reports whether the caller may send from a prepared button's account: one granted
// to them, or the office sender.
func (s *Buttons) mayUse(ctx context.Context, c caller, p buttons.Prepared) error {
	if p.Office {
		return nil
	}
	return s.b.requireAccess(ctx, c, p.AccountID)
}

// ForRecord returns a record's buttons, each ready or saying why it cannot send, and the
// record's sends log (the sent copies that arrived meanwhile are filed first).
func (s *Buttons) ForRecord(recordID int64) (RecordButtonsDTO, error) {
	return run(s.b, "Buttons.ForRecord", func(ctx context.Context, c caller) (RecordButtonsDTO, error) {
		out := RecordButtonsDTO{Buttons: []RecordButtonDTO{}, Sends: []RecordSendDTO{}}
		d, err := s.b.Records.Get(ctx, recordID)
		if err != nil {
			return out, err
		}
		list, err := s.b.Buttons.List(ctx, d.TypeID)
		if err != nil {
			return out, err
		}
		for _, x := range list {
			rb := RecordButtonDTO{ID: x.ID, Label: x.Label}
			p, err := s.b.Buttons.Prepare(ctx, x.ID, recordID, sender(c))
			if err == nil {
				err = s.mayUse(ctx, c, p)
			}
			rb.Problem = errorDTOOf(err)
			out.Buttons = append(out.Buttons, rb)
		}
		if _, err := s.b.Buttons.FilePending(ctx); err != nil {
			s.b.logger().Warn("buttons: file the sent copies", "err", err)
		}
		sends, err := s.b.Buttons.Sends(ctx, recordID)
		if err != nil {
			return out, err
		}
		for _, x := range sends {
			out.Sends = append(out.Sends, RecordSendDTO{ID: x.ID, ButtonID: x.ButtonID, Label: x.Label, Subject: x.Subject,
				Recipients: x.Recipients, SentAt: x.SentAt, SentBy: x.SentBy, OutboxID: x.OutboxID, State: x.State, Filed: x.Filed})
		}
		return out, nil
	})
}

// Prepare renders a button's mail for a record, for the composer: its account, its
// recipients, subject and body. A record the button cannot send from is refused with why.
func (s *Buttons) Prepare(buttonID, recordID int64) (ButtonMailDTO, error) {
	return run(s.b, "Buttons.Prepare", func(ctx context.Context, c caller) (ButtonMailDTO, error) {
		p, err := s.b.Buttons.Prepare(ctx, buttonID, recordID, sender(c))
		if err != nil {
			return ButtonMailDTO{}, err
		}
		if err := s.mayUse(ctx, c, p); err != nil {
			return ButtonMailDTO{}, err
		}
		out := ButtonMailDTO{ButtonID: buttonID, RecordID: recordID, AccountID: p.AccountID, Office: p.Office,
			To: []AddressDTO{}, Subject: p.Mail.Subject, HTML: p.Mail.HTML, Text: p.Mail.Text, Attachments: []string{}}
		for _, a := range p.To {
			out.To = append(out.To, AddressDTO{Name: a.Name, Email: a.Email})
		}
		for _, a := range p.Mail.Attachments {
			out.Attachments = append(out.Attachments, a.Name)
		}
		return out, nil
	})
}

// Send queues a button's mail as the user left it in the composer, logs it on the record
// and files its sent copy to the record once synced. When the text was not edited, the
// template's HTML part goes with it (HTML set); otherwise the text as written.
func (s *Buttons) Send(in ButtonSendDTO) (SentDTO, error) {
	return run(s.b, "Buttons.Send", func(ctx context.Context, c caller) (SentDTO, error) {
		office := false
		if b, err := s.b.Buttons.Get(ctx, in.ButtonID); err == nil && b.AccountID == 0 {
			// A button set to the office sender sends from it, whoever clicks.
			o, err := s.b.Accounts.OfficeSender(ctx)
			office = err == nil && o.AccountID == in.Mail.AccountID
		}
		if !office {
			if err := s.b.mayCompose(ctx, c, in.Mail.AccountID); err != nil {
				return SentDTO{}, err
			}
		}
		acc, err := s.b.Accounts.Get(ctx, in.Mail.AccountID)
		if err != nil {
			return SentDTO{}, err
		}
		if acc.Disabled {
			return SentDTO{}, errAccountDisabled.New(fault.P{"address": acc.Email})
		}
		if len(in.Mail.To)+len(in.Mail.Cc)+len(in.Mail.Bcc) == 0 {
			return SentDTO{}, errNoRecipient.Field("to", nil)
		}
		m := outbox.Compose{From: outbox.Address{Name: acc.FromName, Email: acc.Email},
			To: outboxAddrs(in.Mail.To), Cc: outboxAddrs(in.Mail.Cc), Bcc: outboxAddrs(in.Mail.Bcc), Subject: in.Mail.Subject}
		if strings.TrimSpace(in.HTML) != "" {
			m.Text, m.HTML = in.Mail.Text, message.Sanitize(in.HTML, message.SanitizeOptions{AllowRemoteImages: true}).HTML
		} else {
			m.Text, m.HTML = message.ComposedBody(in.Mail.Text, "", "")
		}
		id, mid, err := s.b.Buttons.SendMail(ctx, buttons.Send{Button: in.ButtonID, Record: in.RecordID, By: c.user.ID,
			ByName: c.user.Name, AccountID: acc.ID, Mail: m})
		if err != nil {
			return SentDTO{}, err
		}
		return SentDTO{OutboxID: id, MessageID: strings.Trim(mid, "<>"), State: string(outbox.Queued)}, nil
	})
}

// mayCompose checks the caller may send from an account in the composer: one granted to
// them or, for a collaborator with no account of their own, the office sender (F22).
func (b *Backend) mayCompose(ctx context.Context, c caller, accountID int64) error {
	err := b.requireAccess(ctx, c, accountID)
	if err == nil || fault.ReasonOf(err) != errAccountNotGranted.Name {
		return err
	}
	if o, ok, oerr := b.Accounts.OfficeFor(ctx, c.user.ID); oerr == nil && ok && o.AccountID == accountID {
		return nil
	}
	return err
}

// OfficeSender returns the office sender as chosen (F22): the account and the person who
// signs its mail; 0s when none is chosen.
func (s *Accounts) OfficeSender() (OfficeSenderDTO, error) {
	return run(s.b, "Accounts.OfficeSender", func(ctx context.Context, c caller) (OfficeSenderDTO, error) {
		o, err := s.b.Accounts.OfficeSenderChosen(ctx)
		if err != nil {
			return OfficeSenderDTO{}, err
		}
		out := OfficeSenderDTO{AccountID: o.AccountID, UserID: o.UserID}
		if o.AccountID == 0 {
			return out, nil
		}
		if acc, err := s.b.Accounts.Get(ctx, o.AccountID); err == nil {
			out.Address, out.FromName = acc.Email, acc.FromName
		}
		_, out.ForMe, err = s.b.Accounts.OfficeFor(ctx, c.user.ID)
		return out, err
	})
}

// SetOfficeSender chooses the office sender (super admins).
func (s *Accounts) SetOfficeSender(in OfficeSenderDTO) error {
	return do(s.b, "Accounts.SetOfficeSender", func(ctx context.Context, c caller) error {
		return s.b.Accounts.SetOfficeSender(ctx, accounts.OfficeSender{AccountID: in.AccountID, UserID: in.UserID})
	})
}
