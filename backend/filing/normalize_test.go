package filing

import (
	"math/rand/v2"
	"testing"

	"mailroom/backend/records"
)

// TestPlainEmail holds the fast path to records.NormalizeEmail: whatever it accepts, it
// normalises as NormalizeEmail does, and it accepts the everyday addresses.
func TestPlainEmail(t *testing.T) {
	accepted := []string{"p1.nom@societe-1.fr", "Sophie.Martin@Example.COM", "a+tag@b.co", "x_y-z@sub.domain.fr", "1@2.fr"}
	for _, s := range accepted {
		got, ok := plainEmail(s)
		want, wok := records.NormalizeEmail(s)
		if !ok || !wok || got != want {
			t.Errorf("plainEmail(%q) = %q, %v; NormalizeEmail: %q, %v", s, got, ok, want, wok)
		}
	}
	// Left to NormalizeEmail (which may accept or refuse them).
	for _, s := range []string{"", "@b.fr", "a@", "a@fr", "a@b.fr.", " a@b.fr", "<a@b.fr>", ".a@b.fr", "a.@b.fr", "a..b@c.fr",
		"a@-b.fr", "a@b-.fr", "a@ab--c.fr", "a@xn--caf-dma.fr", "a@b..fr", "a@café.fr", "\"a b\"@c.fr", "a!b@c.fr", "a@b_c.fr",
		"Élodie <e@b.fr>"} {
		if got, ok := plainEmail(s); ok {
			want, wok := records.NormalizeEmail(s)
			if !wok || got != want {
				t.Errorf("plainEmail(%q) = %q; NormalizeEmail: %q, %v", s, got, want, wok)
			}
		}
	}
	// Random strings over the characters that matter.
	const alphabet = "aZ09.-_+@@..--xn!é \"<>"
	rnd := rand.New(rand.NewPCG(1, 2))
	runes := []rune(alphabet)
	fast := 0
	for range 200_000 {
		b := make([]rune, 1+rnd.IntN(14))
		for i := range b {
			b[i] = runes[rnd.IntN(len(runes))]
		}
		s := string(b)
		got, ok := plainEmail(s)
		if !ok {
			continue
		}
		fast++
		if want, wok := records.NormalizeEmail(s); !wok || got != want {
			t.Fatalf("plainEmail(%q) = %q; NormalizeEmail: %q, %v", s, got, want, wok)
		}
	}
	if fast == 0 {
		t.Fatal("no random address took the fast path")
	}
}
