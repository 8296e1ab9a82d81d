package api

import (
	"context"
	"strings"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/bulk"
	"mailroom/backend/message"
	"mailroom/backend/records"
	"mailroom/backend/templates"
)

// BulkChangedEvent tells the UI that a bulk send moved on (the payload is its id).
const BulkChangedEvent = "bulk:changed"

// BulkInputDTO is a bulk send asked from the Records screen: the account, the template
// and the list as shown (its type, search and filters).
type BulkInputDTO struct {
	AccountID  int64          `json:"accountId"`
	TemplateID int64          `json:"templateId"`
	List       RecordQueryDTO `json:"list"`
}

// BulkRecipientDTO is one record of the list: its address, or why it cannot get the mail.
type BulkRecipientDTO struct {
	RecordID  int64    `json:"recordId"`
	Title     string   `json:"title"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`    // the recipient's name, when known (the contact's)
	Reason    string   `json:"reason"`  // "" | no_address | do_not_email | missing_value
	Missing   []string `json:"missing"` // with missing_value: the placeholders as written
	NotBefore string   `json:"notBefore"`
}

// BulkPlanDTO is what a bulk send would do.
type BulkPlanDTO struct {
	Total     int                `json:"total"`
	Sendable  []BulkRecipientDTO `json:"sendable"`
	Excluded  []BulkRecipientDTO `json:"excluded"`
	PerDay    int                `json:"perDay"`
	UsedToday int                `json:"usedToday"`
	LastSend  string             `json:"lastSend"` // RFC 3339; "" when nobody gets it
	Days      int                `json:"days"`
}

// BulkPreviewDTO is one record's mail as it will go.
type BulkPreviewDTO struct {
	RecordID int64  `json:"recordId"`
	To       string `json:"to"`
	Subject  string `json:"subject"`
	Document string `json:"document"` // the sandboxed document of the HTML part
	Text     string `json:"text"`
}

// BulkProgressDTO is where a bulk send is.
type BulkProgressDTO struct {
	ID         int64  `json:"id"`
	AccountID  int64  `json:"accountId"`
	TemplateID int64  `json:"templateId"`
	TypeID     int64  `json:"typeId"`
	Name       string `json:"name"`
	State      string `json:"state"` // running | paused | cancelled | done
	Total      int    `json:"total"`
	Skipped    int    `json:"skipped"`
	Waiting    int    `json:"waiting"`
	Queued     int    `json:"queued"`
	Sent       int    `json:"sent"`
	Failed     int    `json:"failed"`
	Cancelled  int    `json:"cancelled"`
	PerDay     int    `json:"perDay"`
	LastSend   string `json:"lastSend"` // RFC 3339; "" when nothing waits
	CreatedAt  string `json:"createdAt"`
}

// BulkLimitDTO is an account's daily limit for bulk and automated sends.
type BulkLimitDTO struct {
	PerDay  int    `json:"perDay"`
	Default int    `json:"default"`
	Source  string `json:"source"` // gmail | google_workspace | outlook | microsoft365 | other
	Edited  bool   `json:"edited"`
	Max     int    `json:"max"`
}

// BulkWarningDTO is the deliverability warning before an account's first bulk send.
type BulkWarningDTO struct {
	Show           bool               `json:"show"`
	Checked        bool               `json:"checked"`
	Report         *DeliverabilityDTO `json:"report"` // nil when never checked
	AcknowledgedAt string             `json:"acknowledgedAt"`
}

// Bulk sends a template to the records of a filtered list (F12). Whoever may use the
// account sends through it (collaborators through the accounts granted to them); admins
// set an account's daily limit.
type Bulk struct{ b *Backend }

