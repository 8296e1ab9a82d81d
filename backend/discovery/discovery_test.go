package discovery

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"mailroom/backend/fault"
)

func TestFindsSettingsFromEachSourceAlone(t *testing.T) {
	cases := []struct {
		name  string
		email string
		setup func(t *testing.T, e *env)
		want  Candidate // Origin is checked with wantOrigin
		// wantOrigin is a substring of the candidate's Origin.
		wantOrigin string
	}{
		{
			name:  "a domain preset, its username placeholder resolved",
			email: "alice@preset.test",
			setup: func(t *testing.T, e *env) {
				e.presets["preset.test"] = &Candidate{
					IMAP: Server{Host: "IMAP.Preset.Test.", Port: 993, Security: TLS, Username: "%EMAILLOCALPART%"},
					SMTP: Server{Host: "smtp.preset.test", Port: 587, Security: STARTTLS},
				}
			},
			want: Candidate{Source: SourcePreset,
				IMAP: Server{"imap.preset.test", 993, TLS, "alice"},
				SMTP: Server{"smtp.preset.test", 587, STARTTLS, "alice@preset.test"}},
			wantOrigin: "preset.test",
		},
		{
			name:  "the catalogue, with the provider's note",
			email: "bob@gmx.fr",
			setup: func(t *testing.T, e *env) {},
			want: Candidate{Source: SourceCatalog, Provider: "gmx",
				IMAP:  Server{"imap.gmx.com", 993, TLS, "bob@gmx.fr"},
				SMTP:  Server{"mail.gmx.com", 465, TLS, "bob@gmx.fr"},
				Notes: []Note{{Code: noteIMAPFirstGMX.Code, Text: noteIMAPFirstGMX.Text, URL: "https://hilfe.gmx.net/pop-imap/einschalten.html"}}},
			wantOrigin: "https://hilfe.gmx.net/",
		},
		{
			name:  "autoconfig at autoconfig.DOMAIN",
			email: "carol@ac.test",
			setup: func(t *testing.T, e *env) {
				e.dns.A(t, "autoconfig.ac.test")
				e.web.xml("autoconfig.ac.test/mail/config-v1.1.xml",
					autoconfigXML("imap.ac.test", 993, "SSL", "smtp.ac.test", 465, "SSL", "%EMAILLOCALPART%"))
			},
			want: Candidate{Source: SourceAutoconfig,
				IMAP: Server{"imap.ac.test", 993, TLS, "carol"},
				SMTP: Server{"smtp.ac.test", 465, TLS, "carol"}},
			wantOrigin: "https://autoconfig.ac.test:",
		},
		{
			name:  "autoconfig at the well-known URL when autoconfig.DOMAIN does not exist",
			email: "dan@wk.test",
			setup: func(t *testing.T, e *env) {
				e.dns.A(t, "wk.test") // no autoconfig.wk.test
				e.web.xml("wk.test/.well-known/autoconfig/mail/config-v1.1.xml",
					autoconfigXML("mail.wk.test", 143, "STARTTLS", "mail.wk.test", 587, "STARTTLS", "%EMAILADDRESS%"))
			},
			want: Candidate{Source: SourceAutoconfig,
				IMAP: Server{"mail.wk.test", 143, STARTTLS, "dan@wk.test"},
				SMTP: Server{"mail.wk.test", 587, STARTTLS, "dan@wk.test"}},
			wantOrigin: "/.well-known/autoconfig/mail/config-v1.1.xml",
		},
		{
			name:  "RFC 6186 SRV records",
			email: "erin@srv.test",
			setup: func(t *testing.T, e *env) {
				e.dns.add(t,
					"_imaps._tcp.srv.test. 60 IN SRV 0 1 993 imap.provider.test.",
					"_submission._tcp.srv.test. 60 IN SRV 0 1 587 smtp.provider.test.")
			},
			want: Candidate{Source: SourceSRV,
				IMAP: Server{"imap.provider.test", 993, TLS, "erin@srv.test"},
				SMTP: Server{"smtp.provider.test", 587, STARTTLS, "erin@srv.test"}},
			wantOrigin: "_imaps._tcp.srv.test",
		},
		{
			name:  "a Google MX suggests Sign in with Google",
			email: "fay@gw.test",
			setup: func(t *testing.T, e *env) {
				e.dns.add(t,
					"gw.test. 60 IN MX 5 alt1.aspmx.l.google.com.",
					"gw.test. 60 IN MX 1 aspmx.l.google.com.")
			},
			want: Candidate{Source: SourceMX, Provider: "gmail", SignIn: SignInGoogle,
				IMAP:  Server{"imap.gmail.com", 993, TLS, "fay@gw.test"},
				SMTP:  Server{"smtp.gmail.com", 465, TLS, "fay@gw.test"},
				Notes: catalogNotes(t, "gmail")},
			wantOrigin: "aspmx.l.google.com",
		},
		{
			name:  "a Microsoft 365 MX suggests Sign in with Microsoft",
			email: "gus@ms.test",
			setup: func(t *testing.T, e *env) {
				e.dns.add(t, "ms.test. 60 IN MX 0 ms-test.mail.protection.outlook.com.")
			},
			want: Candidate{Source: SourceMX, Provider: "microsoft365", SignIn: SignInMicrosoft,
				IMAP:  Server{"outlook.office365.com", 993, TLS, "gus@ms.test"},
				SMTP:  Server{"smtp.office365.com", 587, STARTTLS, "gus@ms.test"},
				Notes: catalogNotes(t, "microsoft365")},
			wantOrigin: "ms-test.mail.protection.outlook.com",
		},
		{
			name:  "an OVH MX gives OVH's servers",
			email: "hal@shop.test",
			setup: func(t *testing.T, e *env) {
				e.dns.add(t, "shop.test. 60 IN MX 1 mx1.mail.ovh.net.", "shop.test. 60 IN MX 100 mx3.mail.ovh.net.")
			},
			want: Candidate{Source: SourceMX, Provider: "ovh",
				IMAP: Server{"ssl0.ovh.net", 993, TLS, "hal@shop.test"},
				SMTP: Server{"ssl0.ovh.net", 465, TLS, "hal@shop.test"}},
			wantOrigin: "mx1.mail.ovh.net",
		},
		{
			name:  "an Infomaniak MX gives Infomaniak's servers",
			email: "ivy@atelier.test",
			setup: func(t *testing.T, e *env) {
				e.dns.add(t, "atelier.test. 60 IN MX 5 mta-gw.infomaniak.ch.")
			},
			want: Candidate{Source: SourceMX, Provider: "infomaniak",
				IMAP: Server{"mail.infomaniak.com", 993, TLS, "ivy@atelier.test"},
				SMTP: Server{"mail.infomaniak.com", 465, TLS, "ivy@atelier.test"}},
			wantOrigin: "mta-gw.infomaniak.ch",
		},
		{
			name:  "guesses that resolve and accept a connection",
			email: "jo@guess.test",
			setup: func(t *testing.T, e *env) {
				e.dns.A(t, "imap.guess.test", "smtp.guess.test")
				e.dialer.route(993, listen(t))
				e.dialer.route(465, listen(t))
			},
			want: Candidate{Source: SourceGuess,
				IMAP:  Server{"imap.guess.test", 993, TLS, "jo@guess.test"},
				SMTP:  Server{"smtp.guess.test", 465, TLS, "jo@guess.test"},
				Notes: []Note{{Code: NoteGuessed, Text: "These settings were guessed from the usual server names of guess.test: the connection test will confirm them."}}},
			wantOrigin: "guess.test",
		},
		{
			name:  "guesses fall back to STARTTLS ports and to mail.DOMAIN",
			email: "kim@guess2.test",
			setup: func(t *testing.T, e *env) {
				e.dns.A(t, "imap.guess2.test", "mail.guess2.test", "smtp.guess2.test")
				e.dialer.route(143, listen(t)) // no 993 anywhere
				e.dialer.route(465, listen(t)) // mail.guess2.test:465 and smtp.guess2.test:465 both answer
			},
			want: Candidate{Source: SourceGuess,
				IMAP:  Server{"imap.guess2.test", 143, STARTTLS, "kim@guess2.test"},
				SMTP:  Server{"smtp.guess2.test", 465, TLS, "kim@guess2.test"},
				Notes: []Note{{Code: NoteGuessed, Text: "These settings were guessed from the usual server names of guess2.test: the connection test will confirm them."}}},
			wantOrigin: "guess2.test",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(t, e)
			got, err := New(e.options()).Discover(context.Background(), tc.email)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d candidates, want 1: %+v", len(got), got)
			}
			c := got[0]
			if !strings.Contains(originText(c.Origin), tc.wantOrigin) {
				t.Errorf("Origin = %q, want a param containing %q", c.Origin, tc.wantOrigin)
			}
			c.Origin, tc.want.Origin = nil, nil
			assertCandidate(t, c, tc.want)
		})
	}
}

