package importer

// vCard files are read through github.com/emersion/go-vcard: it is small, has no
// dependency, is served by the Go module proxy, and comes from the author of the go-imap,
// go-smtp and go-message this app already trusts; it unfolds lines and parses properties,
// groups and parameters. Two things real exports need are done here around it: vCard 2.1's
// bare parameters (TEL;CELL;VOICE:…, which it would misread) and quoted-printable values
// with soft line breaks (Android's and older Apple exports), by a line filter before it;
// the structured values (N, ORG) are split here, honouring escaped semicolons. Writing is
// done here too, because its encoder escapes a component's backslash but not its
// semicolon, so "Dupont; Fils" in ORG could not be written, and it does not fold long
// lines as RFC 6350 asks.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"mailroom/backend/fault"
)

// Labeled is one of a contact's email addresses or phone numbers.
type Labeled struct {
	Value     string
	Label     string // "work", "home", "cell"… as the card typed it, lower case; "" if none
	Preferred bool
}

// Contact is what a contact card says, in the records' terms.
type Contact struct {
	FirstName  string
	LastName   string
	FullName   string
	Emails     []Labeled // the preferred first
	Phones     []Labeled // the preferred first
	Company    string
	Department string
	JobTitle   string
	Notes      string
	URLs       []string
	Birthday   string // as written: 1985-03-12, 19850312 or --0312 (no year)
}

// ReadVCards reads every card of a .vcf file (vCard 2.1, 3.0 and 4.0: Google Contacts,
// Apple Contacts, Thunderbird, Android). A file with no card is ErrVCardEmpty; a card that
// does not end is ErrVCardMalformed with its number (1-based).
func ReadVCards(ctx context.Context, r io.Reader) ([]Contact, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("importer: read vcard: %w", err)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, ErrEmptyFile.New(nil)
	}
	enc, bom, err := detectEncoding(head)
	if err != nil {
		return nil, err
	}
	if _, err := br.Discard(bomLen(enc, bom)); err != nil {
		return nil, fmt.Errorf("importer: read vcard: %w", err)
	}
	dec, err := enc.decoder()
	if err != nil {
		return nil, err
	}
	d := vcard.NewDecoder(&lineFilter{br: bufio.NewReader(transform.NewReader(br, dec))})
	var out []Contact
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		card, err := d.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if card == nil || len(card) == 0 && strings.Contains(err.Error(), "no BEGIN") {
				n-- // a stray line between cards
				continue
			}
			return out, ErrVCardMalformed.Wrap(err, fault.P{"card": n})
		}
		if _, nested := card["BEGIN"]; nested {
			return out, ErrVCardMalformed.New(fault.P{"card": n})
		}
		out = append(out, contactOf(card))
	}
	if len(out) == 0 {
		return nil, ErrVCardEmpty.New(nil)
	}
	return out, nil
}

// lineFilter rewrites a vCard's lines so go-vcard reads 2.1 and quoted-printable: it joins
// a quoted-printable value's soft line breaks ("=" at the end of a line) and names bare
// parameters (";CELL" → ";TYPE=CELL", ";QUOTED-PRINTABLE" → ";ENCODING=QUOTED-PRINTABLE").
type lineFilter struct {
	br  *bufio.Reader
	buf []byte
	err error
}

func (f *lineFilter) Read(p []byte) (int, error) {
	for len(f.buf) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		line, err := f.br.ReadString('\n')
		f.err = err
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			f.buf = []byte(line)
			continue
		}
		name, value, ok := splitProperty(strings.TrimRight(line, "\r\n"))
		if !ok {
			f.buf = []byte(line)
			continue
		}
		name = nameParams(name)
		if strings.Contains(strings.ToUpper(name), "QUOTED-PRINTABLE") {
			for strings.HasSuffix(value, "=") && f.err == nil {
				next, err := f.br.ReadString('\n')
				f.err = err
				value = value[:len(value)-1] + strings.TrimRight(next, "\r\n")
			}
		}
		f.buf = []byte(name + ":" + value + "\r\n")
	}
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// splitProperty splits a content line at the first colon outside double quotes.
func splitProperty(line string) (name, value string, ok bool) {
	quoted := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				return line[:i], line[i+1:], true
			}
		}
	}
	return "", "", false
}

