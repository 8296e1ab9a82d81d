package templates

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/message"
	"mailroom/backend/records"
)

// Why html/template and not a Liquid engine: a template's HTML part must escape each value
// for the place it lands in (text, an attribute, a link's URL, where a javascript: URL must
// not survive), and html/template is the one well-kept Go library whose escaping is
// contextual and cannot be switched off by the template. Liquid engines for Go
// (osteele/liquid) escape output, when asked, the same way everywhere, and bring tags
// (include reads files, loops, assignments) a template must not hold. So the Liquid syntax
// a template offers — {{path}} and {{path | default: "…"}}, nothing else — is read by
// parse.go (a few lines: a path and one filter) and each placeholder becomes one
// html/template action over a value computed here, never a field or method lookup: the
// template reaches no code, only strings. The result then goes through message.Sanitize,
// the mail sanitiser, as every HTML the app sends or shows.

// The delimiters of the generated html/template source. NUL never stays in a template's
// text (compile removes it), so no literal text can open an action.
const (
	leftDelim  = "\x00["
	rightDelim = "]\x00"
)

// compiled is a template read once: its three parts split into text and placeholders, the
// HTML part as an html/template over the placeholders' values.
type compiled struct {
	subject, html, text []segment
	htmlTpl             *template.Template
	htmlPhs             []*placeholder
	records             map[string]bool // the record namespaces the placeholders name
}

// compile parses and checks a draft: every placeholder names a known field, and each one
// of the HTML part stands where HTML can hold a value.
func compile(d Draft, k *known) (*compiled, error) {
	c := &compiled{}
	for _, p := range []struct {
		name string
		src  string
		dst  *[]segment
		html bool
	}{{"subject", d.Subject, &c.subject, false}, {"html", d.HTML, &c.html, true}, {"text", d.Text, &c.text, false}} {
		if len(p.src) > maxPartBytes {
			return nil, ErrTooLarge.Field(p.name, fault.P{"max": maxPartBytes >> 10})
		}
		segs, err := parse(strings.ReplaceAll(p.src, "\x00", ""), p.html)
		if err != nil {
			return nil, withField(err, p.name)
		}
		for _, s := range segs {
			if s.ph != nil {
				if err := k.check(s.ph); err != nil {
					return nil, withField(err, p.name)
				}
				if s.ph.ns != UserNS && s.ph.ns != AccountNS {
					if c.records == nil {
						c.records = map[string]bool{}
					}
					c.records[s.ph.ns] = true
				}
			}
		}
		*p.dst = segs
	}
	if err := c.buildHTML(); err != nil {
		return nil, err
	}
	return c, nil
}

func withField(err error, field string) error {
	if fe, ok := fault.As(err); ok {
		return fe.WithField(field)
	}
	return err
}

// buildHTML makes the html/template of the HTML part and runs its escaper once (with empty
// values), so a placeholder html/template refuses (inside a tag's name…) fails at save.
func (c *compiled) buildHTML() error {
	var b strings.Builder
	c.htmlPhs = nil
	for _, s := range c.html {
		if s.ph == nil {
			b.WriteString(s.text)
			continue
		}
		b.WriteString(leftDelim + "index .V " + strconv.Itoa(len(c.htmlPhs)) + rightDelim)
		c.htmlPhs = append(c.htmlPhs, s.ph)
	}
	if len(c.htmlPhs) == 0 {
		return nil // nothing to escape: the HTML goes to the sanitiser as written
	}
	tpl, err := template.New("html").Delims(leftDelim, rightDelim).Parse(b.String())
	if err == nil {
		err = tpl.Execute(discard{}, htmlData{V: make([]string, len(c.htmlPhs))})
	}
	if err != nil {
		return ErrPlaceholderPosition.Field("html", fault.P{"placeholder": c.culprit(err)})
	}
	c.htmlTpl = tpl
	return nil
}

// culprit names the placeholder html/template refused: the first whose action alone fails.
func (c *compiled) culprit(err error) string {
	var te *template.Error
	if errors.As(err, &te) && te.ErrorCode == template.ErrEndContext {
		// The HTML stops inside a tag: the placeholder nearest the end stands in it.
		return c.htmlPhs[len(c.htmlPhs)-1].raw
	}
	for i, ph := range c.htmlPhs {
		var b strings.Builder
		n := 0
		for _, s := range c.html {
			switch {
			case s.ph == nil:
				b.WriteString(s.text)
			case n == i:
				b.WriteString(leftDelim + "index .V 0" + rightDelim)
				n++
			default:
				n++
			}
		}
		tpl, perr := template.New("one").Delims(leftDelim, rightDelim).Parse(b.String())
		if perr == nil {
			perr = tpl.Execute(discard{}, htmlData{V: []string{""}})
		}
		if perr != nil {
			return ph.raw
		}
	}
	return c.htmlPhs[0].raw
}