func TestSourcesAreOrderedByPriority(t *testing.T) {
	e := newEnv(t)
	// laposte.net is in the catalogue; every other source is served locally for it too.
	e.presets["laposte.net"] = &Candidate{
		IMAP: Server{Host: "imap.preset.test", Port: 993, Security: TLS},
		SMTP: Server{Host: "smtp.preset.test", Port: 465, Security: TLS},
	}
	e.dns.A(t, "autoconfig.laposte.net", "mail.laposte.net")
	e.web.xml("autoconfig.laposte.net/mail/config-v1.1.xml",
		autoconfigXML("imap.autoconfig.test", 993, "SSL", "smtp.autoconfig.test", 465, "SSL", "%EMAILADDRESS%"))
	e.dns.add(t,
		"_imaps._tcp.laposte.net. 60 IN SRV 0 1 993 imap.srv.test.",
		"_submissions._tcp.laposte.net. 60 IN SRV 0 1 465 smtp.srv.test.",
		"laposte.net. 60 IN MX 10 aspmx.l.google.com.")
	e.dialer.route(993, listen(t))
	e.dialer.route(465, listen(t))

	got, err := New(e.options()).Discover(context.Background(), "lea@laposte.net")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		src  Source
		imap string
	}{
		{SourcePreset, "imap.preset.test"},
		{SourceCatalog, "imap.laposte.net"},
		{SourceAutoconfig, "imap.autoconfig.test"},
		{SourceSRV, "imap.srv.test"},
		{SourceMX, "imap.gmail.com"},
		{SourceGuess, "mail.laposte.net"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d candidates, want %d: %s", len(got), len(want), summary(got))
	}
	for i, w := range want {
		if got[i].Source != w.src || got[i].IMAP.Host != w.imap {
			t.Errorf("candidate %d = %s %s, want %s %s (all: %s)", i, got[i].Source, got[i].IMAP.Host, w.src, w.imap, summary(got))
		}
	}
}

