// Package discovery finds the IMAP and SMTP servers of a mailbox from its email address,
// the way Thunderbird does (F2), starting with the admins' domain presets (F5).
//
//	d := discovery.New(discovery.Options{Presets: presets}) // no I/O
//	found, err := d.Discover(ctx, "alice@shop.fr")         // every candidate, best first
//	best, tried, err := d.DiscoverVerified(ctx, "alice@shop.fr", verifier)
//	for _, p := range discovery.Providers() { … one tile per provider … }
//	c, err := discovery.ProviderCandidate("ovh", "alice@shop.fr") // a tile picked by hand
//
// The sources, best first:
//
//  1. preset: the domain presets an admin set (Options.Presets);
//  2. catalog: the built-in provider catalogue (catalog.go): Mozilla's ISP database
//     as generated into catalog_generated.go, with Mailroom's notes on top, such as
//     "iCloud needs an app-specific password";
//  3. autoconfig: Mozilla autoconfig XML at autoconfig.DOMAIN and at
//     DOMAIN/.well-known/autoconfig (Options.AutoconfigURLs), then Mozilla's central ISP
//     database service (Options.ISPDBURL), which learns the domain typed;
//  4. srv: RFC 6186 SRV records (_imaps, _imap, _submissions, _submission);
//  5. mx: the domain's MX records, for mail hosted by Google, Microsoft, OVH or Infomaniak;
//  6. guess: imap./mail./smtp.DOMAIN on the usual ports, kept only if they answer.
//
// They run concurrently. Each is bounded by SourceTimeout and the whole search by
// DiscoverTimeout, so a slow web server never holds the wizard: what the others found is
// returned on time. Candidates are de-duplicated (the best source of identical settings
// wins) and each says where it came from (Source, Origin), for the "where this setting came
// from" line of the wizard.
//
// Discover does not log in. DiscoverVerified tries the candidates in order with a Verifier
// (the connection test's real IMAP login) and returns the first that passes, with the list
// of what was tried; a Verifier error wrapping ErrAuth stops the search, since the servers
// answered and only the password is wrong.
//
// Every external endpoint is in Options: the DNS resolver (the system's, or a given DNS
// server through NewDNSServerResolver), the autoconfig URL templates, the HTTP client and
// the dialer used by guesses, so tests point them all at servers on 127.0.0.1.
package discovery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bounds of a search. Options may shorten or lengthen each.
const (
	// DiscoverTimeout bounds a whole Discover call: what is found by then is returned.
	DiscoverTimeout = 8 * time.Second
	// SourceTimeout bounds one source (one autoconfig fetch pair, one set of DNS lookups…).
	SourceTimeout = 6 * time.Second
	// ProbeTimeout bounds the TCP connect that confirms a guessed server.
	ProbeTimeout = 2 * time.Second
	// CheckTimeout bounds one Verifier.Check in DiscoverVerified.
	CheckTimeout = 30 * time.Second
)

// Security is how a connection to a server is protected. There is deliberately no
// "plain": a server offering neither is never proposed.
type Security string

// The two ways Mailroom talks to a mail server.
const (
	TLS      Security = "tls"      // implicit TLS from the first byte (IMAP 993, SMTP 465)
	STARTTLS Security = "starttls" // plaintext upgraded with STARTTLS, refused if not offered (IMAP 143, SMTP 587)
)

// Server is one server's settings.
type Server struct {
	Host     string
	Port     int
	Security Security
	// Username is the username to log in with, placeholders resolved: the full address
	// or its local part, depending on what the source says.
	Username string
}

// Source names where a candidate came from. The UI translates it.
type Source string

// The sources, in priority order.
const (
	SourcePreset     Source = "preset"
	SourceCatalog    Source = "catalog"
	SourceAutoconfig Source = "autoconfig"
	SourceSRV        Source = "srv"
	SourceMX         Source = "mx"
	SourceGuess      Source = "guess"
)

// Sources lists every source, in priority order.
var Sources = []Source{SourcePreset, SourceCatalog, SourceAutoconfig, SourceSRV, SourceMX, SourceGuess}

// Sign-in services a candidate may suggest instead of a password.
const (
	SignInGoogle    = "google"
	SignInMicrosoft = "microsoft"
)

