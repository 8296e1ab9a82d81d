package templates

import (
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// The languages a template is written in: its values are formatted that way.
const (
	French  = "fr"
	English = "en"
)

// Languages lists them, for the generated contract.
var Languages = []string{French, English}

func validLanguage(l string) bool { return l == French || l == English }

// Numbers come from golang.org/x/text (CLDR's separators: "1 234,56" with a no-break space,
// "1,234.56"). Dates and the place of a currency's symbol are written here: x/text has no
// date formatting, and its currency formatter puts the symbol before the amount in every
// language ("€ 1 234,56"), where French writes "1 234,56 €" and English "€1,234.56".

var months = map[string][12]string{
	French: {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
		"octobre", "novembre", "décembre"},
	English: {"January", "February", "March", "April", "May", "June", "July", "August", "September",
		"October", "November", "December"},
}

func printer(lang string) *message.Printer {
	if lang == English {
		return message.NewPrinter(language.English)
	}
	return message.NewPrinter(language.French)
}

// formatDate writes a day in full: "5 décembre 2026" (the first of a month "1er"),
// "December 5, 2026".
func formatDate(t time.Time, lang string) string {
	m := months[lang]
	if lang == English {
		return m[t.Month()-1] + " " + itoa(t.Day()) + ", " + itoa(t.Year())
	}
	day := itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + months[French][t.Month()-1] + " " + itoa(t.Year())
}

// formatDateTime writes a moment in loc: "5 décembre 2026 à 14:30", "December 5, 2026 at 2:30 PM".
func formatDateTime(t time.Time, lang string, loc *time.Location) string {
	t = t.In(loc)
	if lang == English {
		return formatDate(t, lang) + " at " + t.Format("3:04 PM")
	}
	return formatDate(t, lang) + " à " + t.Format("15:04")
}

func itoa(n int) string { return strconv.Itoa(n) }

// formatNumber writes a number with the language's separators and the decimals it has
// (at most 6).
func formatNumber(v float64, lang string) string {
	return printer(lang).Sprint(number.Decimal(v, number.MaxFractionDigits(6)))
}

var symbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF", "CAD": "$CA"}

// formatMoney writes an amount with its currency's decimals: "1 234,56 €", "€1,234.56".
func formatMoney(v float64, cur, lang string) string {
	digits := 2
	switch cur {
	case "JPY", "KRW", "CLP", "ISK", "VND", "XOF", "XAF", "XPF", "UGX", "PYG":
		digits = 0
	case "KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD":
		digits = 3
	}
	neg := v < 0 || (v == 0 && math.Signbit(v))
	n := printer(lang).Sprint(number.Decimal(math.Abs(v), number.MinFractionDigits(digits), number.MaxFractionDigits(digits)))
	sym, ok := symbols[cur]
	if !ok {
		sym = cur
	}
	sign := ""
	if neg && strings.Trim(n, "0,.\u00a0 ") != "" {
		sign = "-"
	}
	if lang == English {
		if !ok {
			return sign + sym + "\u00a0" + n
		}
		return sign + sym + n
	}
	return sign + n + "\u00a0" + sym
}

func yesNo(b bool, lang string) string {
	switch {
	case lang == English && b:
		return "Yes"
	case lang == English:
		return "No"
	case b:
		return "Oui"
	}
	return "Non"
}
