package config

import (
	"os"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"testing"
)

// osConventions are variables read for the OS's own conventions, not Mailroom settings.
var osConventions = map[string]bool{"XDG_DATA_HOME": true}

func names() []string {
	var out []string
	for _, s := range Settings {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

// Every variable Load reads is in Settings, and every setting is read.
func TestSettingsListExactlyWhatLoadReads(t *testing.T) {
	asked := map[string]bool{}
	if _, err := FromLookup(func(name string) (string, bool) { asked[name] = true; return "", false }); err != nil {
		t.Logf("no data directory here: %v", err)
	}
	var read []string
	for n := range asked {
		if !osConventions[n] {
			read = append(read, n)
		}
	}
	sort.Strings(read)
	if !reflect.DeepEqual(read, names()) {
		t.Fatalf("Load reads %v; Settings lists %v: list every setting (with its doc and default) in Settings", read, names())
	}
}

// README.md's settings table lists exactly Settings, so a setting cannot go undocumented.
func TestTheREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllSubmatch(readme, -1)
	var inREADME []string
	for _, r := range rows {
		inREADME = append(inREADME, string(r[1]))
	}
	sort.Strings(inREADME)
	if !reflect.DeepEqual(inREADME, names()) {
		t.Fatalf("README's settings table lists %v; config.Settings lists %v", inREADME, names())
	}
	for _, s := range Settings {
		if s.Doc == "" || s.Default == "" {
			t.Errorf("%s has no doc or no default in Settings", s.Name)
		}
	}
}

func TestSettingsAreReadIntoTheirFields(t *testing.T) {
	env := map[string]string{
		DataDir: "/srv/mailroom", DNSServer: "127.0.0.1:5353", AutoconfigURLs: "http://a/{domain},http://b/{email}",
		ISPDBURL: " off ", CAFile: " /etc/ca.pem ", ProtocolLog: "1", GoogleClientID: "g-id", GoogleClientSecret: "",
		GoogleIssuer: "http://127.0.0.1:9/oidc", MicrosoftClientID: "m-id", MicrosoftIssuer: "http://127.0.0.1:9/ms",
		PostmarkURL: "http://127.0.0.1:9/pm", MailgunURL: " http://127.0.0.1:9/mg ", Browser: "/usr/bin/true",
	}
	got, err := FromLookup(func(n string) (string, bool) { v, ok := env[n]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	want := Config{DataDir: "/srv/mailroom", DNSServer: "127.0.0.1:5353", AutoconfigURLs: []string{"http://a/{domain}", "http://b/{email}"},
		ISPDBURL: "off", CAFile: "/etc/ca.pem", ProtocolLog: true,
		Google:      OAuthClient{ClientID: "g-id", ClientSecret: "", HasClientSecret: true, Issuer: "http://127.0.0.1:9/oidc"},
		Microsoft:   OAuthClient{ClientID: "m-id", Issuer: "http://127.0.0.1:9/ms"},
		PostmarkURL: "http://127.0.0.1:9/pm", MailgunURL: "http://127.0.0.1:9/mg", Browser: "/usr/bin/true"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("config = %+v\nwant     %+v", got, want)
	}
	// Unset: the defaults (empty), and no Google secret to replace the built-in one.
	none, _ := FromLookup(func(string) (string, bool) { return "", false })
	if none.Google.HasClientSecret || none.ProtocolLog || none.AutoconfigURLs != nil || none.ISPDBURL != "" || none.PostmarkURL != "" {
		t.Fatalf("without settings: %+v", none)
	}
}

func TestTheDataDirectoryFollowsTheOSConventionUnlessSet(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG convention is Linux's")
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{DataDir: "/tmp/somewhere", "XDG_DATA_HOME": "/tmp/xdg"}, "/tmp/somewhere"},
		{map[string]string{"XDG_DATA_HOME": "/tmp/xdg"}, "/tmp/xdg/mailroom"},
		{map[string]string{"XDG_DATA_HOME": "relative/ignored", "HOME": "/home/ana"}, ""}, // home-based
	} {
		got, err := FromLookup(func(n string) (string, bool) { v, ok := c.env[n]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		want := c.want
		if want == "" {
			home, _ := os.UserHomeDir()
			want = home + "/.local/share/mailroom"
		}
		if got.DataDir != want {
			t.Errorf("env %v: DataDir = %q; want %q", c.env, got.DataDir, want)
		}
	}
}
