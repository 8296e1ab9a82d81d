package buttons

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/filing"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/templates"
)

// Address is a recipient.
type Address struct{ Name, Email string }

// Prepared is a button's mail rendered for a record: what the composer opens with.
type Prepared struct {
	Button    Button
	RecordID  int64
	AccountID int64 // the account it goes out from
	Office    bool  // the account is the office sender's
	To        []Address
	Mail      templates.Rendered
}

// Prepare renders a button's template for a record, from its sender to its recipients.
// Sender is the person clicking (their name and details fill {{user.*}}); when the button
// sends as the office sender and a super admin chose who signs the office's mail, that
// person's. A record the button cannot send from returns why, in the user's words: no
// address, "do not email", a placeholder without value and without default.
func (bs *Buttons) Prepare(ctx context.Context, buttonID, recordID int64, sender templates.Sender) (Prepared, error) {
	b, err := bs.Get(ctx, buttonID)
	if err != nil {
		return Prepared{}, err
	}
	d, err := bs.d.Records.Get(ctx, recordID)
	if err != nil {
		return Prepared{}, err
	}
	if d.TypeID != b.TypeID {
		return Prepared{}, ErrWrongType.New(nil)
	}
	p := Prepared{Button: b, RecordID: recordID, AccountID: b.AccountID}
	if p.AccountID == 0 {
		o, err := bs.d.Accounts.OfficeSender(ctx)
		if err != nil {
			return p, err
		}
		p.AccountID, p.Office = o.AccountID, true
		if o.UserID != 0 {
			if sender, err = bs.userSender(ctx, o.UserID); err != nil {
				return p, err
			}
		}
	}
	acc, err := bs.d.Accounts.Get(ctx, p.AccountID)
	if err != nil {
		if fault.CodeOf(err) == fault.NotFound {
			return p, ErrAccountMissing.New(nil)
		}
		return p, err
	}
	sender.AccountAddress, sender.AccountName = acc.Email, acc.FromName
	if p.To, err = bs.recipients(ctx, b, d); err != nil {
		return p, err
	}
	if p.Mail, err = bs.d.Templates.Render(ctx, b.TemplateID, templates.Target{RecordID: recordID, Sender: sender}); err != nil {
		return p, err
	}
	if len(p.Mail.Missing) > 0 {
		return p, ErrMissingValues.New(fault.P{"placeholders": strings.Join(p.Mail.Missing, ", ")})
	}
	return p, nil
}

func (bs *Buttons) userSender(ctx context.Context, id int64) (templates.Sender, error) {
	var s templates.Sender
	err := bs.d.DB.R.QueryRowContext(ctx, `SELECT name, email, title, phone FROM users WHERE id = ?`, id).
		Scan(&s.UserName, &s.UserEmail, &s.UserTitle, &s.UserPhone)
	if errors.Is(err, sql.ErrNoRows) {
		return s, accounts.ErrOfficeUserUnknown.New(nil)
	}
	return s, err
}

// recipients finds who the button writes to on record d.
func (bs *Buttons) recipients(ctx context.Context, b Button, d records.Detail) ([]Address, error) {
	s, err := bs.d.Records.Schema(ctx)
	if err != nil {
		return nil, err
	}
	typ := s.Type(d.TypeID)
	if typ == nil {
		return nil, records.ErrTypeNotFound.New(nil)
	}
	none := ErrNoAddress.New(fault.P{"record": d.Title})
	switch {
	case strings.HasPrefix(b.Recipients, FieldPrefix):
		f := typ.FieldByKey(strings.TrimPrefix(b.Recipients, FieldPrefix))
		if f == nil {
			return nil, ErrRecipientsInvalid.New(nil)
		}
		if e := firstString(d.Values[f.Key]); e != "" {
			return []Address{{Email: e}}, nil
		}
		return nil, none
	case b.Recipients == Contacts:
		contacts := linked(s, d, records.ContactType)
		return bs.contactAddresses(ctx, contacts, none)
	case b.Recipients == CompanyContacts:
		companies := linked(s, d, records.CompanyType)
		if len(companies) == 0 {
			return nil, none
		}
		c, err := bs.d.Records.Get(ctx, companies[0])
		if err != nil {
			return nil, err
		}
		return bs.contactAddresses(ctx, linked(s, c, records.ContactType), none)
	}
	return nil, ErrRecipientsInvalid.New(nil)
}

