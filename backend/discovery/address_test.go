package discovery

import (
	"strings"
	"testing"
)

// FuzzParseAddress: an accepted address is normalised (lower-case domain with a dot, a
// local part of at most 64 bytes), and parsing the result again gives the same address.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"alice@example.fr", " Bob.Smith+tag@Example.COM. ", "élise@xn--exmple-cua.fr",
		"Alice <alice@example.fr>", "a@@b.c", "@x.y", "x@", "x@localhost", "x@1.2.3.4", "a@b..c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAddress(s)
		if err != nil {
			return
		}
		if a.Email != a.Local+"@"+a.Domain || a.Domain != strings.ToLower(a.Domain) ||
			!strings.Contains(a.Domain, ".") || !validHost(a.Domain) || len(a.Local) == 0 || len(a.Local) > maxLocalPart {
			t.Fatalf("parseAddress(%q) = %+v", s, a)
		}
		again, err := parseAddress(a.Email)
		if err != nil || again != a {
			t.Fatalf("parseAddress(%q) = %+v, %v; want %+v again", a.Email, again, err, a)
		}
	})
}