func (s *Bulk) input(ctx context.Context, c caller, in BulkInputDTO) (bulk.Input, error) {
	if !c.isAdmin() {
		if err := s.b.mayCompose(ctx, c, in.AccountID); err != nil {
			return bulk.Input{}, err
		}
	}
	a, err := s.b.Accounts.Get(ctx, in.AccountID)
	if err != nil {
		return bulk.Input{}, err
	}
	snd, err := s.b.signer(ctx, c, a)
	if err != nil {
		return bulk.Input{}, err
	}
	return bulk.Input{AccountID: in.AccountID, TemplateID: in.TemplateID, Sender: snd,
		List: records.Query{TypeID: in.List.TypeID, Search: in.List.Search,
			Sort: records.Sort{Field: in.List.Sort.Field, Desc: in.List.Sort.Desc}, Filters: filtersIn(in.List.Filters)}}, nil
}

// signer is who a bulk send from account a goes out as (F22): from the office sender's
// account, the person the super admin chose to sign the office's mail; otherwise the
// caller. Their name and details fill {{user.*}}, and their default signature on the
// account follows the body.
func (b *Backend) signer(ctx context.Context, c caller, a accounts.Account) (templates.Sender, error) {
	u := c.user
	if o, err := b.Accounts.OfficeSender(ctx); err == nil && o.AccountID == a.ID && o.UserID != 0 {
		if ou, err := b.Users.Get(ctx, o.UserID); err == nil {
			u = ou
		}
	}
	snd := templates.Sender{UserName: u.Name, UserEmail: u.Email, UserTitle: u.Title, UserPhone: u.Phone,
		AccountAddress: a.Email, AccountName: a.FromName}
	sig, err := b.Accounts.SignatureFor(ctx, a.ID, u.ID, accounts.Signer{Name: u.Name, Title: u.Title, Phone: u.Phone})
	if err != nil {
		return snd, err
	}
	snd.Signature = sig
	return snd, nil
}

func recipientDTOs(rs []bulk.Recipient) []BulkRecipientDTO {
	out := make([]BulkRecipientDTO, 0, len(rs))
	for _, r := range rs {
		d := BulkRecipientDTO{RecordID: r.RecordID, Title: r.Title, Email: r.Email, Name: r.Name, Reason: r.Reason, Missing: r.Missing,
			NotBefore: rfc3339(r.NotBefore)}
		if d.Missing == nil {
			d.Missing = []string{}
		}
		out = append(out, d)
	}
	return out
}

// Plan reads the list and says who gets the mail, who cannot and why, and when the last
// one goes at the account's pace.
func (s *Bulk) Plan(in BulkInputDTO) (BulkPlanDTO, error) {
	return run(s.b, "Bulk.Plan", func(_ context.Context, c caller) (BulkPlanDTO, error) {
		// Reading a long list and rendering each mail may outlast a local call's bound.
		ctx, cancel := context.WithTimeout(s.b.appContext(), 5*time.Minute)
		defer cancel()
		bi, err := s.input(ctx, c, in)
		if err != nil {
			return BulkPlanDTO{}, err
		}
		p, err := s.b.Bulk.Plan(ctx, bi)
		if err != nil {
			return BulkPlanDTO{}, err
		}
		return BulkPlanDTO{Total: p.Total, Sendable: recipientDTOs(p.Sendable), Excluded: recipientDTOs(p.Excluded),
			PerDay: p.PerDay, UsedToday: p.UsedToday, LastSend: rfc3339(p.LastSend), Days: p.Days}, nil
	})
}

// Preview renders the template for one record of the list, as it will be sent.
func (s *Bulk) Preview(in BulkInputDTO, recordID int64, to string) (BulkPreviewDTO, error) {
	return run(s.b, "Bulk.Preview", func(ctx context.Context, c caller) (BulkPreviewDTO, error) {
		bi, err := s.input(ctx, c, in)
		if err != nil {
			return BulkPreviewDTO{}, err
		}
		r, err := s.b.Templates.Render(ctx, bi.TemplateID, templates.Target{RecordID: recordID, Sender: bi.Sender})
		if err != nil {
			return BulkPreviewDTO{}, err
		}
		return BulkPreviewDTO{RecordID: recordID, To: strings.TrimSpace(to), Subject: r.Subject, Text: r.Text,
			Document: message.Document(r.HTML, message.DocumentOptions{})}, nil
	})
}

