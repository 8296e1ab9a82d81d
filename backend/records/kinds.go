package records

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"mailroom/backend/fault"
)

// Kind is the kind of a field: what its values are and how they are checked.
type Kind string

// The kinds of field. Domain is the companies' built-in domains; the others are offered for
// every type.
const (
	Text           Kind = "text"
	LongText       Kind = "long_text"
	Number         Kind = "number"
	Money          Kind = "money"
	Date           Kind = "date"
	DateTime       Kind = "date_time"
	Checkbox       Kind = "checkbox"
	SingleChoice   Kind = "single_choice"
	MultipleChoice Kind = "multiple_choice"
	Email          Kind = "email"
	Phone          Kind = "phone"
	URL            Kind = "url"
	Domain         Kind = "domain"
	Link           Kind = "link"
)

// Kinds lists every kind, in the order the type editor offers them.
var Kinds = []Kind{Text, LongText, Number, Money, Date, DateTime, Checkbox, SingleChoice, MultipleChoice,
	Email, Phone, URL, Domain, Link}

// Limits of what a record holds.
const (
	maxText      = 1_000   // characters of a text, email, phone, URL or domain value
	maxLongText  = 100_000 // characters of a long text
	maxValues    = 500     // values of a field that holds several
	maxNameRunes = 100     // a type's, field's, choice's or view's name
	maxKeyBytes  = 40      // a field's or type's key
)

func (k Kind) valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// textual reports whether the kind's values are text (searched, filtered with contains).
func (k Kind) textual() bool {
	switch k {
	case Text, LongText, Email, Phone, URL, Domain:
		return true
	}
	return false
}

// canTitle reports whether a field of this kind may title its type's records.
func (k Kind) canTitle() bool {
	switch k {
	case Text, Email, Phone, URL, Date:
		return true
	}
	return false
}

var folder = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// Fold is text as it sorts and compares: lower case, accents removed ("Élise" → "elise").
// Text in Latin scripts (ASCII, Latin-1, Latin Extended-A) without combining marks folds
// rune by rune through a table made by the full fold; anything else takes the full fold
// (Unicode decomposition, marks removed, composition), which costs far more: an import
// folds several values of each of its thousands of rows.
func Fold(s string) string {
	simple := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			simple = false
			break
		}
	}
	if simple {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= rune(len(foldTable)) || foldTable[r] < 0 {
			return foldFull(s)
		}
		b.WriteRune(foldTable[r])
	}
	return b.String()
}

func foldFull(s string) string {
	out, _, err := transform.String(folder, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// foldTable holds what each rune up to Latin Extended-A folds to, -1 where the full fold is
// needed (it gives more or less than one rune, or the rune is a mark).
var foldTable = func() (t [0x180]rune) {
	for r := range t {
		out := []rune(foldFull(string(rune(r))))
		t[r] = -1
		if len(out) == 1 && r != utf8.RuneError && !unicode.Is(unicode.Mn, rune(r)) {
			t[r] = out[0]
		}
	}
	return t
}()

// KeyFrom makes a stable key from a label: ASCII snake_case without accents ("Échéance" →
// "echeance", "N° de facture" → "n_de_facture"); never empty, never starting with a digit.
func KeyFrom(label string) string {
	var b strings.Builder
	under := false
	for _, r := range Fold(label) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ß':
			b.WriteString("ss")
		default:
			under = true
		}
	}
	k := b.String()
	if len(k) > maxKeyBytes {
		k = strings.TrimRight(k[:maxKeyBytes], "_")
	}
	if k == "" {
		return "field"
	}
	if k[0] >= '0' && k[0] <= '9' {
		k = "f_" + k
	}
	return k
}

// stored is one value as record_values keeps it.
type stored struct {
	value any // what the record holds
	sort  any // its sortable form
	key   string
}

// currencyExponent is the number of minor units' digits of a currency (2 unless listed).
func currencyExponent(c string) int {
	switch c {
	case "JPY", "KRW", "CLP", "ISK", "VND", "XOF", "XAF", "XPF", "UGX", "PYG":
		return 0
	case "KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD":
		return 3
	}
	return 2
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// list turns a field's input into its values: nil, "" and [] are none; a list is several.
func list(in any) []any {
	switch v := in.(type) {
	case nil:
		return nil
	case []any:
		return v
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case []int64:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case string:
		if strings.TrimSpace(v) == "" {
			return nil
		}
	}
	return []any{in}
}

func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

func asFloat(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case json.Number:
		p, err := x.Float64()
		if err != nil {
			return 0, false
		}
		f = p
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, false
		}
		f = p
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

func asID(v any) (int64, bool) {
	f, ok := asFloat(v)
	if !ok || f != math.Trunc(f) || f <= 0 || f > 1<<53 {
		return 0, false
	}
	if _, isStr := v.(string); isStr {
		return 0, false
	}
	return int64(f), true
}

// NormalizeEmail returns an address as the lookups keep it: lower case, its domain in IDNA
// ASCII; ok is false when s is not a bare address.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s && "<"+a.Address+">" != s {
		return "", false
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" {
		return "", false
	}
	d, ok := NormalizeDomain(domain)
	if !ok {
		return "", false
	}
	return strings.ToLower(local) + "@" + d, true
}

