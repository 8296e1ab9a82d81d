package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"mailroom/backend/internal/testkit/testdns"
)

func ask(t *testing.T, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	in, _, err := new(dns.Client).Exchange(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func txtOf(in *dns.Msg) string {
	var out []string
	for _, rr := range in.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return strings.Join(out, "|")
}

// The zone file is read in zone-file syntax, read again when it changes before the next
// question, and kept when a new version does not parse.
func TestZoneFileFollowed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "zone.txt")
	write := func(text string) {
		t.Helper()
		// Written whole then renamed, as the end-to-end test does.
		if err := os.WriteFile(path+".tmp", []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	write("$ORIGIN example.test.\n$TTL 60\n@ IN TXT \"v=spf1 mx ~all\" ; the first version\nmx IN A 127.0.0.1\n")
	z := &zoneFile{path: path, origin: "."}
	s, err := testdns.Start("127.0.0.1:0", testdns.WithRefresh(func(s *testdns.Server) {
		if err := z.load(s); err != nil {
			t.Log(err)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	if got := txtOf(ask(t, s.Addr, "example.test", dns.TypeTXT)); got != "v=spf1 mx ~all" {
		t.Fatalf("TXT example.test = %q", got)
	}
	if in := ask(t, s.Addr, "mx.example.test", dns.TypeA); len(in.Answer) != 1 || in.Answer[0].(*dns.A).A.String() != "127.0.0.1" {
		t.Fatalf("A mx.example.test = %v", in.Answer)
	}
	if in := ask(t, s.Addr, "elsewhere.example", dns.TypeA); in.Rcode != dns.RcodeNameError {
		t.Fatalf("an unknown name answered %s, want NXDOMAIN", dns.RcodeToString[in.Rcode])
	}

	write("$ORIGIN example.test.\n@ 60 IN TXT \"v=spf1 mx ip4:127.0.0.1 ~all\"\n")
	if got := txtOf(ask(t, s.Addr, "example.test", dns.TypeTXT)); got != "v=spf1 mx ip4:127.0.0.1 ~all" {
		t.Fatalf("after the change, TXT example.test = %q", got)
	}
	if in := ask(t, s.Addr, "mx.example.test", dns.TypeA); in.Rcode != dns.RcodeNameError {
		t.Fatalf("a record removed from the file still answers: %v", in.Answer)
	}

	write("$ORIGIN example.test.\n@ 60 IN TXT \"unterminated\n")
	if got := txtOf(ask(t, s.Addr, "example.test", dns.TypeTXT)); got != "v=spf1 mx ip4:127.0.0.1 ~all" {
		t.Fatalf("a broken file changed the answer: %q", got)
	}
}
