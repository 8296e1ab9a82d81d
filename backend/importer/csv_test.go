package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailroom/backend/fault"
)

// The corpus: one subtest per file of testdata/csv, each with what must be detected and
// read. Every file in the folder must have an entry, so a new file cannot go untested.
func TestCSVCorpus(t *testing.T) {
	excelHeader := []string{"Nom", "Prénom", "Société", "E-mail", "Téléphone", "Date de création", "Chiffre d'affaires", "Client actif"}
	excelFirst := []string{"Dupont", "Françoise", "Boulangerie Dupont & Fils", "francoise.dupont@exemple.fr", "06 12 34 56 78", "05/12/2025", "1 234,56", "oui"}
	cases := map[string]struct {
		enc       Encoding
		bom       bool
		sep       rune
		layout    Layout
		header    []string
		rows      int
		firstRow  []string
		firstLine int
		check     func(t *testing.T, header []string, rows []Row)
		reason    string // a fault from NewReader or Next
		params    fault.P
	}{
		"excel_fr_windows1252.csv": {enc: Windows1252, sep: ';', header: excelHeader, rows: 4, firstRow: excelFirst, firstLine: 2,
			check: func(t *testing.T, _ []string, rows []Row) {
				// 0x80 (€), 0x96 (–), 0x8C (Œ) and « » decode as Windows-1252 has them.
				if got := rows[3].Cells[2]; got != "Société Générale – Agence €uro" {
					t.Errorf("company = %q", got)
				}
				if got := rows[2].Cells[1]; got != "Œdipe" {
					t.Errorf("first name = %q", got)
				}
			}},
		"excel_fr_utf8_bom.csv":   {enc: UTF8, bom: true, sep: ';', header: excelHeader, rows: 4, firstRow: excelFirst, firstLine: 2},
		"excel_fr_title_line.csv": {enc: UTF8, sep: ';', header: excelHeader, rows: 4, firstRow: excelFirst, firstLine: 4},
		"excel_unicode_text_utf16le.csv": {enc: UTF16LE, bom: true, sep: '\t', header: []string{"Nom", "Prénom", "Montant"}, rows: 1,
			firstRow: []string{"Dupont", "Françoise", "1 234,56"}, firstLine: 2},
		"google_contacts.csv": {enc: UTF8, sep: ',', layout: LayoutGoogleContacts, rows: 2, firstLine: 2,
			check: func(t *testing.T, header []string, rows []Row) {
				col := indexOf(header, "E-mail 1 - Value")
				if got := rows[0].Cells[col]; got != "marie.curie@exemple.fr" {
					t.Errorf("e-mail 1 = %q", got)
				}
				notes := indexOf(header, "Notes")
				if got := rows[0].Cells[notes]; got != "Prix Nobel, deux fois.\nNe pas appeler le lundi." {
					t.Errorf("notes = %q", got)
				}
				if rows[1].Line != 4 {
					t.Errorf("second row starts on line %d, want 4 (the first spans two lines)", rows[1].Line)
				}
			}},
		"outlook.csv": {enc: UTF8, sep: ',', layout: LayoutOutlook, rows: 1, firstLine: 2,
			check: func(t *testing.T, header []string, rows []Row) {
				d, _, err := ParseDate(rows[0].Cells[indexOf(header, "Birthday")], LayoutOutlook.Conventions())
				if err != nil || !d.Equal(time.Date(1980, 12, 5, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("Outlook's birthday 12/5/1980 read as %v, %v; want the 5th of December", d, err)
				}
			}},
		"libreoffice_comma_multiline.csv": {enc: UTF8, sep: ',', header: []string{"Numéro", "Client", "Montant", "Échéance", "Payée", "Notes"}, rows: 2, firstLine: 2,
			firstRow: []string{"F-2026-001", "Boulangerie Dupont & Fils", "1,234.56", "2026-03-31", "true", "Livraison en deux fois.\nRelancer le 15, puis le 30."},
			check: func(t *testing.T, _ []string, rows []Row) {
				if got := rows[1].Cells[5]; got != `Il a dit "payé" mais rien reçu` {
					t.Errorf("doubled quotes read as %q", got)
				}
				if got := rows[1].Cells[1]; got != "Café de l'Étoile, SARL" {
					t.Errorf("quoted comma read as %q", got)
				}
			}},
		"empty_lines.csv": {enc: UTF8, sep: ';', header: []string{"Nom", "E-mail"}, rows: 2, firstRow: []string{"Durand", "durand@exemple.fr"}, firstLine: 3,
			check: func(t *testing.T, _ []string, rows []Row) {
				if rows[1].Line != 7 || rows[1].Cells[0] != "Martin" {
					t.Errorf("second row = %+v, want Martin on line 7", rows[1])
				}
			}},
		"header_only.csv":     {enc: UTF8, sep: ';', header: []string{"Prénom", "Nom", "E-mail", "Téléphone"}, rows: 0},
		"malformed_quote.csv": {reason: ErrMalformedQuote.Name, params: fault.P{"line": 3}},
		"image.png.csv":       {reason: ErrBinaryFile.Name, params: fault.P{"format": "PNG"}},
		"pipe_iso885915.csv": {enc: ISO885915, sep: '|', header: []string{"Nom", "Montant", "Devise"}, rows: 2,
			firstRow: []string{"Œuvre d'art", "1.234,56 €", "EUR"}, firstLine: 2},
	}
	files, err := filepath.Glob("testdata/csv/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(cases) {
		t.Errorf("%d files in testdata/csv, %d cases: every file needs a case", len(files), len(cases))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			tc, ok := cases[name]
			if !ok {
				t.Fatalf("no case for %s", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			det, header, rows, err := ReadAll(context.Background(), data, Options{})
			if tc.reason != "" {
				fe, ok := fault.As(err)
				if !ok || fe.Reason != tc.reason {
					t.Fatalf("err = %v, want reason %s", err, tc.reason)
				}
				for k, v := range tc.params {
					if fe.Params[k] != v {
						t.Errorf("param %s = %v, want %v", k, fe.Params[k], v)
					}
				}
				if len(rows) > 0 && tc.reason != ErrMalformedQuote.Name {
					t.Errorf("rows read from a refused file: %d", len(rows))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if det.Encoding != tc.enc || det.BOM != tc.bom || det.Separator != tc.sep || det.Layout != tc.layout {
				t.Errorf("detected %s bom=%v sep=%q layout=%q; want %s bom=%v sep=%q layout=%q",
					det.Encoding, det.BOM, det.Separator, det.Layout, tc.enc, tc.bom, tc.sep, tc.layout)
			}
			if tc.header != nil && strings.Join(header, "|") != strings.Join(tc.header, "|") {
				t.Errorf("header = %q, want %q", header, tc.header)
			}
			if len(rows) != tc.rows {
				t.Fatalf("%d rows, want %d: %+v", len(rows), tc.rows, rows)
			}
			if tc.firstRow != nil && strings.Join(rows[0].Cells, "|") != strings.Join(tc.firstRow, "|") {
				t.Errorf("first row = %q, want %q", rows[0].Cells, tc.firstRow)
			}
			if tc.rows > 0 && rows[0].Line != tc.firstLine {
				t.Errorf("first row on line %d, want %d", rows[0].Line, tc.firstLine)
			}
			// Sniff on the raw bytes agrees with the reader.
			sn, err := Sniff(data)
			if err != nil || sn != det {
				t.Errorf("Sniff = %+v, %v; reader detected %+v", sn, err, det)
			}
			n, err := CountRows(context.Background(), bytes.NewReader(data), Options{})
			if err != nil || n != tc.rows {
				t.Errorf("CountRows = %d, %v; want %d", n, err, tc.rows)
			}
			if tc.check != nil {
				tc.check(t, header, rows)
			}
		})
	}
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	panic("no column " + s)
}

// The French Excel file's cells type as the records will store them.
func TestExcelFrenchCellsParse(t *testing.T) {
	data, err := os.ReadFile("testdata/csv/excel_fr_windows1252.csv")
	if err != nil {
		t.Fatal(err)
	}
	det, _, rows, err := ReadAll(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := det.Conventions
	want := []struct {
		date   string
		amount string
		active bool
		email  string
	}{
		{"2025-12-05", "1234.56", true, "francoise.dupont@exemple.fr"},
		{"2026-01-31", "12500.00", false, "helene@cafe-etoile.fr"},
		{"2024-02-29", "-12.5", true, "oedipe@exemple.fr"},
		{"2026-03-01", "1000000.00", true, "j.muller@exemple.fr"},
	}
	for i, w := range want {
		cells := rows[i].Cells
		d, err := Parse(KindDate, cells[5], c, nil)
		if err != nil || d.Time.Format("2006-01-02") != w.date {
			t.Errorf("row %d: date %q → %v, %v; want %s", i, cells[5], d.Time, err, w.date)
		}
		n, err := Parse(KindNumber, cells[6], c, nil)
		if err != nil || n.Number.String() != w.amount {
			t.Errorf("row %d: amount %q → %s, %v; want %s", i, cells[6], n.Number, err, w.amount)
		}
		b, err := Parse(KindBool, cells[7], c, nil)
		if err != nil || b.Bool != w.active {
			t.Errorf("row %d: active %q → %v, %v", i, cells[7], b.Bool, err)
		}
		e, err := Parse(KindEmail, cells[3], c, nil)
		if err != nil || e.Text != w.email {
			t.Errorf("row %d: email %q → %q, %v", i, cells[3], e.Text, err)
		}
	}
	if v, err := Parse(KindPhone, rows[3].Cells[4], c, nil); err != nil || !v.Empty {
		t.Errorf("a blank phone is Empty: %+v, %v", v, err)
	}
}

// A generated 5 MB French Excel-style file streams through without being held whole: the
// reader's consumption stays within its buffer of the rows returned.
func TestLargeFileStreams(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbfNom;Prénom;E-mail;Montant;Échéance;Notes\r\n")
	rows := 0
	for b.Len() < 5<<20 {
		rows++
		fmt.Fprintf(&b, "Nom%d;Prénom %d;contact%d@exemple.fr;%d %03d,%02d;%02d/%02d/2026;\"Ligne un\r\nligne deux; %d\"\r\n",
			rows, rows, rows, rows%1000, rows%1000, rows%100, rows%28+1, rows%12+1, rows)
	}
	size := int64(b.Len())
	r, err := NewReader(context.Background(), &b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Detected().Separator != ';' || r.Detected().Encoding != UTF8 || !r.Detected().BOM {
		t.Fatalf("detected %+v", r.Detected())
	}
	var maxAhead int64
	got := 0
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got++
		if want := fmt.Sprintf("contact%d@exemple.fr", got); row.Cells[2] != want {
			t.Fatalf("row %d: %q, want %q", got, row.Cells[2], want)
		}
		if row.Line != 2*got {
			t.Fatalf("row %d on line %d, want %d", got, row.Line, 2*got)
		}
		// Bytes consumed minus an estimate of the bytes of rows returned: the read-ahead.
		if got%1000 == 0 {
			ahead := r.BytesRead() - size*int64(got)/int64(rows)
			maxAhead = max(maxAhead, ahead)
		}
	}
	if got != rows || r.Rows() != rows {
		t.Fatalf("read %d rows (Rows %d), want %d", got, r.Rows(), rows)
	}
	if r.BytesRead() != size {
		t.Errorf("BytesRead = %d, want the file's %d", r.BytesRead(), size)
	}
	if maxAhead > 256<<10 {
		t.Errorf("the reader ran %d bytes ahead of its rows: it is not streaming", maxAhead)
	}
}

// Cancelling the context stops the reading at the next row.
func TestCancelStopsReading(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a;b\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "%d;x\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := NewReader(ctx, &b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if _, err := r.Next(); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}
	if r.Rows() != 10 {
		t.Errorf("Rows = %d, want 10", r.Rows())
	}
}

// The user's overrides replace what was detected.
func TestOverrides(t *testing.T) {
	data, err := os.ReadFile("testdata/csv/excel_fr_windows1252.csv")
	if err != nil {
		t.Fatal(err)
	}
	// Read as ISO-8859-15 the user chose: 0x80 is then a control character, not €.
	noHeader := -1
	det, header, rows, err := ReadAll(context.Background(), data, Options{Encoding: ISO885915, Separator: ',', HeaderRow: &noHeader})
	if err != nil {
		t.Fatal(err)
	}
	if det.Encoding != ISO885915 || det.Separator != ',' || header != nil || len(rows) != 5 {
		t.Fatalf("det %+v header %q rows %d", det, header, len(rows))
	}
	if strings.Contains(rows[4].Cells[0], "€") {
		t.Errorf("the override was not applied: %q", rows[4].Cells[0])
	}
	for _, bad := range []Options{{Encoding: "ebcdic"}, {Separator: '"'}, {Separator: '\n'}} {
		_, _, _, err := ReadAll(context.Background(), data, bad)
		if !ErrUnknownEncoding.Is(err) && !ErrBadSeparator.Is(err) {
			t.Errorf("%+v: %v, want a fault", bad, err)
		}
	}
}

// Binary files are refused by name, and nothing is read from them.
func TestBinaryAndEmptyFilesRefused(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		reason *fault.Reason
		format string
	}{
		{"xlsx", append([]byte("PK\x03\x04\x14\x00\x06\x00"), []byte("[Content_Types].xml xl/workbook.xml")...), ErrSpreadsheetFile, "XLSX"},
		{"ods", append([]byte("PK\x03\x04\x14\x00"), []byte("mimetypeapplication/vnd.oasis.opendocument.spreadsheet")...), ErrSpreadsheetFile, "ODS"},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00data.txt"), ErrBinaryFile, "ZIP"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), ErrSpreadsheetFile, "XLS"},
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n"), ErrBinaryFile, "PDF"},
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF"), ErrBinaryFile, "JPEG"},
		{"nul", []byte("Nom;Prénom\nDu\x00pont;Jean\n"), ErrNotText, ""},
		{"empty", nil, ErrEmptyFile, ""},
		{"bom and blanks", []byte("\xef\xbb\xbf \r\n\r\n"), ErrEmptyFile, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, rows, err := ReadAll(context.Background(), tc.data, Options{})
			fe, ok := fault.As(err)
			if !ok || fe.Reason != tc.reason.Name {
				t.Fatalf("err = %v, want %s", err, tc.reason.Name)
			}
			if tc.format != "" && fe.Params["format"] != tc.format {
				t.Errorf("format = %v, want %s", fe.Params["format"], tc.format)
			}
			if len(rows) != 0 {
				t.Errorf("%d rows read", len(rows))
			}
		})
	}
}

// Encoding choice between the single-byte encodings, and UTF-16 without a mark.
func TestEncodingChoice(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want Encoding
	}{
		{"ascii is utf-8", []byte("a;b\n1;2\n"), UTF8},
		{"latin letters without C1 bytes are 1252", []byte("Soci\xe9t\xe9;Pr\xe9nom\n"), Windows1252},
		{"a curly apostrophe (0x92) is 1252", []byte("l\x92\xe9t\xe9;b\n"), Windows1252},
		{"an undefined 1252 byte is ISO-8859-1", []byte("a\x81b;\xe9\n"), ISO88591},
		{"0xA4 without C1 bytes is ISO-8859-15's euro", []byte("Prix;12 \xa4\n"), ISO885915},
		{"utf-16 le without a mark", []byte("N\x00o\x00m\x00;\x00a\x00\r\x00\n\x00x\x00;\x00y\x00"), UTF16LE},
		{"utf-16 be without a mark", []byte("\x00N\x00o\x00m\x00;\x00a\x00\r\x00\n\x00x\x00;\x00y"), UTF16BE},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			det, err := Sniff(tc.data)
			if err != nil || det.Encoding != tc.want {
				t.Fatalf("Sniff = %s, %v; want %s", det.Encoding, err, tc.want)
			}
		})
	}
}