func nameParams(name string) string {
	parts := strings.Split(name, ";")
	for i := 1; i < len(parts); i++ {
		p := parts[i]
		if p == "" || strings.Contains(p, "=") {
			continue
		}
		switch strings.ToUpper(p) {
		case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B":
			parts[i] = "ENCODING=" + p
		default:
			parts[i] = "TYPE=" + p
		}
	}
	return strings.Join(parts, ";")
}

// text returns a field's value decoded: quoted-printable in its charset, escapes undone.
func text(f *vcard.Field) string {
	v := f.Value
	if strings.EqualFold(f.Params.Get("ENCODING"), "QUOTED-PRINTABLE") {
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(v)))
		if err == nil {
			v = decodeCharset(b, f.Params.Get("CHARSET"))
		}
	}
	return v
}

func decodeCharset(b []byte, charset string) string {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1":
		if s, err := charmap.ISO8859_1.NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	case "windows-1252", "cp1252":
		if s, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	case "iso-8859-15":
		if s, err := charmap.ISO8859_15.NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	}
	if !utf8.Valid(b) {
		if s, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	}
	return string(b)
}

var unescaper = strings.NewReplacer(`\;`, ";", `\N`, "\n", `\:`, ":", `\"`, `"`)

// unescape undoes the escapes go-vcard leaves (it undoes \\ \n \,).
func unescape(s string) string { return strings.TrimSpace(unescaper.Replace(s)) }

// components splits a structured value (N, ORG) at the semicolons not escaped.
func components(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == ';' {
			out = append(out, unescape(s[start:i]))
			start = i + 1
		}
	}
	return append(out, unescape(s[start:]))
}

func contactOf(card vcard.Card) Contact {
	var c Contact
	if f := card.Get(vcard.FieldName); f != nil {
		parts := components(text(f))
		c.LastName = part(parts, 0)
		c.FirstName = part(parts, 1)
	}
	if f := card.Get(vcard.FieldFormattedName); f != nil {
		c.FullName = unescape(text(f))
	}
	if f := card.Get(vcard.FieldOrganization); f != nil {
		parts := components(text(f))
		c.Company = part(parts, 0)
		c.Department = strings.Join(nonEmpty(parts[1:]), ", ")
	}
	if f := card.Get(vcard.FieldTitle); f != nil {
		c.JobTitle = unescape(text(f))
	}
	var notes []string
	for _, f := range card[vcard.FieldNote] {
		if n := unescape(text(f)); n != "" {
			notes = append(notes, n)
		}
	}
	c.Notes = strings.Join(notes, "\n\n")
	c.Emails = labeled(card[vcard.FieldEmail], func(s string) string {
		return strings.TrimPrefix(strings.TrimPrefix(s, "mailto:"), "MAILTO:")
	})
	c.Phones = labeled(card[vcard.FieldTelephone], func(s string) string { return strings.TrimPrefix(s, "tel:") })
	for _, f := range card[vcard.FieldURL] {
		if u := unescape(text(f)); u != "" {
			c.URLs = append(c.URLs, u)
		}
	}
	if f := card.Get(vcard.FieldBirthday); f != nil {
		c.Birthday = unescape(text(f))
	}
	return c
}

// ignoredTypes are TYPE values that are no label.
var ignoredTypes = map[string]bool{"internet": true, "pref": true, "voice": true, "x400": true, "text": true}

func labeled(fields []*vcard.Field, clean func(string) string) []Labeled {
	var out []Labeled
	for _, f := range fields {
		v := clean(unescape(text(f)))
		if v == "" {
			continue
		}
		l := Labeled{Value: v, Preferred: f.Params.Get(vcard.ParamPreferred) != ""}
		for _, t := range f.Params.Types() {
			for _, t := range strings.Split(t, ",") {
				switch {
				case t == "pref":
					l.Preferred = true
				case !ignoredTypes[t] && l.Label == "":
					l.Label = t
				}
			}
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Preferred && !out[j].Preferred })
	return out
}

