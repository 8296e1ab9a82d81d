package discovery

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"mailroom/backend/fault"
)

// The generated table (catalog_generated.go) is the snapshot's facts: these counts change
// only when it is regenerated from another snapshot, and then this test says by how much.
func TestTheGeneratedTableHoldsTheSnapshot(t *testing.T) {
	if ispdbCommit != "c6ad79659b5fc321d1593ec4c277815b83e5dec5" {
		t.Errorf("table generated from %s: update the counts below with the new snapshot's", ispdbCommit)
	}
	var domains, imaps, smtps, usable int
	for _, p := range ispdb {
		domains += len(p.Domains)
		imaps += len(p.IMAP)
		smtps += len(p.SMTP)
		if len(p.IMAP) > 0 && len(p.SMTP) > 0 {
			usable++
		}
	}
	got := [5]int{len(ispdb), domains, imaps, smtps, usable}
	want := [5]int{163, 962, 140, 168, 118}
	if got != want {
		t.Errorf("providers, domains, IMAP servers, SMTP servers, providers with both = %v, want %v", got, want)
	}
	// The hand-written tiles sit on 21 of the files; the other 142 are entries of their own.
	if tiles := len(Providers()); tiles != 16 {
		t.Errorf("%d tiles, want 16", tiles)
	}
	if len(catalog) != 16+163-21 {
		t.Errorf("%d catalogue entries, want %d", len(catalog), 16+163-21)
	}
}

func TestGeneratedProvidersFieldByField(t *testing.T) {
	byID := map[string]ispdbProvider{}
	for _, p := range ispdb {
		byID[p.ID] = p
	}
	want := []ispdbProvider{
		{ID: "yahoo.com", Name: "Yahoo! Mail", ShortName: "Yahoo",
			Domains: []string{"yahoo.com", "yahoo.ca", "yahoo.de", "yahoo.it", "yahoo.fr", "yahoo.es", "yahoo.se", "yahoo.co.in",
				"yahoo.co.uk", "yahoo.co.nz", "yahoo.com.au", "yahoo.com.ar", "yahoo.com.br", "yahoo.com.mx", "ymail.com",
				"myyahoo.com", "rocketmail.com", "cox.net", "mail.am0.yahoodns.net", "am0.yahoodns.net", "yahoodns.net"},
			IMAP: []ispdbServer{
				{"imap.mail.yahoo.com", 993, TLS, "%EMAILADDRESS%", AuthOAuth2 | AuthPassword},
				{"export.imap.mail.yahoo.com", 993, TLS, "%EMAILADDRESS%", AuthOAuth2 | AuthPassword},
			},
			SMTP: []ispdbServer{{"smtp.mail.yahoo.com", 465, TLS, "%EMAILADDRESS%", AuthOAuth2 | AuthPassword}},
			Docs: "https://help.yahoo.com/kb/new-mail-for-desktop/imap-server-settings-yahoo-mail-sln4075.html"},
		{ID: "office365.com", Name: "Microsoft 365", ShortName: "Microsoft 365",
			Domains: []string{"office365.com", "onmicrosoft.com", "mail.protection.outlook.com"},
			IMAP:    []ispdbServer{{"outlook.office365.com", 993, TLS, "%EMAILADDRESS%", AuthOAuth2}},
			SMTP:    []ispdbServer{{"smtp.office365.com", 587, STARTTLS, "%EMAILADDRESS%", AuthOAuth2}}},
		{ID: "web.de", Name: "WEB.DE Freemail", ShortName: "WEB.DE",
			Domains: []string{"web.de"},
			IMAP: []ispdbServer{
				{"imap.web.de", 993, TLS, "%EMAILLOCALPART%", AuthPassword},
				{"imap.web.de", 143, STARTTLS, "%EMAILLOCALPART%", AuthPassword},
			},
			SMTP: []ispdbServer{
				{"smtp.web.de", 465, TLS, "%EMAILLOCALPART%", AuthPassword},
				{"smtp.web.de", 587, STARTTLS, "%EMAILLOCALPART%", AuthPassword},
			},
			Docs:   "https://hilfe.web.de/pop-imap/imap/imap-serverdaten.html",
			Enable: "https://hilfe.web.de/pop-imap/einschalten.html"},
		{ID: "mit.edu", Name: "MIT Mail", ShortName: "MIT",
			Domains: []string{"mit.edu"},
			IMAP:    []ispdbServer{{"outlook.office365.com", 993, TLS, "%EMAILADDRESS%", AuthOAuth2}},
			SMTP:    []ispdbServer{{"outgoing.mit.edu", 465, TLS, "%EMAILLOCALPART%", AuthPassword}},
			Docs:    "https://kb.mit.edu/confluence/display/istcontrib/Microsoft+365+Email+and+Calendaring+-+Configure+via+IMAP+Settings"},
		// Its display name is a placeholder: the catalogue names it by its file (below).
		{ID: "inbox.lv", Name: "%EMAILDOMAIN%", ShortName: "%EMAILDOMAIN%",
			Domains: []string{"inbox.lv", "inbox.eu", "inbox.lt", "inbox.la"},
			IMAP:    []ispdbServer{{"mail.%EMAILDOMAIN%", 993, TLS, "%EMAILADDRESS%", AuthPassword}},
			SMTP:    []ispdbServer{{"mail.%EMAILDOMAIN%", 465, TLS, "%EMAILADDRESS%", AuthPassword}},
			Docs:    "https://help.inbox.lv/?keyword=email_clients_settings",
			Enable:  "https://help.inbox.lv/?keyword=email_clients_access"},
	}
	for _, id := range []string{"inbox.lv", "hotmail.com"} {
		e, _ := catalogByDomain(byID[id].Domains[0])
		if e.Name == "" || strings.Contains(e.Name, "%") {
			t.Errorf("%s is named %q in the catalogue", id, e.Name)
		}
	}
	for _, w := range want {
		got, ok := byID[w.ID]
		if !ok {
			t.Errorf("%s missing from the table", w.ID)
			continue
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", w.ID, got, w)
		}
	}
}

