package importer

import (
	"testing"
	"time"

	"mailroom/backend/fault"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		in     string
		conv   Conventions
		want   string // yyyy-mm-dd, or "" when refused
		reason *fault.Reason
	}{
		{"05/12/2026", FR, "2026-12-05", nil},
		{"5/12/2026", FR, "2026-12-05", nil},
		{"05/12/26", FR, "2026-12-05", nil},
		{"05/12/45", FR, "1945-12-05", nil},
		{"2026-12-05", FR, "2026-12-05", nil},
		{"2026-12-05", US, "2026-12-05", nil},
		{"2026/12/05", FR, "2026-12-05", nil},
		{"05.12.2026", FR, "2026-12-05", nil},
		{"05.12.2026", US, "2026-12-05", nil}, // dots are day first everywhere
		{"05-12-2026", FR, "2026-12-05", nil},
		{"12/05/2026", US, "2026-12-05", nil},
		{"12/5/1980", US, "1980-12-05", nil},
		{"5 décembre 2026", FR, "2026-12-05", nil},
		{"5 DÉCEMBRE 2026", FR, "2026-12-05", nil},
		{"1er mars 2026", FR, "2026-03-01", nil},
		{"lundi 5 janv. 2026", FR, "2026-01-05", nil},
		{"15 août 2026", FR, "2026-08-15", nil},
		{"15 aout 2026", FR, "2026-08-15", nil},
		{"5 December 2026", FR, "2026-12-05", nil},
		{"December 5, 2026", FR, "2026-12-05", nil},
		{" 31/01/2026 ", FR, "2026-01-31", nil},
		{"29/02/2024", FR, "2024-02-29", nil},
		{"29/02/2026", FR, "", ErrDateImpossible},
		{"31/04/2026", FR, "", ErrDateImpossible},
		{"00/01/2026", FR, "", ErrDateImpossible},
		{"25/12/2026", US, "", ErrDateOrder}, // impossible month first: said, not swapped
		{"12/25/2026", FR, "", ErrDateOrder},
		{"5 décembr 2026", FR, "", ErrDateInvalid},
		{"demain", FR, "", ErrDateInvalid},
		{"2026-12", FR, "", ErrDateInvalid},
		{"45000", FR, "", ErrDateInvalid},
		{"1/2/3", FR, "", ErrDateInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			d, st, err := ParseDate(tc.in, tc.conv)
			if tc.reason != nil {
				if !tc.reason.Is(err) {
					t.Fatalf("err = %v, want %s", err, tc.reason.Name)
				}
				if fe, _ := fault.As(err); fe.Params["value"] != tc.in {
					t.Errorf("value param = %v", fe.Params["value"])
				}
				return
			}
			if err != nil || d.Format("2006-01-02") != tc.want {
				t.Fatalf("= %v, %v; want %s", d, err, tc.want)
			}
			back, _, err := ParseDate(FormatDate(d, st), tc.conv)
			if err != nil || !back.Equal(d) {
				t.Errorf("%q formatted back as %q reads %v, %v", tc.in, FormatDate(d, st), back, err)
			}
		})
	}
}

func TestDetectDateOrder(t *testing.T) {
	cases := []struct {
		name      string
		values    []string
		def       DateOrder
		want      DateOrder
		ambiguous bool
	}{
		{"a day above 12 proves day first", []string{"01/02/2026", "25/12/2026"}, MDY, DMY, false},
		{"a second part above 12 proves month first", []string{"01/02/2026", "12/25/2026"}, DMY, MDY, false},
		{"nothing decides", []string{"01/02/2026", "03/04/2026", ""}, DMY, DMY, true},
		{"both proven: mixed", []string{"25/12/2026", "12/25/2026"}, DMY, DMY, true},
		{"ISO dates decide nothing", []string{"2026-12-25"}, MDY, MDY, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, amb := DetectDateOrder(tc.values, tc.def)
			if got != tc.want || amb != tc.ambiguous {
				t.Fatalf("= %s, %v; want %s, %v", got, amb, tc.want, tc.ambiguous)
			}
		})
	}
}