// contactAddresses is the primary address of each contact that has one; a contact who
// asked not to be emailed stops the send (the button says who), as none does when no one
// has an address.
func (bs *Buttons) contactAddresses(ctx context.Context, ids []int64, none error) ([]Address, error) {
	var out []Address
	for _, id := range ids {
		c, err := bs.d.Records.Get(ctx, id)
		if err != nil {
			if fault.ReasonOf(err) == records.ErrRecordNotFound.Name {
				continue
			}
			return nil, err
		}
		if !c.DeletedAt.IsZero() {
			continue
		}
		e := firstString(c.Values[records.ContactEmails])
		if e == "" {
			continue
		}
		if dne, _ := c.Values[records.ContactDoNotEmail].(bool); dne {
			return nil, ErrDoNotEmail.New(fault.P{"name": c.Title})
		}
		out = append(out, Address{Name: c.Title, Email: e})
	}
	if len(out) == 0 {
		return nil, none
	}
	return out, nil
}

// linked lists the records of the built-in type builtin that r links to, then those that
// link to r, each once.
func linked(s *records.Schema, r records.Detail, builtin string) []int64 {
	var out []int64
	seen := map[int64]bool{}
	add := func(ref records.LinkRef) {
		if t := s.Type(ref.TypeID); t != nil && t.Builtin == builtin && !seen[ref.ID] {
			seen[ref.ID] = true
			out = append(out, ref.ID)
		}
	}
	if typ := s.Type(r.TypeID); typ != nil {
		for _, f := range typ.Fields { // in the fields' order, not the map's
			if refs, ok := r.Values[f.Key].([]records.LinkRef); ok {
				for _, ref := range refs {
					add(ref)
				}
			}
		}
	}
	for _, bl := range r.Backlinks {
		for _, ref := range bl.Records {
			add(ref)
		}
	}
	return out
}