// ownerOf is the catalogue entry an ISPDB file's facts went to: the hand-written entry
// naming it, else its own.
func ownerOf(id string) string {
	for _, h := range handCatalog {
		if slices.Contains(h.ispdb, id) {
			return h.ID
		}
	}
	return id
}

func TestEveryISPDBDomainAndMXKeyLeadsToItsProvider(t *testing.T) {
	if len(catalogDuplicates) > 0 {
		t.Errorf("domains or MX keys claimed twice: %q", catalogDuplicates)
	}
	n := 0
	for _, p := range ispdb {
		want := ownerOf(p.ID)
		for _, d := range p.Domains {
			n++
			if e, ok := catalogByDomain(d); !ok || e.ID != want {
				t.Errorf("address domain %s: got %q (found %v), want %s", d, e.ID, ok, want)
			}
			for _, host := range []string{d, "mx-test-host." + d} {
				if e, ok := catalogByMX(host); !ok || e.ID != want {
					t.Errorf("MX %s: got %q (found %v), want %s", host, e.ID, ok, want)
				}
			}
		}
	}
	if n != 962 {
		t.Errorf("checked %d domains, want all 962", n)
	}
	seen := map[string]string{}
	for _, e := range catalog {
		for _, d := range e.domains() {
			if other, dup := seen[d]; dup {
				t.Errorf("domain %s listed by %s and %s", d, other, e.ID)
			}
			seen[d] = e.ID
		}
	}
	// The MX hosts of the big providers, as their customers' domains publish them; the
	// longest key wins (yahoodns.net is Yahoo's, mail.gm0.yahoodns.net AOL's).
	for host, want := range map[string]string{
		"hotmail-com.olc.protection.outlook.com": "outlook",
		"eur.olc.protection.outlook.com":         "outlook",
		"contoso-fr.mail.protection.outlook.com": "microsoft365",
		"mta5.am0.yahoodns.net":                  "yahoo",
		"mx-aol.mail.gm0.yahoodns.net":           "aol",
		"in1-smtp.messagingengine.com":           "fastmail",
		"aspmx.l.google.com":                     "gmail",
		"mx1.mail.ovh.net":                       "ovh",
		"mta-gw.infomaniak.ch":                   "infomaniak",
		"mx00.ionos.de.invalid":                  "",
		"mx.kundenserver.de":                     "1und1.de",
		"mail.zoho.eu":                           "zoho",
		"smtpin.rzone.de":                        "strato.de",
	} {
		e, ok := catalogByMX(host)
		if want == "" {
			if ok {
				t.Errorf("MX %s: got %s, want none", host, e.ID)
			}
			continue
		}
		if !ok || e.ID != want {
			t.Errorf("MX %s: got %q, want %s", host, e.ID, want)
		}
	}
}

