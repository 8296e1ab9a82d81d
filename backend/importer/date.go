package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"mailroom/backend/fault"
)

// DateStyle is how a date was written, so it can be written back the same way.
type DateStyle struct {
	// Order of the parts: "dmy", "mdy" or "ymd".
	Order string
	Sep   string // "/", "-", "." or " " (month names)
	Pad   bool   // two-digit day and month
	Year2 bool   // a two-digit year
	// Month is "" for a numeric month, "fr" or "en" for a month's name.
	Month string
}

// Writers of two-digit years (Excel) put 00–29 in this century and 30–99 in the last; the
// importer reads them the same way.
const twoDigitPivot = 30

var (
	numericDate = regexp.MustCompile(`^(\d{1,4})([/.\-])(\d{1,2})([/.\-])(\d{1,4})$`)
	namedDate   = regexp.MustCompile(`^(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?(\d{1,2})(?:er|st|nd|rd|th)?\s+([a-zéû]+)\.?,?\s+(\d{4})$`)
	namedDateEN = regexp.MustCompile(`^(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$`)
)

var frenchMonths = map[string]time.Month{
	"janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2, "fev": 2,
	"mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
	"août": 8, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
	"novembre": 11, "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12, //nolint:misspell // French
}

var englishMonths = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "october": 10, "november": 11, "december": 12,
}

var frenchMonthNames = [...]string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// ParseDate reads a date: 31/12/2026, 31/12/26, 2026-12-31, 31.12.2026, 31-12-2026,
// 2026/12/31, "5 décembre 2026" (and "1er mars 2026", "lundi 5 janv. 2026"), "5 December
// 2026", "December 5, 2026". A date with slashes or dashes is read day first unless
// conv.DateOrder is MDY (a US export): 12/05/2026 is the 12th of May in a French file and
// December 5th in a US one, and a value impossible in the file's order (25/12/2026 in a US
// file) is ErrDateOrder rather than silently read the other way — DetectDateOrder decides a
// column's order from its values first. The result is midnight UTC of that day.
func ParseDate(s string, conv Conventions) (time.Time, DateStyle, error) {
	t := trimCell(s)
	if m := numericDate.FindStringSubmatch(t); m != nil && m[2] == m[4] {
		return numeric(s, m, conv)
	}
	low := norm.NFC.String(strings.ToLower(t))
	if m := namedDate.FindStringSubmatch(low); m != nil {
		mon, lang := monthByName(m[2])
		if mon == 0 {
			return time.Time{}, DateStyle{}, valueFault(ErrDateInvalid, s)
		}
		day, _ := strconv.Atoi(m[1])
		year, _ := strconv.Atoi(m[3])
		return civil(s, year, mon, day, DateStyle{Order: "dmy", Sep: " ", Month: lang})
	}
	if m := namedDateEN.FindStringSubmatch(low); m != nil {
		mon, ok := englishMonths[m[1]]
		if !ok {
			return time.Time{}, DateStyle{}, valueFault(ErrDateInvalid, s)
		}
		day, _ := strconv.Atoi(m[2])
		year, _ := strconv.Atoi(m[3])
		return civil(s, year, mon, day, DateStyle{Order: "mdy", Sep: " ", Month: "en"})
	}
	return time.Time{}, DateStyle{}, valueFault(ErrDateInvalid, s)
}

func monthByName(name string) (time.Month, string) {
	if m, ok := frenchMonths[name]; ok {
		return m, "fr"
	}
	if m, ok := englishMonths[name]; ok {
		return m, "en"
	}
	return 0, ""
}

func numeric(s string, m []string, conv Conventions) (time.Time, DateStyle, error) {
	a, b, c := m[1], m[3], m[5]
	st := DateStyle{Sep: m[2]}
	var ys, ms, ds string
	switch {
	case len(a) == 4:
		if len(c) > 2 {
			return time.Time{}, st, valueFault(ErrDateInvalid, s)
		}
		st.Order, ys, ms, ds = "ymd", a, b, c
	case len(a) <= 2 && (len(c) == 4 || len(c) == 2):
		if m[2] == "." || conv.DateOrder != MDY {
			st.Order, ds, ms = "dmy", a, b
		} else {
			st.Order, ms, ds = "mdy", a, b
		}
		ys = c
	default:
		return time.Time{}, st, valueFault(ErrDateInvalid, s)
	}
	st.Pad = len(ds) == 2 && len(ms) == 2
	st.Year2 = len(ys) == 2
	year, _ := strconv.Atoi(ys)
	if st.Year2 {
		year += 1900
		if year < 1900+twoDigitPivot {
			year += 100
		}
	}
	month, _ := strconv.Atoi(ms)
	day, _ := strconv.Atoi(ds)
	if st.Order == "mdy" && month > 12 && day <= 12 {
		return time.Time{}, st, ErrDateOrder.New(fault.P{"value": quoteValue(s), "order": string(MDY)})
	}
	if st.Order == "dmy" && st.Sep != "." && month > 12 && day <= 12 && conv.DateOrder == DMY {
		return time.Time{}, st, ErrDateOrder.New(fault.P{"value": quoteValue(s), "order": string(DMY)})
	}
	return civil(s, year, time.Month(month), day, st)
}

