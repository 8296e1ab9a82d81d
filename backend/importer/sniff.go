package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"mailroom/backend/fault"
)

// Encoding names a text encoding the importer reads; the UI offers Encodings as overrides.
type Encoding string

// The encodings.
const (
	UTF8        Encoding = "utf-8"
	UTF16LE     Encoding = "utf-16le"
	UTF16BE     Encoding = "utf-16be"
	Windows1252 Encoding = "windows-1252"
	ISO88591    Encoding = "iso-8859-1"
	ISO885915   Encoding = "iso-8859-15"
)

// Encodings lists the encodings, in the order the UI offers them.
var Encodings = []Encoding{UTF8, Windows1252, ISO885915, ISO88591, UTF16LE, UTF16BE}

// Separators lists the separators sniffing chooses from, in order of preference on a tie
// (the semicolon first: French Excel's, and the one a decimal comma cannot be mistaken for).
var Separators = []rune{';', ',', '\t', '|'}

func (e Encoding) decoder() (*encoding.Decoder, error) {
	switch e {
	case UTF8:
		return unicode.UTF8.NewDecoder(), nil // invalid bytes become U+FFFD, shown in the preview
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder(), nil
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder(), nil
	case Windows1252:
		return charmap.Windows1252.NewDecoder(), nil
	case ISO88591:
		return charmap.ISO8859_1.NewDecoder(), nil
	case ISO885915:
		return charmap.ISO8859_15.NewDecoder(), nil
	}
	return nil, ErrUnknownEncoding.New(fault.P{"encoding": string(e)})
}

// Detection is what sniffing found, shown to the user, who may override Encoding,
// Separator and HeaderRow (Options).
type Detection struct {
	Encoding Encoding
	// BOM: the file starts with a byte-order mark (skipped).
	BOM       bool
	Separator rune
	// HeaderRow is the index (0-based, in records) of the header record; -1 when the first
	// record is already data. Records before it (an export's title line) are skipped.
	HeaderRow int
	// Layout is a known export recognised by its header (Google Contacts, Outlook), or "".
	Layout Layout
	// Conventions: how dates and numbers are read (Outlook's English export: US dates).
	Conventions Conventions
	// LazyQuotes: the sample holds quotes inside unquoted cells (12" pipe), read as text.
	LazyQuotes bool
}

// sniffBytes is how much of a file sniffing reads.
const sniffBytes = 64 << 10

// sniffRecords is how many records the separator and header detection look at.
const sniffRecords = 50

// Sniff detects the encoding, separator, header row and layout of a CSV file from its first
// bytes (up to 64 KiB are looked at; pass at least that much when the file is larger). A
// binary file is a fault (ErrSpreadsheetFile, ErrBinaryFile, ErrNotText), and so is an
// empty one.
func Sniff(head []byte) (Detection, error) {
	return sniff(head, Options{}, len(head) < sniffBytes)
}

// sniff detects what opts does not impose. whole says head is the whole file (so its last
// line is complete).
func sniff(head []byte, opts Options, whole bool) (Detection, error) {
	if len(head) > sniffBytes {
		head, whole = head[:sniffBytes], false
	}
	det := Detection{HeaderRow: -1}
	enc, bom, err := detectEncoding(head)
	if err != nil {
		return det, err
	}
	det.Encoding, det.BOM = enc, bom
	if opts.Encoding != "" {
		det.Encoding = opts.Encoding
	}
	text, err := decodeSample(head[bomLen(det.Encoding, bom):], det.Encoding)
	if err != nil {
		return det, err
	}
	if strings.TrimSpace(text) == "" {
		return det, ErrEmptyFile.New(nil)
	}
	if !whole {
		// The sample ends mid-line: sniff complete lines only.
		if i := strings.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i+1]
		}
	}
	det.Separator = opts.Separator
	if det.Separator == 0 {
		det.Separator = detectSeparator(text)
	}
	if err := checkSeparator(det.Separator); err != nil {
		return det, err
	}
	det.LazyQuotes = hasBareQuote(text, det.Separator)
	recs := sampleRecords(text, det.Separator)
	det.HeaderRow = detectHeaderRow(recs)
	if opts.HeaderRow != nil {
		det.HeaderRow = *opts.HeaderRow
	}
	var header []string
	if det.HeaderRow >= 0 && det.HeaderRow < len(recs) {
		header = recs[det.HeaderRow]
	}
	det.Layout = DetectLayout(header)
	det.Conventions = det.Layout.Conventions()
	if opts.Conventions != nil {
		det.Conventions = *opts.Conventions
	}
	return det, nil
}