// Separators are chosen by agreement of field counts, quotes respected.
func TestSeparatorChoice(t *testing.T) {
	cases := []struct {
		name string
		text string
		want rune
	}{
		{"semicolon with decimal commas", "Nom;Montant;Taux\nA;1 234,56;5,5\nB;12,00;20\nC;3;0,5\n", ';'},
		{"comma with quoted semicolons", "name,note\n\"a\",\"x; y; z\"\n\"b\",\"p;q\"\n", ','},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t'},
		{"pipe", "a|b\n1|2\n3|4\n", '|'},
		{"one column", "email\na@b.fr\nc@d.fr\n", ','},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			det, err := Sniff([]byte(tc.text))
			if err != nil || det.Separator != tc.want {
				t.Fatalf("separator = %q, %v; want %q", det.Separator, err, tc.want)
			}
		})
	}
}

// A file whose first line is already data has no header; a bare quote is read as text.
func TestHeaderlessAndBareQuotes(t *testing.T) {
	det, header, rows, err := ReadAll(context.Background(), []byte("Durand;durand@exemple.fr;12,50\nMartin;martin@exemple.fr;3\n"), Options{})
	if err != nil || det.HeaderRow != -1 || header != nil || len(rows) != 2 {
		t.Fatalf("det %+v header %q rows %d err %v", det, header, len(rows), err)
	}
	det, _, rows, err = ReadAll(context.Background(), []byte("Article;Taille\nTuyau;12\" pouces\nVis;3\"\n"), Options{})
	if err != nil || !det.LazyQuotes || len(rows) != 2 || rows[0].Cells[1] != `12" pouces` {
		t.Fatalf("bare quote: det %+v rows %+v err %v", det, rows, err)
	}
}

// An unterminated quote at the end is a malformed quote, not a silent swallow.
func TestUnclosedQuoteAtEnd(t *testing.T) {
	_, _, _, err := ReadAll(context.Background(), []byte("a;b\n1;\"jamais fermé\n2;3\n"), Options{})
	if !ErrMalformedQuote.Is(err) {
		t.Fatalf("err = %v, want %s", err, ErrMalformedQuote.Name)
	}
}