// SignIns lists every sign-in service.
var SignIns = []string{SignInGoogle, SignInMicrosoft}

// Auth is a set of ways a mail server lets people in, as Mozilla's autoconfig format
// names them (<authentication>).
type Auth uint8

// The ways Mailroom knows.
const (
	// AuthPassword: a password (password-cleartext or password-encrypted): the user's, or an
	// app password.
	AuthPassword Auth = 1 << iota
	// AuthOAuth2: the provider's sign-in (OAuth 2.0).
	AuthOAuth2
	// AuthNone: no authentication (an SMTP relay that trusts its network).
	AuthNone
)

// Password reports whether a password can work: a is AuthPassword or unknown (0, the
// format's default).
func (a Auth) Password() bool { return a == 0 || a&AuthPassword != 0 }

// SignInOnly reports whether only the provider's sign-in works: no password form is
// offered for such servers.
func (a Auth) SignInOnly() bool { return !a.Password() && a&AuthOAuth2 != 0 }

// Origin names where exactly a candidate came from, as named params of its Source's
// sentence (the UI words it, in the user's language):
//
//	preset     {domain}         the domain whose preset it is
//	catalog    {url}            the provider's help page the settings were taken from
//	autoconfig {url}            the autoconfig document's URL
//	srv        {imap, smtp}     the SRV record names
//	mx         {domain, host}   the domain and its MX host
//	guess      {domain}         the domain whose usual server names answered
type Origin map[string]string

// Note is advice that goes with a candidate. Code is stable and worded by the UI; Text is
// the English advice, for logs and the catalogue's readers, never shown. Detail is the
// provider's own instruction when it gave one (an autoconfig document's), shown verbatim.
type Note struct {
	Code   string
	Text   string
	Detail string
	// URL is the provider's page for what the note asks (where IMAP access is turned on), to
	// open in the browser; "" when it gave none.
	URL string
}

// Note codes. They never change once shipped.
const (
	// NoteAppPasswordRequired: the provider refuses the account password in mail apps.
	NoteAppPasswordRequired = "app_password_required"
	// NoteAppPasswordIfTwoFactor: with two-factor authentication on, an app password is needed.
	NoteAppPasswordIfTwoFactor = "app_password_if_two_factor"
	// NoteEnableIMAPFirst: IMAP access is off until the user enables it in the webmail.
	NoteEnableIMAPFirst = "enable_imap_first"
	// NotePasswordRefused: the normal password is refused; use the provider's sign-in
	// (Candidate.SignIn) or, where offered, an app password.
	NotePasswordRefused = "password_refused"
	// NoteGuessed: the settings are guesses from usual server names.
	NoteGuessed = "guessed"
	// NoteSignInUnsupported: the servers accept only their provider's sign-in (OAuth 2.0),
	// which Mailroom does not have for this provider: a password cannot work.
	NoteSignInUnsupported = "sign_in_unsupported"
)

// Candidate is one complete set of settings for a mailbox.
type Candidate struct {
	IMAP   Server
	SMTP   Server
	Source Source
	// Origin says where exactly the settings came from: the params of the Source's
	// sentence, which the UI words (see Origin).
	Origin Origin
	// Provider is the catalogue id of the provider (e.g. "icloud", "ovh"), if known.
	Provider string
	Notes    []Note
	// SignIn is SignInGoogle or SignInMicrosoft when the mailbox is hosted by them: the
	// UI then suggests their sign-in rather than a password.
	SignIn string
	// Auth is how the servers let people in (AuthPassword when the source does not say).
	// When it is SignInOnly the UI offers SignIn, or says that Mailroom lacks this
	// provider's sign-in (NoteSignInUnsupported); never a password form.
	Auth Auth
}

// Presets gives the domain presets an admin set (F5). It returns nil, nil when the domain
// has no IMAP/SMTP preset. Usernames may hold %EMAILADDRESS% or %EMAILLOCALPART%; an empty
// username means the full address. PresetFor must return when ctx is done.
type Presets interface {
	PresetFor(ctx context.Context, domain string) (*Candidate, error)
}