func TestAddressesFindTheirProviders(t *testing.T) {
	cases := []struct {
		email, provider string
		imap            Server
		signIn          string
		password        bool
	}{
		{"x@hotmail.co.uk", "outlook", Server{"outlook.office365.com", 993, TLS, "x@hotmail.co.uk"}, SignInMicrosoft, false},
		{"x@outlook.com.br", "outlook", Server{"outlook.office365.com", 993, TLS, "x@outlook.com.br"}, SignInMicrosoft, false},
		{"x@yahoo.de", "yahoo", Server{"imap.mail.yahoo.com", 993, TLS, "x@yahoo.de"}, "", true},
		{"x@rocketmail.com", "yahoo", Server{"imap.mail.yahoo.com", 993, TLS, "x@rocketmail.com"}, "", true},
		{"x@gmx.at", "gmx", Server{"imap.gmx.net", 993, TLS, "x@gmx.at"}, "", true},
		{"x@gmx.ch", "gmx", Server{"imap.gmx.net", 993, TLS, "x@gmx.ch"}, "", true},
		{"x@gmx.eu", "gmx", Server{"imap.gmx.net", 993, TLS, "x@gmx.eu"}, "", true},
		{"x@gmx.co.uk", "gmx", Server{"imap.gmx.com", 993, TLS, "x@gmx.co.uk"}, "", true},
		{"x@aol.de", "aol", Server{"imap.aol.com", 993, TLS, "x@aol.de"}, "", true},
		{"x@zohomail.in", "zoho", Server{"imap.zoho.in", 993, TLS, "x@zohomail.in"}, "", true},
		{"x@fastmail.fm", "fastmail", Server{"imap.fastmail.com", 993, TLS, "x@fastmail.fm"}, "", true},
		{"x@club-internet.fr", "sfr", Server{"imap.sfr.fr", 993, TLS, "x@club-internet.fr"}, "", true},
		{"x@inbox.eu", "inbox.lv", Server{"mail.inbox.eu", 993, TLS, "x@inbox.eu"}, "", true},
		{"x@ik.me", "infomaniak", Server{"mail.infomaniak.com", 993, TLS, "x@ik.me"}, "", true},
	}
	e := newEnv(t)
	d := New(e.options())
	for _, tc := range cases {
		t.Run(tc.email, func(t *testing.T) {
			got, err := d.Discover(context.Background(), tc.email)
			if err != nil || len(got) == 0 {
				t.Fatalf("Discover: %v, %v", got, err)
			}
			c := got[0]
			if c.Source != SourceCatalog || c.Provider != tc.provider || c.IMAP != tc.imap || c.SignIn != tc.signIn || c.Auth.Password() != tc.password {
				t.Fatalf("got %s %s %+v sign-in %q auth %b", c.Source, c.Provider, c.IMAP, c.SignIn, c.Auth)
			}
		})
	}
}