func civil(s string, year int, month time.Month, day int, st DateStyle) (time.Time, DateStyle, error) {
	if year < 1 || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, st, valueFault(ErrDateImpossible, s)
	}
	d := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if d.Day() != day || d.Month() != month {
		return time.Time{}, st, valueFault(ErrDateImpossible, s)
	}
	return d, st, nil
}

// FormatDate writes d in a style; it reads back as d with ParseDate under the conventions
// it was read with.
func FormatDate(d time.Time, st DateStyle) string {
	year := fmt.Sprintf("%04d", d.Year())
	if st.Year2 {
		year = fmt.Sprintf("%02d", d.Year()%100)
	}
	switch st.Month {
	case "fr":
		day := strconv.Itoa(d.Day())
		return day + " " + frenchMonthNames[d.Month()] + " " + year
	case "en":
		if st.Order == "mdy" {
			return d.Month().String() + " " + strconv.Itoa(d.Day()) + ", " + year
		}
		return strconv.Itoa(d.Day()) + " " + d.Month().String() + " " + year
	}
	day, month := strconv.Itoa(d.Day()), strconv.Itoa(int(d.Month()))
	if st.Pad || st.Order == "ymd" {
		day, month = fmt.Sprintf("%02d", d.Day()), fmt.Sprintf("%02d", int(d.Month()))
	}
	sep := st.Sep
	if sep == "" {
		sep = "/"
	}
	switch st.Order {
	case "ymd":
		return year + sep + month + sep + day
	case "mdy":
		return month + sep + day + sep + year
	}
	return day + sep + month + sep + year
}

// DetectDateOrder decides a column's day–month order from its values: a first part above
// 12 (25/12/2026) proves day first, a second part above 12 proves month first. When no
// value decides, ambiguous is true and the order is def's: the UI says so and lets the user
// choose. When values prove both, ambiguous is true too (the column mixes conventions).
func DetectDateOrder(values []string, def DateOrder) (order DateOrder, ambiguous bool) {
	var dayFirst, monthFirst bool
	for _, v := range values {
		m := numericDate.FindStringSubmatch(trimCell(v))
		if m == nil || m[2] != m[4] || m[2] == "." || len(m[1]) > 2 {
			continue
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[3])
		if a > 12 && b <= 12 {
			dayFirst = true
		}
		if b > 12 && a <= 12 {
			monthFirst = true
		}
	}
	switch {
	case dayFirst && !monthFirst:
		return DMY, false
	case monthFirst && !dayFirst:
		return MDY, false
	}
	return def, true
}

var timeOfDay = regexp.MustCompile(`^(\d{1,2})(?::|h|H)(\d{2})?(?::(\d{2})(?:[.,]\d+)?)?$`)

// ParseDateTime reads a date and a time of day: "31/12/2026 14:30", "31/12/2026 14:30:05",
// "2026-12-31T14:30:00Z", "2026-12-31 14:30", "31/12/2026 14h30". A time without a zone is
// in loc (the user's zone). A date alone is midnight.
func ParseDateTime(s string, conv Conventions, loc *time.Location) (time.Time, error) {
	t := trimCell(s)
	if ts, err := time.Parse(time.RFC3339, t); err == nil {
		return ts, nil
	}
	datePart, timePart := t, ""
	if i := strings.IndexAny(t, "T "); i > 0 && numericDate.MatchString(t[:i]) {
		datePart, timePart = t[:i], trimCell(t[i+1:])
	} else if i := strings.LastIndex(t, " "); i > 0 {
		// "5 décembre 2026 14:30"
		if timeOfDay.MatchString(t[i+1:]) {
			datePart, timePart = t[:i], t[i+1:]
		}
	}
	d, _, err := ParseDate(datePart, conv)
	if err != nil {
		if fe, ok := fault.As(err); ok && fe.Reason == ErrDateInvalid.Name {
			return time.Time{}, valueFault(ErrDateInvalid, s)
		}
		return time.Time{}, err
	}
	var h, m, sec int
	if timePart != "" {
		tm := timeOfDay.FindStringSubmatch(timePart)
		if tm == nil {
			return time.Time{}, valueFault(ErrTimeInvalid, timePart)
		}
		h, _ = strconv.Atoi(tm[1])
		m, _ = strconv.Atoi(tm[2])
		sec, _ = strconv.Atoi(tm[3])
		if h > 23 || m > 59 || sec > 59 {
			return time.Time{}, valueFault(ErrTimeInvalid, timePart)
		}
	}
	if loc == nil {
		loc = time.Local
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, sec, 0, loc), nil
}