func TestParseDateTime(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	cases := []struct {
		in   string
		want time.Time
	}{
		{"31/12/2026 14:30", time.Date(2026, 12, 31, 14, 30, 0, 0, paris)},
		{"31/12/2026 14:30:05", time.Date(2026, 12, 31, 14, 30, 5, 0, paris)},
		{"31/12/2026 14h30", time.Date(2026, 12, 31, 14, 30, 0, 0, paris)},
		{"2026-12-31T14:30:00Z", time.Date(2026, 12, 31, 14, 30, 0, 0, time.UTC)},
		{"2026-12-31 08:05", time.Date(2026, 12, 31, 8, 5, 0, 0, paris)},
		{"5 décembre 2026 09:15", time.Date(2026, 12, 5, 9, 15, 0, 0, paris)},
		{"31/12/2026", time.Date(2026, 12, 31, 0, 0, 0, 0, paris)},
	}
	for _, tc := range cases {
		got, err := ParseDateTime(tc.in, FR, paris)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for in, reason := range map[string]*fault.Reason{"31/12/2026 25:00": ErrTimeInvalid, "31/12/2026 midi": ErrTimeInvalid, "hier 14:00": ErrDateInvalid} {
		if _, err := ParseDateTime(in, FR, paris); !reason.Is(err) {
			t.Errorf("%q: %v, want %s", in, err, reason.Name)
		}
	}
}

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in   string
		conv Conventions
		want string // Decimal.String(), or "" when refused
		too  bool   // refused as too long
	}{
		{"1 234,56", FR, "1234.56", false},
		{"1\u00a0234,56", FR, "1234.56", false},
		{"1\u202f234,56", FR, "1234.56", false},
		{"1.234,56", FR, "1234.56", false},
		{"1,234.56", FR, "1234.56", false},
		{"1,234.56", US, "1234.56", false},
		{"-12,5", FR, "-12.5", false},
		{"\u221212,5", FR, "-12.5", false},
		{"(12,50)", FR, "-12.50", false},
		{"+3", FR, "3", false},
		{"1 000 000", FR, "1000000", false},
		{"1.000.000", FR, "1000000", false},
		{"1,000,000", US, "1000000", false},
		{"1'234.50", FR, "1234.50", false},
		{"1,234", FR, "1.234", false}, // the ambiguity, decided by the conventions
		{"1,234", US, "1234", false},
		{"1.234", FR, "1.234", false},
		{"0,125", US, "0.125", false},
		{"1234,567", US, "1234.567", false},
		{",5", FR, "0.5", false},
		{"007", FR, "7", false},
		{"0", FR, "0", false},
		{"123456789012345678", FR, "123456789012345678", false},
		{"1234567890123456789", FR, "", true},
		{"1 23,4", FR, "", false},
		{"12,", FR, "", false},
		{"1,2,3", FR, "", false},
		{"1.234.5", FR, "", false},
		{"12 €", FR, "", false},
		{"douze", FR, "", false},
		{"-", FR, "", false},
		{"1e5", FR, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			d, st, err := ParseNumber(tc.in, tc.conv)
			switch {
			case tc.too:
				if !ErrNumberTooLong.Is(err) {
					t.Fatalf("err = %v, want %s", err, ErrNumberTooLong.Name)
				}
				return
			case tc.want == "":
				if !ErrNumberInvalid.Is(err) {
					t.Fatalf("= %s, %v; want %s", d, err, ErrNumberInvalid.Name)
				}
				return
			}
			if err != nil || d.String() != tc.want {
				t.Fatalf("= %s, %v; want %s", d, err, tc.want)
			}
			back, _, err := ParseNumber(FormatNumber(d, st), tc.conv)
			if err != nil || back != d {
				t.Errorf("formatted back as %q: %v, %v", FormatNumber(d, st), back, err)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	cases := []struct {
		in       string
		conv     Conventions
		amount   string
		currency string
		reason   *fault.Reason
	}{
		{"1 234,56 €", FR, "1234.56", "EUR", nil},
		{"1 234,56\u00a0€", FR, "1234.56", "EUR", nil},
		{"€1,234.56", US, "1234.56", "EUR", nil},
		{"EUR 12", FR, "12", "EUR", nil},
		{"12 EUR", FR, "12", "EUR", nil},
		{"-12,50€", FR, "-12.50", "EUR", nil},
		{"-€12.50", US, "-12.50", "EUR", nil},
		{"$1,234.56", US, "1234.56", "USD", nil},
		{"US$ 5", US, "5", "USD", nil},
		{"£3.50", US, "3.50", "GBP", nil},
		{"CHF 1'250.00", FR, "1250.00", "CHF", nil},
		{"1.234,56", FR, "1234.56", "", nil},
		{"12 XYZ", FR, "", "", ErrMoneyCurrency},
		{"douze €", FR, "", "", ErrMoneyInvalid},
		{"€", FR, "", "", ErrMoneyInvalid},
		{"12 € 50", FR, "", "", ErrMoneyInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			m, st, err := ParseMoney(tc.in, tc.conv)
			if tc.reason != nil {
				if !tc.reason.Is(err) {
					t.Fatalf("err = %v, want %s", err, tc.reason.Name)
				}
				return
			}
			if err != nil || m.Amount.String() != tc.amount || m.Currency != tc.currency {
				t.Fatalf("= %s %s, %v; want %s %s", m.Amount, m.Currency, err, tc.amount, tc.currency)
			}
			back, _, err := ParseMoney(FormatMoney(m, st), tc.conv)
			if err != nil || back != m {
				t.Errorf("formatted back as %q: %+v, %v", FormatMoney(m, st), back, err)
			}
		})
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"oui": true, "Non": false, "VRAI": true, "faux": false, "yes": true, "no": false,
		"x": true, "X": true, "1": true, "0": false, "": false, " true ": true, "✓": true} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("%q = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"peut-être", "2", "ouais non"} {
		if _, err := ParseBool(in); !ErrBoolInvalid.Is(err) {
			t.Errorf("%q: %v, want %s", in, err, ErrBoolInvalid.Name)
		}
	}
}

func TestParseEmail(t *testing.T) {
	ok := map[string]string{
		"helene@CAFE-ETOILE.FR":           "helene@cafe-etoile.fr",
		" Jean.Dupont@Exemple.fr ":        "Jean.Dupont@exemple.fr", // the local part kept as typed
		"mailto:a@b.fr":                   "a@b.fr",
		"Jean Dupont <jean@exemple.fr>":   "jean@exemple.fr",
		"contact@CAFÉ.fr":                 "contact@café.fr",
		"contact@xn--caf-dma.fr":          "contact@café.fr", // the same address either way
		"prenom+tag@sous.domaine.exemple": "prenom+tag@sous.domaine.exemple",
	}
	for in, want := range ok {
		if got, err := ParseEmail(in); err != nil || got != want {
			t.Errorf("%q = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]*fault.Reason{
		"jean.dupont": ErrEmailInvalid, "@exemple.fr": ErrEmailInvalid, "jean@": ErrEmailInvalid,
		"jean dupont@exemple.fr": ErrEmailInvalid, "a..b@exemple.fr": ErrEmailInvalid,
		"jean@localhost": ErrEmailDomain, "jean@exem ple.fr": ErrEmailDomain, "jean@-exemple.fr": ErrEmailDomain,
	}
	for in, reason := range bad {
		if got, err := ParseEmail(in); !reason.Is(err) {
			t.Errorf("%q = %q, %v; want %s", in, got, err, reason.Name)
		}
	}
}

func TestParsePhone(t *testing.T) {
	for _, in := range []string{"06 12 34 56 78", "+33 6 12 34 56 78", "(555) 010-1234 ext. 12", "01.23.45.67.89", "+44 20 7946 0000", "01 23 45 67 89 poste 204"} {
		if got, err := ParsePhone(" " + in + " "); err != nil || got != in {
			t.Errorf("%q = %q, %v; want it as typed", in, got, err)
		}
	}
	for _, in := range []string{"appeler Jean", "12", "06 12 34 56 78 ou 07", "n/a"} {
		if _, err := ParsePhone(in); !ErrPhoneInvalid.Is(err) {
			t.Errorf("%q: %v, want %s", in, err, ErrPhoneInvalid.Name)
		}
	}
}

func TestParseURL(t *testing.T) {
	ok := map[string]string{
		"https://exemple.fr/page?a=1": "https://exemple.fr/page?a=1",
		"http://exemple.fr":           "http://exemple.fr",
		"www.exemple.fr":              "https://www.exemple.fr",
		"exemple.fr/contact":          "https://exemple.fr/contact",
	}
	for in, want := range ok {
		if got, err := ParseURL(in); err != nil || got != want {
			t.Errorf("%q = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]*fault.Reason{
		"javascript:alert(1)": ErrURLScheme, "file:///etc/passwd": ErrURLScheme, "ftp://exemple.fr": ErrURLScheme,
		"pas une adresse": ErrURLInvalid, "https://": ErrURLInvalid, "exemple": ErrURLInvalid, //nolint:misspell // French
	}
	for in, reason := range bad {
		if got, err := ParseURL(in); !reason.Is(err) {
			t.Errorf("%q = %q, %v; want %s", in, got, err, reason.Name)
		}
	}
}

// A long value is cut in the fault's params, so a list of failures stays readable.
func TestFaultValueIsCut(t *testing.T) {
	long := ""
	for range 100 {
		long += "é"
	}
	_, _, err := ParseNumber(long, FR)
	fe, ok := fault.As(err)
	if !ok {
		t.Fatal(err)
	}
	if v := fe.Params["value"].(string); len([]rune(v)) != maxValueRunes {
		t.Errorf("value param has %d characters, want %d", len([]rune(v)), maxValueRunes)
	}
}
