package importer

import (
	"math"
	"strconv"
	"strings"

	"mailroom/backend/fault"
)

// Conventions say how a file writes what is ambiguous: the order of a date's day and month
// (12/05/2026), and whether "1,234" is one point two three four or one thousand two hundred
// thirty-four. Unambiguous values ("25/12/2026", "1 234,56", "1,234.56") read the same under
// both.
type Conventions struct {
	DateOrder DateOrder
	// DecimalComma: a single comma followed by three digits is a decimal mark (French);
	// otherwise a thousands separator (US).
	DecimalComma bool
}

// DateOrder is the order of day and month in a numeric date with slashes or dashes.
type DateOrder string

// The date orders.
const (
	DMY DateOrder = "dmy" // 12/05/2026 is the 12th of May: France, the UK, most exports
	MDY DateOrder = "mdy" // 12/05/2026 is December 5th: US exports (Outlook in English)
)

// The two conventions met in practice.
var (
	FR = Conventions{DateOrder: DMY, DecimalComma: true}
	US = Conventions{DateOrder: MDY, DecimalComma: false}
)

// Decimal is an exact decimal number: Coef × 10^-Scale. Money and numbers are never floats
// on their way in, so 0,1 + 0,2 stays 0,3.
type Decimal struct {
	Coef  int64
	Scale int // digits after the decimal mark, 0–18
}

// maxDigits is the most significant digits a Decimal holds (int64's 18 safe digits).
const maxDigits = 18

// String writes d with a point and no grouping: "-1234.56".
func (d Decimal) String() string {
	return FormatNumber(d, NumberStyle{Decimal: '.'})
}

// Float64 returns d as a float, for sorting and sums where exactness does not matter.
func (d Decimal) Float64() float64 {
	return float64(d.Coef) / math.Pow10(d.Scale)
}

// Equal compares values: 1,5 equals 1,50.
func (d Decimal) Equal(o Decimal) bool {
	a, b := d, o
	for a.Scale < b.Scale {
		if a.Coef > math.MaxInt64/10 || a.Coef < math.MinInt64/10 {
			return false
		}
		a.Coef, a.Scale = a.Coef*10, a.Scale+1
	}
	for b.Scale < a.Scale {
		if b.Coef > math.MaxInt64/10 || b.Coef < math.MinInt64/10 {
			return false
		}
		b.Coef, b.Scale = b.Coef*10, b.Scale+1
	}
	return a.Coef == b.Coef
}

// NumberStyle is how a number was written, so it can be written back the same way.
type NumberStyle struct {
	Decimal rune // ',' or '.'
	// Group is the thousands separator: 0 (none), ' ', U+00A0, U+202F, '.', ',' or '\''.
	Group rune
	// Paren: a negative written in parentheses, as accountants do: (12,50).
	Paren bool
}

