package importer

import (
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"mailroom/backend/fault"
)

// Kind is the type a cell is read as: the records' field types that come from text.
type Kind string

// The kinds.
const (
	KindText     Kind = "text"
	KindNumber   Kind = "number"
	KindMoney    Kind = "money"
	KindDate     Kind = "date"
	KindDateTime Kind = "datetime"
	KindBool     Kind = "bool"
	KindEmail    Kind = "email"
	KindPhone    Kind = "phone"
	KindURL      Kind = "url"
)

// Kinds lists the kinds.
var Kinds = []Kind{KindText, KindNumber, KindMoney, KindDate, KindDateTime, KindBool, KindEmail, KindPhone, KindURL}

// Value is a typed cell. Kind says which field holds it; Empty, a blank cell (no value).
type Value struct {
	Kind   Kind
	Empty  bool
	Text   string    // text, email, phone, url
	Number Decimal   // number
	Money  Money     // money
	Time   time.Time // date (midnight UTC), datetime
	Bool   bool      // bool
}

// Parse reads one cell as kind: blank cells are Empty (a blank checkbox is false), the rest
// through the parser of the kind. loc is the zone of date-times written without one.
func Parse(kind Kind, s string, conv Conventions, loc *time.Location) (Value, error) {
	v := Value{Kind: kind}
	t := trimCell(s)
	if t == "" {
		v.Empty = true
		return v, nil
	}
	var err error
	switch kind {
	case KindText:
		v.Text = t
	case KindNumber:
		v.Number, _, err = ParseNumber(t, conv)
	case KindMoney:
		v.Money, _, err = ParseMoney(t, conv)
	case KindDate:
		v.Time, _, err = ParseDate(t, conv)
	case KindDateTime:
		v.Time, err = ParseDateTime(t, conv, loc)
	case KindBool:
		v.Bool, err = ParseBool(t)
	case KindEmail:
		v.Text, err = ParseEmail(t)
	case KindPhone:
		v.Text, err = ParsePhone(t)
	case KindURL:
		v.Text, err = ParseURL(t)
	default:
		v.Text = t
	}
	return v, err
}

var (
	trueWords  = map[string]bool{"oui": true, "o": true, "vrai": true, "yes": true, "y": true, "true": true, "1": true, "x": true, "✓": true, "✔": true, "☑": true, "on": true}
	falseWords = map[string]bool{"non": true, "n": true, "faux": true, "no": true, "false": true, "0": true, "": true, "☐": true, "off": true}
)

// ParseBool reads oui/non, vrai/faux, yes/no, true/false, 1/0, x (and ✓) — any case. A blank
// cell is false: a spreadsheet column of x's leaves the others empty.
func ParseBool(s string) (bool, error) {
	t := strings.ToLower(trimCell(s))
	switch {
	case trueWords[t]:
		return true, nil
	case falseWords[t]:
		return false, nil
	}
	return false, valueFault(ErrBoolInvalid, s)
}

// ParseEmail reads one address: trimmed, a "mailto:" or the angle brackets of
// "Name <a@b.fr>" removed; the local part kept as typed (it may be case-sensitive), the
// domain lower-cased and checked under IDNA 2008 (UTS 46 lookup rules), kept in Unicode
// ("café.fr", not "xn--caf-dma.fr") so it reads as typed and compares equal whatever form
// the file had.
func ParseEmail(s string) (string, error) {
	t := trimCell(s)
	if i := strings.LastIndexByte(t, '<'); i >= 0 && strings.HasSuffix(t, ">") {
		t = trimCell(t[i+1 : len(t)-1])
	}
	if len(t) > 7 && strings.EqualFold(t[:7], "mailto:") {
		t = t[7:]
	}
	at := strings.LastIndexByte(t, '@')
	if at <= 0 || at == len(t)-1 || len(t) > 254 {
		return "", valueFault(ErrEmailInvalid, s)
	}
	local, domain := t[:at], t[at+1:]
	if len(local) > 64 || strings.ContainsAny(local, " \t\"(),:;<>[\\]@") || strings.HasPrefix(local, ".") ||
		strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", valueFault(ErrEmailInvalid, s)
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") || strings.HasSuffix(ascii, ".") {
		return "", ErrEmailDomain.Wrap(err, fault.P{"domain": quoteValue(domain)})
	}
	uni, err := idna.Lookup.ToUnicode(ascii)
	if err != nil {
		return "", ErrEmailDomain.Wrap(err, fault.P{"domain": quoteValue(domain)})
	}
	return local + "@" + uni, nil
}

// ParsePhone keeps a number as typed, trimmed: people write theirs in many ways
// ("06 12 34 56 78", "+33 6 12 34 56 78", "(555) 010-1234 ext. 12") and expect to see them
// so. It refuses what cannot be one: fewer than three digits, or letters other than an
// extension's.
func ParsePhone(s string) (string, error) {
	t := trimCell(s)
	digits := 0
	low := strings.ToLower(t)
	for _, ext := range []string{"extension", "ext.", "ext", "poste", "x"} {
		if i := strings.Index(low, ext); i > 0 {
			low = low[:i] + strings.Repeat(" ", len(ext)) + low[i+len(ext):]
			break
		}
	}
	for _, r := range low {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +()-./\u00a0\u202f#*", r):
		default:
			return "", valueFault(ErrPhoneInvalid, s)
		}
	}
	if digits < 3 || digits > 20 {
		return "", valueFault(ErrPhoneInvalid, s)
	}
	return t, nil
}

// ParseURL reads a web address: http and https only (a javascript: or file: link is
// refused, as the record page makes links of them); "www.exemple.fr" gains "https://".
func ParseURL(s string) (string, error) {
	t := trimCell(s)
	if strings.ContainsAny(t, " \t\n") {
		return "", valueFault(ErrURLInvalid, s)
	}
	if i := strings.Index(t, ":"); i > 0 && !strings.Contains(t[:i], ".") && !strings.Contains(t[:i], "/") {
		scheme := strings.ToLower(t[:i])
		if scheme != "http" && scheme != "https" {
			return "", ErrURLScheme.New(fault.P{"scheme": quoteValue(scheme)})
		}
	} else {
		t = "https://" + t
	}
	u, err := url.Parse(t)
	if err != nil || u.Host == "" {
		return "", valueFault(ErrURLInvalid, s)
	}
	host := u.Hostname()
	if _, err := idna.Lookup.ToASCII(host); err != nil || !strings.Contains(host, ".") && host != "localhost" {
		return "", valueFault(ErrURLInvalid, s)
	}
	return t, nil
}