func TestIdenticalSettingsAreListedOnceUnderTheBestSource(t *testing.T) {
	e := newEnv(t)
	e.dns.A(t, "autoconfig.gmx.fr")
	e.web.xml("autoconfig.gmx.fr/mail/config-v1.1.xml",
		autoconfigXML("imap.gmx.com", 993, "SSL", "mail.gmx.com", 465, "SSL", "%EMAILADDRESS%"))
	got, err := New(e.options()).Discover(context.Background(), "max@gmx.fr")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Source != SourceCatalog {
		t.Fatalf("got %s, want the catalogue's candidate only", summary(got))
	}
	if e.web.hitCount("autoconfig.gmx.fr/mail/config-v1.1.xml") != 1 {
		t.Fatalf("the autoconfig file was not fetched: the test would prove nothing")
	}
}

func TestAutoconfigFilesThatGiveNoCandidate(t *testing.T) {
	cases := []struct {
		name string
		body string
	}{
		{"plain socketType is never proposed",
			autoconfigXML("imap.bad.test", 143, "plain", "smtp.bad.test", 25, "plain", "%EMAILADDRESS%")},
		{"plain IMAP with a good SMTP is still incomplete",
			autoconfigXML("imap.bad.test", 143, "plain", "smtp.bad.test", 465, "SSL", "%EMAILADDRESS%")},
		{"malformed XML", `<clientConfig version="1.1"><emailProvider><incomingServer type="imap"><hostname>imap.bad.test`},
		{"an HTML page instead of XML", `<!DOCTYPE html><html><body>Welcome to nginx!</body></html>`},
		{"a port out of range", autoconfigXML("imap.bad.test", 99999, "SSL", "smtp.bad.test", 465, "SSL", "")},
		{"an empty file", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.dns.A(t, "autoconfig.bad.test", "bad.test")
			e.web.xml("autoconfig.bad.test/mail/config-v1.1.xml", tc.body)
			got, err := New(e.options()).Discover(context.Background(), "ned@bad.test")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Fatalf("got %s, want nothing", summary(got))
			}
			if e.web.hitCount("autoconfig.bad.test/mail/config-v1.1.xml") != 1 {
				t.Fatal("the autoconfig file was not fetched: the test would prove nothing")
			}
		})
	}
}