// bomLen is the number of bytes of enc's byte-order mark when the file has one.
func bomLen(enc Encoding, bom bool) int {
	if !bom {
		return 0
	}
	if enc == UTF8 {
		return 3
	}
	if enc == UTF16LE || enc == UTF16BE {
		return 2
	}
	return 0
}

// detectEncoding chooses the encoding of head, in this order:
//  1. a byte-order mark says it: UTF-8 (EF BB BF), UTF-16 LE (FF FE) or BE (FE FF);
//  2. the signature of a known binary format (PNG, JPEG, GIF, PDF, a zip — so an .xlsx or
//     .ods —, an old .xls) is a fault naming it;
//  3. UTF-16 without a mark: NUL bytes on every other position, and only there;
//  4. any other NUL byte: not text;
//  5. valid UTF-8 wins (a truncated character at the end of the sample is allowed): plain
//     ASCII is valid UTF-8, and Windows-1252 text with accents almost never is;
//  6. otherwise a single-byte encoding. Windows-1252 is what French Excel and Windows write,
//     and is a superset of ISO-8859-1's printable characters, so it is the default. Bytes
//     0x80–0x9F are control characters in ISO-8859-1/15 and letters or signs in 1252 (€ ’ œ
//     …), so they confirm 1252 — unless one is among the five bytes 1252 leaves undefined
//     (81 8D 8F 90 9D): then ISO-8859-1, which decodes every byte. Without 0x80–0x9F, a
//     0xA4 byte (¤ in 1252 and -1, € in ISO-8859-15; nobody types ¤) means ISO-8859-15.
func detectEncoding(head []byte) (Encoding, bool, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8, true, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE, true, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE, true, nil
	}
	if err := binarySignature(head); err != nil {
		return "", false, err
	}
	if enc, ok := utf16WithoutBOM(head); ok {
		return enc, false, nil
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "", false, ErrNotText.New(nil)
	}
	if validUTF8Prefix(head) {
		return UTF8, false, nil
	}
	var c1, undefined1252, a4 bool
	for _, b := range head {
		switch {
		case b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D:
			undefined1252 = true
		case b >= 0x80 && b <= 0x9F:
			c1 = true
		case b == 0xA4:
			a4 = true
		}
	}
	switch {
	case undefined1252:
		return ISO88591, false, nil
	case c1:
		return Windows1252, false, nil
	case a4:
		return ISO885915, false, nil
	}
	return Windows1252, false, nil
}

// validUTF8Prefix is utf8.Valid allowing the last character to be cut by the sample's end.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:]) {
			return true
		}
	}
	return false
}

func binarySignature(head []byte) error {
	has := func(sig string) bool { return bytes.HasPrefix(head, []byte(sig)) }
	switch {
	case has("PK\x03\x04"):
		switch {
		case bytes.Contains(head, []byte("opendocument.spreadsheet")):
			return ErrSpreadsheetFile.New(fault.P{"format": "ODS"})
		case bytes.Contains(head, []byte("xl/")), bytes.Contains(head, []byte("[Content_Types].xml")):
			return ErrSpreadsheetFile.New(fault.P{"format": "XLSX"})
		}
		return ErrBinaryFile.New(fault.P{"format": "ZIP"})
	case has("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"):
		return ErrSpreadsheetFile.New(fault.P{"format": "XLS"})
	case has("\x89PNG\r\n\x1a\n"):
		return ErrBinaryFile.New(fault.P{"format": "PNG"})
	case has("\xFF\xD8\xFF"):
		return ErrBinaryFile.New(fault.P{"format": "JPEG"})
	case has("GIF87a"), has("GIF89a"):
		return ErrBinaryFile.New(fault.P{"format": "GIF"})
	case has("%PDF-"):
		return ErrBinaryFile.New(fault.P{"format": "PDF"})
	case has("\x1F\x8B"):
		return ErrBinaryFile.New(fault.P{"format": "GZIP"})
	}
	return nil
}

