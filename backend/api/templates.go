package api

import (
	"context"
	"encoding/base64"

	"mailroom/backend/fault"
	"mailroom/backend/message"
	"mailroom/backend/templates"
)

// TemplatesChangedEvent tells the UI that a template was saved, deleted or had its
// attachments changed (the payload is its id): the list and an open editor re-read it.
const TemplatesChangedEvent = "templates:changed"

// ErrAttachmentUnreadable: the file the UI sent was not base64 (never a user's doing, but
// worded all the same).
var ErrAttachmentUnreadable = fault.Define("template_attachment_unreadable", fault.InvalidInput, "the file {name} could not be read")

// Templates are the mails written once and sent from records (F12). In a small office
// everyone signed in reads templates and previews them against any record (they send with
// them); admins create, edit and delete them and their attachments, as they define the
// record types the placeholders name — one person keeps the office's wording.
type Templates struct{ b *Backend }

func (s *Templates) changed(id int64) { s.b.emit(TemplatesChangedEvent, id) }

// List returns every template by name, each checked against the current fields.
func (s *Templates) List() ([]TemplateSummaryDTO, error) {
	return run(s.b, "Templates.List", func(ctx context.Context, c caller) ([]TemplateSummaryDTO, error) {
		list, err := s.b.Templates.List(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]TemplateSummaryDTO, 0, len(list))
		for _, t := range list {
			out = append(out, TemplateSummaryDTO{ID: t.ID, Name: t.Name, Language: t.Language, TypeID: t.TypeID,
				Subject: t.Subject, Attachments: t.Attachments, UpdatedAt: t.UpdatedAt, Problem: errorDTOOf(t.Problem)})
		}
		return out, nil
	})
}

// Get reads a template.
func (s *Templates) Get(id int64) (TemplateDTO, error) {
	return run(s.b, "Templates.Get", func(ctx context.Context, c caller) (TemplateDTO, error) {
		t, err := s.b.Templates.Get(ctx, id)
		if err != nil {
			return TemplateDTO{}, err
		}
		return templateDTO(t), nil
	})
}

// Save checks a template against the current fields and stores it: an unknown placeholder
// is refused, naming it and the nearest known one.
func (s *Templates) Save(in TemplateInputDTO) (TemplateDTO, error) {
	return run(s.b, "Templates.Save", func(ctx context.Context, c caller) (TemplateDTO, error) {
		t, err := s.b.Templates.Save(ctx, c.user.ID, templateDraft(in))
		if err != nil {
			return TemplateDTO{}, err
		}
		s.changed(t.ID)
		return templateDTO(t), nil
	})
}

// Delete removes a template and its attachments (the UI asks first).
func (s *Templates) Delete(id int64) error {
	return do(s.b, "Templates.Delete", func(ctx context.Context, c caller) error {
		if err := s.b.Templates.Delete(ctx, id); err != nil {
			return err
		}
		s.changed(id)
		return nil
	})
}

// Fields returns what placeholders may name, for the placeholder picker.
func (s *Templates) Fields() ([]PlaceholderGroupDTO, error) {
	return run(s.b, "Templates.Fields", func(ctx context.Context, c caller) ([]PlaceholderGroupDTO, error) {
		ns, err := s.b.Templates.Fields(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]PlaceholderGroupDTO, 0, len(ns))
		for _, n := range ns {
			g := PlaceholderGroupDTO{Key: n.Key, Label: n.Label, TypeID: n.TypeID, Fields: []PlaceholderDTO{}}
			for _, f := range n.Fields {
				g.Fields = append(g.Fields, PlaceholderDTO{Path: f.Path, Key: f.Key, Label: f.Label, Kind: f.Kind})
			}
			out = append(out, g)
		}
		return out, nil
	})
}

// Preview renders a template as edited (saved or not) for a record (0: none), as the
// signed-in user sending from their first account; it is checked as Save checks it.
func (s *Templates) Preview(in TemplateInputDTO, recordID int64) (TemplatePreviewDTO, error) {
	return run(s.b, "Templates.Preview", func(ctx context.Context, c caller) (TemplatePreviewDTO, error) {
		snd := templates.Sender{UserName: c.user.Name, UserEmail: c.user.Email, UserTitle: c.user.Title, UserPhone: c.user.Phone}
		var only int64
		if !c.isAdmin() {
			only = c.user.ID
		}
		if s.b.Accounts != nil {
			accs, err := s.b.Accounts.List(ctx, only)
			if err != nil {
				return TemplatePreviewDTO{}, err
			}
			for _, a := range accs {
				if !a.Disabled {
					snd.AccountAddress, snd.AccountName = a.Email, a.FromName
					break
				}
			}
		}
		r, err := s.b.Templates.RenderDraft(ctx, templateDraft(in), templates.Target{RecordID: recordID, Sender: snd})
		if err != nil {
			return TemplatePreviewDTO{}, err
		}
		out := TemplatePreviewDTO{Subject: r.Subject, HTML: r.HTML, Text: r.Text, Attachments: []TemplateAttachmentDTO{},
			Missing: r.Missing, Document: message.Document(r.HTML, message.DocumentOptions{})}
		if out.Missing == nil {
			out.Missing = []string{}
		}
		for _, a := range r.Attachments {
			out.Attachments = append(out.Attachments, attachmentDTO(a.AttachmentInfo))
		}
		return out, nil
	})
}

// AddAttachment keeps a file in a saved template (its content in base64, as the UI reads a
// chosen file); it is sent with every mail of the template.
func (s *Templates) AddAttachment(templateID int64, name, contentBase64 string) (TemplateAttachmentDTO, error) {
	return run(s.b, "Templates.AddAttachment", func(ctx context.Context, c caller) (TemplateAttachmentDTO, error) {
		data, err := base64.StdEncoding.DecodeString(contentBase64)
		if err != nil {
			return TemplateAttachmentDTO{}, ErrAttachmentUnreadable.New(fault.P{"name": name})
		}
		a, err := s.b.Templates.AddAttachment(ctx, templateID, name, data)
		if err != nil {
			return TemplateAttachmentDTO{}, err
		}
		s.changed(templateID)
		return attachmentDTO(a), nil
	})
}

// RemoveAttachment takes a file out of a template.
func (s *Templates) RemoveAttachment(templateID, attachmentID int64) error {
	return do(s.b, "Templates.RemoveAttachment", func(ctx context.Context, c caller) error {
		if err := s.b.Templates.RemoveAttachment(ctx, templateID, attachmentID); err != nil {
			return err
		}
		s.changed(templateID)
		return nil
	})
}
