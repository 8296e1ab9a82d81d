package templates

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"mailroom/backend/fault"
	"mailroom/backend/message"
	"mailroom/backend/records"
	"mailroom/backend/store"
)

// Limits of a template.
const (
	maxNameRunes       = 100
	maxPartBytes       = 1 << 20  // the subject, the HTML or the text
	maxAttachmentBytes = 10 << 20 // one file (most servers refuse a mail over 20–25 MB)
	maxAttachmentsSum  = 20 << 20 // every file of a template
)

// Deps are what the templates use: the store, and the records to read the schema and the
// record a mail is about.
type Deps struct {
	DB      *store.DB
	Records *records.Records
}

// Options tune the templates.
type Options struct {
	Now func() time.Time // the clock; time.Now if nil
	// Location is the zone a date-and-time value is written in (the user's); Local if nil.
	Location *time.Location
}

// Templates keeps the templates and renders them.
type Templates struct {
	deps Deps
	opts Options
}

// New returns the templates over deps. It does no I/O.
func New(deps Deps, opts Options) *Templates {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	return &Templates{deps: deps, opts: opts}
}

func (t *Templates) now() time.Time {
	if t.opts.Now != nil {
		return t.opts.Now()
	}
	return time.Now()
}

// Draft is a template as the editor saves it. ID 0 creates one. Without TextEdited the
// plain-text part is derived from the HTML (Text is ignored); with it, Text is kept as written.
type Draft struct {
	ID         int64
	Name       string
	Language   string // fr or en
	TypeID     int64  // the kind of record it is written for; 0: none chosen
	Subject    string
	HTML       string
	Text       string
	TextEdited bool
}

// Template is a stored template.
type Template struct {
	Draft
	Attachments []AttachmentInfo
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Summary is a template as the list shows it.
type Summary struct {
	ID          int64
	Name        string
	Language    string
	TypeID      int64
	Subject     string
	Attachments int
	UpdatedAt   time.Time
	// Problem is set when a placeholder no longer names a field (one was deleted since
	// the template was saved): the template must be fixed before it is used.
	Problem error
}

// AttachmentInfo describes a file of a template.
type AttachmentInfo struct {
	ID          int64
	Name        string
	ContentType string
	Size        int64
}

// Attachment is a file with its content, as a mail carries it.
type Attachment struct {
	AttachmentInfo
	Data []byte
}

// DeriveText is the plain-text part a template's HTML gives (placeholders stay as written).
func DeriveText(htmlBody string) string { return message.HTMLToText(htmlBody) }

// Save validates a draft against the current fields and stores it in one transaction. The
// first problem found is returned, with Field set to the part it is in.
func (t *Templates) Save(ctx context.Context, by int64, d Draft) (Template, error) {
	defer changed() // after the commit: see Renderer
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		return Template{}, ErrNameMissing.Field("name", nil)
	}
	if utf8.RuneCountInString(d.Name) > maxNameRunes {
		return Template{}, ErrNameTooLong.Field("name", fault.P{"max": maxNameRunes})
	}
	if !validLanguage(d.Language) {
		return Template{}, ErrLanguageInvalid.Field("language", fault.P{"language": d.Language})
	}
	if !d.TextEdited {
		d.Text = DeriveText(d.HTML)
	}
	s, err := t.deps.Records.Schema(ctx)
	if err != nil {
		return Template{}, err
	}
	if _, err := compile(d, newKnown(s)); err != nil {
		return Template{}, err
	}
	if d.TypeID != 0 && s.Type(d.TypeID) == nil {
		return Template{}, records.ErrTypeNotFound.Field("typeId", nil)
	}
	now := t.now().UnixMilli()
	id := d.ID
	err = t.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		typeID := any(nil)
		if d.TypeID != 0 {
			typeID = d.TypeID
		}
		if id == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO templates(name, language, type_id, subject, html, text, text_edited,
				created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				d.Name, d.Language, typeID, d.Subject, d.HTML, d.Text, d.TextEdited, now, nullID(by), now, nullID(by))
			if err != nil {
				return err
			}
			id, err = res.LastInsertId()
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE templates SET name = ?, language = ?, type_id = ?, subject = ?, html = ?,
			text = ?, text_edited = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
			d.Name, d.Language, typeID, d.Subject, d.HTML, d.Text, d.TextEdited, now, nullID(by), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound.New(nil)
		}
		return nil
	})
	if store.IsUnique(err) {
		return Template{}, ErrNameTaken.Field("name", fault.P{"name": d.Name})
	}
	if err != nil {
		if _, ok := fault.As(err); ok {
			return Template{}, err
		}
		return Template{}, fmt.Errorf("templates: save: %w", err)
	}
	return t.Get(ctx, id)
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// Get reads a template with the list of its attachments.
func (t *Templates) Get(ctx context.Context, id int64) (Template, error) {
	var tp Template
	var typeID sql.NullInt64
	var created, updated int64
	err := t.deps.DB.R.QueryRowContext(ctx, `SELECT id, name, language, type_id, subject, html, text, text_edited,
		created_at, updated_at FROM templates WHERE id = ?`, id).Scan(&tp.ID, &tp.Name, &tp.Language, &typeID,
		&tp.Subject, &tp.HTML, &tp.Text, &tp.TextEdited, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Template{}, ErrNotFound.New(nil)
	}
	if err != nil {
		return Template{}, fmt.Errorf("templates: get: %w", err)
	}
	tp.TypeID = typeID.Int64
	tp.CreatedAt, tp.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	rows, err := t.deps.DB.R.QueryContext(ctx, `SELECT id, name, content_type, size FROM template_attachments
		WHERE template_id = ? ORDER BY position, id`, id)
	if err != nil {
		return Template{}, fmt.Errorf("templates: attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a AttachmentInfo
		if err := rows.Scan(&a.ID, &a.Name, &a.ContentType, &a.Size); err != nil {
			return Template{}, fmt.Errorf("templates: attachments: %w", err)
		}
		tp.Attachments = append(tp.Attachments, a)
	}
	return tp, rows.Err()
}

// List returns every template by name, each checked against the current fields.
func (t *Templates) List(ctx context.Context) ([]Summary, error) {
	s, err := t.deps.Records.Schema(ctx)
	if err != nil {
		return nil, err
	}
	k := newKnown(s)
	rows, err := t.deps.DB.R.QueryContext(ctx, `SELECT t.id, t.name, t.language, COALESCE(t.type_id, 0), t.subject,
		t.html, t.text, t.text_edited, t.updated_at, (SELECT COUNT(*) FROM template_attachments a WHERE a.template_id = t.id)
		FROM templates t ORDER BY t.name COLLATE NOCASE, t.id`)
	if err != nil {
		return nil, fmt.Errorf("templates: list: %w", err)
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var sm Summary
		var d Draft
		var updated int64
		if err := rows.Scan(&sm.ID, &sm.Name, &sm.Language, &sm.TypeID, &sm.Subject, &d.HTML, &d.Text, &d.TextEdited,
			&updated, &sm.Attachments); err != nil {
			return nil, fmt.Errorf("templates: list: %w", err)
		}
		d.Subject, d.TextEdited = sm.Subject, true
		sm.UpdatedAt = time.UnixMilli(updated)
		if _, err := compile(d, k); err != nil {
			sm.Problem = err
		}
		out = append(out, sm)
	}
	return out, rows.Err()
}

// Delete removes a template and its attachments.
func (t *Templates) Delete(ctx context.Context, id int64) error {
	defer changed() // after the commit: see Renderer
	return t.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM templates WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("templates: delete: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound.New(nil)
		}
		return nil
	})
}