type htmlData struct{ V []string }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Sender is who a mail goes out as: the user's name and details and the account's address.
type Sender struct {
	UserName, UserEmail, UserTitle, UserPhone string
	AccountName, AccountAddress               string
	// Signature is the signer's signature on the account, rendered (accounts.RenderSignature;
	// "" for none): it follows the body, as the composer places it (message.SignedBody).
	Signature string `json:",omitempty"`
}

// Target is what a mail is rendered for: a record (its id; its kind comes with it) and
// the sender. RecordID 0 renders with the sender's values only.
type Target struct {
	RecordID int64
	Sender   Sender
}

// Rendered is a template rendered for one record: what the outbox sends.
type Rendered struct {
	Subject     string
	HTML        string // sanitised: a body fragment
	Text        string
	Attachments []Attachment
	// Missing lists the placeholders that had no value and no default (each once, as
	// written): a bulk send lists these records as unable to get the mail.
	Missing []string
}

// Render renders a stored template for a target: the entry point of a send by button, a
// bulk send and an automation.
func (t *Templates) Render(ctx context.Context, id int64, tg Target) (Rendered, error) {
	tp, err := t.Get(ctx, id)
	if err != nil {
		return Rendered{}, err
	}
	return t.RenderDraft(ctx, tp.Draft, tg)
}

// RenderDraft renders a template as edited, saved or not (the editor's preview): it is
// checked first, as Save checks it; the attachments are those of d.ID when saved.
func (t *Templates) RenderDraft(ctx context.Context, d Draft, tg Target) (Rendered, error) {
	d = normalised(d)
	s, err := t.deps.Records.Schema(ctx)
	if err != nil {
		return Rendered{}, err
	}
	c, err := compile(d, newKnown(s))
	if err != nil {
		return Rendered{}, err
	}
	var atts []Attachment
	if d.ID != 0 {
		if atts, err = t.attachments(ctx, d.ID); err != nil {
			return Rendered{}, err
		}
	}
	return t.renderCompiled(ctx, c, s, d.Language, atts, tg)
}

// normalised is d as it renders: its text derived from its HTML unless edited, a known
// language.
func normalised(d Draft) Draft {
	if !d.TextEdited {
		d.Text = DeriveText(d.HTML)
	}
	if !validLanguage(d.Language) {
		d.Language = French
	}
	return d
}

// renderCompiled renders a compiled template (in lang, with its attachments atts) for tg.
func (t *Templates) renderCompiled(ctx context.Context, c *compiled, s *records.Schema, lang string, atts []Attachment, tg Target) (Rendered, error) {
	v, err := t.resolve(ctx, s, tg, c.records)
	if err != nil {
		return Rendered{}, err
	}
	out, err := c.render(v, lang, t.opts.Location)
	if err != nil {
		return Rendered{}, err
	}
	out.Attachments = slices.Clone(atts)
	out.Text, out.HTML = message.AppendSignature(out.Text, out.HTML, tg.Sender.Signature)
	return out, nil
}

// changes counts the changes to templates (saves, deletions, attachments) made in this
// process, on any store: a Renderer reads its template again when it has moved.
var changes atomic.Uint64

func changed() { changes.Add(1) }

// Renderer renders one stored template for target after target: what a bulk send does
// for each recipient. It reads and compiles the template, its attachments and the
// record schema once, and again only when a template or the schema has changed since
// (Render otherwise reads and compiles them for every mail: most of a bulk send's CPU
// per mail). A Renderer is safe for concurrent use.
type Renderer struct {
	t  *Templates
	id int64

	mu      sync.Mutex
	changes uint64          // changes when the template was read
	schema  *records.Schema // the shared schema it was compiled against
	c       *compiled       // nil: not read yet
	lang    string
	atts    []Attachment
}

// Renderer returns a renderer of the stored template id. It does no I/O.
func (t *Templates) Renderer(id int64) *Renderer { return &Renderer{t: t, id: id} }