// utf16WithoutBOM recognises ASCII-heavy UTF-16 without a mark: at least 8 byte pairs,
// every high byte NUL and no low byte NUL.
func utf16WithoutBOM(head []byte) (Encoding, bool) {
	n := len(head) &^ 1
	if n < 16 {
		return "", false
	}
	var evenNUL, oddNUL int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			evenNUL++
		}
		if head[i+1] == 0 {
			oddNUL++
		}
	}
	pairs := n / 2
	switch {
	case oddNUL*10 >= pairs*9 && evenNUL == 0:
		return UTF16LE, true
	case evenNUL*10 >= pairs*9 && oddNUL == 0:
		return UTF16BE, true
	}
	return "", false
}

func decodeSample(b []byte, enc Encoding) (string, error) {
	dec, err := enc.decoder()
	if err != nil {
		return "", err
	}
	if enc == UTF16LE || enc == UTF16BE {
		b = b[:len(b)&^1]
	}
	out, err := dec.Bytes(b)
	if err != nil {
		return "", ErrNotText.Wrap(err, nil)
	}
	return string(out), nil
}

func checkSeparator(sep rune) error {
	if sep == '"' || sep == '\r' || sep == '\n' || sep == utf8.RuneError || sep <= 0 || !utf8.ValidRune(sep) {
		return ErrBadSeparator.New(fault.P{"separator": string(sep)})
	}
	return nil
}

// detectSeparator chooses the separator whose field counts agree best over the sample's
// records (quotes respected, by encoding/csv itself): the highest share of records having
// the most common count, among separators giving at least two fields; a tie goes to more
// fields, then to the order of Separators. One column: ','.
func detectSeparator(text string) rune {
	best, bestShare, bestFields := ',', -1.0, 0
	for _, sep := range Separators {
		recs := sampleRecords(text, sep)
		if len(recs) == 0 {
			continue
		}
		counts := map[int]int{}
		for _, r := range recs {
			counts[len(r)]++
		}
		mode, modeN := 0, 0
		for n, c := range counts {
			if c > modeN || (c == modeN && n > mode) {
				mode, modeN = n, c
			}
		}
		if mode < 2 {
			continue
		}
		share := float64(modeN) / float64(len(recs))
		if share > bestShare || (share == bestShare && mode > bestFields) {
			best, bestShare, bestFields = sep, share, mode
		}
	}
	return best
}

// sampleRecords parses up to sniffRecords records of text, lazily, skipping blank ones.
func sampleRecords(text string, sep rune) [][]string {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	var out [][]string
	for len(out) < sniffRecords {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				continue
			}
			break
		}
		if blank(rec) {
			continue
		}
		out = append(out, rec)
	}
	return out
}

// hasBareQuote reports a quote inside a cell that does not start with one (12" pipe): such
// files are read with encoding/csv's LazyQuotes, which keeps the quote as text. Files
// without one are read strictly, so a quote left open is an error with its line.
func hasBareQuote(text string, sep rune) bool {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	for {
		_, err := r.Read()
		if err == nil {
			continue
		}
		var pe *csv.ParseError
		return errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote)
	}
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// detectHeaderRow finds the header among the first records: the first record with at least
// half as many non-empty cells as the most common record width (so an export's title line
// "Clients au 01/03/2026;;;;" is skipped), if its cells read as labels (no number, date,
// email or web address). -1 when that record is data.
func detectHeaderRow(recs [][]string) int {
	if len(recs) == 0 {
		return -1
	}
	counts := map[int]int{}
	for _, r := range recs {
		counts[filled(r)]++
	}
	mode, modeN := 0, 0
	for n, c := range counts {
		if c > modeN || (c == modeN && n > mode) {
			mode, modeN = n, c
		}
	}
	limit := min(len(recs), 10)
	for i := 0; i < limit; i++ {
		if f := filled(recs[i]); f*2 >= mode && f > 0 {
			if looksLikeHeader(recs[i]) {
				return i
			}
			return -1
		}
	}
	return -1
}

func filled(rec []string) int {
	n := 0
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func looksLikeHeader(rec []string) bool {
	for _, c := range rec {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if _, _, err := ParseNumber(c, FR); err == nil {
			return false
		}
		if _, _, err := ParseDate(c, FR); err == nil {
			return false
		}
		if strings.Contains(c, "@") {
			if _, err := ParseEmail(c); err == nil {
				return false
			}
		}
		if strings.HasPrefix(strings.ToLower(c), "http://") || strings.HasPrefix(strings.ToLower(c), "https://") {
			return false
		}
	}
	return true
}
