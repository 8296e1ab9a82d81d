package api

import (
	"time"

	"mailroom/backend/templates"
)

// TemplateInputDTO is a template as the editor saves or previews it: id 0 creates one.
// Without textEdited the plain-text part is derived from html (text is ignored); with it,
// text is kept as written.
type TemplateInputDTO struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Language   string `json:"language"` // LANGUAGES
	TypeID     int64  `json:"typeId"`   // the kind of record it is written for; 0: none
	Subject    string `json:"subject"`
	HTML       string `json:"html"`
	Text       string `json:"text"`
	TextEdited bool   `json:"textEdited"`
}

// TemplateDTO is a stored template with its attachments (names and sizes).
type TemplateDTO struct {
	TemplateInputDTO
	Attachments []TemplateAttachmentDTO `json:"attachments"`
	UpdatedAt   time.Time               `json:"updatedAt"`
}

// TemplateAttachmentDTO is a file sent with every mail of a template.
type TemplateAttachmentDTO struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
}

// TemplateSummaryDTO is a template in the list. problem is set when a placeholder no
// longer names a field (one was deleted): the template must be fixed before it is used.
type TemplateSummaryDTO struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Language    string    `json:"language"`
	TypeID      int64     `json:"typeId"`
	Subject     string    `json:"subject"`
	Attachments int       `json:"attachments"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Problem     *ErrorDTO `json:"problem"`
}

// PlaceholderGroupDTO is one group of the placeholder picker: a record type (label: its
// singular name), or the user or the account (typeId 0, label "": the UI words them).
type PlaceholderGroupDTO struct {
	Key    string           `json:"key"`
	Label  string           `json:"label"`
	TypeID int64            `json:"typeId"`
	Fields []PlaceholderDTO `json:"fields"`
}

// PlaceholderDTO is one field a placeholder may name: path is what the template holds
// ("facture.echeance"); label the field's current name ("" for the user's and the
// account's fields, which the UI words from key).
type PlaceholderDTO struct {
	Path  string `json:"path"`
	Key   string `json:"key"`
	Label string `json:"label"`
	Kind  string `json:"kind"` // FIELD_KINDS
}

// TemplatePreviewDTO is a template rendered for one record: html is the sanitised body the
// mail carries, document the same in the page the sandboxed mail frame shows (remote images
// not fetched); missing lists the placeholders without a value or a default.
type TemplatePreviewDTO struct {
	Subject     string                  `json:"subject"`
	HTML        string                  `json:"html"`
	Document    string                  `json:"document"`
	Text        string                  `json:"text"`
	Attachments []TemplateAttachmentDTO `json:"attachments"`
	Missing     []string                `json:"missing"`
}

func templateDraft(in TemplateInputDTO) templates.Draft {
	return templates.Draft{ID: in.ID, Name: in.Name, Language: in.Language, TypeID: in.TypeID, Subject: in.Subject,
		HTML: in.HTML, Text: in.Text, TextEdited: in.TextEdited}
}

func attachmentDTO(a templates.AttachmentInfo) TemplateAttachmentDTO {
	return TemplateAttachmentDTO{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size}
}

func templateDTO(t templates.Template) TemplateDTO {
	d := TemplateDTO{TemplateInputDTO: TemplateInputDTO{ID: t.ID, Name: t.Name, Language: t.Language, TypeID: t.TypeID,
		Subject: t.Subject, HTML: t.HTML, Text: t.Text, TextEdited: t.TextEdited},
		Attachments: []TemplateAttachmentDTO{}, UpdatedAt: t.UpdatedAt}
	for _, a := range t.Attachments {
		d.Attachments = append(d.Attachments, attachmentDTO(a))
	}
	return d
}