// Dialer opens the TCP connections that confirm guessed servers (*net.Dialer is one).
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Options configures a Discoverer. The zero value is ready for production use.
type Options struct {
	// Presets gives the domain presets; nil means none.
	Presets Presets
	// Resolver answers the DNS questions (MX, SRV, host addresses); nil means the system's.
	Resolver Resolver
	// HTTPClient fetches autoconfig XML; nil means NewHTTPClient(Resolver, nil), which
	// verifies certificates against the system's roots.
	HTTPClient *http.Client
	// AutoconfigURLs are URL templates where {domain} is the address's domain and {email}
	// the query-escaped address; nil means DefaultAutoconfigURLs. Earlier URLs win.
	AutoconfigURLs []string
	// ISPDBURL is the URL template ({domain}) of Mozilla's ISP database service, asked
	// after AutoconfigURLs; "" means DefaultISPDBURL, ISPDBOff none.
	ISPDBURL string
	// Dialer confirms guessed servers by a TCP connect to the addresses Resolver gives;
	// nil means a *net.Dialer.
	Dialer Dialer
	// Timeout bounds a whole Discover (0: DiscoverTimeout); SourceTimeout one source
	// (0: SourceTimeout); ProbeTimeout a guess's connect (0: ProbeTimeout); CheckTimeout
	// one Verifier.Check (0: CheckTimeout).
	Timeout       time.Duration
	SourceTimeout time.Duration
	ProbeTimeout  time.Duration
	CheckTimeout  time.Duration
	// Log receives one debug line per source; nil discards. No secret ever reaches it
	// (discovery never sees a password).
	Log *slog.Logger
}

// Discoverer finds candidates for email addresses. It is safe for concurrent use.
type Discoverer struct {
	opts    Options
	sources []source
}

// source is one way of finding candidates. find returns the candidates it found, best
// first, with placeholders possibly unresolved; Discover settles them.
type source interface {
	kind() Source
	find(ctx context.Context, a address) ([]Candidate, error)
}