// Start commits the bulk send and starts it; it returns the job's id.
func (s *Bulk) Start(in BulkInputDTO) (int64, error) {
	return run(s.b, "Bulk.Start", func(_ context.Context, c caller) (int64, error) {
		ctx, cancel := context.WithTimeout(s.b.appContext(), 5*time.Minute)
		defer cancel()
		bi, err := s.input(ctx, c, in)
		if err != nil {
			return 0, err
		}
		id, err := s.b.Bulk.Start(ctx, c.user.ID, bi)
		if err != nil {
			return 0, err
		}
		s.b.emit(BulkChangedEvent, id)
		return id, nil
	})
}

func (s *Bulk) control(name string, id int64, fn func(ctx context.Context, id int64) error) error {
	return do(s.b, name, func(ctx context.Context, c caller) error {
		p, err := s.b.Bulk.Progress(ctx, id)
		if err != nil {
			return err
		}
		if !c.isAdmin() {
			if err := s.b.mayCompose(ctx, c, p.AccountID); err != nil {
				return err
			}
		}
		if err := fn(ctx, id); err != nil {
			return err
		}
		s.b.emit(BulkChangedEvent, id)
		return nil
	})
}

// Pause stops a bulk send for now; the mails waiting in the outbox are taken back.
func (s *Bulk) Pause(id int64) error { return s.control("Bulk.Pause", id, s.b.Bulk.Pause) }

// Resume goes on with a paused bulk send, at the account's pace from now.
func (s *Bulk) Resume(id int64) error { return s.control("Bulk.Resume", id, s.b.Bulk.Resume) }

// Cancel stops a bulk send for good (the UI asks first).
func (s *Bulk) Cancel(id int64) error { return s.control("Bulk.Cancel", id, s.b.Bulk.Cancel) }

func progressDTO(p bulk.Progress) BulkProgressDTO {
	return BulkProgressDTO{ID: p.ID, AccountID: p.AccountID, TemplateID: p.TemplateID, TypeID: p.TypeID, Name: p.Name,
		State: p.State, Total: p.Total, Skipped: p.Skipped, Waiting: p.Waiting, Queued: p.Queued, Sent: p.Sent,
		Failed: p.Failed, Cancelled: p.Cancelled, PerDay: p.PerDay, LastSend: rfc3339(p.LastSend), CreatedAt: rfc3339(p.CreatedAt)}
}

// Progress reads where a bulk send is.
func (s *Bulk) Progress(id int64) (BulkProgressDTO, error) {
	return run(s.b, "Bulk.Progress", func(ctx context.Context, c caller) (BulkProgressDTO, error) {
		p, err := s.b.Bulk.Progress(ctx, id)
		if err != nil {
			return BulkProgressDTO{}, err
		}
		if !c.isAdmin() {
			if err := s.b.mayCompose(ctx, c, p.AccountID); err != nil {
				return BulkProgressDTO{}, err
			}
		}
		return progressDTO(p), nil
	})
}

// Jobs lists the recent bulk sends (a collaborator's: of the accounts granted to them).
func (s *Bulk) Jobs() ([]BulkProgressDTO, error) {
	return run(s.b, "Bulk.Jobs", func(ctx context.Context, c caller) ([]BulkProgressDTO, error) {
		ps, err := s.b.Bulk.Jobs(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]BulkProgressDTO, 0, len(ps))
		for _, p := range ps {
			if !c.isAdmin() && s.b.mayCompose(ctx, c, p.AccountID) != nil {
				continue
			}
			out = append(out, progressDTO(p))
		}
		return out, nil
	})
}

func limitDTO(l bulk.Limit) BulkLimitDTO {
	return BulkLimitDTO{PerDay: l.PerDay, Default: l.Default, Source: l.Source, Edited: l.Edited, Max: l.MaxValue}
}