// Render is Templates.Render of the renderer's template for tg.
func (r *Renderer) Render(ctx context.Context, tg Target) (Rendered, error) {
	// Read before the template and the schema: a change committed while they are read
	// has moved these past what is kept, and the next render reads them again.
	n := changes.Load()
	s, err := r.t.deps.Records.SharedSchema(ctx)
	if err != nil {
		return Rendered{}, err
	}
	r.mu.Lock()
	if r.c == nil || r.changes != n || r.schema != s {
		tp, err := r.t.Get(ctx, r.id)
		if err != nil {
			r.mu.Unlock()
			return Rendered{}, err
		}
		d := normalised(tp.Draft)
		c, err := compile(d, newKnown(s))
		if err != nil {
			r.mu.Unlock()
			return Rendered{}, err
		}
		atts, err := r.t.attachments(ctx, r.id)
		if err != nil {
			r.mu.Unlock()
			return Rendered{}, err
		}
		r.c, r.changes, r.schema, r.lang, r.atts = c, n, s, d.Language, atts
	}
	c, lang, atts := r.c, r.lang, r.atts
	r.mu.Unlock()
	// A compiled template is only read when rendering: several renders may share it.
	return r.t.renderCompiled(ctx, c, s, lang, atts, tg)
}

// values are the records a mail is about, by namespace, and the sender.
type values struct {
	records map[string]records.Record // by type key
	schema  *records.Schema
	sender  Sender
}

// maxLinkDepth bounds how far links are followed to find a namespace's record: the
// record's own links (an invoice's company), then theirs (its contact's company).
const maxLinkDepth = 2

// resolve finds the record of each namespace: the target's own type, then, breadth first
// up to maxLinkDepth, the records each one links to (a field's first value, fields in
// order) and the records that link to it (the first by name of each link field: a company's
// contact). The first found for a type wins: an invoice's company, then that company's
// contact. need is the namespaces the template names: the search ends once each has
// its record. The target itself is always read (a deleted one is an error).
func (t *Templates) resolve(ctx context.Context, s *records.Schema, tg Target, need map[string]bool) (values, error) {
	v := values{records: map[string]records.Record{}, schema: s, sender: tg.Sender}
	if tg.RecordID == 0 {
		return v, nil
	}
	// found reports whether every namespace the template names has its record. Links are
	// followed no further then: a namespace keeps the first record found for it, so what
	// follows could only fill namespaces the template does not name (a bulk send renders
	// thousands of mails, and each record read costs a query).
	found := func() bool {
		for ns := range need {
			if _, ok := v.records[ns]; !ok {
				return false
			}
		}
		return true
	}
	d, err := t.deps.Records.Get(ctx, tg.RecordID)
	if err != nil {
		return v, err
	}
	typ := s.Type(d.TypeID)
	if typ == nil {
		return v, records.ErrTypeNotFound.New(nil)
	}
	v.records[typ.Key] = d.Record
	seen := map[int64]bool{d.ID: true}
	level := []records.Detail{d}
	for depth := 0; depth < maxLinkDepth && len(level) > 0 && !found(); depth++ {
		var next []records.Detail
		for _, r := range level {
			for _, ref := range neighbours(s, r) {
				if seen[ref.ID] {
					continue
				}
				seen[ref.ID] = true
				lt := s.Type(ref.TypeID)
				if lt == nil {
					continue
				}
				if _, ok := v.records[lt.Key]; ok {
					continue
				}
				ld, err := t.deps.Records.Get(ctx, ref.ID)
				if fault.ReasonOf(err) == records.ErrRecordNotFound.Name || err == nil && !ld.DeletedAt.IsZero() {
					continue
				}
				if err != nil {
					return v, err
				}
				v.records[lt.Key] = ld.Record
				next = append(next, ld)
				if found() {
					return v, nil
				}
			}
		}
		level = next
	}
	return v, nil
}

// neighbours are the records r links to (each link field's first value) and the first
// record of each of its backlinks, in that order.
func neighbours(s *records.Schema, r records.Detail) []records.LinkRef {
	var out []records.LinkRef
	if rt := s.Type(r.TypeID); rt != nil {
		for _, f := range rt.Fields {
			if f.Kind != records.Link {
				continue
			}
			if refs, _ := r.Values[f.Key].([]records.LinkRef); len(refs) > 0 {
				out = append(out, refs[0])
			}
		}
	}
	for _, b := range r.Backlinks {
		if len(b.Records) > 0 {
			out = append(out, b.Records[0])
		}
	}
	return out
}