func TestAutoconfigSendsTheAddressAndPrefersAutoconfigDomain(t *testing.T) {
	e := newEnv(t)
	e.dns.A(t, "autoconfig.both.test", "both.test")
	e.web.xml("autoconfig.both.test/mail/config-v1.1.xml",
		autoconfigXML("imap.first.test", 993, "SSL", "smtp.first.test", 465, "SSL", ""))
	e.web.xml("both.test/.well-known/autoconfig/mail/config-v1.1.xml",
		autoconfigXML("imap.second.test", 993, "SSL", "smtp.second.test", 465, "SSL", ""))
	got, err := New(e.options()).Discover(context.Background(), "o+tag@both.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].IMAP.Host != "imap.first.test" || got[1].IMAP.Host != "imap.second.test" {
		t.Fatalf("got %s, want autoconfig.DOMAIN's then the well-known file's", summary(got))
	}
	e.web.mu.Lock()
	defer e.web.mu.Unlock()
	if !slices.Contains(e.web.urls, "autoconfig.both.test/mail/config-v1.1.xml?emailaddress=o%2Btag%40both.test") {
		t.Fatalf("requests %q: want the escaped address in the autoconfig query", e.web.urls)
	}
}

func TestAutoconfigIsTrustedOnlyOverAVerifiedCertificate(t *testing.T) {
	cases := []struct {
		name      string
		trustCA   bool
		wantFound int
	}{
		{"a certificate from a trusted authority", true, 1},
		{"a certificate the system does not trust", false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.dns.A(t, "autoconfig.tls.test")
			e.web.xml("autoconfig.tls.test/mail/config-v1.1.xml",
				autoconfigXML("imap.tls.test", 993, "SSL", "smtp.tls.test", 465, "SSL", ""))
			opts := e.options()
			if !tc.trustCA {
				opts.HTTPClient = nil // the default client: the system's roots, without the test CA
			}
			got, err := New(opts).Discover(context.Background(), "pat@tls.test")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.wantFound {
				t.Fatalf("got %s, want %d candidates", summary(got), tc.wantFound)
			}
		})
	}
}

func TestAutoconfigRefusesARedirectToPlainHTTP(t *testing.T) {
	e := newEnv(t)
	e.dns.A(t, "autoconfig.redir.test")
	e.web.handle("autoconfig.redir.test/mail/config-v1.1.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://autoconfig.redir.test:"+e.web.port+"/plain.xml", http.StatusFound)
	})
	got, err := New(e.options()).Discover(context.Background(), "quinn@redir.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("got %s after a redirect to plain HTTP", summary(got))
	}
	if e.web.hitCount("autoconfig.redir.test/mail/config-v1.1.xml") != 1 {
		t.Fatal("the autoconfig URL was not fetched: the test would prove nothing")
	}
}

func TestSRVRecordOrder(t *testing.T) {
	cases := []struct {
		name     string
		records  []string
		wantIMAP *Server // nil: no candidate
	}{
		{
			name: "a \".\" target means IMAPS is not offered: IMAP with STARTTLS is used",
			records: []string{
				"_imaps._tcp.o.test. 60 IN SRV 0 0 0 .",
				"_imap._tcp.o.test. 60 IN SRV 10 1 143 imap.o.test.",
			},
			wantIMAP: &Server{"imap.o.test", 143, STARTTLS, "u@o.test"},
		},
		{
			name: "\".\" targets for both IMAP services: no candidate",
			records: []string{
				"_imaps._tcp.o.test. 60 IN SRV 0 0 0 .",
				"_imap._tcp.o.test. 60 IN SRV 0 0 0 .",
			},
		},
		{
			name: "the lowest priority wins",
			records: []string{
				"_imaps._tcp.o.test. 60 IN SRV 20 100 993 backup.o.test.",
				"_imaps._tcp.o.test. 60 IN SRV 10 1 993 main.o.test.",
			},
			wantIMAP: &Server{"main.o.test", 993, TLS, "u@o.test"},
		},
		{
			name: "at equal priority the higher weight wins",
			records: []string{
				"_imaps._tcp.o.test. 60 IN SRV 10 10 993 light.o.test.",
				"_imaps._tcp.o.test. 60 IN SRV 10 90 993 heavy.o.test.",
			},
			wantIMAP: &Server{"heavy.o.test", 993, TLS, "u@o.test"},
		},
		{
			name: "priorities compete across IMAP and IMAPS",
			records: []string{
				"_imaps._tcp.o.test. 60 IN SRV 20 1 993 tls.o.test.",
				"_imap._tcp.o.test. 60 IN SRV 10 1 143 starttls.o.test.",
			},
			wantIMAP: &Server{"starttls.o.test", 143, STARTTLS, "u@o.test"},
		},
		{
			name: "at equal priority implicit TLS wins",
			records: []string{
				"_imap._tcp.o.test. 60 IN SRV 10 1 143 starttls.o.test.",
				"_imaps._tcp.o.test. 60 IN SRV 10 1 993 tls.o.test.",
			},
			wantIMAP: &Server{"tls.o.test", 993, TLS, "u@o.test"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.dns.add(t, tc.records...)
			e.dns.add(t, "_submissions._tcp.o.test. 60 IN SRV 0 1 465 smtp.o.test.")
			got, err := New(e.options()).Discover(context.Background(), "u@o.test")
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantIMAP == nil {
				if len(got) != 0 {
					t.Fatalf("got %s, want nothing", summary(got))
				}
				return
			}
			if len(got) != 1 || got[0].Source != SourceSRV {
				t.Fatalf("got %s, want one SRV candidate", summary(got))
			}
			if got[0].IMAP != *tc.wantIMAP {
				t.Fatalf("IMAP = %+v, want %+v", got[0].IMAP, *tc.wantIMAP)
			}
		})
	}
}