// Limit returns the account's daily limit for bulk and automated sends.
func (s *Bulk) Limit(accountID int64) (BulkLimitDTO, error) {
	return run(s.b, "Bulk.Limit", func(ctx context.Context, c caller) (BulkLimitDTO, error) {
		if !c.isAdmin() {
			if err := s.b.mayCompose(ctx, c, accountID); err != nil {
				return BulkLimitDTO{}, err
			}
		}
		l, err := s.b.Bulk.Limit(ctx, accountID)
		return limitDTO(l), err
	})
}

// SetLimit sets the account's daily limit (0: the provider's published one again).
func (s *Bulk) SetLimit(accountID int64, perDay int) (BulkLimitDTO, error) {
	return run(s.b, "Bulk.SetLimit", func(ctx context.Context, c caller) (BulkLimitDTO, error) {
		l, err := s.b.Bulk.SetLimit(ctx, accountID, perDay)
		return limitDTO(l), err
	})
}

// DeliverabilityWarning returns the account's deliverability findings to show before its
// first bulk send (Show false once acknowledged, or when all is well). Never a block.
func (s *Bulk) DeliverabilityWarning(accountID int64) (BulkWarningDTO, error) {
	return run(s.b, "Bulk.DeliverabilityWarning", func(ctx context.Context, c caller) (BulkWarningDTO, error) {
		if !c.isAdmin() {
			if err := s.b.mayCompose(ctx, c, accountID); err != nil {
				return BulkWarningDTO{}, err
			}
		}
		w, err := s.b.Bulk.DeliverabilityWarning(ctx, accountID)
		if err != nil {
			return BulkWarningDTO{}, err
		}
		out := BulkWarningDTO{Show: w.Show, Checked: w.Checked, AcknowledgedAt: rfc3339(w.Acknowledged)}
		if w.Checked {
			d := deliverabilityDTO(w.Report, w.Stale)
			out.Report = &d
		}
		return out, nil
	})
}

// AcknowledgeWarning remembers that the user has read the account's deliverability warning.
func (s *Bulk) AcknowledgeWarning(accountID int64) error {
	return do(s.b, "Bulk.AcknowledgeWarning", func(ctx context.Context, c caller) error {
		if !c.isAdmin() {
			if err := s.b.mayCompose(ctx, c, accountID); err != nil {
				return err
			}
		}
		return s.b.Bulk.AcknowledgeWarning(ctx, c.user.ID, accountID)
	})
}

// BulkEvents is bulk.Deps.Emit: a bulk send moved on.
func (b *Backend) BulkEvents() func(int64) {
	return func(id int64) { b.emit(BulkChangedEvent, id) }
}

// BulkUnsubscribeDTO is a received mail asking not to be written to again, from a contact
// who still may be: the message view offers "Ne plus écrire à ce contact".
type BulkUnsubscribeDTO struct {
	ContactID int64  `json:"contactId"`
	Name      string `json:"name"`
	Email     string `json:"email"`
}

// UnsubscribeRequest tells whether a message asks to unsubscribe (a reply to the
// List-Unsubscribe mailto of bulk and automated mails); nil when it does not. Only a
// suggestion: nothing changes until the user clicks.
func (s *Bulk) UnsubscribeRequest(messageID int64) (*BulkUnsubscribeDTO, error) {
	return run(s.b, "Bulk.UnsubscribeRequest", func(ctx context.Context, c caller) (*BulkUnsubscribeDTO, error) {
		if err := (&Mail{b: s.b}).checkVisible(ctx, c, []int64{messageID}); err != nil {
			return nil, err
		}
		u, ok, err := s.b.Bulk.UnsubscribeRequest(ctx, messageID)
		if err != nil || !ok {
			return nil, err
		}
		return &BulkUnsubscribeDTO{ContactID: u.ContactID, Name: u.Name, Email: u.Email}, nil
	})
}

// StopEmailing sets the contact's "do not email" (the one click of the message view).
func (s *Bulk) StopEmailing(contactID int64) error {
	return do(s.b, "Bulk.StopEmailing", func(ctx context.Context, c caller) error {
		return s.b.Bulk.StopEmailing(ctx, c.user.ID, contactID)
	})
}
