package records

import (
	"testing"
	"unicode/utf8"
)

func TestFoldFastPathFoldsAsTheFullFold(t *testing.T) {
	for _, s := range []string{"Élise", "FRANÇOISE", "œuvre Æ ß", "e\u0301lise", "İstanbul", "Société Générale", "ŁÓDŹ", "ǅ", "Straße", "ﬁ", "ÀÉÎÕÜ", "Ÿ", "plain", "\xff\xfe"} {
		if got, want := Fold(s), foldFull(s); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
	for r := rune(0); r < 0x800; r++ {
		s := "a" + string(r) + "B"
		if !utf8.ValidString(s) {
			continue
		}
		if got, want := Fold(s), foldFull(s); got != want {
			t.Errorf("%U: %q, want %q", r, got, want)
		}
	}
}