func isGroupSpace(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' }

// ParseNumber reads a number as people write it: "1 234,56" (a space, a no-break space
// U+00A0 or a narrow one U+202F between thousands), "1.234,56", "1,234.56", "-12,5",
// "(12,50)", "+3". Rules, in order:
//   - with both a comma and a point, the last one is the decimal mark;
//   - a mark that occurs more than once groups thousands;
//   - a single mark after a space-grouped part, or not followed by exactly three digits, or
//     after a first part of zeros or of more than three significant digits, is the decimal
//     mark;
//   - otherwise ("1,234", "1.234") it is ambiguous: a point is a decimal mark; a comma is
//     one when conv.DecimalComma (French), a thousands separator otherwise (US).
//
// Groups must be of three digits ("1 23,4" is refused). At most 18 significant digits.
func ParseNumber(s string, conv Conventions) (Decimal, NumberStyle, error) {
	d, st, ok, tooLong := parseNumber(trimCell(s), conv)
	if tooLong {
		return Decimal{}, st, valueFault(ErrNumberTooLong, s)
	}
	if !ok {
		return Decimal{}, st, valueFault(ErrNumberInvalid, s)
	}
	return d, st, nil
}

func parseNumber(s string, conv Conventions) (d Decimal, st NumberStyle, ok, tooLong bool) {
	st.Decimal = ','
	if !conv.DecimalComma {
		st.Decimal = '.'
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		neg, st.Paren, s = true, true, trimCell(s[1:len(s)-1])
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "\u2212"): // the minus sign
		neg, s = true, s[len("\u2212"):]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if s == "" {
		return d, st, false, false
	}
	var commas, points, spaces int
	var space rune
	lastComma, lastPoint := -1, -1
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == ',':
			commas++
			lastComma = i
		case r == '.':
			points++
			lastPoint = i
		case isGroupSpace(r):
			if spaces > 0 && r != space {
				return d, st, false, false
			}
			spaces++
			space = r
		default:
			return d, st, false, false
		}
	}
	intPart, frac := s, ""
	var group rune = 0
	if spaces > 0 {
		group = space
	}
	decimalAt := func(i int, mark rune) {
		intPart, frac = s[:i], s[i+1:]
		st.Decimal = mark
	}
	switch {
	case commas > 0 && points > 0:
		if lastComma > lastPoint {
			if commas > 1 || spaces > 0 {
				return d, st, false, false
			}
			decimalAt(lastComma, ',')
			group = '.'
		} else {
			if points > 1 || spaces > 0 {
				return d, st, false, false
			}
			decimalAt(lastPoint, '.')
			group = ','
		}
	case commas > 1 || points > 1:
		if commas > 0 && points > 0 || spaces > 0 {
			return d, st, false, false
		}
		group = ','
		if points > 1 {
			group = '.'
		}
	case commas == 1 || points == 1:
		mark, at := ',', lastComma
		if points == 1 {
			mark, at = '.', lastPoint
		}
		after := s[at+1:]
		before := s[:at]
		switch {
		case spaces > 0, len(after) != 3, strings.TrimLeft(before, "0") == "", len(strings.TrimLeft(before, "0")) > 3:
			decimalAt(at, mark)
		case mark == '.' || conv.DecimalComma:
			decimalAt(at, mark)
		default:
			group = ','
		}
	}
	if strings.ContainsAny(frac, ",.") || strings.ContainsFunc(frac, isGroupSpace) {
		return d, st, false, false
	}
	if frac == "" && intPart != s && intPart+string(st.Decimal) == s {
		return d, st, false, false // "12," has no decimals
	}
	st.Group = group
	switch group {
	case ',':
		st.Decimal = '.'
	case '.':
		st.Decimal = ','
	}
	digits, ok := ungroup(intPart, group)
	if !ok {
		return d, st, false, false
	}
	if digits == "" {
		if frac == "" {
			return d, st, false, false
		}
		digits = "0"
	}
	all := strings.TrimLeft(digits+frac, "0")
	if len(all) > maxDigits {
		return d, st, false, true
	}
	if all == "" {
		all = "0"
	}
	coef, err := strconv.ParseInt(all, 10, 64)
	if err != nil {
		return d, st, false, true
	}
	if neg {
		coef = -coef
	}
	if len(frac) > maxDigits {
		return d, st, false, true
	}
	return Decimal{Coef: coef, Scale: len(frac)}, st, true, false
}

// ungroup removes group from a number's integer part, checking groups of three digits.
func ungroup(s string, group rune) (string, bool) {
	if group == 0 {
		return s, !strings.ContainsAny(s, ",.") && !strings.ContainsFunc(s, isGroupSpace)
	}
	parts := strings.Split(s, string(group))
	for i, p := range parts {
		if strings.ContainsAny(p, ",.") || strings.ContainsFunc(p, isGroupSpace) || p == "" {
			return "", false
		}
		if i == 0 && len(p) > 3 || i > 0 && len(p) != 3 {
			return "", false
		}
		if i == 0 && len(parts) > 1 && p[0] == '0' {
			return "", false // "0,001,000" is no grouped number
		}
	}
	return strings.Join(parts, ""), true
}

// FormatNumber writes d in a style: FormatNumber(d, st) reads back as d with ParseNumber
// under the conventions it was read with.
func FormatNumber(d Decimal, st NumberStyle) string {
	neg := d.Coef < 0
	u := strconv.FormatUint(absInt(d.Coef), 10)
	if len(u) <= d.Scale {
		u = strings.Repeat("0", d.Scale-len(u)+1) + u
	}
	intPart, frac := u[:len(u)-d.Scale], u[len(u)-d.Scale:]
	if st.Group != 0 && len(intPart) > 3 {
		var b strings.Builder
		first := len(intPart) % 3
		if first > 0 {
			b.WriteString(intPart[:first])
		}
		for i := first; i < len(intPart); i += 3 {
			if b.Len() > 0 {
				b.WriteRune(st.Group)
			}
			b.WriteString(intPart[i : i+3])
		}
		intPart = b.String()
	}
	out := intPart
	if frac != "" {
		mark := st.Decimal
		if mark == 0 {
			mark = '.'
		}
		out += string(mark) + frac
	}
	if neg {
		if st.Paren {
			return "(" + out + ")"
		}
		return "-" + out
	}
	return out
}