// NormalizeDomain returns a domain as the lookups keep it: lower case IDNA ASCII without a
// final dot ("Café.FR" → "xn--caf-dma.fr"); ok is false when s is not a domain name.
func NormalizeDomain(s string) (string, bool) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if s == "" || !strings.Contains(s, ".") || len(s) > 253 {
		return "", false
	}
	a, err := idna.Lookup.ToASCII(s)
	if err != nil || a == "" {
		return "", false
	}
	return a, true
}

var phoneChars = "0123456789 +-.()/x"

// normalize checks one input value of f and returns how it is kept; links are checked by
// the writer (they need the database).
func normalize(f *Field, v any) (stored, error) {
	bad := func(r *fault.Reason, p fault.P) error {
		return r.Field(f.Key, fieldParams(f, p))
	}
	switch f.Kind {
	case Text, LongText:
		s, ok := asString(v)
		if !ok {
			if n, isNum := asFloat(v); isNum {
				s, ok = strconv.FormatFloat(n, 'f', -1, 64), true
			}
		}
		if !ok {
			return stored{}, bad(ErrValueShape, nil)
		}
		max := maxText
		if f.Kind == LongText {
			max = maxLongText
		}
		if utf8.RuneCountInString(s) > max {
			return stored{}, bad(ErrValueTooLong, fault.P{"max": max})
		}
		return stored{value: s, sort: Fold(s)}, nil
	case Number:
		n, ok := asFloat(v)
		if !ok {
			return stored{}, bad(ErrValueNumber, nil)
		}
		return stored{value: n, sort: n}, nil
	case Money:
		n, ok := asFloat(v)
		if !ok || math.Abs(n) > 1e15 {
			return stored{}, bad(ErrValueMoney, nil)
		}
		minor := int64(math.Round(n * math.Pow10(currencyExponent(f.Currency))))
		return stored{value: minor, sort: minor}, nil
	case Date:
		s, ok := asString(v)
		t, err := time.Parse(time.DateOnly, s)
		if !ok || err != nil {
			return stored{}, bad(ErrValueDate, nil)
		}
		d := t.Format(time.DateOnly)
		return stored{value: d, sort: d}, nil
	case DateTime:
		s, ok := asString(v)
		t, err := time.Parse(time.RFC3339, s)
		if !ok || err != nil {
			return stored{}, bad(ErrValueDateTime, nil)
		}
		d := t.UTC().Format(time.RFC3339)
		return stored{value: d, sort: d}, nil
	case Checkbox:
		b, ok := v.(bool)
		if !ok {
			return stored{}, bad(ErrValueCheckbox, nil)
		}
		if !b {
			return stored{}, nil
		}
		return stored{value: int64(1), sort: int64(1)}, nil
	case SingleChoice, MultipleChoice:
		if id, ok := asID(v); ok {
			for _, c := range f.Choices {
				if c.ID == id {
					return stored{value: c.ID, sort: Fold(c.Label)}, nil
				}
			}
		}
		if s, ok := asString(v); ok {
			for _, c := range f.Choices {
				if Fold(c.Label) == Fold(s) {
					return stored{value: c.ID, sort: Fold(c.Label)}, nil
				}
			}
		}
		return stored{}, bad(ErrValueChoice, fault.P{"value": fmt.Sprint(v)})
	case Email:
		s, ok := asString(v)
		if !ok {
			return stored{}, bad(ErrValueShape, nil)
		}
		n, ok := NormalizeEmail(s)
		if !ok || utf8.RuneCountInString(s) > maxText {
			return stored{}, bad(ErrValueEmail, fault.P{"value": s})
		}
		return stored{value: s, sort: n, key: n}, nil
	case Phone:
		s, ok := asString(v)
		if !ok {
			return stored{}, bad(ErrValueShape, nil)
		}
		digits := 0
		for _, r := range strings.ToLower(s) {
			if r >= '0' && r <= '9' {
				digits++
			} else if !strings.ContainsRune(phoneChars, r) {
				digits = -1000
			}
		}
		if digits < 3 || digits > 20 {
			return stored{}, bad(ErrValuePhone, fault.P{"value": s})
		}
		return stored{value: s, sort: strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r == '+' {
				return r
			}
			return -1
		}, s)}, nil
	case URL:
		s, ok := asString(v)
		if !ok {
			return stored{}, bad(ErrValueShape, nil)
		}
		raw := s
		if !strings.Contains(s, "://") {
			raw = "https://" + s
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.ContainsAny(raw, " \t\n") || utf8.RuneCountInString(raw) > maxText {
			return stored{}, bad(ErrValueURL, fault.P{"value": s})
		}
		if _, ok := NormalizeDomain(u.Hostname()); !ok && u.Hostname() != "localhost" {
			return stored{}, bad(ErrValueURL, fault.P{"value": s})
		}
		return stored{value: raw, sort: Fold(raw)}, nil
	case Domain:
		s, ok := asString(v)
		if !ok {
			return stored{}, bad(ErrValueShape, nil)
		}
		d := strings.TrimPrefix(s, "@")
		if i := strings.Index(d, "://"); i >= 0 {
			d = d[i+3:]
		}
		d, _, _ = strings.Cut(d, "/")
		d = strings.TrimPrefix(strings.ToLower(d), "www.")
		n, ok := NormalizeDomain(d)
		if !ok {
			return stored{}, bad(ErrValueDomain, fault.P{"value": s})
		}
		display, err := idna.Lookup.ToUnicode(n)
		if err != nil {
			display = n
		}
		return stored{value: display, sort: n, key: n}, nil
	}
	return stored{}, bad(ErrValueShape, nil)
}
