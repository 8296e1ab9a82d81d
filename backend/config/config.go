// Package config reads Mailroom's settings from the environment, once, at start-up, into a
// typed Config that app.go passes down: no other package reads the environment.
//
//	cfg, err := config.Load() // reads the environment; err: no data directory can be found
//	dialer := &connect.Dialer{Resolver: resolverFor(cfg.DNSServer), …}
//	f := senders.New(reg, senders.Options{PostmarkURL: cfg.PostmarkURL, MailgunURL: cfg.MailgunURL})
//
// Settings lists every setting with what it does and its default; README.md's settings
// table must list exactly the same names (config_test.go checks it), so a new setting is
// documented when it is added. Every external endpoint can be redirected, so tests (and
// administrators of unusual networks) point them at their own servers.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Setting is one environment variable Mailroom reads.
type Setting struct {
	Name    string
	Default string // in words, for the README
	Doc     string
}

// The settings' names.
const (
	DataDir            = "MAILROOM_DATA_DIR"
	DNSServer          = "MAILROOM_DNS_SERVER"
	AutoconfigURLs     = "MAILROOM_AUTOCONFIG_URLS"
	ISPDBURL           = "MAILROOM_ISPDB_URL"
	CAFile             = "MAILROOM_CA_FILE"
	ProtocolLog        = "MAILROOM_PROTOCOL_LOG"
	GoogleClientID     = "MAILROOM_GOOGLE_CLIENT_ID"
	GoogleClientSecret = "MAILROOM_GOOGLE_CLIENT_SECRET"
	GoogleIssuer       = "MAILROOM_GOOGLE_ISSUER"
	MicrosoftClientID  = "MAILROOM_MICROSOFT_CLIENT_ID"
	MicrosoftIssuer    = "MAILROOM_MICROSOFT_ISSUER"
	PostmarkURL        = "MAILROOM_POSTMARK_URL"
	MailgunURL         = "MAILROOM_MAILGUN_URL"
	Browser            = "BROWSER"
)

// Settings lists every setting, in the README's order.
var Settings = []Setting{
	{DataDir, "the OS convention (below)", "where the database and the logs live"},
	{DNSServer, "the system's resolver", "host:port of the DNS server that discovery and connections ask"},
	{AutoconfigURLs, "Mozilla's and the domain's own", "comma-separated autoconfig URL templates ({domain}, {email})"},
	{ISPDBURL, "https://autoconfig.thunderbird.net/v1.1/{domain}", "URL template ({domain}) of Mozilla's ISP database service, asked for the domain typed; off turns it off"},
	{CAFile, "none", "a PEM file of extra certificate authorities to trust"},
	{ProtocolLog, "off", "1 logs IMAP/SMTP conversations, credentials masked, to logs/protocol.log"},
	{GoogleClientID, "the one a super admin entered in Settings (none is built in)", "the OAuth client ID for Sign in with Google"},
	{GoogleClientSecret, "the one entered in Settings", "its installed-app secret; set (even empty), it replaces the one entered in Settings"},
	{GoogleIssuer, "Google", "another OpenID provider for Sign in with Google: its endpoints are read from ISSUER/.well-known/openid-configuration at start-up"},
	{MicrosoftClientID, "the one a super admin entered in Settings (none is built in)", "the OAuth client ID for Sign in with Microsoft"},
	{MicrosoftIssuer, "Microsoft", "another OpenID provider for Sign in with Microsoft, as for Google"},
	{PostmarkURL, "https://api.postmarkapp.com", "Postmark's API endpoint"},
	{MailgunURL, "the account's region's API", "Mailgun's API endpoint, without /v3, for both regions"},
	{Browser, "the system's browser", "the program that opens sign-in pages"},
}

// OAuthClient is what the environment says of one sign-in provider; empty fields leave the
// registration a super admin entered in Settings.
type OAuthClient struct {
	ClientID string
	// ClientSecret replaces the secret entered in Settings when HasClientSecret (even empty).
	ClientSecret    string
	HasClientSecret bool
	Issuer          string
}

// Config is every setting, read once.
type Config struct {
	// DataDir is where the database and the logs live: MAILROOM_DATA_DIR, else the OS
	// convention ($XDG_DATA_HOME/mailroom or ~/.local/share/mailroom on Linux,
	// ~/Library/Application Support/Mailroom on macOS, %AppData%\Mailroom on Windows).
	DataDir        string
	DNSServer      string   // "" = the system's resolver
	AutoconfigURLs []string // nil = discovery's defaults
	ISPDBURL       string   // "" = Mozilla's service, "off" = none
	CAFile         string
	ProtocolLog    bool
	Google         OAuthClient
	Microsoft      OAuthClient
	PostmarkURL    string // "" = Postmark's public API
	MailgunURL     string // "" = the region's public API
	Browser        string // "" = the system's browser
}

// Load reads the settings from the environment. The error says that no data directory
// could be found (no MAILROOM_DATA_DIR and no home directory); the rest of Config is
// filled all the same.
func Load() (Config, error) { return FromLookup(os.LookupEnv) }

// FromLookup reads the settings through lookup (os.LookupEnv in the app).
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	c := Config{
		DNSServer:   get(DNSServer),
		ISPDBURL:    get(ISPDBURL),
		CAFile:      get(CAFile),
		ProtocolLog: get(ProtocolLog) == "1",
		Google:      OAuthClient{ClientID: get(GoogleClientID), Issuer: get(GoogleIssuer)},
		Microsoft:   OAuthClient{ClientID: get(MicrosoftClientID), Issuer: get(MicrosoftIssuer)},
		PostmarkURL: get(PostmarkURL),
		MailgunURL:  get(MailgunURL),
		Browser:     get(Browser),
	}
	if v := get(AutoconfigURLs); v != "" {
		c.AutoconfigURLs = strings.Split(v, ",")
	}
	c.Google.ClientSecret, c.Google.HasClientSecret = lookup(GoogleClientSecret)
	var err error
	c.DataDir, err = dataDir(get(DataDir), lookup)
	return c, err
}

// applicationName names Mailroom's folder in the OS's data directory.
const applicationName = "mailroom"

// dataDir is override, else the OS convention.
func dataDir(override string, lookup func(string) (string, bool)) (string, error) {
	if override != "" {
		return override, nil
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" || runtime.GOOS == "openbsd" {
		if d, _ := lookup("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, applicationName), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("config: data dir: %w", err)
		}
		return filepath.Join(home, ".local", "share", applicationName), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config: data dir: %w", err)
	}
	return filepath.Join(d, "Mailroom"), nil
}
