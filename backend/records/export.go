package records

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mailroom/backend/importer"
)

// ExportOptions say how a list is written.
type ExportOptions struct {
	// Language of the UI: "fr" writes `;` between cells, dd/mm/yyyy dates and decimal
	// commas (what French Excel reads); anything else `,`, ISO dates and decimal points.
	Language string
	NoBOM    bool // leave out the UTF-8 byte-order mark (Excel needs it to read UTF-8)
	Location *time.Location
}

// builtinLabelsFR are the built-in fields' names in French (stored in English).
var builtinLabelsFR = map[string]map[string]string{
	ContactType: {ContactFirstName: "Prénom", ContactLastName: "Nom", ContactEmails: "E-mails", ContactPhones: "Téléphones",
		ContactJobTitle: "Fonction", ContactCompany: "Société", ContactLanguage: "Langue", ContactNotes: "Notes",
		ContactDoNotEmail: "Ne pas écrire"},
	CompanyType: {CompanyName: "Nom", CompanyDomains: "Domaines", CompanyAddress: "Adresse", CompanyPhone: "Téléphone", CompanyNotes: "Notes"},
}

// exportPages reads every page of a list (the same query the screen shows) and calls fn
// for each record.
func (r *Records) exportPages(ctx context.Context, q Query, fn func(Record) error) (int, error) {
	q.Cursor, q.Limit = "", maxPage
	n := 0
	for {
		p, err := r.List(ctx, q)
		if err != nil {
			return n, err
		}
		for _, rec := range p.Records {
			if err := fn(rec); err != nil {
				return n, err
			}
			n++
		}
		if p.Next == "" {
			return n, nil
		}
		q.Cursor = p.Next
	}
}

// ExportCSV writes every record of a list (all its pages) as CSV: the query's columns (all
// fields when none) under their names, values as the user's language writes them. It
// returns how many records were written. Only records' values are written: nothing of the
// accounts, their settings or their secrets.
func (r *Records) ExportCSV(ctx context.Context, w io.Writer, q Query, o ExportOptions) (int, error) {
	s, err := r.Schema(ctx)
	if err != nil {
		return 0, err
	}
	t := s.Type(q.TypeID)
	if t == nil {
		return 0, ErrTypeNotFound.New(nil)
	}
	fr := o.Language == "fr"
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	var fields []*Field
	if len(q.Columns) > 0 {
		for _, k := range q.Columns {
			if f := t.FieldByKey(k); f != nil {
				fields = append(fields, f)
			}
		}
	}
	if len(fields) == 0 {
		for i := range t.Fields {
			fields = append(fields, &t.Fields[i])
		}
	}
	if !o.NoBOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return 0, fmt.Errorf("records: export: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	if fr {
		cw.Comma = ';'
	}
	cw.UseCRLF = true
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = f.Label
		if fr && f.Builtin {
			if l := builtinLabelsFR[t.Builtin][f.Key]; l != "" {
				header[i] = l
			}
		}
		if f.Kind == Money && f.Currency != "" {
			header[i] += " (" + f.Currency + ")"
		}
	}
	if err := cw.Write(header); err != nil {
		return 0, fmt.Errorf("records: export: %w", err)
	}
	q.Columns = nil
	for _, f := range fields {
		q.Columns = append(q.Columns, f.Key)
	}
	cells := make([]string, len(fields))
	n, err := r.exportPages(ctx, q, func(rec Record) error {
		for i, f := range fields {
			cells[i] = exportCell(f, rec.Values[f.Key], fr, loc)
		}
		return cw.Write(cells)
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

// exportCell writes one value: several joined with ", " (links' titles with "; ").
func exportCell(f *Field, v any, fr bool, loc *time.Location) string {
	if v == nil {
		return ""
	}
	if refs, ok := v.([]LinkRef); ok {
		titles := make([]string, len(refs))
		for i, ref := range refs {
			titles[i] = ref.Title
		}
		return strings.Join(titles, "; ")
	}
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, x := range l {
			parts[i] = exportCell(f, x, fr, loc)
		}
		return strings.Join(parts, ", ")
	}
	switch f.Kind {
	case Number, Money:
		x, _ := v.(float64)
		prec := -1
		if f.Kind == Money {
			prec = currencyExponent(f.Currency)
		}
		s := strconv.FormatFloat(x, 'f', prec, 64)
		if fr {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	case Date:
		s, _ := v.(string)
		d, err := time.Parse(time.DateOnly, s)
		if err != nil || !fr {
			return s
		}
		return d.Format("02/01/2006")
	case DateTime:
		s, _ := v.(string)
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return s
		}
		if fr {
			return d.In(loc).Format("02/01/2006 15:04")
		}
		return d.In(loc).Format("2006-01-02 15:04")
	case Checkbox:
		if fr {
			return "oui"
		}
		return "yes"
	case SingleChoice, MultipleChoice:
		for _, c := range f.Choices {
			if id, ok := v.(int64); ok && c.ID == id {
				return c.Label
			}
		}
		return ""
	}
	return fmt.Sprint(v)
}

// ExportVCards writes every contact of a list as a vCard 3.0 (what Apple, Google, Outlook
// and Thunderbird all import) and returns how many.
func (r *Records) ExportVCards(ctx context.Context, w io.Writer, q Query) (int, error) {
	s, err := r.Schema(ctx)
	if err != nil {
		return 0, err
	}
	t := s.Type(q.TypeID)
	if t == nil {
		return 0, ErrTypeNotFound.New(nil)
	}
	if t.Builtin != ContactType {
		return 0, ErrExportVCardContacts.New(nil)
	}
	q.Columns = nil
	var cards []importer.Contact
	n, err := r.exportPages(ctx, q, func(rec Record) error {
		cards = append(cards, vcardOf(rec))
		if len(cards) == 500 {
			err := importer.WriteVCards(w, cards, importer.VCard3)
			cards = cards[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, importer.WriteVCards(w, cards, importer.VCard3)
}

func vcardOf(rec Record) importer.Contact {
	str := func(k string) string { s, _ := rec.Values[k].(string); return s }
	c := importer.Contact{FirstName: str(ContactFirstName), LastName: str(ContactLastName), JobTitle: str(ContactJobTitle), Notes: str(ContactNotes)}
	if c.FirstName == "" && c.LastName == "" {
		c.FullName = rec.Title
	}
	for i, e := range list(rec.Values[ContactEmails]) {
		c.Emails = append(c.Emails, importer.Labeled{Value: fmt.Sprint(e), Preferred: i == 0})
	}
	for i, p := range list(rec.Values[ContactPhones]) {
		c.Phones = append(c.Phones, importer.Labeled{Value: fmt.Sprint(p), Preferred: i == 0})
	}
	if refs, ok := rec.Values[ContactCompany].([]LinkRef); ok && len(refs) > 0 {
		c.Company = refs[0].Title
	}
	return c
}
