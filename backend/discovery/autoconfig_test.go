package discovery

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testAddr = address{Email: "zoe@example.org", Local: "zoe", Domain: "example.org"}

func TestParsesAutoconfigFiles(t *testing.T) {
	cases := []struct {
		name      string
		doc       string
		wantIMAP  Server
		wantSMTP  Server
		wantNotes []string // note codes
	}{
		{
			name:     "implicit TLS is preferred to STARTTLS whatever the order",
			doc:      mustRead(t, "usable/ssl-and-starttls.xml"),
			wantIMAP: Server{"imap.example.org", 993, TLS, "zoe@example.org"},
			wantSMTP: Server{"smtp.example.org", 465, TLS, "zoe@example.org"},
		},
		{
			name:      "placeholders in host names and usernames are resolved, <enable> becomes a note",
			doc:       mustRead(t, "usable/enable-and-localpart.xml"),
			wantIMAP:  Server{"imap.example.org", 993, TLS, "zoe"},
			wantSMTP:  Server{"smtp.example.org", 587, STARTTLS, "zoe"},
			wantNotes: []string{NoteEnableIMAPFirst},
		},
		{
			name:     "a Latin-1 document is read",
			doc:      mustRead(t, "usable/latin1.xml"),
			wantIMAP: Server{"imap.latin.example", 993, TLS, "zoe@example.org"},
			wantSMTP: Server{"smtp.latin.example", 465, TLS, "zoe@example.org"},
		},
		{
			name: "a plain server is skipped for a STARTTLS one",
			doc: `<clientConfig><emailProvider>
				<incomingServer type="imap"><hostname>a.example</hostname><port>143</port><socketType>plain</socketType></incomingServer>
				<incomingServer type="imap"><hostname>b.example</hostname><port>143</port><socketType>STARTTLS</socketType></incomingServer>
				<outgoingServer type="smtp"><hostname>c.example</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
				<outgoingServer type="smtp"><hostname>d.example</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
			</emailProvider></clientConfig>`,
			wantIMAP: Server{"b.example", 143, STARTTLS, "zoe@example.org"},
			wantSMTP: Server{"d.example", 587, STARTTLS, "zoe@example.org"},
		},
		{
			name: "servers with a bad port or no host are skipped, spaces and case tolerated",
			doc: `<clientConfig><emailProvider>
				<incomingServer type="imap"><hostname>zero.example</hostname><port>0</port><socketType>SSL</socketType></incomingServer>
				<incomingServer type="imap"><hostname></hostname><port>993</port><socketType>SSL</socketType></incomingServer>
				<incomingServer type="imap"><hostname>word.example</hostname><port>imaps</port><socketType>SSL</socketType></incomingServer>
				<incomingServer type="IMAP"><hostname> Good.Example. </hostname><port> 993 </port><socketType> ssl </socketType></incomingServer>
				<outgoingServer type="smtp"><hostname>big.example</hostname><port>65536</port><socketType>SSL</socketType></outgoingServer>
				<outgoingServer type="smtp"><hostname>bad host.example</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
				<outgoingServer type="smtp"><hostname>smtp.example</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
			</emailProvider></clientConfig>`,
			wantIMAP: Server{"good.example", 993, TLS, "zoe@example.org"},
			wantSMTP: Server{"smtp.example", 465, TLS, "zoe@example.org"},
		},
		{
			name: "servers of several emailProvider elements are pooled",
			doc: `<clientConfig>
				<emailProvider><incomingServer type="imap"><hostname>imap.one.example</hostname><port>143</port><socketType>STARTTLS</socketType></incomingServer></emailProvider>
				<emailProvider><incomingServer type="imap"><hostname>imap.two.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
				<outgoingServer type="smtp"><hostname>smtp.two.example</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS</username></outgoingServer></emailProvider>
			</clientConfig>`,
			wantIMAP: Server{"imap.two.example", 993, TLS, "zoe@example.org"},
			wantSMTP: Server{"smtp.two.example", 465, TLS, "zoe@example.org"}, // broken placeholder: the full address
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseAutoconfig([]byte(tc.doc), testAddr)
			if err != nil {
				t.Fatal(err)
			}
			if c.IMAP != tc.wantIMAP || c.SMTP != tc.wantSMTP {
				t.Fatalf("got IMAP %+v SMTP %+v, want %+v %+v", c.IMAP, c.SMTP, tc.wantIMAP, tc.wantSMTP)
			}
			var codes []string
			for _, n := range c.Notes {
				codes = append(codes, n.Code)
				if n.Text == "" || n.Detail == "" {
					t.Errorf("note %q has no text or no instruction of the provider", n.Code)
				}
			}
			if strings.Join(codes, ",") != strings.Join(tc.wantNotes, ",") {
				t.Fatalf("notes %q, want %q", codes, tc.wantNotes)
			}
		})
	}
}

func TestTheEnableNoteKeepsTheProvidersEnglishInstruction(t *testing.T) {
	c, err := parseAutoconfig([]byte(mustRead(t, "usable/enable-and-localpart.xml")), testAddr)
	if err != nil {
		t.Fatal(err)
	}
	want := "You must allow access via POP3 & IMAP once in the e-mail settings of your account!"
	if len(c.Notes) != 1 || c.Notes[0].Detail != want {
		t.Fatalf("notes %+v, want the English instruction %q", c.Notes, want)
	}
}

// TestAutoconfigCorpus parses every file under testdata/autoconfig: usable/ files give a
// candidate, unusable/ files (malformed, plaintext only, no IMAP…) give an error.
func TestAutoconfigCorpus(t *testing.T) {
	for _, dir := range []string{"usable", "unusable"} {
		files, err := filepath.Glob(filepath.Join("testdata", "autoconfig", dir, "*.xml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no corpus in %s: %v", dir, err)
		}
		for _, f := range files {
			t.Run(dir+"/"+filepath.Base(f), func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				c, err := parseAutoconfig(data, testAddr)
				if dir == "usable" {
					if err != nil {
						t.Fatal(err)
					}
					checkCandidateInvariants(t, c)
				} else if err == nil {
					t.Fatalf("got %+v, want an error", c)
				}
			})
		}
	}
}

// FuzzParseAutoconfig: whatever the bytes, the parser does not panic, and any candidate it
// returns is usable: host names, ports in 1..65535, TLS or STARTTLS, a username.
func FuzzParseAutoconfig(f *testing.F) {
	for _, dir := range []string{"usable", "unusable"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "autoconfig", dir, "*.xml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(autoconfigXML("imap.%EMAILDOMAIN%", 993, "SSL", "smtp.x", 587, "STARTTLS", "%EMAILLOCALPART%")))
	f.Add([]byte(`<clientConfig><emailProvider><incomingServer type="imap"><hostname>%EMAILADDRESS%</hostname><port>1</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseAutoconfig(data, testAddr)
		if err != nil {
			return
		}
		checkCandidateInvariants(t, c)
	})
}

func checkCandidateInvariants(t *testing.T, c Candidate) {
	t.Helper()
	for _, s := range []Server{c.IMAP, c.SMTP} {
		if s.Host == "" || !validHost(s.Host) {
			t.Fatalf("candidate with host %q", s.Host)
		}
		if s.Port < 1 || s.Port > 65535 {
			t.Fatalf("candidate with port %d", s.Port)
		}
		if s.Security != TLS && s.Security != STARTTLS {
			t.Fatalf("candidate with security %q", s.Security)
		}
		if s.Username == "" {
			t.Fatalf("candidate without a username")
		}
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "autoconfig", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