func part(parts []string, i int) string {
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ContactsTable lays contacts out as a header of field keys and rows of cells, the shape
// CSV files have, so one import path serves both: as many "emails" and "phones" columns as
// the contact with the most has (SuggestMapping maps each to its field with certainty).
// A row's Line is the contact's number (1-based).
func ContactsTable(contacts []Contact) ([]string, []Row) {
	emails, phones := 1, 1
	for _, c := range contacts {
		emails, phones = max(emails, len(c.Emails)), max(phones, len(c.Phones))
	}
	header := []string{FieldFirstName, FieldLastName, FieldFullName}
	for range emails {
		header = append(header, FieldEmails)
	}
	for range phones {
		header = append(header, FieldPhones)
	}
	header = append(header, FieldCompany, FieldJobTitle, FieldNotes, FieldWebsite, FieldBirthday)
	rows := make([]Row, len(contacts))
	for i, c := range contacts {
		cells := []string{c.FirstName, c.LastName, c.FullName}
		for j := range emails {
			cells = append(cells, labeledAt(c.Emails, j))
		}
		for j := range phones {
			cells = append(cells, labeledAt(c.Phones, j))
		}
		url := ""
		if len(c.URLs) > 0 {
			url = c.URLs[0]
		}
		cells = append(cells, c.Company, c.JobTitle, c.Notes, url, c.Birthday)
		rows[i] = Row{Line: i + 1, Cells: cells}
	}
	return header, rows
}

func labeledAt(l []Labeled, i int) string {
	if i < len(l) {
		return l[i].Value
	}
	return ""
}

// VCardVersion is the version written.
type VCardVersion string

// The versions written: 3.0 is what Apple Contacts, Google Contacts, Outlook and
// Thunderbird all import; 4.0 for those who ask.
const (
	VCard3 VCardVersion = "3.0"
	VCard4 VCardVersion = "4.0"
)

// WriteVCards writes contacts as vCards (CRLF line ends, lines folded at 75 octets, text
// escaped as RFC 6350 and 2426 say); ReadVCards reads them back as they were.
func WriteVCards(w io.Writer, contacts []Contact, version VCardVersion) error {
	bw := bufio.NewWriter(w)
	for _, c := range contacts {
		var card strings.Builder
		writeLine(&card, "BEGIN", "VCARD")
		writeLine(&card, "VERSION", string(version))
		writeLine(&card, "N", escape(c.LastName)+";"+escape(c.FirstName)+";;;")
		writeLine(&card, "FN", escape(formattedName(c)))
		if c.Company != "" || c.Department != "" {
			v := escape(c.Company)
			if c.Department != "" {
				v += ";" + escape(c.Department)
			}
			writeLine(&card, "ORG", v)
		}
		if c.JobTitle != "" {
			writeLine(&card, "TITLE", escape(c.JobTitle))
		}
		for _, e := range c.Emails {
			writeLine(&card, "EMAIL"+typeParams(e, version, "INTERNET"), escape(e.Value))
		}
		for _, p := range c.Phones {
			writeLine(&card, "TEL"+typeParams(p, version, ""), escape(p.Value))
		}
		for _, u := range c.URLs {
			writeLine(&card, "URL", escape(u))
		}
		if c.Birthday != "" {
			writeLine(&card, "BDAY", escape(c.Birthday))
		}
		if c.Notes != "" {
			writeLine(&card, "NOTE", escape(c.Notes))
		}
		writeLine(&card, "END", "VCARD")
		if _, err := bw.WriteString(card.String()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func formattedName(c Contact) string {
	switch {
	case c.FullName != "":
		return c.FullName
	case c.FirstName != "" || c.LastName != "":
		return strings.TrimSpace(c.FirstName + " " + c.LastName)
	case c.Company != "":
		return c.Company
	case len(c.Emails) > 0:
		return c.Emails[0].Value
	}
	return ""
}

func typeParams(l Labeled, version VCardVersion, always string) string {
	var types []string
	if always != "" && version == VCard3 {
		types = append(types, always)
	}
	if l.Label != "" && !strings.ContainsAny(l.Label, ";:,\"") {
		types = append(types, strings.ToUpper(l.Label))
	}
	out := ""
	if l.Preferred {
		if version == VCard4 {
			out = ";PREF=1"
		} else {
			types = append(types, "PREF")
		}
	}
	if len(types) > 0 {
		out = ";TYPE=" + strings.Join(types, ",") + out
	}
	return out
}

var escaper = strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func escape(s string) string { return escaper.Replace(s) }

// maxLineOctets is where RFC 6350 folds lines.
const maxLineOctets = 75

// writeLine writes "NAME:value", folded at 75 octets without cutting a character.
func writeLine(w *strings.Builder, name, value string) {
	line := name + ":" + value
	first := true
	for len(line) > 0 {
		limit := maxLineOctets
		if !first {
			limit-- // the leading space
			w.WriteByte(' ')
		}
		cut := min(limit, len(line))
		for cut < len(line) && cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.WriteString(line[:cut])
		w.WriteString("\r\n")
		line = line[cut:]
		first = false
	}
}