func absInt(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

// Money is an amount and its currency (an ISO 4217 code), "" when the cell named none (the
// field's currency applies).
type Money struct {
	Amount   Decimal
	Currency string
}

// MoneyStyle is how an amount was written.
type MoneyStyle struct {
	Number NumberStyle
	Symbol string // as written: "€", "EUR", "$"; "" for none
	Before bool   // the symbol comes before the number (€12, EUR 12)
	Space  string // between symbol and number: "", " " or a no-break space
}

// currencySymbols maps the symbols people type to ISO 4217 codes.
var currencySymbols = map[string]string{
	"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "¥": "JPY", "CHF": "CHF", "Fr.": "CHF",
	"CA$": "CAD", "C$": "CAD", "A$": "AUD", "₹": "INR", "R$": "BRL", "zł": "PLN", "kr": "SEK",
}

// currencyCodes are the ISO 4217 codes accepted as written.
var currencyCodes = map[string]bool{
	"EUR": true, "USD": true, "GBP": true, "CHF": true, "CAD": true, "JPY": true, "AUD": true,
	"NZD": true, "CNY": true, "SEK": true, "NOK": true, "DKK": true, "PLN": true, "CZK": true,
	"HUF": true, "RON": true, "BGN": true, "TRY": true, "INR": true, "BRL": true, "MXN": true,
	"ZAR": true, "MAD": true, "TND": true, "DZD": true, "XOF": true, "XAF": true, "XPF": true,
	"SGD": true, "HKD": true, "ILS": true, "AED": true, "SAR": true, "KRW": true, "RUB": true,
	"UAH": true,
}

// ParseMoney reads an amount with an optional currency before or after it: "1 234,56 €",
// "€1,234.56", "EUR 12", "-12,50€", "12 USD". The number follows ParseNumber's rules.
func ParseMoney(s string, conv Conventions) (Money, MoneyStyle, error) {
	t := trimCell(s)
	var st MoneyStyle
	neg := ""
	if strings.HasPrefix(t, "-") {
		neg, t = "-", trimCell(t[1:])
	}
	sym, rest, before := splitCurrency(t)
	if sym != "" {
		code, ok := currencySymbols[sym]
		if !ok {
			if isCode(sym) {
				if !currencyCodes[sym] {
					return Money{}, st, ErrMoneyCurrency.New(fault.P{"currency": sym})
				}
				code = sym
			} else {
				return Money{}, st, valueFault(ErrMoneyInvalid, s)
			}
		}
		st.Symbol, st.Before = sym, before
		num := strings.TrimLeftFunc(rest, isSpace)
		if !before {
			num = strings.TrimRightFunc(rest, isSpace)
		}
		if before {
			st.Space = rest[:len(rest)-len(num)]
		} else {
			st.Space = rest[len(num):]
		}
		if len([]rune(st.Space)) > 1 {
			st.Space = string([]rune(st.Space)[:1])
		}
		rest = num
		if neg == "" && strings.HasPrefix(rest, "-") && before {
			neg, rest = "-", rest[1:]
		}
		d, ns, err := ParseNumber(neg+rest, conv)
		if err != nil {
			return Money{}, st, valueFault(ErrMoneyInvalid, s)
		}
		st.Number = ns
		return Money{Amount: d, Currency: code}, st, nil
	}
	d, ns, err := ParseNumber(neg+t, conv)
	if err != nil {
		return Money{}, st, valueFault(ErrMoneyInvalid, s)
	}
	st.Number = ns
	return Money{Amount: d}, st, nil
}

// splitCurrency finds a currency symbol or code at the start or the end of s.
func splitCurrency(s string) (sym, rest string, before bool) {
	// The longest symbols first so "US$" is not read as "$".
	for _, cand := range []string{"US$", "CA$", "C$", "A$", "R$", "Fr.", "CHF", "zł", "kr", "€", "$", "£", "¥", "₹"} {
		if strings.HasPrefix(s, cand) {
			return cand, s[len(cand):], true
		}
		if strings.HasSuffix(s, cand) {
			return cand, s[:len(s)-len(cand)], false
		}
	}
	if len(s) >= 3 && isCode(s[:3]) && (len(s) == 3 || !isLetter(s[3])) {
		return s[:3], s[3:], true
	}
	if len(s) >= 3 && isCode(s[len(s)-3:]) && (len(s) == 3 || !isLetter(s[len(s)-4])) {
		return s[len(s)-3:], s[:len(s)-3], false
	}
	return "", s, false
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }

func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// FormatMoney writes m in a style; it reads back as m with ParseMoney.
func FormatMoney(m Money, st MoneyStyle) string {
	num := FormatNumber(m.Amount, st.Number)
	if st.Symbol == "" {
		return num
	}
	if st.Before {
		return st.Symbol + st.Space + num
	}
	return num + st.Space + st.Symbol
}
