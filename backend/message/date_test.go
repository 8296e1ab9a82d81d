package message

import (
	"net/mail"
	"testing"
	"time"
)

// parseDate reads the common form itself before net/mail's layouts: it must read every
// date as net/mail does, to the instant and the zone.
func TestParseDateAgreesWithNetMail(t *testing.T) {
	for _, s := range []string{
		"Mon, 7 Dec 2026 09:05:00 +0100",
		"Mon, 07 Dec 2026 09:05:00 +0100",
		"Tue, 1 Jan 2030 00:00:00 -0000",
		"Sun, 31 Dec 2023 23:59:59 +1345",
		"Wed, 9 Dec 2026 23:59:59 -0930",
		"Thu, 10 Dec 2026 12:00:00 +0000 (UTC)",
		"Fri, 11 Dec 2026 12:00:00 +0100 (CET)",
		"11 Dec 2026 12:00:00 +0100",
		"Fri, 11 Dec 26 12:00:00 +0100",
		"Fri, 11 Dec 2026 12:00 +0100",
		"Fri, 11 Dec 2026 12:00:00 GMT",
		"Mon, 7 Dec 2026 09:05:00 +0100 ",
	} {
		want, err := mail.ParseDate(s)
		if err != nil {
			t.Fatalf("net/mail refuses %q: %v", s, err)
		}
		got, err := parseDate(s)
		if err != nil {
			t.Errorf("parseDate(%q): %v", s, err)
			continue
		}
		_, wantOff := want.Zone()
		_, gotOff := got.Zone()
		if !got.Equal(want) || gotOff != wantOff {
			t.Errorf("parseDate(%q) = %v; net/mail reads %v", s, got, want)
		}
	}
	// A day of the month that does not exist is refused by both, not moved to another day.
	if _, err := time.Parse(commonDate, "Mon, 31 Feb 2026 09:05:00 +0100"); err == nil {
		t.Error("the common layout accepts 31 February")
	}
}