func firstString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		for _, e := range x {
			if s := firstString(e); s != "" {
				return s
			}
		}
	case []string:
		for _, e := range x {
			if s := strings.TrimSpace(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// Send is a button's mail as the user sends it, after reading and editing it.
type Send struct {
	Button, Record int64
	By             int64
	ByName         string
	AccountID      int64
	// Mail is the message as written in the composer; its From is the account's. The
	// template's attachments are added to it.
	Mail outbox.Compose
}

// SendMail queues a button's mail in the outbox and logs it on the record, in one
// transaction; the sent copy
// is filed to the record when the sync stores it (FilePending). It returns the outbox
// item and the Message-ID.
func (bs *Buttons) SendMail(ctx context.Context, in Send) (int64, string, error) {
	b, err := bs.Get(ctx, in.Button)
	if err != nil {
		return 0, "", err
	}
	d, err := bs.d.Records.Get(ctx, in.Record)
	if err != nil {
		return 0, "", err
	}
	if d.TypeID != b.TypeID {
		return 0, "", ErrWrongType.New(nil)
	}
	// The template's attachments go with every mail of it (rendered without a record: only
	// the files are wanted here).
	tpl, err := bs.d.Templates.Render(ctx, b.TemplateID, templates.Target{})
	if err != nil {
		return 0, "", err
	}
	for _, a := range tpl.Attachments {
		in.Mail.Attachments = append(in.Mail.Attachments, outbox.Attachment{Filename: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	env, err := outbox.Render(in.Mail)
	if err != nil {
		return 0, "", err
	}
	env.QueuedBy = in.By
	label := b.SentLabel
	if label == "" {
		label = b.Label
	}
	var to []string
	for _, a := range append(append(append([]outbox.Address{}, in.Mail.To...), in.Mail.Cc...), in.Mail.Bcc...) {
		to = append(to, a.Email)
	}
	// The record's log line is written in the outbox's transaction: the mail is queued and
	// logged together, or neither (the user may then send again without a duplicate).
	ids, err := bs.d.Outbox.EnqueueWith(ctx, in.AccountID, []outbox.Envelope{env}, func(tx *sql.Tx, ids []int64) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO record_sends(record_id, button_id, label, outbox_id, message_id,
			subject, recipients, sent_by, sent_by_name, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Record, b.ID, label, ids[0], strings.Trim(env.MessageID, "<>"), in.Mail.Subject, strings.Join(to, ", "),
			nullID(in.By), in.ByName, bs.d.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("buttons: log the send: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	id := ids[0]
	bs.follow(id, in.AccountID)
	return id, env.MessageID, nil
}

// Following a send: how often its outbox item is read, and for how long at most.
const (
	followEvery = time.Second
	followFor   = 15 * time.Minute
)

// follow waits for a send's copy to be in the Sent folder (appended by the outbox, or by
// the provider itself), then asks the sync for it: FilePending files it when stored.
func (bs *Buttons) follow(outboxID, accountID int64) {
	if bs.d.SyncNow == nil {
		return
	}
	bs.wg.Add(1)
	go func() {
		defer bs.wg.Done()
		t := time.NewTicker(followEvery)
		defer t.Stop()
		deadline := time.Now().Add(followFor)
		for time.Now().Before(deadline) {
			select {
			case <-bs.ctx.Done():
				return
			case <-t.C:
			}
			it, err := bs.d.Outbox.Get(bs.ctx, outboxID)
			if err != nil {
				return
			}
			switch {
			case it.State == outbox.Failed || it.State == outbox.Cancelled:
				return
			case it.State != outbox.Sent && it.State != outbox.PossiblySent, it.Copy == outbox.CopyPending:
				continue
			}
			bs.d.SyncNow(accountID)
			if it.Copy != outbox.CopyNone {
				return
			}
			// The provider files its own copy, a moment after: once more a little later.
			select {
			case <-bs.ctx.Done():
			case <-time.After(20 * time.Second):
				bs.d.SyncNow(accountID)
			}
			return
		}
	}()
}

// Sent is one line of a record's sends log.
type Sent struct {
	ID         int64
	ButtonID   int64
	Label      string // "Relance envoyée"
	Subject    string
	Recipients string
	SentAt     time.Time
	SentBy     string
	OutboxID   int64
	State      string // the outbox item's state; "" when it left the outbox
	Filed      bool   // the sent copy is on the record's timeline
}

// Sends returns what was sent from a record by its buttons, newest first.
func (bs *Buttons) Sends(ctx context.Context, recordID int64) ([]Sent, error) {
	rows, err := bs.d.DB.R.QueryContext(ctx, `SELECT s.id, coalesce(s.button_id, 0), s.label, s.subject, s.recipients,
		s.sent_at, s.sent_by_name, s.outbox_id, coalesce(o.state, ''), s.filed_message > 0
		FROM record_sends s LEFT JOIN outbox o ON o.id = s.outbox_id
		WHERE s.record_id = ? ORDER BY s.sent_at DESC, s.id DESC`, recordID)
	if err != nil {
		return nil, fmt.Errorf("buttons: sends of record %d: %w", recordID, err)
	}
	defer rows.Close()
	out := []Sent{}
	for rows.Next() {
		var s Sent
		var at int64
		if err := rows.Scan(&s.ID, &s.ButtonID, &s.Label, &s.Subject, &s.Recipients, &at, &s.SentBy, &s.OutboxID, &s.State, &s.Filed); err != nil {
			return nil, err
		}
		s.SentAt = time.UnixMilli(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// FilePending files to their records the sent copies the sync has stored since they were
// sent (matched by Message-ID), as manual links: they show on the records' timelines and
// no re-file removes them. Called when the sync stores messages; cheap when nothing waits.
// It returns how many sends it filed.
func (bs *Buttons) FilePending(ctx context.Context) (int, error) {
	rows, err := bs.d.DB.R.QueryContext(ctx, `SELECT s.id, s.record_id, coalesce(s.sent_by, 0), m.id
		FROM record_sends s JOIN messages m ON m.message_id = s.message_id
		WHERE s.filed_message = 0 ORDER BY s.id, m.id`)
	if err != nil {
		return 0, fmt.Errorf("buttons: pending sends: %w", err)
	}
	type pending struct{ send, record, by, msg int64 }
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.send, &p.record, &p.by, &p.msg); err != nil {
			rows.Close()
			return 0, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	done := map[int64]int64{}
	for _, p := range ps {
		err := bs.d.Filing.FileSent(ctx, p.by, []int64{p.msg}, p.record)
		if err != nil && (fault.ReasonOf(err) == filing.ErrRecordGone.Name || fault.ReasonOf(err) == records.ErrRecordNotFound.Name) {
			done[p.send] = -1 // the record is gone: nothing to file to
			continue
		}
		if err != nil {
			return n, err
		}
		if _, ok := done[p.send]; !ok {
			n++
		}
		done[p.send] = p.msg
	}
	for send, msg := range done {
		if _, err := bs.d.DB.W.ExecContext(ctx, `UPDATE record_sends SET filed_message = ? WHERE id = ?`, msg, send); err != nil {
			return n, err
		}
	}
	return n, nil
}