// New builds a Discoverer with opts, filling in defaults. It does no I/O.
func New(opts Options) *Discoverer {
	if opts.Resolver == nil {
		opts.Resolver = SystemResolver()
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = NewHTTPClient(opts.Resolver, nil)
	}
	if opts.AutoconfigURLs == nil {
		opts.AutoconfigURLs = DefaultAutoconfigURLs
	}
	if opts.ISPDBURL == "" {
		opts.ISPDBURL = DefaultISPDBURL
	}
	templates := slices.Clone(opts.AutoconfigURLs)
	if opts.ISPDBURL != ISPDBOff {
		templates = append(templates, opts.ISPDBURL)
	}
	if opts.Dialer == nil {
		opts.Dialer = &net.Dialer{}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DiscoverTimeout
	}
	if opts.SourceTimeout <= 0 {
		opts.SourceTimeout = SourceTimeout
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = ProbeTimeout
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = CheckTimeout
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Discoverer{
		opts: opts,
		sources: []source{
			presetSource{presets: opts.Presets},
			catalogSource{},
			autoconfigSource{client: opts.HTTPClient, templates: templates},
			srvSource{resolver: opts.Resolver},
			mxSource{resolver: opts.Resolver},
			guessSource{resolver: opts.Resolver, dialer: opts.Dialer, timeout: opts.ProbeTimeout},
		},
	}
}

// Discover returns every candidate found for email, best first and without duplicates.
// It returns within Options.Timeout (plus the moment sources take to notice it), with what
// was found by then; an empty result with a nil error means nothing was found. It fails
// only when ctx is cancelled or the address is bad: a bad
// address is a *fault.Error with code invalid_input wrapping ErrInvalidAddress.
func (d *Discoverer) Discover(ctx context.Context, email string) ([]Candidate, error) {
	a, err := parseAddress(email)
	if err != nil {
		return nil, err
	}
	bounded, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()

	found := make([][]Candidate, len(d.sources))
	var wg sync.WaitGroup
	for i, s := range d.sources {
		wg.Go(func() {
			defer func() {
				// A source (or a caller's Presets) that panics loses its candidates, not the app.
				if r := recover(); r != nil {
					d.opts.Log.Error("discovery: source panicked", "source", s.kind(), "panic", fmt.Sprint(r))
				}
			}()
			sctx, scancel := context.WithTimeout(bounded, d.opts.SourceTimeout)
			defer scancel()
			start := time.Now()
			cs, err := s.find(sctx, a)
			d.opts.Log.Debug("discovery: source done", "source", s.kind(), "domain", a.Domain,
				"found", len(cs), "took", time.Since(start), "err", err)
			found[i] = cs
		})
	}
	wg.Wait()
	// A caller's deadline is a bound like ours (what was found is returned); a cancellation
	// means nobody is waiting any more.
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return nil, fmt.Errorf("discovery: %s: %w", a.Domain, err)
	}

	var out []Candidate
	seen := make(map[string]bool)
	for i, cs := range found {
		for _, c := range cs {
			c.Source = d.sources[i].kind()
			c, ok := settle(c, a)
			if !ok {
				continue
			}
			k := c.IMAP.key() + "|" + c.SMTP.key()
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// settle resolves placeholders, normalises host names and fills SignIn from the hosts;
// ok is false when the candidate is unusable (no host, a bad port, an unknown security).
func settle(c Candidate, a address) (Candidate, bool) {
	var ok1, ok2 bool
	c.IMAP, ok1 = settleServer(c.IMAP, a)
	c.SMTP, ok2 = settleServer(c.SMTP, a)
	if !ok1 || !ok2 {
		return Candidate{}, false
	}
	if c.SignIn == "" {
		c.SignIn = signInForHost(c.IMAP.Host)
	}
	if c.Auth == 0 {
		c.Auth = AuthPassword
	}
	c.Notes = append([]Note(nil), c.Notes...)
	if c.Auth.SignInOnly() && c.SignIn == "" && !slices.ContainsFunc(c.Notes, func(n Note) bool { return n.Code == NoteSignInUnsupported }) {
		c.Notes = append(c.Notes, Note{Code: NoteSignInUnsupported,
			Text: "These servers accept only their provider's own sign-in, which Mailroom does not offer yet: a password cannot work."})
	}
	return c, true
}

func settleServer(s Server, a address) (Server, bool) {
	s.Host = normalizeHost(a.expand(s.Host))
	s.Username = a.username(s.Username)
	if !validHost(s.Host) || s.Port < 1 || s.Port > 65535 {
		return Server{}, false
	}
	if s.Security != TLS && s.Security != STARTTLS {
		return Server{}, false
	}
	return s, true
}

func (s Server) key() string {
	return s.Host + ":" + strconv.Itoa(s.Port) + "/" + string(s.Security) + "/" + s.Username
}

// signInForHost says whose sign-in a server host belongs to, if Google's or Microsoft's.
func signInForHost(host string) string {
	switch {
	case hostUnder(host, "gmail.com", "googlemail.com", "google.com"):
		return SignInGoogle
	case hostUnder(host, "office365.com", "outlook.com"):
		return SignInMicrosoft
	}
	return ""
}

// hostUnder reports whether host is one of the domains or a name under one of them.
func hostUnder(host string, domains ...string) bool {
	host = normalizeHost(host)
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// normalizeHost lowercases a host name and drops surrounding spaces and a final dot.
func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// validHost accepts an IP address or a host name of letters, digits and hyphens.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for _, label := range strings.Split(h, ".") {
		if !validLabel(label) {
			return false
		}
	}
	return true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// errNoServers is what a source returns when it answered but offered nothing usable.
var errNoServers = errors.New("no usable IMAP and SMTP servers")

// presetSource asks the admin's domain presets.
type presetSource struct{ presets Presets }

func (presetSource) kind() Source { return SourcePreset }

func (s presetSource) find(ctx context.Context, a address) ([]Candidate, error) {
	if s.presets == nil {
		return nil, nil
	}
	c, err := s.presets.PresetFor(ctx, a.Domain)
	if err != nil {
		return nil, fmt.Errorf("discovery: preset for %s: %w", a.Domain, err)
	}
	if c == nil {
		return nil, nil
	}
	cc := *c
	if len(cc.Origin) == 0 {
		cc.Origin = Origin{"domain": a.Domain}
	}
	return []Candidate{cc}, nil
}