func TestADomainWhoseMXIsOutlookComFindsIt(t *testing.T) {
	e := newEnv(t)
	e.dns.add(t, "family.test. 60 IN MX 10 family-test.olc.protection.outlook.com.")
	got, err := New(e.options()).Discover(context.Background(), "anne@family.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Source != SourceMX || got[0].Provider != "outlook" || got[0].SignIn != SignInMicrosoft ||
		got[0].IMAP.Host != "outlook.office365.com" || got[0].Origin["host"] != "family-test.olc.protection.outlook.com" {
		t.Fatalf("got %s, want Outlook.com found by the MX", summary(got))
	}
	if got[0].Auth.Password() {
		t.Fatalf("Outlook.com's servers take only Microsoft's sign-in; got auth %b", got[0].Auth)
	}
}

// countingVerifier records the candidates it was given a password for.
type countingVerifier struct{ tried []string }

func (v *countingVerifier) Check(_ context.Context, c Candidate) error {
	v.tried = append(v.tried, c.IMAP.Host)
	return nil
}

func TestASignInOnlyProviderNeverGetsAPassword(t *testing.T) {
	t.Run("no catalogue entry offers a password where only a sign-in works", func(t *testing.T) {
		signInOnly := 0
		for _, e := range catalog {
			for _, s := range e.sets {
				if s.imap.Host == "" {
					continue
				}
				a := address{Email: "x@" + e.ID + ".test", Local: "x", Domain: e.ID + ".test"}
				if len(s.domains) > 0 {
					a = address{Email: "x@" + s.domains[0], Local: "x", Domain: s.domains[0]}
				}
				c, ok := e.candidate(a.Domain, SourceCatalog, nil)
				if !ok {
					t.Fatalf("%s: no candidate", e.ID)
				}
				c, _ = settle(c, a)
				if !c.Auth.SignInOnly() {
					continue
				}
				signInOnly++
				hasNote := slices.ContainsFunc(c.Notes, func(n Note) bool { return n.Code == NoteSignInUnsupported })
				if c.Auth.Password() || (c.SignIn == "") != hasNote {
					t.Errorf("%s (%s): auth %b sign-in %q notes %+v", e.ID, a.Domain, c.Auth, c.SignIn, c.Notes)
				}
			}
		}
		if signInOnly < 3 { // Outlook.com, Microsoft 365, MIT
			t.Fatalf("%d sign-in-only settings: the test would prove nothing", signInOnly)
		}
		for _, p := range Providers() {
			if (p.ID == "outlook" || p.ID == "microsoft365") != p.Auth.SignInOnly() {
				t.Errorf("tile %s: auth %b", p.ID, p.Auth)
			}
		}
	})
	t.Run("the search stops at Outlook.com's servers without sending the password", func(t *testing.T) {
		e := newEnv(t)
		v := &countingVerifier{}
		c, attempts, err := New(e.options()).DiscoverVerified(context.Background(), "x@hotmail.co.uk", v)
		if !ErrSignInOnly.Is(err) || !fault.Is(err, fault.AuthFailed) {
			t.Fatalf("err = %v, want discovery_sign_in_only", err)
		}
		if len(v.tried) != 0 {
			t.Fatalf("the password was tried at %q", v.tried)
		}
		fe, _ := fault.As(err)
		if c.Provider != "outlook" || c.SignIn != SignInMicrosoft || len(attempts) != 1 || fe.Params["signIn"] != SignInMicrosoft {
			t.Fatalf("candidate %+v, attempts %d, params %v", c, len(attempts), fe.Params)
		}
	})
	t.Run("an autoconfig file allowing only OAuth2 for a provider Mailroom has no sign-in for", func(t *testing.T) {
		e := newEnv(t)
		e.dns.A(t, "autoconfig.oauth.test")
		e.web.xml("autoconfig.oauth.test/mail/config-v1.1.xml", `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="oauth.test">
  <incomingServer type="imap"><hostname>imap.oauth.test</hostname><port>993</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.oauth.test</hostname><port>465</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></outgoingServer>
</emailProvider></clientConfig>`)
		v := &countingVerifier{}
		c, _, err := New(e.options()).DiscoverVerified(context.Background(), "x@oauth.test", v)
		if !ErrSignInOnly.Is(err) || len(v.tried) != 0 {
			t.Fatalf("err = %v, tried %q", err, v.tried)
		}
		if c.SignIn != "" || c.Auth.Password() || !slices.ContainsFunc(c.Notes, func(n Note) bool { return n.Code == NoteSignInUnsupported }) {
			t.Fatalf("got %+v, want the note that Mailroom lacks this sign-in", c)
		}
	})
}

func TestAutoconfigIsReadTolerantly(t *testing.T) {
	doc := func(encoding, name, instruction string) string {
		return `<?xml version="1.0" encoding="` + encoding + `"?>
<clientConfig version="1.1"><emailProvider id="x">
  <displayName>` + name + `</displayName>
  <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>465</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>password-encrypted</authentication></outgoingServer>
  <enable visiturl="https://webmail.example.org/settings?tab=imap&amp;x=1">
    <instruction lang="fr-FR">Activez l&apos;accès IMAP.</instruction>
    <instruction lang="en-US">` + instruction + `</instruction>
  </enable>
</emailProvider></clientConfig>`
	}
	encode := func(t *testing.T, cm *charmap.Charmap, s string) []byte {
		b, err := cm.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name, want string
		data       func(t *testing.T) []byte
	}{
		{"windows-1252 read as such (curly quotes, euro sign)", "Turn on “IMAP” – costs 0 €",
			func(t *testing.T) []byte {
				return encode(t, charmap.Windows1252, doc("windows-1252", "X", "Turn on “IMAP” – costs 0 €"))
			}},
		{"ISO-8859-1 labelled, windows-1252 bytes (as browsers read it)", "Turn on “IMAP”",
			func(t *testing.T) []byte {
				return encode(t, charmap.Windows1252, doc("ISO-8859-1", "X", "Turn on “IMAP”"))
			}},
		{"ISO-8859-15 (the euro sign at 0xA4)", "IMAP access costs 0 € for Œuvre",
			func(t *testing.T) []byte {
				return encode(t, charmap.ISO8859_15, doc("ISO-8859-15", "X", "IMAP access costs 0 € for Œuvre"))
			}},
		{"HTML entities", "Allow IMAP in Paramètres → Comptes, then press “Save”",
			func(t *testing.T) []byte {
				return []byte(doc("UTF-8", "Caf&eacute;&nbsp;Mail", "Allow&nbsp;IMAP in Param&egrave;tres &rarr; Comptes, then press &ldquo;Save&rdquo;"))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseAutoconfig(tc.data(t), testAddr)
			if err != nil {
				t.Fatal(err)
			}
			if c.IMAP.Host != "imap.example.org" || c.SMTP.Host != "smtp.example.org" || c.Auth != AuthPassword {
				t.Fatalf("got %+v", c)
			}
			if len(c.Notes) != 1 || c.Notes[0].Code != NoteEnableIMAPFirst {
				t.Fatalf("notes %+v", c.Notes)
			}
			n := c.Notes[0]
			if strings.Join(strings.Fields(n.Detail), " ") != strings.Join(strings.Fields(strings.ReplaceAll(tc.want, "\u00a0", " ")), " ") {
				t.Errorf("Detail = %q, want the en-US instruction %q", n.Detail, tc.want)
			}
			if n.URL != "https://webmail.example.org/settings?tab=imap&x=1" {
				t.Errorf("URL = %q, want the visiturl", n.URL)
			}
		})
	}
	t.Run("a visiturl that is not a web page is dropped", func(t *testing.T) {
		c, err := parseAutoconfig([]byte(strings.Replace(doc("UTF-8", "X", "Turn IMAP on"), "https://webmail.example.org/settings?tab=imap&amp;x=1", "javascript:alert(1)", 1)), testAddr)
		if err != nil || len(c.Notes) != 1 || c.Notes[0].URL != "" || c.Notes[0].Detail != "Turn IMAP on" {
			t.Fatalf("got %+v, %v", c.Notes, err)
		}
	})
}

func TestMozillasISPDBServiceIsOneMoreSource(t *testing.T) {
	doc := autoconfigXML("imap.central.test", 993, "SSL", "smtp.central.test", 465, "SSL", "%EMAILADDRESS%")
	t.Run("asked with the domain only, after the domain's own files", func(t *testing.T) {
		e := newEnv(t)
		e.dns.A(t, "ispdb.test")
		e.web.xml("ispdb.test/v1.1/small-isp.test", doc)
		got, err := New(e.options()).Discover(context.Background(), "paul@small-isp.test")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Source != SourceAutoconfig || got[0].IMAP.Host != "imap.central.test" ||
			!strings.HasPrefix(got[0].Origin["url"], "https://ispdb.test:") {
			t.Fatalf("got %s", summary(got))
		}
		e.web.mu.Lock()
		defer e.web.mu.Unlock()
		for _, u := range e.web.urls {
			if strings.HasPrefix(u, "ispdb.test") && strings.Contains(u, "paul") {
				t.Errorf("the service was told the address: %s", u)
			}
		}
	})
	t.Run("the domain's own file wins", func(t *testing.T) {
		e := newEnv(t)
		e.dns.A(t, "ispdb.test", "autoconfig.own.test")
		e.web.xml("ispdb.test/v1.1/own.test", doc)
		e.web.xml("autoconfig.own.test/mail/config-v1.1.xml", autoconfigXML("imap.own.test", 993, "SSL", "smtp.own.test", 465, "SSL", ""))
		got, err := New(e.options()).Discover(context.Background(), "paul@own.test")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].IMAP.Host != "imap.own.test" || got[1].IMAP.Host != "imap.central.test" {
			t.Fatalf("got %s", summary(got))
		}
	})
	t.Run("off", func(t *testing.T) {
		e := newEnv(t)
		e.dns.A(t, "ispdb.test")
		e.web.handle("ispdb.test/v1.1/small-isp.test", func(rw http.ResponseWriter, _ *http.Request) {
			t.Error("the service was asked although turned off")
		})
		opts := e.options()
		opts.ISPDBURL = ISPDBOff
		if got, err := New(opts).Discover(context.Background(), "paul@small-isp.test"); err != nil || len(got) != 0 {
			t.Fatalf("got %s, %v", summary(got), err)
		}
	})
	t.Run("on by default, at Mozilla's address", func(t *testing.T) {
		d := New(Options{Resolver: NewDNSServerResolver("127.0.0.1:9")})
		var ac autoconfigSource
		for _, s := range d.sources {
			if a, ok := s.(autoconfigSource); ok {
				ac = a
			}
		}
		if !slices.Contains(ac.templates, "https://autoconfig.thunderbird.net/v1.1/{domain}") || ac.templates[len(ac.templates)-1] != DefaultISPDBURL {
			t.Fatalf("templates %q", ac.templates)
		}
	})
}
