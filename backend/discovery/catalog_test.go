package discovery

import (
	"errors"
	"slices"
	"testing"

	"mailroom/backend/fault"
)

func TestTheCatalogueHoldsTheProvidersOfTheWizard(t *testing.T) {
	// The tiles of the "Add account" wizard (issue 3) and the domains each must recognise.
	want := map[string][]string{
		"icloud":       {"icloud.com", "me.com", "mac.com"},
		"yahoo":        {"yahoo.com", "yahoo.fr", "ymail.com"},
		"aol":          {"aol.com", "aol.fr"},
		"gmx":          {"gmx.net", "gmx.de", "gmx.fr", "gmx.com"},
		"webde":        {"web.de"},
		"orange":       {"orange.fr", "wanadoo.fr"},
		"free":         {"free.fr"},
		"sfr":          {"sfr.fr", "neuf.fr"},
		"laposte":      {"laposte.net"},
		"ovh":          {"ovh.net"},
		"infomaniak":   {"ik.me"},
		"fastmail":     {"fastmail.com", "fastmail.fm"},
		"zoho":         {"zoho.com", "zohomail.com", "zoho.eu"},
		"gmail":        {"gmail.com", "googlemail.com"},
		"outlook":      {"outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr", "live.com", "live.fr", "msn.com"},
		"microsoft365": nil,
	}
	got := map[string]Provider{}
	for _, p := range Providers() {
		got[p.ID] = p
	}
	for id, domains := range want {
		p, ok := got[id]
		if !ok {
			t.Errorf("provider %q missing", id)
			continue
		}
		if p.Name == "" {
			t.Errorf("provider %q has no name", id)
		}
		for _, d := range domains {
			if !slices.Contains(p.Domains, d) {
				t.Errorf("provider %q does not list %s", id, d)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d providers, want %d: keep this test's list in step with the catalogue", len(got), len(want))
	}
}

func TestCatalogueSettingsForWellKnownAddresses(t *testing.T) {
	cases := []struct {
		email      string
		imap, smtp Server
		notes      []string
		signIn     string
	}{
		{"jean@icloud.com", Server{"imap.mail.me.com", 993, TLS, "jean"}, Server{"smtp.mail.me.com", 587, STARTTLS, "jean@icloud.com"},
			[]string{NoteAppPasswordRequired}, ""},
		{"jean@yahoo.fr", Server{"imap.mail.yahoo.com", 993, TLS, "jean@yahoo.fr"}, Server{"smtp.mail.yahoo.com", 465, TLS, "jean@yahoo.fr"},
			[]string{NoteAppPasswordRequired}, ""},
		{"jean@aol.fr", Server{"imap.aol.com", 993, TLS, "jean@aol.fr"}, Server{"smtp.aol.com", 465, TLS, "jean@aol.fr"},
			[]string{NoteAppPasswordRequired}, ""},
		{"jean@gmx.de", Server{"imap.gmx.net", 993, TLS, "jean@gmx.de"}, Server{"mail.gmx.net", 465, TLS, "jean@gmx.de"},
			[]string{NoteEnableIMAPFirst}, ""},
		{"jean@gmx.fr", Server{"imap.gmx.com", 993, TLS, "jean@gmx.fr"}, Server{"mail.gmx.com", 465, TLS, "jean@gmx.fr"},
			[]string{NoteEnableIMAPFirst}, ""},
		{"jean@web.de", Server{"imap.web.de", 993, TLS, "jean"}, Server{"smtp.web.de", 465, TLS, "jean"},
			[]string{NoteEnableIMAPFirst}, ""},
		{"jean@wanadoo.fr", Server{"imap.orange.fr", 993, TLS, "jean@wanadoo.fr"}, Server{"smtp.orange.fr", 465, TLS, "jean@wanadoo.fr"},
			nil, ""},
		{"jean@free.fr", Server{"imap.free.fr", 993, TLS, "jean"}, Server{"smtp.free.fr", 465, TLS, "jean"}, nil, ""},
		{"jean@neuf.fr", Server{"imap.sfr.fr", 993, TLS, "jean@neuf.fr"}, Server{"smtp.sfr.fr", 465, TLS, "jean@neuf.fr"}, nil, ""},
		{"jean@laposte.net", Server{"imap.laposte.net", 993, TLS, "jean"}, Server{"smtp.laposte.net", 465, TLS, "jean"}, nil, ""},
		{"jean@ik.me", Server{"mail.infomaniak.com", 993, TLS, "jean@ik.me"}, Server{"mail.infomaniak.com", 465, TLS, "jean@ik.me"}, nil, ""},
		{"jean@fastmail.fm", Server{"imap.fastmail.com", 993, TLS, "jean@fastmail.fm"}, Server{"smtp.fastmail.com", 465, TLS, "jean@fastmail.fm"},
			[]string{NoteAppPasswordRequired}, ""},
		{"jean@zoho.eu", Server{"imap.zoho.eu", 993, TLS, "jean@zoho.eu"}, Server{"smtp.zoho.eu", 465, TLS, "jean@zoho.eu"},
			[]string{NoteEnableIMAPFirst, NoteAppPasswordIfTwoFactor}, ""},
		{"jean@gmail.com", Server{"imap.gmail.com", 993, TLS, "jean@gmail.com"}, Server{"smtp.gmail.com", 465, TLS, "jean@gmail.com"},
			[]string{NotePasswordRefused}, SignInGoogle},
		{"jean@hotmail.fr", Server{"outlook.office365.com", 993, TLS, "jean@hotmail.fr"}, Server{"smtp-mail.outlook.com", 587, STARTTLS, "jean@hotmail.fr"},
			[]string{NotePasswordRefused}, SignInMicrosoft},
	}
	for _, tc := range cases {
		t.Run(tc.email, func(t *testing.T) {
			a, err := parseAddress(tc.email)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := catalogSource{}.find(t.Context(), a)
			if err != nil || len(cs) != 1 {
				t.Fatalf("catalogue: %v, %v", cs, err)
			}
			c, ok := settle(cs[0], a)
			if !ok {
				t.Fatalf("unusable catalogue candidate %+v", cs[0])
			}
			if c.IMAP != tc.imap || c.SMTP != tc.smtp {
				t.Fatalf("got IMAP %+v SMTP %+v, want %+v %+v", c.IMAP, c.SMTP, tc.imap, tc.smtp)
			}
			var codes []string
			for _, n := range c.Notes {
				codes = append(codes, n.Code)
			}
			if !slices.Equal(codes, tc.notes) || c.SignIn != tc.signIn {
				t.Fatalf("notes %q sign-in %q, want %q %q", codes, c.SignIn, tc.notes, tc.signIn)
			}
			if c.Origin["url"] == "" || c.Provider == "" {
				t.Fatalf("candidate without origin or provider: %+v", c)
			}
		})
	}
}

func TestCatalogueEntriesAreConsistent(t *testing.T) {
	ids := map[string]bool{}
	domains := map[string]string{}
	a := address{Email: "x@custom.test", Local: "x", Domain: "custom.test"}
	for _, e := range catalog {
		if ids[e.ID] {
			t.Errorf("duplicate id %q", e.ID)
		}
		ids[e.ID] = true
		if e.ref == "" {
			t.Errorf("%s: no reference for its settings", e.ID)
		}
		if len(e.sets) == 0 {
			t.Fatalf("%s: no settings", e.ID)
		}
		for _, s := range e.sets {
			if s.imap.Host == "" && !e.tile {
				continue // an ISPDB provider with only POP3 or plaintext servers: known, not offered
			}
			if _, ok := settle(Candidate{IMAP: s.imap, SMTP: s.smtp}, a); !ok {
				t.Errorf("%s: unusable settings %+v", e.ID, s)
			}
			for _, d := range s.domains {
				if other, dup := domains[d]; dup {
					t.Errorf("domain %s listed by %s and %s", d, other, e.ID)
				}
				domains[d] = e.ID
			}
		}
		for _, n := range e.Notes {
			if n.Code == "" || n.Text == "" {
				t.Errorf("%s: note without code or text: %+v", e.ID, n)
			}
		}
		if e.SignIn != "" && !slices.ContainsFunc(e.Notes, func(n Note) bool { return n.Code == NotePasswordRefused }) {
			t.Errorf("%s: suggests a sign-in without saying passwords are refused", e.ID)
		}
		if len(e.domains()) == 0 && len(e.mx) == 0 {
			t.Errorf("%s: neither address domains nor MX hosts: it can only be picked by hand", e.ID)
		}
	}
}

func TestAProviderPickedByHandFitsTheAddress(t *testing.T) {
	cases := []struct {
		name, id, email string
		wantIMAP        Server
	}{
		{"OVH for a custom domain", "ovh", "contact@boulangerie.test", Server{"ssl0.ovh.net", 993, TLS, "contact@boulangerie.test"}},
		{"Infomaniak for a custom domain", "infomaniak", "info@atelier.test", Server{"mail.infomaniak.com", 993, TLS, "info@atelier.test"}},
		{"GMX keeps the regional servers of a GMX address", "gmx", "hans@gmx.com", Server{"imap.gmx.com", 993, TLS, "hans@gmx.com"}},
		{"Zoho for a custom domain uses its organisation servers", "zoho", "sales@shop.test", Server{"imappro.zoho.com", 993, TLS, "sales@shop.test"}},
		{"Zoho keeps the personal servers of a Zoho address", "zoho", "sam@zohomail.com", Server{"imap.zoho.com", 993, TLS, "sam@zohomail.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ProviderCandidate(tc.id, tc.email)
			if err != nil {
				t.Fatal(err)
			}
			if c.IMAP != tc.wantIMAP || c.Provider != tc.id || c.Source != SourceCatalog {
				t.Fatalf("got %+v", c)
			}
		})
	}
	t.Run("an unknown provider", func(t *testing.T) {
		_, err := ProviderCandidate("nope", "a@b.test")
		if !errors.Is(err, ErrUnknownProvider) || !fault.Is(err, fault.NotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a bad address", func(t *testing.T) {
		_, err := ProviderCandidate("ovh", "not an address")
		if !errors.Is(err, ErrInvalidAddress) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestProvidersReturnsACopy(t *testing.T) {
	ps := Providers()
	ps[0].Domains[0] = "changed.test"
	ps[0].Notes[0].Text = "changed"
	again := Providers()
	if again[0].Domains[0] == "changed.test" || again[0].Notes[0].Text == "changed" {
		t.Fatal("changing Providers' result changed the catalogue")
	}
}