// value is a placeholder's value, formatted in the template's language; "" when empty.
func (v values) value(ph *placeholder, lang string, loc *time.Location) string {
	switch ph.ns {
	case UserNS:
		switch ph.key {
		case "name":
			return v.sender.UserName
		case "email":
			return v.sender.UserEmail
		case "title":
			return v.sender.UserTitle
		case "phone":
			return v.sender.UserPhone
		}
		return ""
	case AccountNS:
		switch ph.key {
		case "address":
			return v.sender.AccountAddress
		case "name":
			return v.sender.AccountName
		}
		return ""
	}
	r, ok := v.records[ph.ns]
	if !ok {
		return ""
	}
	typ := v.schema.Type(r.TypeID)
	if typ == nil {
		return ""
	}
	f := typ.FieldByKey(ph.key)
	if f == nil {
		return ""
	}
	return formatValue(f, r.Values[f.Key], lang, loc)
}

// formatValue writes a record's value for a reader: dates in full, amounts with their
// currency, choices by name, links by their records' titles, several values with commas.
func formatValue(f *records.Field, raw any, lang string, loc *time.Location) string {
	if raw == nil {
		if f.Kind == records.Checkbox {
			return yesNo(false, lang)
		}
		return ""
	}
	switch x := raw.(type) {
	case []records.LinkRef:
		titles := make([]string, 0, len(x))
		for _, l := range x {
			titles = append(titles, l.Title)
		}
		return strings.Join(titles, ", ")
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := formatValue(f, e, lang, loc); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	}
	switch f.Kind {
	case records.Date:
		if s, ok := raw.(string); ok {
			if d, err := time.Parse(time.DateOnly, s); err == nil {
				return formatDate(d, lang)
			}
		}
	case records.DateTime:
		if s, ok := raw.(string); ok {
			if d, err := time.Parse(time.RFC3339, s); err == nil {
				return formatDateTime(d, lang, loc)
			}
		}
	case records.Money:
		if n, ok := raw.(float64); ok {
			return formatMoney(n, f.Currency, lang)
		}
	case records.Number:
		if n, ok := raw.(float64); ok {
			return formatNumber(n, lang)
		}
	case records.Checkbox:
		b, _ := raw.(bool)
		return yesNo(b, lang)
	case records.SingleChoice, records.MultipleChoice:
		if id, ok := raw.(int64); ok {
			for _, c := range f.Choices {
				if c.ID == id {
					return c.Label
				}
			}
			return ""
		}
	}
	return fmt.Sprint(raw)
}

// clean removes what no part of a mail may carry from a value: NUL and the other control
// characters but tab and line feed; in the subject, a line break becomes a space (no value
// can add a header).
func clean(s string, subject bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case (r == '\n' || r == '\r') && subject:
			return ' '
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// render fills the three parts with v.
func (c *compiled) render(v values, lang string, loc *time.Location) (Rendered, error) {
	var out Rendered
	missing := map[string]bool{}
	get := func(ph *placeholder, subject bool) string {
		s := clean(v.value(ph, lang, loc), subject)
		if strings.TrimSpace(s) == "" {
			if ph.has {
				return clean(ph.def, subject)
			}
			if !missing[ph.raw] {
				missing[ph.raw] = true
				out.Missing = append(out.Missing, ph.raw)
			}
			return ""
		}
		return s
	}
	plain := func(segs []segment, subject bool) string {
		var b strings.Builder
		for _, s := range segs {
			if s.ph == nil {
				b.WriteString(s.text)
			} else {
				b.WriteString(get(s.ph, subject))
			}
		}
		return b.String()
	}
	out.Subject = strings.TrimSpace(plain(c.subject, true))
	out.Text = plain(c.text, false)
	raw := plain(c.html, false) // only when there is no placeholder (the text is the HTML)
	if c.htmlTpl != nil {
		data := htmlData{V: make([]string, len(c.htmlPhs))}
		for i, ph := range c.htmlPhs {
			data.V[i] = get(ph, false)
		}
		var b strings.Builder
		if err := c.htmlTpl.Execute(&b, data); err != nil {
			return Rendered{}, fmt.Errorf("templates: render: %w", err)
		}
		raw = b.String()
	}
	out.HTML = message.Sanitize(raw, message.SanitizeOptions{AllowRemoteImages: true}).HTML
	return out, nil
}