func TestASlowSourceIsCutOffWithoutHoldingTheOthers(t *testing.T) {
	const margin = 1500 * time.Millisecond // scheduling and -race slack, not a performance target
	cases := []struct {
		name          string
		timeout       time.Duration
		sourceTimeout time.Duration
		bound         time.Duration
	}{
		{"the whole search is bounded", time.Second, 0, time.Second},
		{"each source is bounded", 30 * time.Second, 700 * time.Millisecond, 700 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			e.dns.A(t, "autoconfig.slow.test")
			e.web.handle("autoconfig.slow.test/mail/config-v1.1.xml", func(w http.ResponseWriter, r *http.Request) {
				select { // answers long after any bound, or when the client gives up
				case <-r.Context().Done():
				case <-release:
				case <-time.After(time.Minute):
				}
			})
			e.dns.add(t,
				"_imaps._tcp.slow.test. 60 IN SRV 0 1 993 imap.fast.test.",
				"_submissions._tcp.slow.test. 60 IN SRV 0 1 465 smtp.fast.test.")
			opts := e.options()
			opts.Timeout, opts.SourceTimeout = tc.timeout, tc.sourceTimeout

			start := time.Now()
			got, err := New(opts).Discover(context.Background(), "rae@slow.test")
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if took > tc.bound+margin {
				t.Errorf("Discover took %v, want at most the bound %v (+%v)", took, tc.bound, margin)
			}
			if len(got) != 1 || got[0].Source != SourceSRV {
				t.Fatalf("got %s, want the SRV candidate found in time", summary(got))
			}
			if e.web.hitCount("autoconfig.slow.test/mail/config-v1.1.xml") != 1 {
				t.Fatal("the slow server was never asked: the test would prove nothing")
			}
		})
	}
}