// AddAttachment keeps a file in the template; it is sent with every mail of it. The
// content type is the file name's, else sniffed from the content.
func (t *Templates) AddAttachment(ctx context.Context, templateID int64, name string, data []byte) (AttachmentInfo, error) {
	defer changed() // after the commit: see Renderer
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		return AttachmentInfo{}, ErrAttachmentName.New(nil)
	}
	if len(data) > maxAttachmentBytes {
		return AttachmentInfo{}, ErrAttachmentTooLarge.New(fault.P{"name": name, "max": maxAttachmentBytes >> 20})
	}
	ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	a := AttachmentInfo{Name: name, ContentType: ct, Size: int64(len(data))}
	err := t.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		var sum int64
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM templates WHERE id = ?`, templateID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return ErrNotFound.New(nil)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM template_attachments WHERE template_id = ?`,
			templateID).Scan(&sum); err != nil {
			return err
		}
		if sum+a.Size > maxAttachmentsSum {
			return ErrAttachmentsTooLarge.New(fault.P{"max": maxAttachmentsSum >> 20})
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO template_attachments(template_id, name, content_type, size, data, position)
			VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM template_attachments WHERE template_id = ?))`,
			templateID, a.Name, a.ContentType, a.Size, data, templateID)
		if err != nil {
			return err
		}
		a.ID, err = res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE templates SET updated_at = ? WHERE id = ?`, t.now().UnixMilli(), templateID)
		return err
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return AttachmentInfo{}, err
		}
		return AttachmentInfo{}, fmt.Errorf("templates: add attachment: %w", err)
	}
	return a, nil
}

// RemoveAttachment takes a file out of a template.
func (t *Templates) RemoveAttachment(ctx context.Context, templateID, id int64) error {
	defer changed() // after the commit: see Renderer
	return t.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM template_attachments WHERE id = ? AND template_id = ?`, id, templateID)
		if err != nil {
			return fmt.Errorf("templates: remove attachment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAttachmentNotFound.New(nil)
		}
		_, err = tx.ExecContext(ctx, `UPDATE templates SET updated_at = ? WHERE id = ?`, t.now().UnixMilli(), templateID)
		return err
	})
}

// attachments reads a template's files with their content.
func (t *Templates) attachments(ctx context.Context, templateID int64) ([]Attachment, error) {
	rows, err := t.deps.DB.R.QueryContext(ctx, `SELECT id, name, content_type, size, data FROM template_attachments
		WHERE template_id = ? ORDER BY position, id`, templateID)
	if err != nil {
		return nil, fmt.Errorf("templates: attachments: %w", err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.Data); err != nil {
			return nil, fmt.Errorf("templates: attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
