package importer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzSniff: no input panics the sniffer or the reader; what is detected is one of the
// offered encodings and separators; and when a file reads, it reads the same again with the
// detection given back as overrides (what the UI does when the user confirms).
func FuzzSniff(f *testing.F) {
	files, _ := filepath.Glob("testdata/csv/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a;b\n\"x\ny\";2\n"))
	f.Add([]byte("\xff\xfea\x00;\x00b\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		det, err := Sniff(data)
		if err != nil {
			return
		}
		if !slices.Contains(Encodings, det.Encoding) {
			t.Fatalf("encoding %q is not offered", det.Encoding)
		}
		if !slices.Contains(Separators, det.Separator) {
			t.Fatalf("separator %q is not offered", det.Separator)
		}
		d1, h1, rows1, err1 := ReadAll(context.Background(), data, Options{})
		if err1 != nil {
			return
		}
		hr := d1.HeaderRow
		conv := d1.Conventions
		_, h2, rows2, err2 := ReadAll(context.Background(), data, Options{Encoding: d1.Encoding, Separator: d1.Separator, HeaderRow: &hr, Conventions: &conv})
		if err2 != nil || !slices.Equal(h1, h2) || len(rows1) != len(rows2) {
			t.Fatalf("confirmed overrides read differently: %v %q/%q %d/%d", err2, h1, h2, len(rows1), len(rows2))
		}
		n, err := CountRows(context.Background(), bytes.NewReader(data), Options{})
		if err != nil && !errors.Is(err, io.EOF) || n != len(rows1) {
			t.Fatalf("CountRows = %d, %v; ReadAll read %d", n, err, len(rows1))
		}
	})
}

// FuzzParseDate: no panic; a date read formats back in its own style to the same date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"05/12/2026", "5/3/26", "2026-12-05", "05.12.2026", "5 décembre 2026", "1er mars 2026",
		"December 5, 2026", "12/05/2026", "29/02/2024", "lundi 5 janv. 2026"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, us bool) {
		conv := FR
		if us {
			conv = US
		}
		d, st, err := ParseDate(s, conv)
		if err != nil {
			return
		}
		out := FormatDate(d, st)
		back, st2, err := ParseDate(out, conv)
		if err != nil || !back.Equal(d) {
			t.Fatalf("%q → %v (%+v) → %q → %v, %v", s, d, st, out, back, err)
		}
		if FormatDate(back, st2) != out {
			t.Fatalf("%q: style not stable: %q then %q", s, out, FormatDate(back, st2))
		}
	})
}

// FuzzParseNumber: no panic; a number read formats back in its own style to the same value.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1 234,56", "1\u00a0234,56", "1\u202f234,56", "1.234,56", "1,234.56", "-12,5", "(12,50)",
		"1,234", "1.234", "0,125", ",5", "1'234.50", "123456789012345678", "-0"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, comma bool) {
		conv := US
		if comma {
			conv = FR
		}
		d, st, err := ParseNumber(s, conv)
		if err != nil {
			return
		}
		out := FormatNumber(d, st)
		back, _, err := ParseNumber(out, conv)
		if err != nil || back != d {
			t.Fatalf("%q → %+v (%+v) → %q → %+v, %v", s, d, st, out, back, err)
		}
	})
}

// FuzzParseMoney: no panic; an amount read formats back in its own style to the same
// amount and currency.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1 234,56 €", "€1,234.56", "EUR 12", "12 EUR", "-12,50€", "-€12.50", "$1,234.56",
		"US$ 5", "CHF 1'250.00", "£3.50", "12 XYZ"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, comma bool) {
		conv := US
		if comma {
			conv = FR
		}
		m, st, err := ParseMoney(s, conv)
		if err != nil {
			return
		}
		out := FormatMoney(m, st)
		back, _, err := ParseMoney(out, conv)
		if err != nil || back != m {
			t.Fatalf("%q → %+v (%+v) → %q → %+v, %v", s, m, st, out, back, err)
		}
	})
}