func TestDiscoverVerified(t *testing.T) {
	const password = "correct-horse"
	type setup struct {
		e    *env
		imap string // the IMAP server's address
	}
	liar := &Candidate{ // a preset pointing where no IMAP server listens
		IMAP: Server{Host: "imap.liar.test", Port: 10993, Security: TLS},
		SMTP: Server{Host: "smtp.liar.test", Port: 465, Security: TLS},
	}
	cases := []struct {
		name        string
		password    string
		arrange     func(t *testing.T, s setup)
		wantHost    string   // chosen candidate's IMAP host; "" when none
		wantChecked []string // IMAP hosts checked, in order
		wantErr     func(t *testing.T, err error)
	}{
		{
			name:     "a source whose settings fail the check is skipped for the next",
			password: password,
			arrange: func(t *testing.T, s setup) {
				s.e.presets["v.test"] = liar
				s.e.dns.A(t, "imap.liar.test", "imap.real.test")
				s.e.dns.add(t,
					"_imaps._tcp.v.test. 60 IN SRV 0 1 993 imap.real.test.",
					"_submissions._tcp.v.test. 60 IN SRV 0 1 465 smtp.real.test.")
				s.e.dialer.route(993, s.imap)
			},
			wantHost:    "imap.real.test",
			wantChecked: []string{"imap.liar.test", "imap.real.test"},
		},
		{
			name:     "a refused password stops the search: the servers are right",
			password: "wrong",
			arrange: func(t *testing.T, s setup) {
				s.e.presets["v.test"] = &Candidate{
					IMAP: Server{Host: "imap.real.test", Port: 993, Security: TLS},
					SMTP: Server{Host: "smtp.real.test", Port: 465, Security: TLS},
				}
				s.e.dns.A(t, "imap.real.test", "imap.other.test")
				s.e.dns.add(t,
					"_imaps._tcp.v.test. 60 IN SRV 0 1 993 imap.other.test.",
					"_submissions._tcp.v.test. 60 IN SRV 0 1 465 smtp.other.test.")
				s.e.dialer.route(993, s.imap)
			},
			wantHost:    "imap.real.test",
			wantChecked: []string{"imap.real.test"},
			wantErr: func(t *testing.T, err error) {
				if !errors.Is(err, ErrAuth) || !ErrPasswordRefused.Is(err) {
					t.Fatalf("err = %v, want ErrAuth with reason discovery_password_refused", err)
				}
				if fe, _ := fault.As(err); fe.Params["host"] != "imap.real.test" {
					t.Fatalf("params = %v, want the host that refused", fe.Params)
				}
			},
		},
		{
			name:     "when every candidate fails, the error keeps the attempts",
			password: password,
			arrange: func(t *testing.T, s setup) {
				s.e.presets["v.test"] = liar
				s.e.dns.A(t, "imap.liar.test", "imap.down.test")
				s.e.dns.add(t,
					"_imaps._tcp.v.test. 60 IN SRV 0 1 1993 imap.down.test.",
					"_submissions._tcp.v.test. 60 IN SRV 0 1 465 smtp.down.test.")
			},
			wantChecked: []string{"imap.liar.test", "imap.down.test"},
			wantErr: func(t *testing.T, err error) {
				verr, ok := errors.AsType[*VerifyError](err)
				if !ok || len(verr.Attempts) != 2 || verr.Domain != "v.test" {
					t.Fatalf("err = %v, want a *VerifyError with 2 attempts", err)
				}
				if fe, _ := fault.As(err); !ErrNoneWorked.Is(err) || fe.Params["count"] != 2 || fe.Params["domain"] != "v.test" {
					t.Fatalf("err = %v, want discovery_none_worked for 2 candidates of v.test", err)
				}
			},
		},
		{
			name:     "when nothing is found, the error says so",
			password: password,
			arrange:  func(t *testing.T, s setup) {},
			wantErr: func(t *testing.T, err error) {
				if _, ok := errors.AsType[*VerifyError](err); !ok || !ErrNothingFound.Is(err) || !fault.Is(err, fault.NotFound) {
					t.Fatalf("err = %v (reason %s), want a *VerifyError with reason discovery_nothing_found", err, fault.ReasonOf(err))
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			imap := startIMAP(t, "sam@v.test", password)
			tc.arrange(t, setup{e, imap})
			v := &loginVerifier{resolver: e.resolver(), dialer: e.dialer, password: tc.password}

			got, attempts, err := New(e.options()).DiscoverVerified(context.Background(), "sam@v.test", v)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				tc.wantErr(t, err)
			}
			if got.IMAP.Host != tc.wantHost {
				t.Errorf("chose %q, want %q", got.IMAP.Host, tc.wantHost)
			}
			if checked := v.hosts(); !slices.Equal(checked, tc.wantChecked) {
				t.Errorf("checked %q, want %q", checked, tc.wantChecked)
			}
			if len(attempts) != len(tc.wantChecked) {
				t.Fatalf("%d attempts, want %d", len(attempts), len(tc.wantChecked))
			}
			for i, at := range attempts {
				passed := tc.wantErr == nil && i == len(attempts)-1
				if (at.Err == nil) != passed {
					t.Errorf("attempt %d (%s): err = %v", i, at.Candidate.IMAP.Host, at.Err)
				}
			}
		})
	}
}

func TestRejectsBadAddressesWithoutAnyLookup(t *testing.T) {
	bad := []struct{ name, email string }{
		{"empty", ""},
		{"only spaces", "   "},
		{"no @", "alice.example.fr"},
		{"nothing before @", "@example.fr"},
		{"nothing after @", "alice@"},
		{"two @", "alice@@example.fr"},
		{"a domain without a dot", "alice@localhost"},
		{"a space in the domain", "alice@exa mple.fr"},
		{"a space in the local part", "ali ce@example.fr"},
		{"a display name", "Alice <alice@example.fr>"},
		{"a leading dot", ".alice@example.fr"},
		{"two dots in a row", "al..ice@example.fr"},
		{"an empty domain label", "alice@example..fr"},
		{"a label starting with a hyphen", "alice@-example.fr"},
		{"an IP address as domain", "alice@192.168.1.10"},
		{"an accented domain", "alice@exämple.fr"},
		{"a local part over 64 bytes", strings.Repeat("a", 65) + "@example.fr"},
		{"a control character", "ali\x00ce@example.fr"},
	}
	e := newEnv(t)
	d := New(e.options())
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Discover(context.Background(), tc.email)
			if !errors.Is(err, ErrInvalidAddress) || !fault.Is(err, fault.InvalidInput) {
				t.Fatalf("Discover(%q) = %v, %v; want ErrInvalidAddress with code invalid_input", tc.email, got, err)
			}
			fe, _ := errors.AsType[*fault.Error](err)
			if fe.Field != "email" || !strings.HasPrefix(fe.Reason, "discovery_address_") {
				t.Fatalf("error %+v: want the email field and a discovery_address_ reason", fe)
			}
		})
	}
	if n := e.dns.queries.Load(); n != 0 {
		t.Fatalf("%d DNS queries for bad addresses, want none", n)
	}
}

func TestAcceptsAndNormalisesAddresses(t *testing.T) {
	cases := []struct{ in, email, local, domain string }{
		{"alice@example.fr", "alice@example.fr", "alice", "example.fr"},
		{"  Alice.Smith+news@Example.FR.  ", "Alice.Smith+news@example.fr", "Alice.Smith+news", "example.fr"},
		{"élise@xn--exmple-cua.fr", "élise@xn--exmple-cua.fr", "élise", "xn--exmple-cua.fr"},
		{"o'neil@sub.example.co.uk", "o'neil@sub.example.co.uk", "o'neil", "sub.example.co.uk"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			a, err := parseAddress(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if a.Email != tc.email || a.Local != tc.local || a.Domain != tc.domain {
				t.Fatalf("parseAddress(%q) = %+v", tc.in, a)
			}
		})
	}
}

func TestACancelledSearchReturnsTheCancellation(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(e.options()).Discover(ctx, "tom@example.test")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

type panickyPresets struct{}

func (panickyPresets) PresetFor(context.Context, string) (*Candidate, error) { panic("broken store") }

func TestAPanickingPresetStoreLosesOnlyItsOwnCandidates(t *testing.T) {
	e := newEnv(t)
	opts := e.options()
	opts.Presets = panickyPresets{}
	got, err := New(opts).Discover(context.Background(), "uma@icloud.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Source != SourceCatalog {
		t.Fatalf("got %s, want the catalogue's candidate", summary(got))
	}
}

func assertCandidate(t *testing.T, got, want Candidate) {
	t.Helper()
	if got.IMAP != want.IMAP {
		t.Errorf("IMAP = %+v, want %+v", got.IMAP, want.IMAP)
	}
	if got.SMTP != want.SMTP {
		t.Errorf("SMTP = %+v, want %+v", got.SMTP, want.SMTP)
	}
	if got.Source != want.Source || got.Provider != want.Provider || got.SignIn != want.SignIn {
		t.Errorf("Source, Provider, SignIn = %q, %q, %q; want %q, %q, %q",
			got.Source, got.Provider, got.SignIn, want.Source, want.Provider, want.SignIn)
	}
	if !slices.Equal(got.Notes, want.Notes) {
		t.Errorf("Notes = %+v, want %+v", got.Notes, want.Notes)
	}
}

func catalogNotes(t *testing.T, id string) []Note {
	for _, p := range Providers() {
		if p.ID == id {
			return p.Notes
		}
	}
	t.Fatalf("no provider %q", id)
	return nil
}

func summary(cs []Candidate) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, string(c.Source)+":"+c.IMAP.Host)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// originText is an Origin's params, sorted and joined, for substring checks.
func originText(o Origin) string {
	var parts []string
	for k, v := range o {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
